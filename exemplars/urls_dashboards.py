from django.urls import URLPattern, path

from exemplars import views_dashboards as views

urlpatterns: list[URLPattern] = [
    path("funnel/", views.funnel_page, name="funnel"),
    path("quota/", views.quota_page, name="quota"),
    path("standards/", views.standards_page, name="standards"),
]
