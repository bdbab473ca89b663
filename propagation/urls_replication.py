"""Replication, spread and outreach pages (namespace "propagation")."""

from django.urls import URLPattern, path

from propagation import views_replication as views

urlpatterns: list[URLPattern] = [
    path("replications/", views.replication_list, name="replication_list"),
    path("replications/ranking/", views.replication_ranking, name="replication_ranking"),
    path("replications/<int:pk>/", views.replication_detail, name="replication_detail"),
    path("replications/<int:pk>/edit/", views.replication_edit, name="replication_edit"),
    path("replications/<int:pk>/stage/", views.replication_stage, name="replication_stage"),
    path("replications/<int:pk>/delete/", views.replication_delete, name="replication_delete"),
    path(
        "replications/<int:pk>/evidence/",
        views.replication_evidence,
        name="replication_evidence",
    ),
    path(
        "exemplars/<int:exemplar_pk>/replications/new/",
        views.replication_create,
        name="replication_create",
    ),
    path(
        "units/<str:code>/replications/",
        views.unit_replications,
        name="unit_replications",
    ),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path(
        "exemplars/<int:exemplar_pk>/outreach/",
        views.outreach_exemplar,
        name="outreach_exemplar",
    ),
    path(
        "exemplars/<int:exemplar_pk>/outreach/new/",
        views.outreach_create,
        name="outreach_create",
    ),
    path("outreach/<int:outreach_pk>/edit/", views.outreach_edit, name="outreach_edit"),
    path("outreach/<int:outreach_pk>/delete/", views.outreach_delete, name="outreach_delete"),
]
