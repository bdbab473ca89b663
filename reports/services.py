"""State changes of reports and conference selections. Each validated before any
write and audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.dates import today
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from organizations.models import Unit, UnitStatus
from people.models import Person
from plans.models import Phase, Plan, Requirement, RequirementKind, RequirementScope
from reports.figures import MAX_FIGURE, prefill, sum_figures, values_of, with_values
from reports.models import (
    AnnualReport,
    Candidate,
    CandidateStatus,
    CompiledReport,
    Conference,
    ConferenceKind,
    ConferenceStatus,
    DelegateQuota,
    ReportStatus,
    ReviewKind,
    ReviewReport,
)

YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_REVIEW_YEARS = 10
REPORT_FIELDS = [
    "unit_id",
    "year",
    "plan_id",
    "requirement_id",
    "status",
    "figures",
    "results",
    "difficulties",
    "proposals",
    "submitted_on",
]
COMPILED_FIELDS = [
    "unit_id",
    "year",
    "plan_id",
    "requirement_id",
    "status",
    "sums",
    "results",
    "difficulties",
    "proposals",
    "submitted_on",
]
REVIEW_FIELDS = ["unit_id", "plan_id", "phase_id", "kind", "title", "body", "figures"]
CONFERENCE_FIELDS = ["organizer_id", "title", "kind", "held_on", "place", "status"]
CANDIDATE_FIELDS = ["conference_id", "unit_id", "person_id", "collective_id", "reason", "status"]

# The usual outline of a sơ kết / tổng kết report.
REVIEW_HEADINGS: list[tuple[str, str]] = [
    ("results", "I. KẾT QUẢ ĐẠT ĐƯỢC"),
    ("shortcomings", "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
    ("lessons", "III. BÀI HỌC KINH NGHIỆM"),
    ("directions", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN TIẾP THEO"),
    ("proposals", "V. ĐỀ XUẤT, KIẾN NGHỊ"),
]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _year_errors(year: int | None) -> list[FieldError]:
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        return [
            FieldError("year", _("Năm phải từ %(a)s đến %(b)s.") % {"a": YEAR_MIN, "b": YEAR_MAX})
        ]
    return []


def _in_subtree(unit: Unit, root: Unit) -> bool:
    return unit.path.startswith(root.path)


# --- plans: which annual-report requirement a unit answers -----------------------------


def applicable_requirements(unit: Unit, year: int) -> QuerySet[Requirement]:
    """ANNUAL_REPORT requirements of plans above `unit` that ask it for `year`'s report.

    A requirement without a year counts for the year its deadline falls in or the
    year before (a report on 2024 is often due in January 2025).
    """
    in_scope = Q(scope=RequirementScope.SUBTREE, plan__issuer_id__in=unit.ancestor_ids)
    if unit.parent_id is not None:
        in_scope |= Q(scope=RequirementScope.CHILD_UNITS, plan__issuer_id=unit.parent_id)
    return (
        Requirement.objects.filter(kind=RequirementKind.ANNUAL_REPORT)
        .filter(in_scope)
        .filter(Q(year=year) | Q(year__isnull=True, due_on__year__in=[year, year + 1]))
        .select_related("plan__issuer")
        .order_by("due_on", "plan__code", "key")
    )


def _requirement_errors(unit: Unit, year: int, requirement: Requirement | None) -> list[FieldError]:
    if requirement is None:
        return []
    if requirement.kind != RequirementKind.ANNUAL_REPORT:
        return [FieldError("requirement", _("Yêu cầu này không phải là báo cáo hằng năm."))]
    if not applicable_requirements(unit, year).filter(pk=requirement.pk).exists():
        return [
            FieldError(
                "requirement",
                _("Yêu cầu báo cáo này không áp dụng cho đơn vị %(u)s trong năm %(y)s.")
                % {"u": unit.name, "y": year},
            )
        ]
    return []


def _submit_to_plan(
    *,
    actor: Any,
    requirement: Requirement,
    unit: Unit,
    on: dt.date,
    note: str,
    docx: bytes,
    name: str,
) -> None:
    """Answer the plan's ANNUAL_REPORT requirement, so its compliance grid shows the unit
    as having sent; the report document travels with the submission."""
    from plans.services import submission_submit

    submission_submit(
        actor=actor,
        requirement=requirement,
        unit=unit,
        submitted_on=on,
        note=note,
        file=ContentFile(docx, name=name),
    )


# --- annual reports ------------------------------------------------------------------


def _narrative(value: str | None) -> str:
    return (value or "").strip()


@transaction.atomic
def annual_report_create(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    requirement: Requirement | None = None,
    results: str = "",
    difficulties: str = "",
    proposals: str = "",
    values: Mapping[str, int] | None = None,
) -> AnnualReport:
    """A draft report, its figures pre-filled from the records of the unit's subtree
    (`values` overrides rows the officer corrected on the creation form)."""
    errors = _year_errors(year)
    if unit.status != UnitStatus.ACTIVE:
        errors.append(FieldError("unit", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": unit}))
    if not errors:
        errors += _requirement_errors(unit, year, requirement)
    figures = prefill(unit, year) if not errors else {}
    if values and not errors:
        errors += _value_errors(figures, values)
    if errors:
        raise ValidationFailed(errors)
    if values:
        figures = with_values(figures, values)
    plan = requirement.plan if requirement is not None else None
    if AnnualReport.objects.filter(unit=unit, year=year, plan=plan).exists():
        raise Conflict(
            _("Đơn vị %(u)s đã có báo cáo năm %(y)s%(p)s.")
            % {
                "u": unit.name,
                "y": year,
                "p": _(" theo kế hoạch “%(t)s”") % {"t": plan.title} if plan else "",
            }
        )
    report = AnnualReport.objects.create(
        unit=unit,
        year=year,
        plan=plan,
        requirement=requirement,
        figures=figures,
        results=_narrative(results),
        difficulties=_narrative(difficulties),
        proposals=_narrative(proposals),
    )
    audit.record(
        actor=actor,
        action="annual_report.create",
        obj=report,
        after=audit.snapshot(report, REPORT_FIELDS),
        unit=unit,
    )
    return report


def _value_errors(figures: Mapping[str, Any], values: Mapping[str, Any]) -> list[FieldError]:
    known = set(values_of(figures))
    errors: list[FieldError] = []
    for key, value in values.items():
        if key not in known:
            errors.append(FieldError(f"fig:{key}", _("Chỉ tiêu không có trong báo cáo.")))
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_FIGURE:
            errors.append(
                FieldError(
                    f"fig:{key}",
                    _("Số liệu phải là số nguyên từ 0 đến %(m)s.")
                    % {"m": f"{MAX_FIGURE:,}".replace(",", ".")},
                )
            )
    return errors


def _locked(model: Any, pk: int) -> Any:
    return model.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)


def _require_draft(obj: AnnualReport | CompiledReport) -> None:
    if obj.status != ReportStatus.DRAFT:
        raise Conflict(_("Báo cáo đã gửi, không sửa được nữa."))


@transaction.atomic
def annual_report_update(
    *,
    actor: Any,
    report: AnnualReport,
    values: Mapping[str, int] | None = None,
    results: str | None = None,
    difficulties: str | None = None,
    proposals: str | None = None,
) -> AnnualReport:
    """Edit a draft: figure values (by row key) and the three narratives."""
    report = _locked(AnnualReport, report.pk)
    _require_draft(report)
    errors = _value_errors(report.figures, values or {})
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(report, REPORT_FIELDS)
    if values:
        report.figures = with_values(report.figures, values)
    for name, value in (
        ("results", results),
        ("difficulties", difficulties),
        ("proposals", proposals),
    ):
        if value is not None:
            setattr(report, name, _narrative(value))
    report.save()
    audit.record(
        actor=actor,
        action="annual_report.update",
        obj=report,
        before=before,
        after=audit.snapshot(report, REPORT_FIELDS),
        unit=report.unit,
    )
    return report


@transaction.atomic
def annual_report_refresh(*, actor: Any, report: AnnualReport) -> AnnualReport:
    """Recompute a draft's figures from the records (edited values are replaced)."""
    report = _locked(AnnualReport, report.pk)
    _require_draft(report)
    before = audit.snapshot(report, ["figures"])
    report.figures = prefill(report.unit, report.year)
    report.save(update_fields=["figures", "updated_at"])
    audit.record(
        actor=actor,
        action="annual_report.refresh",
        obj=report,
        before=before,
        after=audit.snapshot(report, ["figures"]),
        unit=report.unit,
    )
    return report


