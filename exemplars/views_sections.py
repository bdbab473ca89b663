"""Pages behind the assessment, fostering-plan and monitoring sections of the exemplar page.

Each change goes through a service and comes back to the exemplar page (plain
POST + redirect) with a message; a form with errors is drawn again on a page of
its own, each error next to its field.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Perm, access, people_visible_to
from core.errors import Conflict, ValidationFailed
from core.text import fold
from exemplars import services
from exemplars.access import get_exemplar_for
from exemplars.assessment import judgement_conditions
from exemplars.forms_sections import (
    ActionForm,
    CheckInForm,
    FosteringForm,
    ReviewForm,
    person_options_url,
)
from exemplars.models import CheckIn, CriterionReview, Exemplar, SupportAction
from exemplars.sections import LOCKED_STATES, anchor, chosen_year, review_form
from people.forms import add_service_errors
from people.models import Person

OPTIONS_LIMIT = 20


def detail_url(exemplar: Exemplar, section: str, year: int | None = None) -> str:
    url = reverse("exemplars:detail", args=[exemplar.pk])
    if year is not None:
        url += f"?year={year}"
    return f"{url}#{section}"


def _locked(request: HttpRequest, exemplar: Exemplar, section: str) -> HttpResponse | None:
    """Forms of a dropped or revoked exemplar are not offered; say why and go back."""
    if exemplar.state not in LOCKED_STATES:
        return None
    messages.error(
        request,
        _("Điển hình ở trạng thái “%(s)s”: không cập nhật kế hoạch bồi dưỡng, theo dõi, đánh giá.")
        % {"s": exemplar.get_state_display()},
    )
    return redirect(detail_url(exemplar, section))


def _people_for(request: HttpRequest, exemplar: Exemplar) -> QuerySet[Person]:
    """People the user may pick: those they see, in the exemplar's ministry or department
    (support may come from any level of it, services._root_path)."""
    root = exemplar.unit.path.split("/")[0] + "/"
    return people_visible_to(request.user).filter(unit__path__startswith=root)


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def person_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggestions (<option> elements) for the mentor and responsible-person boxes."""
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    raw = next(
        (request.GET.get(k) for k in ("q", "mentor", "responsible") if request.GET.get(k)), ""
    )
    q = fold(raw)
    people: list[Person] = []
    if q:
        people = list(
            _people_for(request, exemplar)
            .filter(search_text__contains=q)
            .select_related("unit")
            .order_by("sort_key", "code")[:OPTIONS_LIMIT]
        ) or list(_people_for(request, exemplar).select_related("unit").filter(code__iexact=raw))
    return render(request, "exemplars/sections/person_options.html", {"people": people})


# --- assessment ----------------------------------------------------------------------------


def _judgement(exemplar: Exemplar, condition: str) -> Any:
    found = next((c for c in judgement_conditions(exemplar) if c.id == condition), None)
    if found is None:
        raise Http404
    return found


@access(Perm.ASSESS_EXEMPLARS, object_page=True)
def review_record(request: HttpRequest, pk: int, condition: str) -> HttpResponse:
    """Record the reviewer's verdict on one judgement criterion for one year."""
    exemplar = get_exemplar_for(request.user, pk, write=Perm.ASSESS_EXEMPLARS)
    criterion = _judgement(exemplar, condition)
    if (stop := _locked(request, exemplar, "assessment")) is not None:
        return stop
    year = chosen_year(request.POST.get("year") or request.GET.get("year"), exemplar)
    review = exemplar.reviews.filter(year=year, condition_id=criterion.id).first()
    if request.method == "POST":
        form = ReviewForm(request.POST, request.FILES, auto_id=f"id_rv-{anchor(criterion.id)}-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_record(
                    actor=request.user,
                    exemplar=exemplar,
                    year=data["year"],
                    condition_id=criterion.id,
                    met=data["met"],
                    comment=data["comment"],
                    evidence=data["evidence"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(exemplar, "assessment", year))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {"condition_id": "__all__", "year": "__all__"})
            else:
                messages.success(
                    request,
                    _("Đã ghi kết quả đánh giá tiêu chí “%(c)s” năm %(y)s.")
                    % {"c": criterion.id, "y": data["year"]},
                )
                return redirect(detail_url(exemplar, "assessment", data["year"]))
    else:
        form = review_form(year, review, anchor(criterion.id))
    return render(
        request,
        "exemplars/sections/review_form.html",
        {
            "exemplar": exemplar,
            "criterion": criterion,
            "year": year,
            "review": review,
            "form": form,
        },
    )


