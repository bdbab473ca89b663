"""Events: exchange sessions, study visits, writing contests, trainings (views_events)."""

from django.urls import URLPattern, path

from propagation import views_events as v

urlpatterns: list[URLPattern] = [
    path("events/", v.event_list, name="event_list"),
    path("events/new/", v.event_create, name="event_create"),
    path("events/<int:pk>/", v.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", v.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", v.event_delete, name="event_delete"),
    path("events/<int:pk>/participants/", v.participation_add, name="event_participation_add"),
    path(
        "events/<int:pk>/participants/<int:part>/remove/",
        v.participation_remove,
        name="event_participation_remove",
    ),
    path("events/<int:pk>/entries/new/", v.entry_add, name="event_entry_add"),
    path("events/<int:pk>/entries/<int:entry>/edit/", v.entry_edit, name="event_entry_edit"),
    path("events/<int:pk>/entries/<int:entry>/delete/", v.entry_delete, name="event_entry_delete"),
    path("events/<int:pk>/entries/<int:entry>/score/", v.entry_score, name="event_entry_score"),
    path("events/<int:pk>/jury/", v.jury_add, name="event_jury_add"),
    path("events/<int:pk>/jury/candidates/", v.jury_candidates, name="event_jury_candidates"),
    path("events/<int:pk>/jury/<int:member>/remove/", v.jury_remove, name="event_jury_remove"),
    path("events/<int:pk>/my-scores/", v.my_scores, name="event_my_scores"),
    path("my-contests/", v.my_contests, name="my_contests"),
    path("events/<int:pk>/results/", v.results, name="event_results"),
    path("events/<int:pk>/results/withdraw/", v.results_withdraw, name="event_results_withdraw"),
]
