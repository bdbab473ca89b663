"""Portal stories: who sees them, how they are written, and the publishing workflow.

Workflow: DRAFT → REVIEW → PUBLISHED → WITHDRAWN. A story in review may be
returned to its draft with a comment; a withdrawn story may be sent for review
again. Communication staff (Perm.PUBLISH_STORIES) on the exemplar's unit own
every step. Only exemplars recognised at their unit or beyond
(exemplars.models.RECOGNIZED_STATES) get a story, and the portal shows a
published story only while its exemplar is still in those states.

Every change validates first, then writes and audits (before/after) in one
transaction. The body is sanitised on every save (propagation.sanitize), and
photos are resized and stripped of metadata (propagation.images).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import Perm, can, check_unit, scope_for
from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import fold, search_key
from exemplars.models import RECOGNIZED_STATES, Exemplar
from notifications.models import NotificationKind
from notifications.services import notify
from propagation.images import process_image
from propagation.models import Channel, Outreach, OutreachKind, Story, StoryImage, StoryStatus
from propagation.sanitize import clean_body, html_to_text

S = StoryStatus

# The workflow, by move: the states it starts from and the state it reaches.
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((S.DRAFT, S.WITHDRAWN), S.REVIEW),
    "return": ((S.REVIEW,), S.DRAFT),
    "publish": ((S.REVIEW,), S.PUBLISHED),
    "withdraw": ((S.PUBLISHED,), S.WITHDRAWN),
}
# A published story changes only through withdrawal and a new review: what the
# public reads has always been reviewed.
EDITABLE = (S.DRAFT, S.REVIEW, S.WITHDRAWN)
FIELDS = [
    "title",
    "slug",
    "summary",
    "practice",
    "results",
    "body",
    "field",
    "cover",
    "cover_alt",
]
STATE_FIELDS = ["status", "published_at", "withdrawn_reason", "review_comment", "reviewed_by_id"]
IMAGE_FIELDS = ["image", "caption", "position"]
SLUG_MAX = 200
RELATED = (
    "exemplar__unit",
    "exemplar__person",
    "exemplar__subject_unit",
    "author",
    "reviewed_by",
)


# --- who sees what ------------------------------------------------------------------


def stories_visible_to(user: Any, perm: Perm = Perm.PUBLISH_STORIES) -> QuerySet[Story]:
    """Stories about exemplars of units in the user's scope for `perm`."""
    return Story.objects.filter(scope_for(user, perm).unit_q("exemplar__unit__"))


def get_story_for(user: Any, pk: int, write: Perm | None = None) -> Story:
    """404 outside the user's unit scope, 403 when the user may not `write` it."""
    story = Story.objects.select_related(*RELATED).filter(pk=pk).first()
    if story is None:
        raise Http404
    check_unit(user, story.exemplar.unit, write)
    return story


def exemplars_for_stories(user: Any) -> QuerySet[Exemplar]:
    """Exemplars the user may write a story about: recognised, in their PUBLISH_STORIES scope."""
    return Exemplar.objects.filter(
        scope_for(user, Perm.PUBLISH_STORIES).unit_q("unit__"), state__in=RECOGNIZED_STATES
    )


def published_stories() -> QuerySet[Story]:
    """What the public portal may show: published, about an exemplar still recognised."""
    return Story.objects.filter(
        status=S.PUBLISHED, published_at__isnull=False, exemplar__state__in=RECOGNIZED_STATES
    )


def may_edit(story: Story) -> bool:
    return story.status in EDITABLE


def allowed_moves(user: Any, story: Story) -> list[str]:
    if not can(user, Perm.PUBLISH_STORIES, story.exemplar.unit):
        return []
    return [name for name, (sources, _target) in MOVES.items() if story.status in sources]


# --- helpers ---------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "pk", None) is not None


