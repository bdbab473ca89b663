"""Pages of eligibility, mounted at /eligibility/.

People and units have different keys (person_code, code), so that one set of values
fills every object page (tests.test_permissions.assert_object_pages). Codes may hold
a "/", hence <path:...>, with the fixed suffixes listed before the bare code.
"""

from django.urls import URLPattern, path

from eligibility import views

app_name = "eligibility"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("rules/", views.rules, name="rules"),
    path("people/<path:person_code>/judgement/", views.person_judgement, name="person_judgement"),
    path("people/<path:person_code>/", views.person_page, name="person"),
    path("units/<path:code>/list/", views.unit_list, name="list"),
    path("units/<path:code>/judgement/", views.unit_judgement, name="unit_judgement"),
    path("units/<path:code>/", views.unit_page, name="unit"),
]