R = TypeVar("R", AnnualReport, CompiledReport)


def _send_upward(
    *,
    actor: Any,
    report: R,
    on: dt.date,
    fields: list[str],
    action: str,
    note: str,
    document: Callable[[], bytes],
    name: str,
) -> R:
    """Mark a report sent (audited) and, when it answers a plan's requirement, send it
    there as the unit's submission, with the report's DOCX attached."""
    before = audit.snapshot(report, fields)
    report.status = ReportStatus.SUBMITTED
    report.submitted_on = on
    report.submitted_by = _user(actor)
    report.save()
    audit.record(
        actor=actor,
        action=action,
        obj=report,
        before=before,
        after=audit.snapshot(report, fields),
        unit=report.unit,
    )
    if report.requirement is not None:
        _submit_to_plan(
            actor=actor,
            requirement=report.requirement,
            unit=report.unit,
            on=on,
            note=note,
            docx=document(),
            name=name,
        )
    return report


@transaction.atomic
def annual_report_submit(
    *, actor: Any, report: AnnualReport, on: dt.date | None = None
) -> AnnualReport:
    """Send the report upward; when it answers a plan's requirement, record the submission."""
    report = _locked(AnnualReport, report.pk)
    _require_draft(report)
    if not report.results:
        raise invalid("results", _("Chưa nhập kết quả đạt được: báo cáo gửi đi phải có nội dung."))
    from reports.documents import annual_report_docx

    return _send_upward(
        actor=actor,
        report=report,
        on=on or today(),
        fields=REPORT_FIELDS,
        action="annual_report.submit",
        note=_("Báo cáo năm %(y)s") % {"y": report.year},
        document=lambda: annual_report_docx(report),
        name=f"bao-cao-{report.unit.code}-{report.year}.docx",
    )


