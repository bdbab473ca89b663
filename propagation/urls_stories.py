"""Staff pages of portal stories (namespace "propagation", see propagation/urls.py)."""

from django.urls import URLPattern, path

from propagation import views_stories as views

urlpatterns: list[URLPattern] = [
    path("stories/", views.story_list, name="story_list"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:pk>/edit/", views.story_edit, name="story_edit"),
    path("stories/<int:pk>/delete/", views.story_delete, name="story_delete"),
    path("stories/<int:pk>/move/", views.story_move, name="story_move"),
    path("stories/<int:pk>/preview/", views.story_preview, name="story_preview"),
    path("stories/<int:pk>/cover/", views.story_cover, name="story_cover"),
    path("stories/<int:pk>/images/new/", views.story_image_add, name="story_image_add"),
    path("stories/<int:pk>/images/<int:image>/", views.story_image, name="story_image"),
    path(
        "stories/<int:pk>/images/<int:image>/delete/",
        views.story_image_delete,
        name="story_image_delete",
    ),
]
