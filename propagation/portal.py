"""The public portal (chuyên trang): no login, only what may be published.

Only published stories of exemplars recognised at their unit or beyond are ever
shown (services_stories.published_stories): a story withdrawn, or whose
exemplar was revoked, answers 404. Every page runs a fixed number of queries
whatever the number of stories (tests/test_propagation_portal.py).

Columns (chuyên mục) are the fields of work present among published stories;
a column's address is its name without diacritics (``/chuyen-muc/khi-tuong/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, has_perm_anywhere, public, scope_for
from core.errors import DomainError, ValidationFailed
from core.paging import paginate
from core.text import fold, text_sort_key
from organizations.models import Unit
from propagation.forms_stories import PortalSearchForm, ReplicateForm
from propagation.models import STAGE_ORDER, Replication, Stage, Story
from propagation.sanitize import html_to_text
from propagation.services_stories import published_stories
from propagation.views_stories import serve_image

PER_PAGE = 12
LATEST = 7
COLUMN_PREVIEW = 3
RELATED = 3
DESCRIPTION_CHARS = 200
# A list page never loads what only the story page shows.
LIST_DEFER = ("body", "practice", "results", "search_text", "review_comment", "withdrawn_reason")
STORY_RELATED = ("exemplar__unit", "exemplar__person", "exemplar__subject_unit")


def column_slug(name: str) -> str:
    return slugify(fold(name)) or "khac"


@dataclass
class Column:
    name: str
    slug: str
    count: int = 0
    fields: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse("portal:column", args=[self.slug])


def columns() -> list[Column]:
    """One column per field present among published stories (one query).

    Fields that differ only by diacritics or case ("Khí tượng", "khí tượng")
    share an address, so they are one column.
    """
    rows = (
        published_stories()
        .exclude(field="")
        .order_by()
        .values("field")
        .annotate(n=Count("pk"), latest=Max("published_at"))
    )
    by_slug: dict[str, Column] = {}
    for row in sorted(rows, key=lambda r: -r["n"]):
        slug = column_slug(row["field"])
        column = by_slug.setdefault(slug, Column(name=row["field"], slug=slug))
        column.count += row["n"]
        column.fields.append(row["field"])
    return sorted(by_slug.values(), key=lambda c: text_sort_key(c.name))


def find_column(slug: str) -> Column:
    column = next((c for c in columns() if c.slug == slug), None)
    if column is None:
        raise Http404
    return column


def _cards(rows: QuerySet[Story]) -> QuerySet[Story]:
    return rows.select_related("exemplar__unit").defer(*LIST_DEFER)


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def describe(story: Story) -> str:
    """One or two sentences for lists, feeds and share cards."""
    text = story.summary or html_to_text(story.body) or story.practice
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def _base_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "feed_atom": reverse("portal:feed_atom"),
        "feed_rss": reverse("portal:feed_rss"),
        "canonical": _absolute(request, request.path),
        **extra,
    }


# --- the dedicated page, columns, search ---------------------------------------------------


@public
def index(request: HttpRequest) -> HttpResponse:
    cols = columns()
    latest = list(_cards(published_stories()).order_by("-published_at", "-pk")[:LATEST])
    by_field = {f: c for c in cols for f in c.fields}
    ranked = published_stories().annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("field")],
            order_by=[F("published_at").desc(), F("pk").desc()],
        )
    )
    # Rank the ids only, then load the few cards: numbering whole rows would carry every
    # story's columns through the sort (docs/benchmarks.md, portal).
    top = ranked.filter(rank__lte=COLUMN_PREVIEW).values("pk")
    previews = _cards(Story.objects.filter(pk__in=top)).order_by("-published_at", "-pk")
    for story in previews:
        column = by_field.get(story.field)
        if column is not None and len(column.stories) < COLUMN_PREVIEW:
            column.stories.append(story)
    return render(
        request,
        "portal/index.html",
        _base_context(
            request,
            lead=latest[0] if latest else None,
            latest=latest[1:],
            columns=cols,
            form=_search_form(request, cols, bound=False),
        ),
    )


def _unit_options() -> list[tuple[str, str]]:
    """Units with a story on the portal, in Vietnamese order."""
    shown = published_stories().filter(exemplar__unit=OuterRef("pk"))
    return list(
        Unit.objects.filter(Exists(shown)).order_by("sort_key", "code").values_list("code", "name")
    )


def _search_form(
    request: HttpRequest, cols: list[Column], *, bound: bool = True
) -> PortalSearchForm:
    names = [c.name for c in cols]
    return PortalSearchForm(request.GET if bound else None, fields=names, units=_unit_options())


def _searched(form: PortalSearchForm, cols: list[Column]) -> QuerySet[Story]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = published_stories()
    for word in fold(data.get("q")).split():
        rows = rows.filter(search_text__contains=word)
    if data.get("field"):
        column = next((c for c in cols if c.name == data["field"]), None)
        rows = rows.filter(field__in=column.fields) if column else rows.none()
    if data.get("unit"):
        rows = rows.filter(exemplar__unit__code=data["unit"])
    if data.get("year"):
        rows = rows.filter(published_at__year=data["year"])
    return rows


@public
def search(request: HttpRequest) -> HttpResponse:
    cols = columns()
    form = _search_form(request, cols)
    rows = _cards(_searched(form, cols)).order_by("-published_at", "-pk")
    page = paginate(request, rows, PER_PAGE)
    return render(
        request,
        "portal/search.html",
        _base_context(request, form=form, page=page, columns=cols, searched=bool(request.GET)),
    )


@public
def column(request: HttpRequest, slug: str) -> HttpResponse:
    cols = columns()
    current = next((c for c in cols if c.slug == slug), None)
    if current is None:
        raise Http404
    rows = _cards(published_stories().filter(field__in=current.fields)).order_by(
        "-published_at", "-pk"
    )
    return render(
        request,
        "portal/column.html",
        _base_context(
            request,
            column=current,
            columns=cols,
            page=paginate(request, rows, PER_PAGE),
            column_feed_atom=reverse("portal:column_feed_atom", args=[slug]),
            column_feed_rss=reverse("portal:column_feed_rss", args=[slug]),
        ),
    )


# --- the story page ---------------------------------------------------------------------


def _replications(story: Story) -> tuple[list[Replication], list[Replication]]:
    """Units that took the practice up (furthest stage first) and those that stopped."""
    rows = list(
        Replication.objects.filter(exemplar_id=story.exemplar_id)
        .select_related("unit")
        .only("stage", "started_on", "stage_changed_on", "unit__name", "unit__code", "exemplar_id")
    )
    order: dict[str, int] = {str(s): i for i, s in enumerate(STAGE_ORDER)}
    active = sorted(
        (r for r in rows if r.stage != Stage.DISCONTINUED),
        key=lambda r: (-order.get(r.stage, 0), text_sort_key(r.unit.name)),
    )
    stopped = sorted(
        (r for r in rows if r.stage == Stage.DISCONTINUED), key=lambda r: text_sort_key(r.unit.name)
    )
    return active, stopped


def _register_units(user: Any, story: Story) -> list[Unit]:
    from propagation.access import adopting_units_for

    return list(adopting_units_for(user, story.exemplar).order_by("path"))


def _default_unit(user: Any, units: list[Unit]) -> str:
    """The user's own unit: where their staff record is, else where their role was granted."""
    if not units:
        return ""
    by_id = {u.pk: u for u in units}
    person = getattr(user, "person", None)
    if person is not None and person.unit_id in by_id:
        return by_id[person.unit_id].code
    roots = set(scope_for(user, Perm.MANAGE_REPLICATION).paths)
    own = [u for u in units if u.path in roots]
    return (own or units)[0].code


