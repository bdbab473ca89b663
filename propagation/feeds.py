"""Atom and RSS feeds of the portal: every published story, and one feed per column."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from propagation.models import Story
from propagation.portal import Column, describe, find_column
from propagation.services_stories import published_stories

ITEMS = 30


class StoriesFeed(Feed):  # type: ignore[type-arg]
    """RSS 2.0 of the latest published stories."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    language = "vi"

    def title(self, obj: Column | None = None) -> str:
        if obj is not None:
            return _("Chuyên mục %(c)s — Chuyên trang điển hình tiên tiến") % {"c": obj.name}
        return _("Chuyên trang điển hình tiên tiến")

    def description(self, obj: Column | None = None) -> str:
        return _(
            "Những mô hình mới, cách làm hay của điển hình tiên tiến đã được công nhận, "
            "và nơi chúng được nhân rộng."
        )

    subtitle = description

    def link(self, obj: Column | None = None) -> str:
        return obj.url if obj is not None else reverse("portal:index")

    def author_name(self, obj: Column | None = None) -> str:
        # Atom (RFC 4287 §4.1.1) needs an author on the feed when entries have none.
        return _("Chuyên trang điển hình tiên tiến")

    def _stories(self, obj: Column | None) -> QuerySet[Story]:
        rows = published_stories()
        if obj is not None:
            rows = rows.filter(field__in=obj.fields)
        return rows

    def items(self, obj: Column | None = None) -> list[Story]:
        return list(
            self._stories(obj)
            .select_related("exemplar__unit")
            .defer("search_text")
            .order_by("-published_at", "-pk")[:ITEMS]
        )

    def item_title(self, item: Story) -> str:
        return item.title

    def item_description(self, item: Story) -> str:
        return describe(item)

    def item_link(self, item: Story) -> str:
        return reverse("portal:story", args=[item.slug])

    def item_pubdate(self, item: Story) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Story) -> dt.datetime:
        # A published story only changes through withdrawal and a new review, so its
        # last change is at least as recent as its first publication.
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_categories(self, item: Story) -> list[str]:
        return [item.field] if item.field else []

    def item_author_name(self, item: Story) -> str:
        return item.exemplar.unit.name


class AtomStoriesFeed(StoriesFeed):
    feed_type = Atom1Feed


class ColumnFeed(StoriesFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Column:
        return find_column(kwargs["slug"])


class AtomColumnFeed(ColumnFeed):
    feed_type = Atom1Feed
