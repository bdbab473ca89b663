"""Pages of records, mounted at /awards/.

Awards, initiatives and discipline share the namespace but are different objects,
so their keys have different names (pk, initiative_pk, discipline_pk): one set of
values then fills every object page (tests.test_permissions.assert_object_pages).
"""

from django.urls import URLPattern, path

from awards import import_views, views

app_name = "awards"

award_patterns: list[URLPattern] = [
    path("", views.award_list, name="list"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("new/", views.award_create, name="create"),
    path("<int:pk>/", views.award_detail, name="detail"),
    path("<int:pk>/edit/", views.award_edit, name="edit"),
    path("<int:pk>/delete/", views.award_delete, name="delete"),
    path("<int:pk>/file/", views.award_file, name="file"),
    # Fragments the award and initiative forms load while the user types.
    path("options/people/", views.person_options, name="person_options"),
    path("options/initiatives/", views.initiative_options, name="initiative_options"),
]

initiative_patterns: list[URLPattern] = [
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/new/", views.initiative_create, name="initiative_create"),
    path("initiatives/<int:initiative_pk>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:initiative_pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path(
        "initiatives/<int:initiative_pk>/delete/",
        views.initiative_delete,
        name="initiative_delete",
    ),
]

discipline_patterns: list[URLPattern] = [
    path("disciplines/", views.discipline_list, name="disciplines"),
    path("disciplines/new/", views.discipline_create, name="discipline_create"),
    path("disciplines/<int:discipline_pk>/", views.discipline_detail, name="discipline_detail"),
    path("disciplines/<int:discipline_pk>/edit/", views.discipline_edit, name="discipline_edit"),
]

# Excel imports (awards/import_views.py): award history, initiatives, yearly ratings.
import_patterns: list[URLPattern] = [
    path("import/", import_views.award_import, name="import"),
    path("import/template/", import_views.award_import_template, name="import_template"),
    path("import/errors/<str:token>/", import_views.award_import_errors, name="import_errors"),
    path("initiatives/import/", import_views.initiative_import, name="initiative_import"),
    path(
        "initiatives/import/template/",
        import_views.initiative_import_template,
        name="initiative_import_template",
    ),
    path(
        "initiatives/import/errors/<str:token>/",
        import_views.initiative_import_errors,
        name="initiative_import_errors",
    ),
    path("ratings/import/<str:kind>/", import_views.rating_import, name="rating_import"),
    path(
        "ratings/import/<str:kind>/template/",
        import_views.rating_import_template,
        name="rating_import_template",
    ),
    path(
        "ratings/import/<str:kind>/errors/<str:token>/",
        import_views.rating_import_errors,
        name="rating_import_errors",
    ),
]

urlpatterns = award_patterns + initiative_patterns + discipline_patterns + import_patterns