# --- compiling the children's reports ----------------------------------------------------


@dataclass(frozen=True)
class ChildStatus:
    unit: Unit
    report: AnnualReport | None  # the report compiled (submitted) or the latest draft

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status == ReportStatus.SUBMITTED


def children_status(unit: Unit, year: int, plan: Plan | None) -> list[ChildStatus]:
    """Each active child unit with its report for the year (two queries whatever the count).

    With a plan, only reports answering that plan count; without, a child's latest
    submitted report of the year (of any plan) is taken.
    """
    children = list(
        Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).order_by("sort_key", "path")
    )
    reports = AnnualReport.objects.filter(unit__in=children, year=year)
    if plan is not None:
        reports = reports.filter(plan=plan)
    best: dict[int, AnnualReport] = {}
    # Submitted beats draft; then the latest.
    for report in reports.order_by("unit_id", "submitted_on", "id"):
        current = best.get(report.unit_id)
        if (
            current is None
            or report.status == ReportStatus.SUBMITTED
            or current.status != ReportStatus.SUBMITTED
        ):
            best[report.unit_id] = report
    return [ChildStatus(child, best.get(child.pk)) for child in children]


def _collect(statuses: list[ChildStatus], field: str) -> str:
    parts = []
    for status in statuses:
        if status.submitted and status.report is not None:
            text = getattr(status.report, field).strip()
            if text:
                parts.append(f"{status.unit.name}:\n{text}")
    return "\n\n".join(parts)