def _register_context(request: HttpRequest, story: Story, preview: bool) -> dict[str, Any]:
    user = request.user
    if preview or not user.is_authenticated:
        return {"may_register": False}
    if not has_perm_anywhere(user, Perm.MANAGE_REPLICATION):
        return {"may_register": False}
    units = _register_units(user, story)
    form = ReplicateForm(units=units, initial={"unit": _default_unit(user, units)})
    return {"may_register": True, "register_form": form if units else None}


def story_page_context(
    request: HttpRequest, story: Story, *, preview: bool = False
) -> dict[str, Any]:
    """Context of templates/portal/story.html, for the portal and for the staff preview."""
    photos = list(story.images.all())
    if preview:
        cover_url = reverse("propagation:story_cover", args=[story.pk]) if story.cover else ""
        for photo in photos:
            photo.url = reverse("propagation:story_image", args=[story.pk, photo.pk])  # type: ignore[attr-defined]
    else:
        cover_url = reverse("portal:cover", args=[story.slug]) if story.cover else ""
        for photo in photos:
            photo.url = reverse("portal:photo", args=[story.slug, photo.pk])  # type: ignore[attr-defined]
    active, stopped = _replications(story)
    related: list[Story] = []
    if story.field and not preview:
        related = list(
            _cards(published_stories().filter(field=story.field).exclude(pk=story.pk)).order_by(
                "-published_at", "-pk"
            )[:RELATED]
        )
    url = reverse("portal:story", args=[story.slug])
    return _base_context(
        request,
        story=story,
        exemplar=story.exemplar,
        photos=photos,
        cover_url=cover_url,
        og_image=_absolute(request, cover_url) if cover_url else "",
        description=describe(story),
        replicated=active,
        discontinued=stopped,
        related=related,
        column_url=reverse("portal:column", args=[column_slug(story.field)]) if story.field else "",
        preview=preview,
        columns=columns(),
        canonical=_absolute(request, url),
        login_url=f"{reverse('login')}?next={url}",
        **_register_context(request, story, preview),
    )


def _published(slug: str) -> Story:
    return get_object_or_404(published_stories().select_related(*STORY_RELATED), slug=slug)


@public
def story(request: HttpRequest, slug: str) -> HttpResponse:
    item = _published(slug)
    return render(request, "portal/story.html", story_page_context(request, item))


@public
def cover(request: HttpRequest, slug: str) -> HttpResponse:
    return serve_image(_published(slug).cover, public=True)


@public
def photo(request: HttpRequest, slug: str, image: int) -> HttpResponse:
    item = _published(slug)
    picture = get_object_or_404(item.images.all(), pk=image)
    return serve_image(picture.image, public=True)


# --- "Đăng ký nhân rộng" -------------------------------------------------------------------


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return " ".join(e.message for e in exc.errors)
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Anh/chị không có quyền đăng ký nhân rộng cho đơn vị này.")


@access(Perm.MANAGE_REPLICATION)
@require_POST
def replicate(request: HttpRequest, slug: str) -> HttpResponse:
    """A logged-in unit officer registers their unit to replicate the story's practice."""
    from propagation.services import replication_create

    item = _published(slug)
    back = reverse("portal:story", args=[item.slug]) + "#nhan-rong"
    form = ReplicateForm(request.POST, units=_register_units(request.user, item))
    if not form.is_valid():
        messages.error(request, _("Chọn đơn vị đăng ký nhân rộng trong danh sách."))
        return redirect(back)
    unit = form.units[form.cleaned_data["unit"]]
    try:
        replication_create(request.user, item.exemplar, unit)
    except (DomainError, ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Đã đăng ký nhân rộng mô hình “%(t)s” cho đơn vị “%(u)s”.")
            % {"t": item.exemplar.title, "u": unit.name},
        )
    return redirect(back)
