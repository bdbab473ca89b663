from django.urls import path

from plans import views

app_name = "plans"
# Plan codes hold no "/" (plans.services.CODE_RE); fixed words come before "<code>/".
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/withdraw/", views.submission_withdraw, name="submission_withdraw"),
    path("<str:code>/edit/", views.plan_edit, name="edit"),
    path("<str:code>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("<str:code>/submit/", views.submission_create, name="submit"),
    path("<str:code>/compliance/", views.compliance, name="compliance"),
    path("<str:code>/compliance/cell/", views.compliance_cell, name="compliance_cell"),
    path("<str:code>/calendar.ics", views.calendar, name="calendar"),
    path("<str:code>/", views.plan_detail, name="detail"),
]