def _check_perm(actor: Any, exemplar: Exemplar) -> None:
    """Services called by a person check the role too (a system actor, None, may do all)."""
    if _is_user(actor) and not can(actor, Perm.PUBLISH_STORIES, exemplar.unit):
        raise PermissionDenied


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    """The title without diacritics, as an address; -2, -3… when it is taken."""
    base = slugify(fold(title))[:SLUG_MAX].strip("-") or "bai-viet"
    rows = Story.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    taken = set(rows.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _refresh_search(story: Story) -> None:
    exemplar = story.exemplar
    story.search_text = search_key(
        story.title,
        story.summary,
        story.practice,
        story.results,
        html_to_text(story.body),
        story.field,
        exemplar.title,
        exemplar.subject_name,
        exemplar.unit.name,
    )


def _validate(story: Story, *, for_review: bool = False) -> list[FieldError]:
    errors: list[FieldError] = []
    if not story.title.strip():
        errors.append(FieldError("title", _("Tiêu đề không được để trống.")))
    elif len(story.title) > 500:
        errors.append(FieldError("title", _("Tiêu đề tối đa 500 ký tự.")))
    if len(story.summary) > 1000:
        errors.append(FieldError("summary", _("Tóm tắt tối đa 1.000 ký tự.")))
    if len(story.field) > 255:
        errors.append(FieldError("field", _("Chuyên mục tối đa 255 ký tự.")))
    if len(story.cover_alt) > 500:
        errors.append(FieldError("cover_alt", _("Mô tả ảnh tối đa 500 ký tự.")))
    if story.cover and not story.cover_alt.strip():
        errors.append(
            FieldError(
                "cover_alt",
                _("Cần mô tả ảnh đại diện (cho người đọc bằng trình đọc màn hình)."),
            )
        )
    if for_review:
        if not story.summary.strip():
            errors.append(FieldError("summary", _("Cần tóm tắt trước khi gửi duyệt, đăng bài.")))
        if not story.practice.strip():
            errors.append(
                FieldError(
                    "practice", _("Cần mô tả mô hình, cách làm hay trước khi gửi duyệt, đăng bài.")
                )
            )
    return errors


def _check_exemplar(exemplar: Exemplar, field: str = "exemplar") -> None:
    if exemplar.state not in RECOGNIZED_STATES:
        raise invalid(
            field,
            _("Chỉ viết, đăng bài về điển hình đã được công nhận (hiện: “%(s)s”).")
            % {"s": exemplar.get_state_display()},
        )


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=story.pk)


def _set_cover(story: Story, cover: Any) -> None:
    content = process_image(cover, "cover")
    story.cover.save(content.name or "anh.jpg", content, save=False)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- writing -----------------------------------------------------------------------------


@transaction.atomic
def story_create(
    *,
    actor: Any,
    exemplar: Exemplar,
    title: str,
    summary: str = "",
    practice: str = "",
    results: str = "",
    body: str = "",
    field: str = "",
    cover: Any = None,
    cover_alt: str = "",
) -> Story:
    """A new draft. The column defaults to the exemplar's field."""
    _check_perm(actor, exemplar)
    _check_exemplar(exemplar)
    story = Story(
        exemplar=exemplar,
        title=_text(title),
        summary=_text(summary),
        practice=_text(practice),
        results=_text(results),
        body=clean_body(body),
        field=_text(field) or exemplar.field,
        cover_alt=_text(cover_alt),
        status=S.DRAFT,
        author=actor if _is_user(actor) else None,
    )
    errors = _validate(story)
    if cover and not story.cover_alt:
        errors.append(FieldError("cover_alt", _("Cần mô tả ảnh đại diện.")))
    if errors:
        raise ValidationFailed(errors)
    if cover:
        _set_cover(story, cover)
    story.slug = unique_slug(story.title)
    _refresh_search(story)
    story.save()
    audit.record(
        actor=actor,
        action="story.create",
        obj=story,
        after={**audit.snapshot(story, [*FIELDS, "exemplar_id"]), "status": story.status},
        unit=exemplar.unit,
    )
    return story