@transaction.atomic
def compile_reports(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    plan: Plan | None = None,
    requirement: Requirement | None = None,
) -> CompiledReport:
    """Sum the submitted reports of `unit`'s children into a draft compilation.

    Compiling again (more children have sent since) refreshes the sums and the
    table; narratives the compiler already edited are kept.
    """
    errors = _year_errors(year)
    if not errors and requirement is not None:
        errors += _requirement_errors(unit, year, requirement)
    if errors:
        raise ValidationFailed(errors)
    statuses = children_status(unit, year, plan)
    sources = [s.report for s in statuses if s.submitted and s.report is not None]
    if not sources:
        raise invalid(
            "year",
            _("Chưa có đơn vị trực thuộc nào gửi báo cáo năm %(y)s để tổng hợp.") % {"y": year},
        )
    compiled = (
        CompiledReport.objects.select_for_update(of=("self",))
        .filter(unit=unit, year=year, plan=plan)
        .first()
    )
    if compiled is not None:
        _require_draft(compiled)
        before: dict[str, Any] | None = audit.snapshot(compiled, COMPILED_FIELDS)
    else:
        compiled = CompiledReport(unit=unit, year=year, plan=plan)
        before = None
    if requirement is not None:
        compiled.requirement = requirement
    compiled.sums = sum_figures(r.figures for r in sources)
    compiled.by_unit = [
        {
            "unit": s.unit.code,
            "name": s.unit.name,
            "status": s.report.status if s.report is not None else "",
            "report": s.report.pk if s.report is not None else None,
            "submitted_on": s.report.submitted_on.isoformat()
            if s.report is not None and s.report.submitted_on
            else None,
            "values": values_of(s.report.figures) if s.submitted and s.report is not None else {},
        }
        for s in statuses
    ]
    for name in ("results", "difficulties", "proposals"):
        if not getattr(compiled, name):
            setattr(compiled, name, _collect(statuses, name))
    compiled.compiled_at = timezone.now()
    compiled.save()
    compiled.sources.set(sources)
    after = audit.snapshot(compiled, COMPILED_FIELDS)
    after["sources"] = sorted(r.pk for r in sources)
    audit.record(
        actor=actor,
        action="compiled_report.compile",
        obj=compiled,
        before=before,
        after=after,
        unit=unit,
    )
    return compiled


@transaction.atomic
def compiled_update(
    *,
    actor: Any,
    compiled: CompiledReport,
    results: str | None = None,
    difficulties: str | None = None,
    proposals: str | None = None,
) -> CompiledReport:
    compiled = _locked(CompiledReport, compiled.pk)
    _require_draft(compiled)
    before = audit.snapshot(compiled, COMPILED_FIELDS)
    for name, value in (
        ("results", results),
        ("difficulties", difficulties),
        ("proposals", proposals),
    ):
        if value is not None:
            setattr(compiled, name, _narrative(value))
    compiled.save()
    audit.record(
        actor=actor,
        action="compiled_report.update",
        obj=compiled,
        before=before,
        after=audit.snapshot(compiled, COMPILED_FIELDS),
        unit=compiled.unit,
    )
    return compiled


@transaction.atomic
def compiled_submit(
    *, actor: Any, compiled: CompiledReport, on: dt.date | None = None
) -> CompiledReport:
    compiled = _locked(CompiledReport, compiled.pk)
    _require_draft(compiled)
    from reports.documents import compiled_report_docx

    return _send_upward(
        actor=actor,
        report=compiled,
        on=on or today(),
        fields=COMPILED_FIELDS,
        action="compiled_report.submit",
        note=_("Báo cáo tổng hợp năm %(y)s") % {"y": compiled.year},
        document=lambda: compiled_report_docx(compiled),
        name=f"bao-cao-tong-hop-{compiled.unit.code}-{compiled.year}.docx",
    )


