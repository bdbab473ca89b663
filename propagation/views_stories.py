"""Staff pages of portal stories: the list, writing, photos, the workflow and a preview.

Communication staff (Perm.PUBLISH_STORIES) on the exemplar's unit own every
page; others of the unit get 403 and outsiders 404 (services_stories.get_story_for).
Every change goes through propagation.services_stories.
"""

from __future__ import annotations

import mimetypes
import os
from typing import Any, cast

from django.contrib import messages
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, units_visible_to
from audit.services import history_for
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from exemplars.models import Exemplar
from people.forms import add_service_errors
from propagation import services_stories as svc
from propagation.forms_stories import MoveForm, StoryFilterForm, StoryForm, StoryImageForm
from propagation.models import Story, StoryImage, StoryStatus

S = StoryStatus
W = Perm.PUBLISH_STORIES
HISTORY_LIMIT = 50
EXEMPLAR_RELATED = ("unit", "person", "subject_unit")

MOVE_LABELS: dict[str, Any] = {
    "submit": gettext_lazy("Gửi duyệt"),
    "return": gettext_lazy("Trả lại để sửa"),
    "publish": gettext_lazy("Đăng bài"),
    "withdraw": gettext_lazy("Gỡ bài"),
}
MOVE_DONE: dict[str, Any] = {
    "submit": gettext_lazy("Đã gửi duyệt bài viết."),
    "return": gettext_lazy("Đã trả lại bài viết để sửa."),
    "publish": gettext_lazy("Đã đăng bài lên chuyên trang."),
    "withdraw": gettext_lazy("Đã gỡ bài khỏi chuyên trang."),
}
MOVE_STYLES = {
    "submit": "btn-primary",
    "return": "btn-outline-secondary",
    "publish": "btn-success",
    "withdraw": "btn-outline-danger",
}
# Moves that need a sentence (the form opens); the others are one press.
MOVES_WITH_NOTE = ("return", "withdraw")


