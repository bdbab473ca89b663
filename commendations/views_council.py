"""Pages of the council session, the members' ballot, decisions and certificates.

The standing body of the deciding unit runs the session (attendance, voting
rounds, written opinions of absent members), follows the live tally with the
chair, issues the decision over the approved items and revokes awards. Members
vote on their ballot page (built for a phone). Anyone may verify a certificate
by its QR code on the public verification page.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Perm, access, get_award_for, public
from audit.services import history_for
from commendations import services
from commendations import services_council as sc
from commendations.access import (
    STANDING,
    get_ballot_for,
    get_certificate_for,
    get_decision_for,
    get_round_council_for,
    get_session_for,
    get_tally_for,
    may_manage,
)
from commendations.certificates import (
    PDF_TYPE,
    FontsMissing,
    Sheet,
    certificate_pdf,
    certificates_pdf,
    verification_url,
)
from commendations.decision_docs import (
    decision_docx,
    decision_list_xlsx,
    signer_title_for,
    unit_symbol,
)
from commendations.exports import file_part as _safe
from commendations.forms_council import (
    AttendanceForm,
    DecisionForm,
    RevokeForm,
    SessionForm,
    VoteForm,
    WrittenOpinionForm,
)
from commendations.minutes import minutes_docx
from commendations.models import (
    Certificate,
    CouncilSession,
    Decision,
    Revocation,
    SessionStatus,
    VoteChoice,
)
from core.errors import Conflict, DomainError, ValidationFailed
from core.xlsx import XLSX_TYPE
from people.forms import add_service_errors
from reports.documents import signer_of
from reports.docx import DOCX_TYPE

HISTORY_LIMIT = 50

logger = logging.getLogger(__name__)


def _download(
    content: bytes, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return " ".join(e.message for e in exc.errors)
    return exc.message


# --- the round's council page ---------------------------------------------------------------


@access(Perm.VIEW)
def round_council(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_council_for(request.user, round)
    return render(
        request,
        "commendations/council/round.html",
        {
            "round": rnd,
            "sessions": list(sc.sessions_of(rnd)),
            "decisions": list(sc.decisions_of(rnd)),
            "decidable": sc.decidable_items(rnd),
            "can_manage": may_manage(request.user, rnd),
        },
    )


# --- sessions ---------------------------------------------------------------------------------


@access(STANDING, object_page=True)
def session_create(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_council_for(request.user, round, write=STANDING)
    initial = {"held_on": rnd.council_on, "max_rounds": 2, "quorum": "2/3"}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, round=rnd, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã lập phiên họp Hội đồng."))
            return redirect("commendations:session", session=session.pk)
    return render(request, "commendations/council/session_form.html", {"form": form, "round": rnd})


def _session_context(request: HttpRequest, session: CouncilSession) -> dict[str, Any]:
    rows = sc.attendance_rows(session)
    manage = may_manage(request.user, session.round)
    results = sc.round_results(session)
    if session.status == SessionStatus.OPEN:
        results = results[:-1]  # the open round shows on the live tally, not here
    return {
        "session": session,
        "round": session.round,
        "rows": rows,
        "quorum": sc.quorum_info(session),
        "agenda": sc.agenda(session),
        "results": results,
        "written": sc.written_opinions(session),
        "can_manage": manage,
        "can_tally": manage or sc.may_follow_tally(session, request.user),
        "attendance_form": AttendanceForm(
            members=[r.member for r in rows],
            initial={"present": [str(r.member.pk) for r in rows if r.present]},
        ),
        "rounds_left": session.max_rounds - session.voting_round,
        "events": list(history_for(session).order_by("-seq")[:HISTORY_LIMIT]),
    }


@access(Perm.VIEW)
def session_detail(request: HttpRequest, session: int) -> HttpResponse:
    obj = get_session_for(request.user, session)
    return render(request, "commendations/council/session.html", _session_context(request, obj))


@access(STANDING, object_page=True)
def session_attendance(request: HttpRequest, session: int) -> HttpResponse:
    obj = get_session_for(request.user, session, write=STANDING)
    if request.method != "POST":
        return redirect("commendations:session", session=obj.pk)
    members = [r.member for r in sc.attendance_rows(obj)]
    form = AttendanceForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.attendance_set(
                actor=request.user,
                session=obj,
                present=[int(pk) for pk in form.cleaned_data["present"]],
            )
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            present, total, _ok = services.quorum(obj)
            messages.success(
                request,
                _("Đã ghi điểm danh: %(p)s/%(t)s thành viên có mặt.") % {"p": present, "t": total},
            )
    else:
        messages.error(request, _("Danh sách điểm danh không hợp lệ."))
    return redirect("commendations:session", session=obj.pk)


def _confirm(
    request: HttpRequest, session: CouncilSession, *, title: str, text: str, button: str
) -> HttpResponse:
    context = {"session": session, "round": session.round, "title": title, "text": text}
    return render(request, "commendations/council/confirm.html", {**context, "button": button})


@access(STANDING, object_page=True)
def session_open(request: HttpRequest, session: int) -> HttpResponse:
    obj = get_session_for(request.user, session, write=STANDING)
    if request.method == "POST":
        try:
            obj = services.voting_open(actor=request.user, session=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã mở vòng bỏ phiếu thứ %(n)s.") % {"n": obj.voting_round})
        return redirect("commendations:session", session=obj.pk)
    present, total, _ok = services.quorum(obj)
    return _confirm(
        request,
        obj,
        title=_("Mở vòng bỏ phiếu thứ %(n)s") % {"n": obj.voting_round + 1},
        text=_(
            "Có mặt %(p)s/%(t)s thành viên. Khi mở bỏ phiếu, điểm danh không sửa được nữa; "
            "thành viên bỏ phiếu trên trang phiếu bầu của mình."
        )
        % {"p": present, "t": total},
        button=_("Mở bỏ phiếu"),
    )


@access(STANDING, object_page=True)
def session_close(request: HttpRequest, session: int) -> HttpResponse:
    obj = get_session_for(request.user, session, write=STANDING)
    if request.method == "POST":
        try:
            results = services.voting_close(actor=request.user, session=obj)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            passed = sum(1 for t in results if t.passed)
            messages.success(
                request,
                _("Đã kết thúc vòng bỏ phiếu: %(p)s/%(n)s đề nghị đạt tỷ lệ.")
                % {"p": passed, "n": len(results)},
            )
        return redirect("commendations:session", session=obj.pk)
    last = obj.voting_round >= obj.max_rounds
    return _confirm(
        request,
        obj,
        title=_("Kết thúc vòng bỏ phiếu thứ %(n)s") % {"n": obj.voting_round},
        text=(
            _(
                "Đây là vòng cuối theo quy chế: đề nghị chưa đạt tỷ lệ sẽ không được thông qua. "
                "Thành viên chưa bỏ phiếu sẽ không bỏ phiếu được nữa."
            )
            if last
            else _(
                "Đề nghị đạt tỷ lệ được thông qua; đề nghị chưa đạt có thể đưa ra bỏ phiếu "
                "ở vòng sau. Thành viên chưa bỏ phiếu sẽ không bỏ phiếu được nữa."
            )
        ),
        button=_("Kết thúc vòng bỏ phiếu"),
    )


@access(STANDING, object_page=True)
def session_written(request: HttpRequest, session: int) -> HttpResponse:
    """An absent member's written opinion, entered by the secretariat."""
    obj = get_session_for(request.user, session, write=STANDING)
    absent = sc.absent_members(obj)
    items = sc.ballot_items(obj)
    form = WrittenOpinionForm(request.POST or None, members=absent, items=items)
    if request.method == "POST" and form.is_valid():
        member = next(m for m in absent if str(m.pk) == form.cleaned_data["member"])
        item = next(i for i in items if str(i.pk) == form.cleaned_data["item"])
        try:
            services.cast_vote(
                session=obj,
                item=item,
                member=member,
                choice=form.cleaned_data["choice"],
                written=True,
                actor=request.user,
            )
        except services.AlreadyVoted as exc:
            form.add_error("item", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {"choice": "choice", "member": "member"})
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Đã ghi ý kiến bằng văn bản của %(m)s.") % {"m": member.person.full_name},
            )
            return redirect("commendations:session_written", session=obj.pk)
    return render(
        request,
        "commendations/council/written.html",
        {
            "session": obj,
            "round": obj.round,
            "form": form,
            "open": obj.status == SessionStatus.OPEN and bool(absent) and bool(items),
            "written": sc.written_opinions(obj),
        },
    )


