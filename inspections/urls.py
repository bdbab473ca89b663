from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="plan_create"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:fu>/", views.follow_up_status, name="follow_up_status"),
    path("plans/<int:plan>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan>/teams/new/", views.team_create, name="team_create"),
    path("plans/<int:plan>/inspections/new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/edit/", views.inspection_edit, name="edit"),
    path("<int:pk>/findings/", views.inspection_findings, name="findings"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create, name="follow_up_create"),
]