def _review_of(exemplar: Exemplar, review: int) -> CriterionReview:
    return get_object_or_404(
        CriterionReview.objects.select_related("reviewed_by"), pk=review, exemplar=exemplar
    )


@access(Perm.ASSESS_EXEMPLARS, object_page=True)
def review_clear(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    """Take back a recorded verdict (the criterion is pending again), after a confirmation."""
    exemplar = get_exemplar_for(request.user, pk, write=Perm.ASSESS_EXEMPLARS)
    found = _review_of(exemplar, review)
    if (stop := _locked(request, exemplar, "assessment")) is not None:
        return stop
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.review_clear(actor=request.user, review=found)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Đã bỏ kết quả đánh giá tiêu chí “%(c)s” năm %(y)s.")
                % {"c": found.condition_id, "y": found.year},
            )
        return redirect(detail_url(exemplar, "assessment", found.year))
    criterion = next(
        (c for c in judgement_conditions(exemplar) if c.id == found.condition_id), None
    )
    return render(
        request,
        "exemplars/sections/review_clear.html",
        {"exemplar": exemplar, "review": found, "criterion": criterion},
    )


@access(Perm.VIEW_SENSITIVE, object_page=True)
def review_evidence(request: HttpRequest, pk: int, review: int) -> HttpResponse:
    """A reviewer's evidence file, for whoever may see the assessment (never a media URL)."""
    exemplar = get_exemplar_for(request.user, pk, write=Perm.VIEW_SENSITIVE)
    found = _review_of(exemplar, review)
    if not found.evidence:
        raise Http404
    try:
        handle = found.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=os.path.basename(found.evidence.name)
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)


# --- fostering plan ------------------------------------------------------------------------


