from django.urls import path

from people import views

app_name = "people"
# Codes may contain "/" (nothing forbids it), hence <path:code>; the detail page
# comes last so that ".../edit/" is not read as a code ending in "/edit".
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("import/", views.person_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/errors/<str:token>/", views.person_import_errors, name="import_errors"),
    path("<path:code>/edit/", views.person_edit, name="edit"),
    path("<path:code>/transfer/", views.person_transfer, name="transfer"),
    path("<path:code>/rating/", views.person_rating, name="rating"),
    path("<path:code>/", views.person_detail, name="detail"),
]