@transaction.atomic
def story_update(
    *, actor: Any, story: Story, cover: Any = None, remove_cover: bool = False, **changes: Any
) -> Story:
    """Edit the text, the column and the cover of a story that is not on the portal."""
    story = _locked(story)
    _check_perm(actor, story.exemplar)
    if not may_edit(story):
        raise Conflict(_("Bài đã đăng: gỡ bài trước khi sửa, rồi gửi duyệt lại."))
    allowed = {"title", "summary", "practice", "results", "body", "field", "cover_alt"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    before = audit.snapshot(story, FIELDS)
    for name, value in changes.items():
        value = _text(value)
        if name == "body":
            value = clean_body(value)
        if name == "field" and not value:
            value = story.exemplar.field
        setattr(story, name, value)
    if remove_cover:
        story.cover = ""  # type: ignore[assignment]
    errors = _validate(story)
    if cover and not story.cover_alt:
        errors = [e for e in errors if e.field != "cover_alt"]
        errors.append(FieldError("cover_alt", _("Cần mô tả ảnh đại diện.")))
    if errors:
        raise ValidationFailed(errors)
    if cover:
        _set_cover(story, cover)
    # The address follows the title until the story is first published; after
    # that it stays, since people have shared it.
    if story.published_at is None and story.title != before["title"]:
        story.slug = unique_slug(story.title, exclude_pk=story.pk)
    _refresh_search(story)
    story.save()
    after = audit.snapshot(story, FIELDS)
    if after != before:
        audit.record(
            actor=actor,
            action="story.update",
            obj=story,
            before=before,
            after=after,
            unit=story.exemplar.unit,
        )
    return story


@transaction.atomic
def story_delete(*, actor: Any, story: Story) -> None:
    """Only a draft that never went public; a published story is withdrawn instead."""
    story = _locked(story)
    _check_perm(actor, story.exemplar)
    if story.status != S.DRAFT or story.published_at is not None:
        raise Conflict(_("Chỉ xóa được bản nháp chưa từng đăng; bài đã đăng thì gỡ bài."))
    audit.record(
        actor=actor,
        action="story.delete",
        obj=story,
        before={**audit.snapshot(story, [*FIELDS, "exemplar_id"]), "status": story.status},
        unit=story.exemplar.unit,
    )
    story.delete()


@transaction.atomic
def story_image_add(*, actor: Any, story: Story, image: Any, caption: str) -> StoryImage:
    story = _locked(story)
    _check_perm(actor, story.exemplar)
    if not may_edit(story):
        raise Conflict(_("Bài đã đăng: gỡ bài trước khi thêm ảnh."))
    caption = _text(caption)
    if not caption:
        raise invalid("caption", _("Cần chú thích ảnh (cũng là mô tả cho trình đọc màn hình)."))
    if len(caption) > 500:
        raise invalid("caption", _("Chú thích tối đa 500 ký tự."))
    if not image:
        raise invalid("image", _("Chọn một ảnh."))
    content = process_image(image, "image")
    position = (story.images.aggregate(m=Max("position"))["m"] or 0) + 1
    photo = StoryImage(story=story, caption=caption, position=position)
    photo.image.save(content.name or "anh.jpg", content, save=False)
    photo.save()
    audit.record(
        actor=actor,
        action="story.image_add",
        obj=story,
        after={"image_id": photo.pk, **audit.snapshot(photo, IMAGE_FIELDS)},
        unit=story.exemplar.unit,
    )
    return photo


@transaction.atomic
def story_image_delete(*, actor: Any, photo: StoryImage) -> None:
    story = _locked(photo.story)
    _check_perm(actor, story.exemplar)
    if not may_edit(story):
        raise Conflict(_("Bài đã đăng: gỡ bài trước khi xóa ảnh."))
    audit.record(
        actor=actor,
        action="story.image_delete",
        obj=story,
        before={"image_id": photo.pk, **audit.snapshot(photo, IMAGE_FIELDS)},
        unit=story.exemplar.unit,
    )
    photo.delete()


# --- the workflow ------------------------------------------------------------------------


def _move(actor: Any, story: Story, move: str, note: str = "") -> Story:
    sources, target = MOVES[move]
    story = _locked(story)
    _check_perm(actor, story.exemplar)
    if story.status not in sources:
        raise Conflict(
            _("Không thể chuyển bài từ “%(a)s” sang “%(b)s”.")
            % {"a": S(story.status).label, "b": S(target).label}
        )
    note = _text(note)
    errors: list[FieldError] = []
    if move in ("submit", "publish"):
        errors.extend(_validate(story, for_review=True))
        _check_exemplar(story.exemplar)
    if move == "return" and not note:
        errors.append(FieldError("note", _("Cần ghi ý kiến để người viết sửa bài.")))
    if move == "withdraw" and not note:
        errors.append(FieldError("note", _("Cần ghi rõ lý do gỡ bài.")))
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(story, STATE_FIELDS)
    story.status = target
    if move == "return":
        story.review_comment = note
        story.reviewed_by = actor if _is_user(actor) else None
    elif move == "publish":
        story.reviewed_by = actor if _is_user(actor) else None
        story.review_comment = ""
        story.withdrawn_reason = ""
        if story.published_at is None:
            story.published_at = timezone.now()
    elif move == "withdraw":
        story.withdrawn_reason = note
    story.save()
    audit.record(
        actor=actor,
        action=f"story.{move}",
        obj=story,
        before=before,
        after={**audit.snapshot(story, STATE_FIELDS), "note": note},
        unit=story.exemplar.unit,
    )
    if move == "publish":
        _record_outreach(actor, story)
    _notify_author(actor, story, move, note)
    return story


def _record_outreach(actor: Any, story: Story) -> None:
    """A story published on the portal is outreach about its exemplar: it counts in the
    spread (once, however often it is withdrawn and republished)."""
    if story.outreach.exists():
        return
    assert story.published_at is not None
    item = Outreach.objects.create(
        exemplar=story.exemplar,
        kind=OutreachKind.COLUMN,
        channel=Channel.PORTAL,
        channel_name=_("Chuyên trang điển hình tiên tiến"),
        title=story.title,
        published_on=timezone.localdate(story.published_at),
        url=settings.SITE_URL.rstrip("/") + reverse("portal:story", args=[story.slug]),
        story=story,
        created_by=actor if _is_user(actor) else None,
    )
    audit.record(
        actor=actor,
        action="outreach.create",
        obj=item,
        after=audit.snapshot(item, ["exemplar_id", "kind", "channel", "title", "url"]),
        unit=story.exemplar.unit,
    )


def _notify_author(actor: Any, story: Story, move: str, note: str) -> None:
    """The writer hears when the story comes back to them or goes public."""
    if move not in ("return", "publish", "withdraw") or story.author_id is None:
        return
    if story.author_id == getattr(actor, "pk", None):
        return
    titles = {
        "return": _("Bài “%(t)s” được trả lại để sửa"),
        "publish": _("Bài “%(t)s” đã được đăng trên chuyên trang"),
        "withdraw": _("Bài “%(t)s” đã bị gỡ khỏi chuyên trang"),
    }
    notify(
        [story.author_id],
        kind=NotificationKind.GENERAL,
        title=titles[move] % {"t": story.title},
        body=note,
        url=reverse("propagation:story_detail", args=[story.pk]),
        unit=story.exemplar.unit,
    )


@transaction.atomic
def story_submit(*, actor: Any, story: Story) -> Story:
    return _move(actor, story, "submit")


@transaction.atomic
def story_return(*, actor: Any, story: Story, comment: str) -> Story:
    return _move(actor, story, "return", comment)


@transaction.atomic
def story_publish(*, actor: Any, story: Story) -> Story:
    return _move(actor, story, "publish")


@transaction.atomic
def story_withdraw(*, actor: Any, story: Story, reason: str) -> Story:
    return _move(actor, story, "withdraw", reason)


MOVE_FUNCS = {
    "submit": lambda actor, story, note: story_submit(actor=actor, story=story),
    "return": lambda actor, story, note: story_return(actor=actor, story=story, comment=note),
    "publish": lambda actor, story, note: story_publish(actor=actor, story=story),
    "withdraw": lambda actor, story, note: story_withdraw(actor=actor, story=story, reason=note),
}
