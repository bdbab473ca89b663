"""Pages of the rounds, the units' proposals, the standing body's appraisal, the dossier's
documents and the public posting (Law Art. 84.5).

Every page that changes something shows a confirmation or a form on GET and acts on
POST; the workflow's rules live in the services (commendations/services.py and
services_proposals.py), whose errors are shown next to the fields or as messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited

from accounts.access import Perm, access, can, public
from audit.services import history_for
from commendations import dossier, exports
from commendations import services as cs
from commendations import services_proposals as sp
from commendations.access import (
    HEAD,
    SENSITIVE,
    STANDING,
    UNIT,
    deciding_units_for,
    get_document_of,
    get_item_of,
    get_posting_comment_for,
    get_proposal_for,
    get_round_council_for,
    get_round_for,
    may_appraise,
    may_manage_round,
    may_override,
    may_prepare,
    may_see_records,
    proposals_visible_to,
    proposing_units,
    rounds_visible_to,
)
from commendations.forms_proposals import (
    CommentResponseForm,
    DocumentForm,
    ItemEditForm,
    ItemForm,
    OverrideForm,
    PostingCommentForm,
    ProposalCreateForm,
    ProposalEditForm,
    ReturnForm,
    RoundFilterForm,
    RoundForm,
)
from commendations.models import (
    ItemStatus,
    Proposal,
    ProposalItem,
    ProposalStatus,
    Round,
)
from core.dates import today
from core.errors import Conflict, DomainError, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from eligibility.engine import VERDICT_LABELS, Verdict
from movements.access import movements_visible_to
from organizations.models import Unit
from people.forms import add_service_errors
from reports.docx import DOCX_TYPE

PS = ProposalStatus
IS = ItemStatus
OPTIONS_LIMIT = 20  # suggestions in the person box
HISTORY_LIMIT = 100
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
VERDICT_CSS = {
    Verdict.ELIGIBLE.value: "text-bg-success",
    Verdict.NEEDS_JUDGEMENT.value: "text-bg-warning",
    Verdict.NOT_ELIGIBLE.value: "text-bg-danger",
}
NO_RULE = gettext_lazy("Không có quy tắc tự động")
STATUS_CSS: dict[str, str] = {
    PS.DRAFT: "text-bg-secondary",
    PS.SUBMITTED: "text-bg-info",
    PS.APPRAISAL: "text-bg-primary",
    PS.RETURNED: "text-bg-warning",
    PS.COUNCIL: "text-bg-success",
    PS.DECIDED: "text-bg-dark",
    PS.REJECTED: "text-bg-danger",
}
ITEM_CSS: dict[str, str] = {
    IS.PROPOSED: "text-bg-light border",
    IS.RETURNED: "text-bg-warning",
    IS.ACCEPTED: "text-bg-success",
    IS.REJECTED: "text-bg-danger",
    IS.PASSED: "text-bg-success",
    IS.FAILED: "text-bg-danger",
    IS.DECIDED: "text-bg-dark",
}


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return " ".join(e.message for e in exc.errors)
    return exc.message


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _exemplar_url(pk: int) -> str:
    try:
        return reverse("exemplars:detail", args=[pk])
    except NoReverseMatch:  # the exemplar pages are not installed
        return ""


# --- rounds ---------------------------------------------------------------------------------


def _filtered_rounds(user: Any, form: RoundFilterForm) -> QuerySet[Round]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rounds = rounds_visible_to(user).select_related("deciding_unit")
    q = fold(data.get("q"))
    if q:
        rounds = rounds.filter(search_text__contains=q)
    if data.get("year"):
        rounds = rounds.filter(year=data["year"])
    if data.get("kind"):
        rounds = rounds.filter(kind=data["kind"])
    if data.get("unit"):
        rounds = rounds.filter(deciding_unit__code=data["unit"])
    return rounds.annotate(proposal_count=Count("proposals")).order_by(
        "-year", "-submission_due", "code"
    )


@access(Perm.VIEW)
def round_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.filter(
        pk__in=rounds_visible_to(request.user).values("deciding_unit")
    ).only(*UNIT_FIELDS)
    form = RoundFilterForm(request.GET, units=list(units.order_by("path")))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            "dot-xet-khen-thuong.xlsx",
            _("Đợt xét khen thưởng"),
            exports.round_headers(),
            exports.round_rows(_filtered_rounds(request.user, form)),
        )
    return render(
        request,
        "commendations/rounds/list.html",
        {
            "form": form,
            "page": paginate(request, _filtered_rounds(request.user, form)),
            "today": today(),
            "can_create": deciding_units_for(request.user).exists(),
        },
    )


def _round_data(data: dict[str, Any], movements: dict[str, Any], **fixed: Any) -> cs.RoundData:
    return cs.RoundData(
        code=fixed.get("code", data.get("code") or ""),
        title=data["title"],
        kind=data["kind"],
        year=data["year"],
        deciding_unit=fixed["deciding_unit"],
        submission_due=data["submission_due"],
        appraisal_due=data.get("appraisal_due"),
        council_on=data.get("council_on"),
        posting_working_days=data["posting_working_days"],
        movement=movements.get(data.get("movement") or ""),
        note=data.get("note") or "",
    )


def _movements(user: Any) -> dict[str, Any]:
    return {str(m.pk): m for m in movements_visible_to(user).order_by("-starts_on", "code")[:200]}


@access(STANDING)
def round_create(request: HttpRequest) -> HttpResponse:
    units = list(deciding_units_for(request.user).only(*UNIT_FIELDS))
    movements = _movements(request.user)
    form = RoundForm(
        request.POST or None,
        units=units,
        movements=list(movements.values()),
        initial={"year": today().year, "posting_working_days": 10},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.code == data["deciding_unit"]), None)
        if unit is None:
            raise PermissionDenied
        try:
            rnd = cs.round_create(
                actor=request.user,
                data=_round_data(data, movements, code=data["code"], deciding_unit=unit),
            )
        except Conflict as exc:
            form.add_error("code", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã mở đợt xét “%(t)s”.") % {"t": rnd.title})
            return redirect("commendations:round", round=rnd.pk)
    return render(request, "commendations/rounds/form.html", {"form": form, "round": None})


@access(STANDING, object_page=True)
def round_edit(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_for(request.user, round, write=STANDING)
    movements = _movements(request.user)
    if rnd.movement_id and str(rnd.movement_id) not in movements:
        movements[str(rnd.movement_id)] = rnd.movement
    if request.method == "POST":
        form = RoundForm(request.POST, movements=list(movements.values()), editing=True)
        if form.is_valid():
            try:
                sp.round_update(
                    actor=request.user,
                    round=rnd,
                    data=_round_data(
                        form.cleaned_data,
                        movements,
                        code=rnd.code,
                        deciding_unit=rnd.deciding_unit,
                    ),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("commendations:round", round=rnd.pk)
    else:
        initial = {
            name: getattr(rnd, name)
            for name in RoundForm.base_fields
            if name not in {"code", "deciding_unit", "movement"}
        }
        initial["movement"] = str(rnd.movement_id or "")
        form = RoundForm(movements=list(movements.values()), editing=True, initial=initial)
    return render(request, "commendations/rounds/form.html", {"form": form, "round": rnd})


@access(Perm.VIEW)
def round_detail(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_for(request.user, round)
    if request.GET.get("format") == "xlsx":
        items = ProposalItem.objects.filter(
            proposal__round=rnd, proposal__in=proposals_visible_to(request.user)
        )
        return xlsx_response(
            f"tong-hop-de-nghi-{exports.file_part(rnd.code)}.xlsx",
            _("Tổng hợp đề nghị"),
            exports.item_headers(),
            exports.item_rows(request.user, items),
        )
    now = today()
    rows = sp.round_progress(rnd, proposals_visible_to(request.user), now)
    can_propose = (
        proposing_units(request.user, rnd).exclude(pk__in=rnd.proposals.values("unit")).exists()
    )
    window = sp.posting_window(rnd)
    return render(
        request,
        "commendations/rounds/detail.html",
        {
            "round": rnd,
            "rows": rows,
            "status_counts": sp.status_counts(rows),
            "deadlines": sp.round_deadlines(rnd, now),
            "window": window,
            "window_state": window.state(now) if window else "",
            "can_manage": may_manage_round(request.user, rnd),
            "can_propose": can_propose,
            # The council's side of a round is for those who see the deciding unit.
            "sees_council": can(request.user, Perm.VIEW, rnd.deciding_unit),
            "status_css": STATUS_CSS,
            "events": list(history_for(rnd).order_by("-seq")[:HISTORY_LIMIT]),
        },
    )


@access(UNIT, object_page=True)
def proposal_create(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_for(request.user, round)
    mine = proposing_units(request.user, rnd).only(*UNIT_FIELDS)
    if not mine.exists():
        raise PermissionDenied
    units = list(mine.exclude(pk__in=rnd.proposals.values("unit")))
    form = ProposalCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.code == form.cleaned_data["unit"])
        try:
            proposal = cs.proposal_create(
                actor=request.user,
                round=rnd,
                unit=unit,
                simplified=form.cleaned_data["simplified"],
            )
        except Conflict as exc:
            form.add_error("unit", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lập hồ sơ đề nghị của %(u)s.") % {"u": unit.name})
            return redirect("commendations:proposal", proposal=proposal.pk)
    return render(
        request,
        "commendations/proposals/create.html",
        {"form": form, "round": rnd, "units": units},
    )


# --- proposal page --------------------------------------------------------------------------


def _items(proposal: Proposal) -> list[ProposalItem]:
    return list(
        proposal.items.select_related("person__unit", "unit__parent", "award_type", "exemplar")
        .prefetch_related("initiatives")
        .order_by("award_type__order", "pk")
    )


def _item_rows(
    proposal: Proposal, items: list[ProposalItem], sensitive: bool
) -> list[dict[str, Any]]:
    verdicts = (
        {v.item.pk: v for v in cs.item_verdicts(items, proposal.round.year)} if sensitive else {}
    )
    documents: dict[int, list[Any]] = {}
    if sensitive:
        for document in proposal.documents.filter(item__isnull=False).order_by("kind", "pk"):
            documents.setdefault(document.item_id, []).append(document)  # type: ignore[arg-type]
    rows = []
    for item in items:
        verdict = verdicts.get(item.pk)
        value = verdict.verdict if verdict else ""
        rows.append(
            {
                "item": item,
                "name": dossier.recipient_name(item),
                "detail": dossier.recipient_detail(item),
                "verdict": value,
                "verdict_label": VERDICT_LABELS.get(Verdict(value), value) if value else NO_RULE,
                "verdict_css": VERDICT_CSS.get(value, "text-bg-light border"),
                "unmet": list(dict.fromkeys(verdict.unmet)) if verdict else [],
                "blocking": value == Verdict.NOT_ELIGIBLE and not item.override_reason,
                "status_css": ITEM_CSS.get(item.status, "text-bg-light border"),
                "exemplar_url": _exemplar_url(item.exemplar_id) if item.exemplar_id else "",
                "documents": documents.get(item.pk, []),
            }
        )
    return rows


@access(Perm.VIEW)
def proposal_detail(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal)
    user = request.user
    sensitive = may_see_records(user, obj)
    items = _items(obj)
    rows = _item_rows(obj, items, sensitive)
    editable = obj.status in cs.EDITABLE
    appraising = obj.status in (PS.SUBMITTED, PS.APPRAISAL)
    council = sp.council_of(obj.round)
    return render(
        request,
        "commendations/proposals/detail.html",
        {
            "proposal": obj,
            "round": obj.round,
            "rows": rows,
            "sensitive": sensitive,
            "blocking": [r for r in rows if r["blocking"]],
            "holder": sp.holder(obj, council),
            "marks": sp.deadline_marks(obj, today()),
            "deadlines": sp.round_deadlines(obj.round, today()),
            "status_css": STATUS_CSS.get(obj.status, ""),
            "documents": (
                [
                    {"doc": d, "name": os.path.basename(d.file.name)}
                    for d in obj.documents.select_related("item__person", "item__unit").order_by(
                        "-generated", "kind", "pk"
                    )
                ]
                if sensitive
                else []
            ),
            "can_prepare": editable and may_prepare(user, obj),
            "can_override": editable and may_override(user, obj),
            "can_appraise": appraising and may_appraise(user, obj),
            "can_take": obj.status == PS.SUBMITTED and may_appraise(user, obj),
            "can_delete": obj.status == PS.DRAFT
            and obj.submitted_at is None
            and may_prepare(user, obj),
            "events": list(history_for(obj).order_by("-seq")[:HISTORY_LIMIT]),
        },
    )


def _back(proposal: Proposal) -> HttpResponse:
    return redirect("commendations:proposal", proposal=proposal.pk)


@access(UNIT, object_page=True)
def proposal_edit(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    form = ProposalEditForm(
        request.POST or None, initial={"summary": obj.summary, "simplified": obj.simplified}
    )
    if request.method == "POST" and form.is_valid():
        try:
            sp.proposal_update(
                actor=request.user,
                proposal=obj,
                simplified=form.cleaned_data["simplified"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(request, _("Đã lưu thông tin hồ sơ."))
            return _back(obj)
    return render(
        request,
        "commendations/proposals/form.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "title": _("Sửa thông tin hồ sơ"),
            "editable": obj.status in cs.EDITABLE,
        },
    )


def _confirm(
    request: HttpRequest,
    proposal: Proposal,
    *,
    title: str,
    text: str,
    button: str,
    danger: bool = False,
    allowed: bool = True,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "commendations/proposals/confirm.html",
        {
            "proposal": proposal,
            "round": proposal.round,
            "title": title,
            "text": text,
            "button": button,
            "danger": danger,
            "allowed": allowed,
            **(extra or {}),
        },
    )


@access(UNIT, object_page=True)
def proposal_delete(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    if request.method == "POST":
        rnd = obj.round
        try:
            sp.proposal_delete(actor=request.user, proposal=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
            return _back(obj)
        messages.success(request, _("Đã xóa hồ sơ đề nghị."))
        return redirect("commendations:round", round=rnd.pk)
    return _confirm(
        request,
        obj,
        title=_("Xóa hồ sơ đề nghị"),
        text=_("Hồ sơ, các đề nghị và tài liệu kèm theo sẽ bị xóa. Không hoàn tác được."),
        button=_("Xóa hồ sơ"),
        danger=True,
        allowed=obj.status == PS.DRAFT and obj.submitted_at is None,
    )


# --- items -----------------------------------------------------------------------------------


ITEM_ALIASES = {
    "award": "award_type",
    "initiatives": "initiatives",
    "achievement": "achievement",
}


@access(UNIT, object_page=True)
def item_add(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    if obj.status not in cs.EDITABLE:
        messages.error(request, _("Hồ sơ đã gửi, không thêm được đề nghị."))
        return _back(obj)
    people = sp.people_of(obj.unit)
    # Only the chosen person's initiatives are offered (and accepted): the unit's whole list
    # would be long and mostly someone else's.
    code = (request.POST.get("person") or "").strip()
    person = people.filter(code=code).first() if code else None
    offered = list(sp.initiatives_of(obj.unit, person)) if person else []
    form = ItemForm(
        request.POST or None,
        people=people,
        people_url=reverse("commendations:item_people", kwargs={"proposal": obj.pk}),
        collectives=list(sp.collectives_of(obj.unit).only(*UNIT_FIELDS)),
        award_types=list(sp.award_types()),
        exemplars=list(sp.exemplars_of(obj.unit)),
        initiatives=offered,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert data["award_obj"] is not None
        try:
            item = cs.item_add(
                actor=request.user,
                proposal=obj,
                data=cs.ItemData(
                    award_type=data["award_obj"],
                    achievement=data["achievement"],
                    person=data["person_obj"],
                    unit=data["unit_obj"],
                    exemplar=data["exemplar_obj"],
                    initiatives=data["initiative_objs"],
                ),
            )
        except ValidationFailed as exc:
            recipient = "person" if data["recipient_kind"] == "person" else "collective"
            add_service_errors(form, exc.errors, {**ITEM_ALIASES, "recipient": recipient})
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Đã thêm đề nghị cho %(w)s.") % {"w": dossier.recipient_name(item)}
            )
            if request.POST.get("again"):
                return redirect("commendations:item_add", proposal=obj.pk)
            return _back(obj)
    return render(
        request,
        "commendations/proposals/item_form.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "item": None,
            **_initiative_box(person, code, offered, form["initiatives"].value()),
        },
    )


def _initiative_box(person: Any, code: str, offered: list[Any], selected: Any) -> dict[str, Any]:
    """What awards/includes/initiative_choices.html needs to draw the initiative boxes."""
    return {
        "person": person,
        "person_code": code,
        "offered": offered,
        "selected": [str(v) for v in selected or []],
    }


@access(UNIT, object_page=True)
def item_people(request: HttpRequest, proposal: int) -> HttpResponse:
    """Suggestions (<option> elements) for the item form's person box: the proposing
    unit's people whose name or code matches what was typed."""
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    q = fold(request.GET.get("person") or request.GET.get("q"))
    people = []
    if q:
        people = list(
            sp.people_of(obj.unit).filter(Q(search_text__contains=q) | Q(code__iexact=q))[
                :OPTIONS_LIMIT
            ]
        )
    return render(request, "awards/includes/person_options.html", {"people": people})