def serve_image(file: FieldFile, *, public: bool) -> HttpResponse:
    """A stored photo. Uploads are not served from /media/ in production, and a
    story's photos must not be reachable before the story is public."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(file.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return cast(HttpResponse, response)


# --- the list --------------------------------------------------------------------------


def _filter(request: HttpRequest) -> tuple[StoryFilterForm, QuerySet[Story]]:
    user = request.user
    visible = svc.stories_visible_to(user)
    units = list(units_visible_to(user, W).only("code", "name", "depth", "path").order_by("path"))
    fields = list(
        visible.exclude(field="").order_by("field").values_list("field", flat=True).distinct()
    )
    form = StoryFilterForm(request.GET, units=units, fields=fields)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = visible.select_related("exemplar__unit", "author").order_by("-updated_at", "-pk")
    for word in fold(data.get("q")).split():
        rows = rows.filter(search_text__contains=word)
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("field"):
        rows = rows.filter(field=data["field"])
    if data.get("unit"):
        unit = next((u for u in units if u.code == data["unit"]), None)
        if unit is not None:
            rows = rows.filter(exemplar__unit__path__startswith=unit.path)
    return form, rows


@access(W)
def story_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filter(request)
    return render(
        request, "propagation/stories/list.html", {"form": form, "page": paginate(request, rows)}
    )


# --- writing -----------------------------------------------------------------------------


def _exemplar_options(user: Any) -> list[Exemplar]:
    return list(
        svc.exemplars_for_stories(user).select_related(*EXEMPLAR_RELATED).order_by("title", "pk")
    )


def _known_fields(user: Any) -> list[str]:
    return list(
        svc.exemplars_for_stories(user)
        .exclude(field="")
        .order_by("field")
        .values_list("field", flat=True)
        .distinct()
    )


def _form_context(user: Any, form: StoryForm, story: Story | None) -> dict[str, Any]:
    return {"form": form, "story": story, "known_fields": _known_fields(user)}


@access(W)
def story_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    exemplars = _exemplar_options(user)
    if request.method != "POST":
        initial: dict[str, Any] = {}
        chosen = next((e for e in exemplars if str(e.pk) == request.GET.get("exemplar")), None)
        if chosen is not None:
            initial = {
                "exemplar": str(chosen.pk),
                "title": chosen.title,
                "practice": chosen.practice_summary,
                "results": chosen.practice_results,
                "field": chosen.field,
            }
        form = StoryForm(initial=initial, exemplars=exemplars)
        return render(request, "propagation/stories/form.html", _form_context(user, form, None))
    form = StoryForm(request.POST, request.FILES, exemplars=exemplars)
    if form.is_valid():
        data = form.cleaned_data
        try:
            story = svc.story_create(
                actor=user,
                exemplar=data["exemplar_obj"],
                title=data["title"],
                summary=data["summary"],
                practice=data["practice"],
                results=data["results"],
                body=data["body"],
                field=data["field"],
                cover=data.get("cover"),
                cover_alt=data["cover_alt"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lưu bản nháp “%(t)s”.") % {"t": story.title})
            return redirect("propagation:story_detail", pk=story.pk)
    return render(request, "propagation/stories/form.html", _form_context(user, form, None))


EDIT_FIELDS = ("title", "summary", "practice", "results", "body", "field", "cover_alt")


@access(W, object_page=True)
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    if not svc.may_edit(story):
        messages.error(request, _("Bài đã đăng: gỡ bài trước khi sửa, rồi gửi duyệt lại."))
        return redirect("propagation:story_detail", pk=story.pk)
    has_cover = bool(story.cover)
    if request.method != "POST":
        form = StoryForm(
            initial={name: getattr(story, name) for name in EDIT_FIELDS},
            editing=True,
            has_cover=has_cover,
        )
        return render(
            request, "propagation/stories/form.html", _form_context(request.user, form, story)
        )
    form = StoryForm(request.POST, request.FILES, editing=True, has_cover=has_cover)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.story_update(
                actor=request.user,
                story=story,
                cover=data.get("cover"),
                remove_cover=bool(data.get("remove_cover")),
                **{name: data[name] for name in EDIT_FIELDS},
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("propagation:story_detail", pk=story.pk)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("propagation:story_detail", pk=story.pk)
    return render(
        request, "propagation/stories/form.html", _form_context(request.user, form, story)
    )


@access(W, object_page=True)
def story_delete(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    deletable = story.status == S.DRAFT and story.published_at is None
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            svc.story_delete(actor=request.user, story=story)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("propagation:story_detail", pk=story.pk)
        messages.success(request, _("Đã xóa bản nháp “%(t)s”.") % {"t": story.title})
        return redirect("propagation:story_list")
    return render(
        request,
        "propagation/stories/confirm_delete.html",
        {"story": story, "deletable": deletable},
    )


# --- the story page and the workflow -----------------------------------------------------


def _moves(
    request: HttpRequest, story: Story, bound: MoveForm | None = None
) -> list[dict[str, Any]]:
    moves = []
    for name in svc.allowed_moves(request.user, story):
        form = bound if bound is not None and bound.move == name else MoveForm(move=name)
        moves.append(
            {
                "name": name,
                "label": MOVE_LABELS[name],
                "style": MOVE_STYLES[name],
                "form": form,
                "with_note": name in MOVES_WITH_NOTE,
                "open": bound is not None and bound.move == name,
            }
        )
    return moves


def _detail_context(
    request: HttpRequest,
    story: Story,
    *,
    bound: MoveForm | None = None,
    move_error: dict[str, Any] | None = None,
    image_form: StoryImageForm | None = None,
) -> dict[str, Any]:
    editable = svc.may_edit(story)
    return {
        "story": story,
        "exemplar": story.exemplar,
        "photos": list(story.images.all()),
        "moves": _moves(request, story, bound),
        "move_error": move_error,
        "editable": editable,
        "deletable": story.status == S.DRAFT and story.published_at is None,
        "on_portal": svc.published_stories().filter(pk=story.pk).exists(),
        "image_form": (image_form or StoryImageForm()) if editable else None,
        "events": list(history_for(story).order_by("-seq")[:HISTORY_LIMIT]),
    }


@access(W, object_page=True)
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    return render(request, "propagation/stories/detail.html", _detail_context(request, story))


@access(W, object_page=True)
@require_POST
def story_move(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    name = request.POST.get("move", "")
    if name not in svc.MOVES:
        messages.error(request, _("Bước chuyển không hợp lệ."))
        return redirect("propagation:story_detail", pk=story.pk)
    form = MoveForm(request.POST, move=name)
    error: dict[str, Any]
    if form.is_valid():
        try:
            svc.MOVE_FUNCS[name](request.user, story, form.cleaned_data["note"])
        except Conflict as exc:
            error = {"message": exc.message, "errors": []}
        except ValidationFailed as exc:
            add_service_errors(form, [e for e in exc.errors if e.field == "note"], {})
            error = {
                "message": exc.message,
                "errors": [e.message for e in exc.errors if e.field != "note"],
            }
        else:
            messages.success(request, str(MOVE_DONE[name]))
            return redirect("propagation:story_detail", pk=story.pk)
    else:
        error = {"message": _("Vui lòng sửa các ô được đánh dấu."), "errors": []}
    error["label"] = MOVE_LABELS[name]
    story = svc.get_story_for(request.user, pk, write=W)
    return render(
        request,
        "propagation/stories/detail.html",
        _detail_context(request, story, bound=form, move_error=error),
    )


@access(W, object_page=True)
def story_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The story as the portal will show it, whatever its state."""
    from propagation.portal import story_page_context

    story = svc.get_story_for(request.user, pk, write=W)
    context = story_page_context(request, story, preview=True)
    return render(request, "portal/story.html", context)


# --- photos --------------------------------------------------------------------------------


@access(W, object_page=True)
def story_image_add(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    if request.method == "POST":
        form = StoryImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                svc.story_image_add(
                    actor=request.user,
                    story=story,
                    image=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("propagation:story_detail", pk=story.pk)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã thêm ảnh."))
                return redirect(reverse("propagation:story_detail", args=[story.pk]) + "#photos")
    else:
        form = StoryImageForm()
    return render(request, "propagation/stories/image_form.html", {"story": story, "form": form})


def _photo_of(story: Story, image: int) -> StoryImage:
    return get_object_or_404(StoryImage, story=story, pk=image)


@access(W, object_page=True)
def story_image_delete(request: HttpRequest, pk: int, image: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    photo = _photo_of(story, image)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            svc.story_image_delete(actor=request.user, photo=photo)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xóa ảnh."))
        return redirect(reverse("propagation:story_detail", args=[story.pk]) + "#photos")
    return render(
        request,
        "propagation/stories/image_delete.html",
        {"story": story, "photo": photo, "filename": os.path.basename(photo.image.name)},
    )


@access(W, object_page=True)
def story_cover(request: HttpRequest, pk: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    return serve_image(story.cover, public=False)


@access(W, object_page=True)
def story_image(request: HttpRequest, pk: int, image: int) -> HttpResponse:
    story = svc.get_story_for(request.user, pk, write=W)
    return serve_image(_photo_of(story, image).image, public=False)
