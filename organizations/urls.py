from django.urls import path

from organizations import views

app_name = "organizations"
# Fixed words come before "<code>/" so that they are never read as unit codes.
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("tree/", views.unit_tree, name="tree"),
    path("import/", views.unit_import, name="import"),
    path("import/template/", views.unit_import_template, name="import_template"),
    path("import/errors/<str:token>/", views.unit_import_errors, name="import_errors"),
    path("clusters/", views.cluster_list, name="clusters"),
    path("clusters/new/", views.cluster_create, name="cluster_create"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<int:pk>/copy/", views.cluster_copy, name="cluster_copy"),
    path("councils/", views.council_list, name="councils"),
    path("councils/new/", views.council_create, name="council_create"),
    path("councils/<int:pk>/", views.council_detail, name="council_detail"),
    path("councils/<int:pk>/members/new/", views.council_member_add, name="council_member_add"),
    path("councils/members/<int:pk>/end/", views.council_member_end, name="council_member_end"),
    # Codes may hold a "/" (only spaces are refused), so the action pages come first.
    path("<path:code>/edit/", views.unit_edit, name="edit"),
    path("<path:code>/move/", views.unit_move, name="move"),
    path("<path:code>/merge/", views.unit_merge, name="merge"),
    path("<path:code>/split/", views.unit_split, name="split"),
    path("<path:code>/rating/", views.unit_rating, name="rating"),
    path("<path:code>/", views.unit_detail, name="detail"),
]