@access(STANDING, object_page=True)
def session_tally(request: HttpRequest, session: int) -> HttpResponse:
    """The chair's live tally: counts only, refreshed by htmx every 3 s."""
    obj = get_tally_for(request.user, session)
    obj.refresh_from_db()
    results = sc.round_results(obj)
    context = {
        "session": obj,
        "round": obj.round,
        "tallies": results[-1].tallies if results else [],
        "quorum": sc.quorum_info(obj),
        "live": obj.status == SessionStatus.OPEN,
    }
    template = (
        "commendations/council/_tally.html"
        if getattr(request, "htmx", False)
        else "commendations/council/tally.html"
    )
    return render(request, template, context)


@access(Perm.VIEW)
def session_minutes(request: HttpRequest, session: int) -> HttpResponse:
    obj = get_session_for(request.user, session)
    return _download(
        minutes_docx(obj), DOCX_TYPE, f"bien-ban-hop-hoi-dong-{obj.held_on:%Y%m%d}.docx"
    )


# --- the members' ballot ----------------------------------------------------------------------


@access(Perm.VIEW, login_only=True)
def ballot_index(request: HttpRequest) -> HttpResponse:
    """Sessions voting now in which the user sits on the council."""
    return render(
        request,
        "commendations/council/ballot_index.html",
        {"ballots": sc.open_ballots_for(request.user)},
    )