# --- preliminary and final reviews -----------------------------------------------------------


def review_years(plan: Plan, phase: Phase | None) -> tuple[int, int]:
    period = phase if phase is not None else plan
    return period.starts_on.year, period.ends_on.year


def _review_body(texts: Mapping[str, str]) -> list[dict[str, str]]:
    return [
        {"key": key, "heading": heading, "text": _narrative(texts.get(key))}
        for key, heading in REVIEW_HEADINGS
    ]


@transaction.atomic
def review_create(
    *,
    actor: Any,
    unit: Unit,
    plan: Plan,
    kind: str,
    title: str = "",
    phase: Phase | None = None,
    texts: Mapping[str, str] | None = None,
) -> ReviewReport:
    """A sơ kết / tổng kết report of a plan (or one phase), with the figures of the
    unit's subtree summed over the period's years."""
    errors: list[FieldError] = []
    if kind not in ReviewKind.values:
        errors.append(FieldError("kind", _("Chọn sơ kết hoặc tổng kết.")))
    if phase is not None and phase.plan_id != plan.pk:
        errors.append(FieldError("phase", _("Giai đoạn không thuộc kế hoạch đã chọn.")))
    if not _in_subtree(unit, plan.issuer) and not _in_subtree(plan.issuer, unit):
        errors.append(FieldError("unit", _("Đơn vị không nằm trong phạm vi của kế hoạch đã chọn.")))
    if len(title.strip()) > 500:
        errors.append(FieldError("title", _("Tiêu đề tối đa 500 ký tự.")))
    first, last = review_years(plan, phase)
    if last - first + 1 > MAX_REVIEW_YEARS:
        errors.append(
            FieldError(
                "phase", _("Giai đoạn quá dài (tối đa %(n)s năm).") % {"n": MAX_REVIEW_YEARS}
            )
        )
    if errors:
        raise ValidationFailed(errors)
    if not title.strip():
        kind_label = ReviewKind(kind).label
        period = phase.name if phase is not None else f"{first}–{last}"
        title = f"{kind_label} {plan.title} ({period})"
    review = ReviewReport.objects.create(
        unit=unit,
        plan=plan,
        phase=phase,
        kind=kind,
        title=" ".join(title.split()),
        body=_review_body(texts or {}),
        figures=sum_figures(prefill(unit, y) for y in range(first, last + 1)),
        first_year=first,
        last_year=last,
    )
    audit.record(
        actor=actor,
        action="review_report.create",
        obj=review,
        after=audit.snapshot(review, REVIEW_FIELDS),
        unit=unit,
    )
    return review


@transaction.atomic
def review_update(
    *,
    actor: Any,
    review: ReviewReport,
    title: str | None = None,
    texts: Mapping[str, str] | None = None,
    values: Mapping[str, int] | None = None,
) -> ReviewReport:
    review = (
        ReviewReport.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=review.pk)
    )
    errors = _value_errors(review.figures, values or {})
    if title is not None and not title.strip():
        errors.append(FieldError("title", _("Tiêu đề không được để trống.")))
    elif title is not None and len(title.strip()) > 500:
        errors.append(FieldError("title", _("Tiêu đề tối đa 500 ký tự.")))
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(review, REVIEW_FIELDS)
    if title is not None:
        review.title = " ".join(title.split())
    if texts is not None:
        current = {part["key"]: part.get("text", "") for part in review.body}
        review.body = _review_body({**current, **texts})
    if values:
        review.figures = with_values(review.figures, values)
    review.save()
    audit.record(
        actor=actor,
        action="review_report.update",
        obj=review,
        before=before,
        after=audit.snapshot(review, REVIEW_FIELDS),
        unit=review.unit,
    )
    return review


