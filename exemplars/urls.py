from exemplars.urls_dashboards import urlpatterns as dashboard_patterns
from exemplars.urls_pages import urlpatterns as page_patterns
from exemplars.urls_sections import urlpatterns as section_patterns

app_name = "exemplars"
urlpatterns = [*page_patterns, *section_patterns, *dashboard_patterns]
