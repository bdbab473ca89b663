"""The public portal (chuyên trang): no login, except to register a replication."""

from django.urls import URLPattern, path

from accounts.access import public
from propagation import feeds, portal

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", portal.index, name="index"),
    path("tim-kiem/", portal.search, name="search"),
    path("chuyen-muc/<slug:slug>/", portal.column, name="column"),
    path("bai-viet/<slug:slug>/", portal.story, name="story"),
    path("bai-viet/<slug:slug>/anh-dai-dien/", portal.cover, name="cover"),
    path("bai-viet/<slug:slug>/anh/<int:image>/", portal.photo, name="photo"),
    path("bai-viet/<slug:slug>/nhan-rong/", portal.replicate, name="replicate"),
    path("feed/atom/", public(feeds.AtomStoriesFeed()), name="feed_atom"),
    path("feed/rss/", public(feeds.StoriesFeed()), name="feed_rss"),
    path(
        "chuyen-muc/<slug:slug>/feed/atom/",
        public(feeds.AtomColumnFeed()),
        name="column_feed_atom",
    ),
    path("chuyen-muc/<slug:slug>/feed/rss/", public(feeds.ColumnFeed()), name="column_feed_rss"),
]