def _people_form_args(request: HttpRequest, exemplar: Exemplar) -> dict[str, Any]:
    return {
        "people": _people_for(request, exemplar),
        "options_url": person_options_url(exemplar.pk),
    }


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def fostering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Weaknesses to overcome, remedies, and the mentor."""
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    if (stop := _locked(request, exemplar, "fostering")) is not None:
        return stop
    args = _people_form_args(request, exemplar)
    if request.method == "POST":
        form = FosteringForm(request.POST, mentor=exemplar.mentor, **args)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.exemplar_update(
                    actor=request.user,
                    exemplar=exemplar,
                    weaknesses=data["weaknesses"],
                    remedies=data["remedies"],
                    mentor=data["mentor_obj"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(exemplar, "fostering"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu kế hoạch bồi dưỡng."))
                return redirect(detail_url(exemplar, "fostering"))
    else:
        form = FosteringForm(
            mentor=exemplar.mentor,
            initial={
                "weaknesses": exemplar.weaknesses,
                "remedies": exemplar.remedies,
                "mentor": exemplar.mentor.code if exemplar.mentor else "",
            },
            **args,
        )
    return render(
        request, "exemplars/sections/fostering_form.html", {"exemplar": exemplar, "form": form}
    )


def _action_of(exemplar: Exemplar, action: int) -> SupportAction:
    return get_object_or_404(
        SupportAction.objects.select_related("responsible__unit"), pk=action, exemplar=exemplar
    )


def _action_page(
    request: HttpRequest, exemplar: Exemplar, action: SupportAction | None
) -> HttpResponse:
    if (stop := _locked(request, exemplar, "fostering")) is not None:
        return stop
    args = _people_form_args(request, exemplar)
    current = action.responsible if action else None
    if request.method == "POST":
        form = ActionForm(request.POST, responsible=current, **args)
        if form.is_valid():
            try:
                services.action_save(
                    actor=request.user, exemplar=exemplar, action=action, **form.values()
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(exemplar, "fostering"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(
                    request,
                    _("Đã thêm hoạt động hỗ trợ.")
                    if action is None
                    else _("Đã lưu hoạt động hỗ trợ."),
                )
                return redirect(detail_url(exemplar, "fostering"))
    elif action is None:
        form = ActionForm(**args)
    else:
        form = ActionForm(
            responsible=current,
            initial={
                "kind": action.kind,
                "description": action.description,
                "responsible": current.code if current else "",
                "due_on": action.due_on,
                "status": action.status,
                "done_on": action.done_on,
                "note": action.note,
            },
            **args,
        )
    return render(
        request,
        "exemplars/sections/action_form.html",
        {"exemplar": exemplar, "action": action, "form": form},
    )


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    return _action_page(request, exemplar, None)


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def action_edit(request: HttpRequest, pk: int, action: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    return _action_page(request, exemplar, _action_of(exemplar, action))


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def action_delete(request: HttpRequest, pk: int, action: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    found = _action_of(exemplar, action)
    return _confirm_delete(
        request,
        exemplar,
        "fostering",
        lambda: services.action_delete(actor=request.user, action=found),
        done=_("Đã xóa hoạt động hỗ trợ."),
        heading=_("Xóa hoạt động hỗ trợ"),
        question=_("Xóa hoạt động hỗ trợ “%(d)s” (thời hạn %(due)s)?")
        % {"d": found.description[:120], "due": found.due_on.strftime("%d/%m/%Y")},
        button=_("Xóa hoạt động"),
    )


def _confirm_delete(
    request: HttpRequest,
    exemplar: Exemplar,
    anchor: str,
    delete: Callable[[], None],
    *,
    done: str,
    heading: str,
    question: str,
    button: str,
) -> HttpResponse:
    """Ask first; delete on the confirmed POST and go back to the section."""
    if (stop := _locked(request, exemplar, anchor)) is not None:
        return stop
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            delete()
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect(detail_url(exemplar, anchor))
    return render(
        request,
        "exemplars/sections/confirm_delete.html",
        {
            "exemplar": exemplar,
            "heading": heading,
            "question": question,
            "button": button,
            "back": detail_url(exemplar, anchor),
        },
    )


# --- monitoring ----------------------------------------------------------------------------


def _checkin_of(exemplar: Exemplar, checkin: int) -> CheckIn:
    return get_object_or_404(CheckIn, pk=checkin, exemplar=exemplar)


def _checkin_page(
    request: HttpRequest, exemplar: Exemplar, checkin: CheckIn | None
) -> HttpResponse:
    if (stop := _locked(request, exemplar, "monitoring")) is not None:
        return stop
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_save(
                    actor=request.user, exemplar=exemplar, checkin=checkin, **form.values()
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(exemplar, "monitoring"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(
                    request,
                    _("Đã thêm lần theo dõi.") if checkin is None else _("Đã lưu lần theo dõi."),
                )
                return redirect(detail_url(exemplar, "monitoring"))
    elif checkin is None:
        form = CheckInForm()
    else:
        form = CheckInForm(
            initial={
                name: getattr(checkin, name)
                for name in (
                    "checked_on",
                    *CheckInForm.SCORES,
                    "narrative",
                    "difficulties",
                    "help_given",
                )
            }
        )
    return render(
        request,
        "exemplars/sections/checkin_form.html",
        {"exemplar": exemplar, "checkin": checkin, "form": form},
    )


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def checkin_create(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    return _checkin_page(request, exemplar, None)


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def checkin_edit(request: HttpRequest, pk: int, checkin: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    return _checkin_page(request, exemplar, _checkin_of(exemplar, checkin))


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def checkin_delete(request: HttpRequest, pk: int, checkin: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    found = _checkin_of(exemplar, checkin)
    return _confirm_delete(
        request,
        exemplar,
        "monitoring",
        lambda: services.checkin_delete(actor=request.user, checkin=found),
        done=_("Đã xóa lần theo dõi."),
        heading=_("Xóa lần theo dõi"),
        question=_("Xóa lần theo dõi ngày %(d)s?") % {"d": found.checked_on.strftime("%d/%m/%Y")},
        button=_("Xóa lần theo dõi"),
    )