def _ballot_context(session: CouncilSession, member: Any) -> dict[str, Any]:
    items = sc.ballot_items(session)
    voted = sc.voted_item_ids(session, member) if items else set()
    present = any(r.member.pk == member.pk and r.present for r in sc.attendance_rows(session))
    return {
        "session": session,
        "member": member,
        "present": present,
        "items": [(item, item.pk in voted) for item in items],
        "left": sum(1 for item in items if item.pk not in voted),
        "choices": VoteChoice,
    }


@access(Perm.VIEW, object_page=True, login_only=True)
def ballot(request: HttpRequest, session: int) -> HttpResponse:
    obj, member = get_ballot_for(request.user, session)
    obj.refresh_from_db()
    context = _ballot_context(obj, member)
    template = (
        "commendations/council/_ballot_body.html"
        if getattr(request, "htmx", False)
        else "commendations/council/ballot.html"
    )
    return render(request, template, context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@access(Perm.VIEW, object_page=True, login_only=True)
def ballot_vote(request: HttpRequest, session: int) -> HttpResponse:
    """One vote on one item. A repeated or parallel submit counts once: htmx and JSON
    callers get 409, a plain form a message."""
    obj, member = get_ballot_for(request.user, session)
    if request.method != "POST":
        return redirect("commendations:ballot", session=obj.pk)
    htmx = bool(getattr(request, "htmx", False))
    form = VoteForm(request.POST)
    status, message, level = 200, "", messages.SUCCESS
    item = None
    if not form.is_valid():
        status, message, level = 422, _("Phiếu không hợp lệ."), messages.ERROR
    else:
        item = (
            obj.items.select_related("award_type", "person", "unit")
            .filter(pk=form.cleaned_data["item"])
            .first()
        )
        if item is None:
            raise Http404
        try:
            services.cast_vote(
                session=obj,
                item=item,
                member=member,
                choice=form.cleaned_data["choice"],
                actor=request.user,
            )
        except services.AlreadyVoted as exc:
            status, message, level = 409, exc.message, messages.WARNING
        except Conflict as exc:
            status, message, level = 409, exc.message, messages.ERROR
        except ValidationFailed as exc:
            status, message, level = 422, _error_text(exc), messages.ERROR
        else:
            message = _("Đã ghi nhận phiếu của bạn.")
    if _wants_json(request):
        if status == 200:
            return JsonResponse({"voted": True, "detail": message})
        return JsonResponse({"voted": False, "detail": message}, status=status)
    if htmx:
        if item is None:
            return HttpResponse(message, status=status)
        obj.refresh_from_db()
        done = sc.voted_item_ids(obj, member)
        return render(
            request,
            "commendations/council/_ballot_item.html",
            {
                "session": obj,
                "item": item,
                "voted": item.pk in done,
                "message": message,
                "error": status != 200,
                "choices": VoteChoice,
                "oob": True,  # the "items left" line follows the vote
                "left": sum(1 for i in sc.ballot_items(obj) if i.pk not in done),
            },
            status=status,
        )
    messages.add_message(request, level, message)
    return redirect("commendations:ballot", session=obj.pk)


# --- decisions --------------------------------------------------------------------------------


@access(STANDING, object_page=True)
def decision_create(request: HttpRequest, round: int) -> HttpResponse:
    rnd = get_round_council_for(request.user, round, write=STANDING)
    items = sc.decidable_items(rnd)
    _title, head = signer_of(rnd.deciding_unit)
    initial = {
        "authority": rnd.deciding_unit.name,
        "signer": head,
        "signed_on": sc.default_signed_on(),
        "items": [str(i.pk) for i in items],
        "number": f"/QĐ-{unit_symbol(rnd.deciding_unit)}",
    }
    form = DecisionForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [i for i in items if str(i.pk) in set(data["items"])]
        try:
            decision = services.decision_issue(
                actor=request.user,
                round=rnd,
                data=services.DecisionData(
                    data["number"], data["signed_on"], data["signer"], data["authority"]
                ),
                items=chosen,
            )
        except ValidationFailed as exc:
            # "items.<pk>" names one chosen item: shown under the list of items.
            add_service_errors(
                form,
                [e for e in exc.errors if not e.field.startswith("items.")],
                {},
            )
            for error in exc.errors:
                if error.field.startswith("items."):
                    form.add_error("items", error.message)
        except Conflict as exc:
            form.add_error("number", exc.message)
        else:
            messages.success(
                request,
                _("Đã ban hành Quyết định số %(n)s: %(c)s khen thưởng.")
                % {"n": decision.number, "c": len(chosen)},
            )
            return redirect("commendations:decision", decision=decision.pk)
    return render(
        request,
        "commendations/decisions/form.html",
        {"form": form, "round": rnd, "items": items},
    )


@access(Perm.VIEW)
def decision_detail(request: HttpRequest, decision: int) -> HttpResponse:
    obj = get_decision_for(request.user, decision)
    return render(
        request,
        "commendations/decisions/detail.html",
        {
            "decision": obj,
            "round": obj.round,
            "items": sc.decision_items(obj),
            "can_manage": may_manage(request.user, obj.round),
            "events": list(history_for(obj).order_by("-seq")[:HISTORY_LIMIT]),
        },
    )


def _council_on(decision: Decision) -> str:
    session = (
        sc.sessions_of(decision.round).filter(status=SessionStatus.CLOSED).order_by("-held_on")
    ).first()
    return f"{session.held_on:%d/%m/%Y}" if session is not None else ""


@access(Perm.VIEW)
def decision_docx_view(request: HttpRequest, decision: int) -> HttpResponse:
    obj = get_decision_for(request.user, decision)
    content = decision_docx(obj, sc.decision_items(obj), _council_on(obj))
    return _download(content, DOCX_TYPE, f"quyet-dinh-{_safe(obj.number)}.docx")


@access(Perm.VIEW)
def decision_xlsx_view(request: HttpRequest, decision: int) -> HttpResponse:
    obj = get_decision_for(request.user, decision)
    content = decision_list_xlsx(obj, sc.decision_items(obj))
    return _download(content, XLSX_TYPE, f"danh-sach-khen-thuong-{_safe(obj.number)}.xlsx")


# --- certificates and revocation --------------------------------------------------------------


def _revocation(certificate: Certificate) -> Revocation | None:
    return Revocation.objects.filter(award_id=certificate.award_id).first()


@access(Perm.VIEW)
def award_certificate(request: HttpRequest, award: int) -> HttpResponse:
    """From an award to its certificate (awards recorded by hand have none)."""
    obj = get_award_for(request.user, award)
    certificate = sc.certificate_of_award(obj.pk)
    if certificate is None:
        raise Http404
    return redirect("commendations:certificate", certificate=certificate.pk)


@access(Perm.VIEW)
def certificate_detail(request: HttpRequest, certificate: int) -> HttpResponse:
    obj = get_certificate_for(request.user, certificate)
    return render(
        request,
        "commendations/decisions/certificate.html",
        {
            "certificate": obj,
            "award": obj.award,
            "decision": obj.decision,
            "revocation": _revocation(obj),
            "achievement": sc.achievement_of(obj),
            "verify_url": verification_url(obj),
            "can_manage": may_manage(request.user, obj.decision.round),
        },
    )


@access(Perm.VIEW)
def certificate_pdf_view(request: HttpRequest, certificate: int) -> HttpResponse:
    obj = get_certificate_for(request.user, certificate)
    unit = obj.decision.round.deciding_unit
    try:
        content = certificate_pdf(
            obj,
            achievement=sc.achievement_of(obj),
            signer_title=signer_title_for(unit, obj.decision.signer),
            url=verification_url(obj),
        )
    except FontsMissing:
        logger.exception("certificate %s: no font with Vietnamese letters", obj.pk)
        messages.error(
            request,
            _(
                "Máy chủ chưa có phông chữ tiếng Việt (DejaVu) để in giấy chứng nhận. "
                "Đề nghị quản trị hệ thống cài gói fonts-dejavu-core."
            ),
        )
        return redirect("commendations:certificate", certificate=obj.pk)
    return _download(content, PDF_TYPE, f"giay-chung-nhan-{_safe(obj.number)}.pdf", inline=True)


@access(Perm.VIEW)
def decision_certificates_pdf(request: HttpRequest, decision: int) -> HttpResponse:
    """Every certificate of the decision still in force, one page each, to print at once."""
    obj = get_decision_for(request.user, decision)
    printable = sc.printable_certificates(obj)
    if not printable:
        messages.error(request, _("Quyết định không còn giấy chứng nhận nào có hiệu lực để in."))
        return redirect("commendations:decision", decision=obj.pk)
    try:
        content = certificates_pdf(
            obj,
            (Sheet(c, achievement, verification_url(c)) for c, achievement in printable),
            signer_title=signer_title_for(obj.round.deciding_unit, obj.signer),
        )
    except FontsMissing:
        logger.exception("decision %s: no font with Vietnamese letters", obj.pk)
        messages.error(
            request,
            _(
                "Máy chủ chưa có phông chữ tiếng Việt (DejaVu) để in giấy chứng nhận. "
                "Đề nghị quản trị hệ thống cài gói fonts-dejavu-core."
            ),
        )
        return redirect("commendations:decision", decision=obj.pk)
    name = f"giay-chung-nhan-qd-{_safe(obj.number)}.pdf"
    return _download(content, PDF_TYPE, name, inline=True)


@access(STANDING, object_page=True)
def certificate_revoke(request: HttpRequest, certificate: int) -> HttpResponse:
    obj = get_certificate_for(request.user, certificate, write=STANDING)
    revocation = _revocation(obj)
    if revocation is not None:
        messages.info(request, _("Khen thưởng này đã bị thu hồi."))
        return redirect("commendations:certificate", certificate=obj.pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.revoke(
                actor=request.user,
                award=obj.award,
                reason=data["reason"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã thu hồi khen thưởng; trang tra cứu đã cập nhật."))
            return redirect("commendations:certificate", certificate=obj.pk)
    return render(
        request,
        "commendations/decisions/revoke.html",
        {"form": form, "certificate": obj, "award": obj.award, "decision": obj.decision},
    )


# --- public verification ----------------------------------------------------------------------


@public
def verify(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Anyone holding the QR code: valid or revoked, with the award and the decision."""
    certificate = sc.certificate_for_token(token)
    if certificate is None:
        raise Http404
    award = certificate.award
    response = render(
        request,
        "commendations/verify/verify.html",
        {
            "certificate": certificate,
            "award": award,
            "decision": certificate.decision,
            "revocation": _revocation(certificate),
            "holder_unit": award.person.unit.name if award.person is not None else "",
            "recipient": award.person.full_name if award.person is not None else award.unit,
            "self_url": reverse("commendations:verify", kwargs={"token": token}),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response
