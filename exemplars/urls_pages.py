from django.urls import URLPattern, path

from exemplars import views

urlpatterns: list[URLPattern] = [
    path("", views.exemplar_list, name="list"),
    path("board/", views.exemplar_board, name="board"),
    path("new/", views.exemplar_create, name="create"),
    path("person-options/", views.person_options, name="person_options"),
    path("<int:pk>/", views.exemplar_detail, name="detail"),
    path("<int:pk>/edit/", views.exemplar_edit, name="edit"),
    path("<int:pk>/delete/", views.exemplar_delete, name="delete"),
    path("<int:pk>/transition/", views.exemplar_transition, name="transition"),
    path("<int:pk>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:att>/", views.attachment_file, name="attachment_file"),
    path(
        "<int:pk>/attachments/<int:att>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
