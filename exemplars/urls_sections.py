"""URLs of the assessment, fostering-plan and monitoring sections of the exemplar page."""

from django.urls import URLPattern, path

from exemplars import views_sections as v

urlpatterns: list[URLPattern] = [
    path("<int:pk>/people/", v.person_options, name="section_people"),
    path("<int:pk>/assessment/<str:condition>/review/", v.review_record, name="review_record"),
    path("<int:pk>/reviews/<int:review>/clear/", v.review_clear, name="review_clear"),
    path("<int:pk>/reviews/<int:review>/evidence/", v.review_evidence, name="review_evidence"),
    path("<int:pk>/fostering/", v.fostering_edit, name="fostering_edit"),
    path("<int:pk>/actions/new/", v.action_create, name="action_create"),
    path("<int:pk>/actions/<int:action>/", v.action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:action>/delete/", v.action_delete, name="action_delete"),
    path("<int:pk>/checkins/new/", v.checkin_create, name="checkin_create"),
    path("<int:pk>/checkins/<int:checkin>/", v.checkin_edit, name="checkin_edit"),
    path("<int:pk>/checkins/<int:checkin>/delete/", v.checkin_delete, name="checkin_delete"),
]
