"""The staff side of propagation; each part keeps its own routes."""

from propagation import urls_events, urls_replication, urls_stories

app_name = "propagation"
urlpatterns = urls_replication.urlpatterns + urls_stories.urlpatterns + urls_events.urlpatterns