# --- conferences: quotas, candidates, the final list ------------------------------------------


@transaction.atomic
def conference_create(
    *, actor: Any, organizer: Unit, title: str, kind: str, held_on: dt.date | None, place: str = ""
) -> Conference:
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", _("Tên hội nghị không được để trống.")))
    elif len(title.strip()) > 500:
        errors.append(FieldError("title", _("Tên hội nghị tối đa 500 ký tự.")))
    if kind not in ConferenceKind.values:
        errors.append(FieldError("kind", _("Loại hội nghị không hợp lệ.")))
    if held_on is None:
        errors.append(FieldError("held_on", _("Chưa nhập ngày tổ chức.")))
    if organizer.status != UnitStatus.ACTIVE:
        errors.append(FieldError("organizer", _("Đơn vị tổ chức đã ngừng hoạt động.")))
    if errors:
        raise ValidationFailed(errors)
    assert held_on is not None
    conference = Conference.objects.create(
        organizer=organizer,
        title=" ".join(title.split()),
        kind=kind,
        held_on=held_on,
        place=place.strip(),
    )
    audit.record(
        actor=actor,
        action="conference.create",
        obj=conference,
        after=audit.snapshot(conference, CONFERENCE_FIELDS),
        unit=organizer,
    )
    return conference


def _require_open(conference: Conference) -> None:
    if conference.status != ConferenceStatus.OPEN:
        raise Conflict(_("Danh sách đã chốt, không thay đổi được nữa."))


def _lock_conference(conference: Conference) -> Conference:
    return (
        Conference.objects.select_for_update(of=("self",))
        .select_related("organizer")
        .get(pk=conference.pk)
    )


