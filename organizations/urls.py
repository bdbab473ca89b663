# Placeholder routes, replaced by the organisation views.
from django.urls import path

from core.views import dashboard

app_name = "organizations"
urlpatterns = [
    path("", dashboard, name="list"),
    path("clusters/", dashboard, name="clusters"),
    path("councils/", dashboard, name="councils"),
]