@access(UNIT, object_page=True)
def item_initiatives(request: HttpRequest, proposal: int) -> HttpResponse:
    """The chosen person's initiatives not yet counted for an award, as check boxes."""
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    code = (request.GET.get("person") or "").strip()
    person = sp.people_of(obj.unit).filter(code=code).first() if code else None
    offered = list(sp.initiatives_of(obj.unit, person)) if person else []
    context = _initiative_box(person, code, offered, request.GET.getlist("initiatives"))
    return render(request, "awards/includes/initiative_choices.html", context)


@access(UNIT, object_page=True)
def item_edit(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    it = get_item_of(obj, item)
    if obj.status not in cs.EDITABLE:
        messages.error(request, _("Hồ sơ đã gửi, không sửa được."))
        return _back(obj)
    initiatives = list(sp.initiatives_of(obj.unit, it.person)) if it.person_id else []
    cited = list(it.initiatives.all())
    initiatives += [i for i in cited if i not in initiatives]
    form = ItemEditForm(
        request.POST or None,
        initiatives=initiatives,
        initial={"achievement": it.achievement, "initiatives": [str(i.pk) for i in cited]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cs.item_update(
                actor=request.user,
                item=it,
                achievement=form.cleaned_data["achievement"],
                initiatives=form.initiative_objs(),
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, ITEM_ALIASES)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã lưu đề nghị."))
            return _back(obj)
    return render(
        request,
        "commendations/proposals/item_form.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "item": it,
            "name": dossier.recipient_name(it),
        },
    )


@access(UNIT, object_page=True)
def item_delete(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    it = get_item_of(obj, item)
    name = dossier.recipient_name(it)
    if request.method == "POST":
        try:
            cs.item_delete(actor=request.user, item=it)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã xóa đề nghị của %(w)s.") % {"w": name})
        return _back(obj)
    return _confirm(
        request,
        obj,
        title=_("Xóa đề nghị"),
        text=_("Xóa đề nghị “%(a)s” cho %(w)s khỏi hồ sơ?") % {"a": it.award_type.name, "w": name},
        button=_("Xóa đề nghị"),
        danger=True,
        allowed=obj.status in cs.EDITABLE,
    )


@access(HEAD, object_page=True)
def item_override(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    """The head proposes an item the records say is not eligible, with a written reason."""
    obj = get_proposal_for(request.user, proposal, write=HEAD)
    it = get_item_of(obj, item)
    verdict = cs.item_verdicts([it], obj.round.year)[0]
    form = OverrideForm(request.POST or None, initial={"reason": it.override_reason})
    if request.method == "POST" and form.is_valid():
        try:
            cs.item_override(actor=request.user, item=it, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {"override_reason": "reason"})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(request, _("Đã ghi lý do đề nghị."))
            return _back(obj)
    return render(
        request,
        "commendations/proposals/override.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "item": it,
            "name": dossier.recipient_name(it),
            "verdict_label": VERDICT_LABELS.get(Verdict(verdict.verdict), "")
            if verdict.verdict
            else NO_RULE,
            "unmet": list(dict.fromkeys(verdict.unmet)),
            "editable": obj.status in cs.EDITABLE,
        },
    )


# --- workflow ----------------------------------------------------------------------------------


@access(UNIT, object_page=True)
def proposal_submit(request: HttpRequest, proposal: int) -> HttpResponse:
    """Confirm and send. Items that are not eligible and not overridden block, each named
    with its failing conditions."""
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    errors: list[str] = []
    if request.method == "POST":
        try:
            cs.proposal_submit(actor=request.user, proposal=obj)
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors] or [exc.message]
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(
                request,
                _("Đã gửi hồ sơ đến %(u)s.") % {"u": obj.round.deciding_unit.name},
            )
            return _back(obj)
    items = _items(obj)
    rows = _item_rows(obj, items, sensitive=True)
    blocking = [r for r in rows if r["blocking"]]
    return _confirm(
        request,
        obj,
        title=_("Gửi hồ sơ đề nghị"),
        text=_(
            "Hồ sơ được gửi đến cơ quan thường trực của %(u)s để thẩm định; trong khi thẩm "
            "định đơn vị không sửa được hồ sơ."
        )
        % {"u": obj.round.deciding_unit.name},
        button=_("Gửi hồ sơ"),
        allowed=obj.status in cs.EDITABLE and bool(items) and not blocking,
        extra={"rows": rows, "blocking": blocking, "errors": errors, "empty": not items},
    )


@access(STANDING, object_page=True)
def proposal_take(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=STANDING, at_deciding=True)
    if request.method == "POST":
        try:
            sp.proposal_take(actor=request.user, proposal=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ để thẩm định."))
        return _back(obj)
    return _confirm(
        request,
        obj,
        title=_("Tiếp nhận hồ sơ để thẩm định"),
        text=_("Hồ sơ chuyển sang trạng thái đang thẩm định."),
        button=_("Tiếp nhận"),
        allowed=obj.status == PS.SUBMITTED,
    )


@access(STANDING, object_page=True)
def item_return(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    """The standing body returns one item with a comment; the unit corrects it."""
    obj = get_proposal_for(request.user, proposal, write=STANDING, at_deciding=True)
    it = get_item_of(obj, item)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cs.item_return(actor=request.user, item=it, comment=form.cleaned_data["comment"])
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(
                request,
                _("Đã trả lại đề nghị của %(w)s cho %(u)s.")
                % {"w": dossier.recipient_name(it), "u": obj.unit.name},
            )
            return _back(obj)
    return render(
        request,
        "commendations/proposals/return.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "item": it,
            "name": dossier.recipient_name(it),
            "allowed": obj.status in (PS.SUBMITTED, PS.APPRAISAL),
        },
    )


def _appraisal_form(
    request: HttpRequest,
    obj: Proposal,
    it: ProposalItem | None,
    *,
    act: Callable[[str], object],
    done: str,
    mode: str,
) -> HttpResponse:
    """The comment form shared by returning the file, returning an item and rejecting one."""
    form = ReturnForm(request.POST or None)
    if mode == "reject":
        form.fields["comment"].label = _("Lý do không trình Hội đồng")
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["comment"])
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(request, done)
            return _back(obj)
    return render(
        request,
        "commendations/proposals/return.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "item": it,
            "name": dossier.recipient_name(it) if it else "",
            "mode": mode,
            "allowed": obj.status in (PS.SUBMITTED, PS.APPRAISAL)
            and (it is None or it.status == IS.PROPOSED),
        },
    )


@access(STANDING, object_page=True)
def proposal_return(request: HttpRequest, proposal: int) -> HttpResponse:
    """The standing body returns the whole file with a comment (e.g. a missing document)."""
    obj = get_proposal_for(request.user, proposal, write=STANDING, at_deciding=True)
    return _appraisal_form(
        request,
        obj,
        None,
        act=lambda c: cs.proposal_return(actor=request.user, proposal=obj, comment=c),
        done=_("Đã trả lại hồ sơ cho %(u)s để bổ sung.") % {"u": obj.unit.name},
        mode="proposal",
    )


@access(STANDING, object_page=True)
def item_reject(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    """The standing body does not put one item to the council, with its reason."""
    obj = get_proposal_for(request.user, proposal, write=STANDING, at_deciding=True)
    it = get_item_of(obj, item)
    return _appraisal_form(
        request,
        obj,
        it,
        act=lambda c: cs.item_reject(actor=request.user, item=it, reason=c),
        done=_("Đã ghi không trình Hội đồng đề nghị của %(w)s.")
        % {"w": dossier.recipient_name(it)},
        mode="reject",
    )


@access(STANDING, object_page=True)
def proposal_accept(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=STANDING, at_deciding=True)
    if request.method == "POST":
        try:
            cs.proposal_accept(actor=request.user, proposal=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã thẩm định xong, trình Hội đồng."))
        return _back(obj)
    items = [i for i in _items(obj) if i.status == IS.PROPOSED]
    return _confirm(
        request,
        obj,
        title=_("Thẩm định xong, trình Hội đồng"),
        text=_(
            "Các đề nghị dưới đây được trình Hội đồng Thi đua – Khen thưởng; danh hiệu, hình "
            "thức không phải bỏ phiếu được chuyển thẳng để ra quyết định."
        ),
        button=_("Trình Hội đồng"),
        allowed=obj.status in (PS.SUBMITTED, PS.APPRAISAL) and bool(items),
        extra={"accept_items": [(dossier.recipient_name(i), i) for i in items]},
    )


# --- dossier documents ---------------------------------------------------------------------------


@access(UNIT, object_page=True)
def dossier_generate(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    if request.method == "POST":
        try:
            made = sp.dossier_generate(actor=request.user, proposal=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, _("Đã tạo %(n)s tài liệu của hồ sơ từ dữ liệu.") % {"n": len(made)}
            )
        return _back(obj)
    return _confirm(
        request,
        obj,
        title=_("Tạo tài liệu hồ sơ từ dữ liệu"),
        text=_(
            "Tạo tờ trình, báo cáo thành tích của từng đề nghị và dự thảo biên bản họp xét "
            "(hồ sơ đơn giản: tờ trình và báo cáo tóm tắt) từ dữ liệu hiện có; các tài liệu "
            "đã tạo trước đó được thay thế, tài liệu tải lên được giữ nguyên."
        ),
        button=_("Tạo tài liệu"),
        allowed=obj.status in cs.EDITABLE and obj.items.exists(),
    )


@access(SENSITIVE, object_page=True)
def cover_docx(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=SENSITIVE)
    content = dossier.cover_docx(obj, _items(obj))
    return _download(content, f"to-trinh-{dossier.file_tag(obj)}.docx")


@access(SENSITIVE, object_page=True)
def minutes_docx(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=SENSITIVE)
    content = dossier.minutes_docx(obj, _items(obj))
    return _download(content, f"bien-ban-{dossier.file_tag(obj)}.docx")


@access(SENSITIVE, object_page=True)
def report_docx(request: HttpRequest, proposal: int, item: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=SENSITIVE)
    it = get_item_of(obj, item)
    content = dossier.report_docx(it, obj.round.year, short=obj.simplified)
    return _download(content, f"bao-cao-thanh-tich-{dossier.file_tag(obj)}-{it.pk}.docx")


@access(UNIT, object_page=True)
def document_add(request: HttpRequest, proposal: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    items = _items(obj)
    form = DocumentForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            sp.document_add(
                actor=request.user,
                proposal=obj,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                item=form.item_obj(),
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(obj)
        else:
            messages.success(request, _("Đã tải lên tài liệu."))
            return _back(obj)
    return render(
        request,
        "commendations/proposals/document_form.html",
        {
            "form": form,
            "proposal": obj,
            "round": obj.round,
            "editable": obj.status in cs.EDITABLE,
        },
    )


@access(SENSITIVE, object_page=True)
def document_file(request: HttpRequest, proposal: int, document: int) -> HttpResponse:
    """A dossier file, for whoever may see the records (uploads are not served publicly)."""
    obj = get_proposal_for(request.user, proposal, write=SENSITIVE)
    doc = get_document_of(obj, document)
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(doc.file.name))
    response["Cache-Control"] = "private, no-store"
    # An uploaded file never runs as a page of this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)


@access(UNIT, object_page=True)
def document_delete(request: HttpRequest, proposal: int, document: int) -> HttpResponse:
    obj = get_proposal_for(request.user, proposal, write=UNIT)
    doc = get_document_of(obj, document)
    if request.method == "POST":
        try:
            sp.document_delete(actor=request.user, document=doc)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã xóa tài liệu."))
        return _back(obj)
    return _confirm(
        request,
        obj,
        title=_("Xóa tài liệu"),
        text=_("Xóa tài liệu “%(f)s” (%(k)s) khỏi hồ sơ?")
        % {"f": os.path.basename(doc.file.name), "k": doc.get_kind_display()},
        button=_("Xóa tài liệu"),
        danger=True,
        allowed=obj.status in cs.EDITABLE,
    )


# --- public posting (Law Art. 84.5) ------------------------------------------------------------


POSTING_COMMENT_RATE = "5/h"  # per address: enough for a real opinion, not for a flood


@public
def posting(request: HttpRequest, round: int) -> HttpResponse:
    """The list of a round's candidates the standing body sent on, published for the
    `posting_working_days` working days before the council meets, with a form for
    opinions. Open to everyone."""
    rnd = Round.objects.select_related("deciding_unit").filter(pk=round).first()
    window = sp.posting_window(rnd) if rnd is not None else None
    if rnd is None or window is None:
        raise Http404
    state = window.state(today())
    items = list(sp.posted_items(rnd)) if state == "open" else []
    rows = [
        {"item": i, "name": dossier.recipient_name(i), "detail": dossier.recipient_detail(i)}
        for i in items
    ]
    form = PostingCommentForm(
        request.POST or None,
        choices=[(i.pk, f"{dossier.recipient_name(i)} – {i.award_type.name}") for i in items],
    )
    limited = False
    if request.method == "POST" and state == "open":
        limited = is_ratelimited(
            request, group="posting-comment", key="ip", rate=POSTING_COMMENT_RATE, increment=True
        )
        if limited:
            form.add_error(None, _("Bạn đã gửi nhiều góp ý trong thời gian ngắn. Xin thử lại sau."))
        elif form.is_valid():
            cd = form.cleaned_data
            try:
                sp.posting_comment_add(
                    round=rnd,
                    data=sp.CommentData(
                        name=cd["name"],
                        content=cd["content"],
                        contact=cd["contact"],
                        item_id=cd["item"],
                    ),
                    ip=request.META.get("REMOTE_ADDR", ""),
                    on=today(),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã nhận góp ý. Cơ quan thường trực sẽ xem xét trước khi Hội đồng họp."),
                )
                return redirect("commendations:posting", round=rnd.pk)
    response = render(
        request,
        "commendations/posting/posting.html",
        {"round": rnd, "window": window, "state": state, "rows": rows, "form": form},
        status=429 if limited else 200,
    )
    # The page carries a CSRF token for the opinion form: never a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


@access(Perm.VIEW)
def posting_comments(request: HttpRequest, round: int) -> HttpResponse:
    """The opinions sent on the posting, for the standing body to deal with before
    the council meets."""
    rnd = get_round_council_for(request.user, round)
    qs = sp.posting_comments(rnd)
    show = request.GET.get("show", "")
    if show == "open":
        qs = qs.filter(handled_at__isnull=True)
    elif show == "handled":
        qs = qs.filter(handled_at__isnull=False)
    page = paginate(request, qs, per_page=25)
    return render(
        request,
        "commendations/posting/comments.html",
        {
            "round": rnd,
            "page": page,
            "show": show,
            "open_count": rnd.posting_comments.filter(handled_at__isnull=True).count(),
            "can_handle": may_manage_round(request.user, rnd),
            "window": sp.posting_window(rnd),
        },
    )


@access(STANDING, object_page=True)
def posting_comment_handle(request: HttpRequest, round: int, comment: int) -> HttpResponse:
    obj = get_posting_comment_for(request.user, round, comment, write=STANDING)
    rnd = obj.round
    form = CommentResponseForm(request.POST or None, initial={"response": obj.response})
    if request.method == "POST" and form.is_valid():
        try:
            sp.posting_comment_handle(
                actor=request.user, comment=obj, response=form.cleaned_data["response"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã ghi ý kiến xử lý góp ý."))
            return redirect("commendations:posting_comments", round=rnd.pk)
    return render(
        request,
        "commendations/posting/comment_handle.html",
        {"round": rnd, "comment": obj, "form": form},
    )
