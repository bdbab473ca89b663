from django.urls import path

from movements import views

app_name = "movements"
urlpatterns = [
    path("", views.movement_list, name="list"),
    path("new/", views.movement_create, name="create"),
    path("<int:pk>/", views.movement_detail, name="detail"),
    path("<int:pk>/edit/", views.movement_edit, name="edit"),
    path("<int:pk>/criteria/", views.movement_criteria, name="criteria"),
    path("<int:pk>/register/", views.movement_register, name="register"),
    path("<int:pk>/registrations/", views.registration_list, name="registrations"),
    path("<int:pk>/confirm/", views.registration_confirm, name="confirm"),
    path("<int:pk>/review/", views.movement_review, name="review"),
    path("<int:pk>/review/export/", views.review_export, name="review_export"),
    path("registrations/<int:reg>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:reg>/edit/", views.registration_edit, name="registration_edit"),
    path("registrations/<int:reg>/submit/", views.registration_submit, name="registration_submit"),
    path("registrations/<int:reg>/delete/", views.registration_delete, name="registration_delete"),
    path(
        "registrations/<int:reg>/outcome/", views.registration_outcome, name="registration_outcome"
    ),
]
