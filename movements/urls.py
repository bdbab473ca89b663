from django.urls import URLPattern

app_name = "movements"
urlpatterns: list[URLPattern] = []