@transaction.atomic
def quotas_set(*, actor: Any, conference: Conference, quotas: Mapping[Unit, int]) -> Conference:
    """Set the number of delegates each unit may propose (0 removes the unit).

    A quota may not drop below the candidates the unit has already proposed.
    """
    conference = _lock_conference(conference)
    _require_open(conference)
    existing = {q.unit_id: q for q in conference.quotas.select_related("unit")}
    proposed: dict[int, int] = {}
    for unit_id in conference.candidates.values_list("unit_id", flat=True):
        proposed[unit_id] = proposed.get(unit_id, 0) + 1
    errors: list[FieldError] = []
    for unit, quota in quotas.items():
        field = f"quota:{unit.code}"
        if not _in_subtree(unit, conference.organizer):
            errors.append(FieldError(field, _("Đơn vị không thuộc đơn vị tổ chức.")))
        elif not isinstance(quota, int) or not 0 <= quota <= 1000:
            errors.append(FieldError(field, _("Số lượng phải từ 0 đến 1000.")))
        elif quota < proposed.get(unit.pk, 0):
            errors.append(
                FieldError(
                    field,
                    _("Đơn vị đã đề cử %(n)s người, tập thể: không giảm số lượng dưới mức này.")
                    % {"n": proposed[unit.pk]},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    before = {q.unit.code: q.quota for q in existing.values()}
    after = dict(before)
    for unit, quota in quotas.items():
        current = existing.get(unit.pk)
        if quota == 0:
            if current is not None:
                current.delete()
            after.pop(unit.code, None)
        elif current is None:
            DelegateQuota.objects.create(conference=conference, unit=unit, quota=quota)
            after[unit.code] = quota
        elif current.quota != quota:
            current.quota = quota
            current.save(update_fields=["quota"])
            after[unit.code] = quota
    if after != before:
        audit.record(
            actor=actor,
            action="conference.quota",
            obj=conference,
            before={"quotas": before},
            after={"quotas": after},
            unit=conference.organizer,
        )
    return conference


@transaction.atomic
def candidate_propose(
    *,
    actor: Any,
    conference: Conference,
    unit: Unit,
    person: Person | None = None,
    collective: Unit | None = None,
    reason: str = "",
) -> Candidate:
    """A unit proposes one individual or collective, within its quota."""
    conference = _lock_conference(conference)
    _require_open(conference)
    # Locking the quota row serialises two officers proposing at once for one unit.
    quota = (
        DelegateQuota.objects.select_for_update(of=("self",))
        .filter(conference=conference, unit=unit)
        .first()
    )
    errors: list[FieldError] = []
    if quota is None:
        errors.append(
            FieldError("unit", _("Đơn vị %(u)s không được phân bổ số lượng đề cử.") % {"u": unit})
        )
    elif conference.candidates.filter(unit=unit).count() >= quota.quota:
        errors.append(
            FieldError(
                "unit",
                _("Đơn vị %(u)s đã đề cử đủ %(n)s người, tập thể theo số lượng được phân bổ.")
                % {"u": unit.name, "n": quota.quota},
            )
        )
    if (person is None) == (collective is None):
        errors.append(FieldError("subject", _("Chọn đúng một cá nhân hoặc một tập thể.")))
    elif person is not None and not _in_subtree(person.unit, unit):
        errors.append(FieldError("person", _("Cán bộ không thuộc đơn vị đề cử.")))
    elif collective is not None and not _in_subtree(collective, unit):
        errors.append(FieldError("collective", _("Tập thể không thuộc đơn vị đề cử.")))
    if errors:
        raise ValidationFailed(errors)
    duplicate = conference.candidates.filter(
        Q(person=person) if person is not None else Q(collective=collective)
    ).exists()
    if duplicate:
        subject = person if person is not None else collective
        raise Conflict(_("%(s)s đã có trong danh sách đề cử.") % {"s": subject})
    candidate = Candidate.objects.create(
        conference=conference,
        unit=unit,
        person=person,
        collective=collective,
        reason=_narrative(reason),
        proposed_by=_user(actor),
    )
    audit.record(
        actor=actor,
        action="candidate.propose",
        obj=candidate,
        after=audit.snapshot(candidate, CANDIDATE_FIELDS),
        unit=unit,
    )
    return candidate


@transaction.atomic
def candidate_withdraw(*, actor: Any, candidate: Candidate) -> None:
    conference = _lock_conference(candidate.conference)
    _require_open(conference)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=candidate.pk)
    )
    before = audit.snapshot(candidate, CANDIDATE_FIELDS)
    audit.record(
        actor=actor, action="candidate.withdraw", obj=candidate, before=before, unit=candidate.unit
    )
    candidate.delete()


@transaction.atomic
def candidates_select(
    *, actor: Any, conference: Conference, selected: Collection[int], finalize: bool = False
) -> Conference:
    """Mark the chosen candidates SELECTED and the others NOT_SELECTED; `finalize`
    closes the list (no more proposals, withdrawals or changes)."""
    conference = _lock_conference(conference)
    _require_open(conference)
    ids = set(conference.candidates.values_list("pk", flat=True))
    unknown = set(selected) - ids
    if unknown:
        raise invalid("selected", _("Có người, tập thể không thuộc danh sách đề cử."))
    before = dict(conference.candidates.values_list("pk", "status"))
    conference.candidates.filter(pk__in=list(selected)).update(status=CandidateStatus.SELECTED)
    conference.candidates.exclude(pk__in=list(selected)).update(status=CandidateStatus.NOT_SELECTED)
    snapshot_before = audit.snapshot(conference, CONFERENCE_FIELDS)
    if finalize:
        conference.status = ConferenceStatus.FINALIZED
        conference.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="conference.select",
        obj=conference,
        before={**snapshot_before, "candidates": before},
        after={
            **audit.snapshot(conference, CONFERENCE_FIELDS),
            "candidates": dict(conference.candidates.values_list("pk", "status")),
        },
        unit=conference.organizer,
    )
    return conference
