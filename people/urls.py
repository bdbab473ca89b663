# Placeholder routes, replaced by the people views.
from django.urls import path

from core.views import dashboard

app_name = "people"
urlpatterns = [path("", dashboard, name="list")]
