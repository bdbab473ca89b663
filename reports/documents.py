"""The documents of the reports app: DOCX in the administrative format and XLSX tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.xlsx import xlsx_response
from organizations.models import Unit, UnitKind
from people.models import Person
from reports.docx import DOCX_TYPE, DocSection, DocTable, administrative_document
from reports.figures import flat_rows
from reports.models import (
    AnnualReport,
    Candidate,
    CandidateStatus,
    CompiledReport,
    Conference,
    ReviewReport,
)

CENTRAL_PLACE = "Hà Nội"
_PROVINCE_PREFIXES = ("Sở Tài nguyên và Môi trường ", "Sở Nông nghiệp và Môi trường ", "Sở ")


def place_of(unit: Unit) -> str:
    """Where the unit sits, for the place-and-date line.

    Units carry no address: a provincial department names its province ("Sở Tài
    nguyên và Môi trường Sóc Trăng" → "Sóc Trăng"), and so does everything under
    it; central agencies are in Hà Nội.
    """
    chain = [unit]
    ancestor_ids = unit.ancestor_ids
    if ancestor_ids:
        chain += list(Unit.objects.filter(pk__in=ancestor_ids).order_by("-depth"))
    for node in chain:
        if node.kind == UnitKind.PROVINCIAL_DEPARTMENT:
            for prefix in _PROVINCE_PREFIXES:
                if node.name.startswith(prefix):
                    return node.name[len(prefix) :].strip() or CENTRAL_PLACE
    return CENTRAL_PLACE


def _symbol(unit: Unit) -> str:
    return (unit.short_name or unit.code).replace(" ", "")


def signer_of(unit: Unit) -> tuple[str, str]:
    """The head's title and name, or a blank block to sign by hand."""
    head = (
        Person.objects.filter(unit=unit, is_head=True)
        .only("full_name", "position")
        .order_by("code")
        .first()
    )
    if head is None:
        return "Thủ trưởng đơn vị", ""
    return head.position or "Thủ trưởng đơn vị", head.full_name


def figures_table(figures: Mapping[str, Any]) -> DocTable:
    rows: list[list[Any]] = []
    bold: list[int] = []
    for number, section in enumerate(figures.get("sections", []), start=1):
        bold.append(len(rows))
        rows.append([_roman(number), section.get("title", ""), None])
        for index, row in enumerate(section.get("rows", []), start=1):
            rows.append([str(index), row.get("label", ""), int(row.get("value") or 0)])
    return DocTable(["STT", "Nội dung", "Số lượng"], rows, widths=[1.2, 10, 2.5], bold_rows=bold)


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def _document(
    *,
    unit: Unit,
    title: str,
    subtitle: str,
    sections: Sequence[DocSection],
    symbol: str,
    date: Any,
    recipients: Sequence[str] | None = None,
) -> bytes:
    parent = unit.parent
    signer_title, signer_name = signer_of(unit)
    default_recipients = [f"{parent.name} (để báo cáo);"] if parent is not None else []
    return administrative_document(
        agency_parent=parent.name if parent is not None else "",
        agency=unit.name,
        number=f"      /{symbol}-{_symbol(unit)}",
        place=place_of(unit),
        date=date,
        title=title,
        subtitle=subtitle,
        sections=sections,
        signer_title=signer_title,
        signer_name=signer_name,
        recipients=[*(recipients if recipients is not None else default_recipients), "Lưu: VT."],
    )


def _narrative_sections(
    report: AnnualReport | CompiledReport, figures: Mapping[str, Any], table: DocTable | None = None
) -> list[DocSection]:
    return [
        DocSection("I. KẾT QUẢ ĐẠT ĐƯỢC", [report.results or "…"]),
        DocSection(
            "II. SỐ LIỆU CỤ THỂ",
            table=table or figures_table(figures),
        ),
        DocSection("III. KHÓ KHĂN, VƯỚNG MẮC", [report.difficulties or "Không có."]),
        DocSection("IV. ĐỀ XUẤT, KIẾN NGHỊ", [report.proposals or "Không có."]),
    ]


def _subject(year: int, plan: Any) -> str:
    base = (
        "Kết quả công tác thi đua, khen thưởng và xây dựng, "
        f"nhân rộng điển hình tiên tiến năm {year}"
    )
    return f"{base}\n(thực hiện {plan.title})" if plan is not None else base


def annual_report_docx(report: AnnualReport) -> bytes:
    return _document(
        unit=report.unit,
        title="Báo cáo",
        subtitle=_subject(report.year, report.plan),
        sections=_narrative_sections(report, report.figures),
        symbol="BC",
        date=report.submitted_on,
    )


def compiled_report_docx(compiled: CompiledReport) -> bytes:
    sections = _narrative_sections(compiled, compiled.sums)
    sent = [u for u in compiled.by_unit if u.get("values")]
    missing = [u["name"] for u in compiled.by_unit if not u.get("values")]
    keys = [(row["key"], row["label"]) for _t, row in flat_rows(compiled.sums)]
    by_unit_rows: list[list[Any]] = []
    for key, label in keys:
        by_unit_rows.append(
            [label, *[int(u["values"].get(key, 0)) for u in sent], _total(compiled.sums, key)]
        )
    header = ["Chỉ tiêu", *[u["unit"] for u in sent], "Tổng cộng"]
    units = ", ".join(f"{u['unit']} – {u['name']}" for u in sent)
    notes = [f"Tổng hợp từ {len(sent)} báo cáo: {units}."]
    if missing:
        notes.append(f"Chưa gửi báo cáo: {', '.join(missing)}.")
    sections.insert(
        2,
        DocSection(
            "Số liệu theo đơn vị",
            table=DocTable(header, by_unit_rows, widths=[6, *[1.6] * len(sent), 2]),
            after_table=notes,
        ),
    )
    return _document(
        unit=compiled.unit,
        title="Báo cáo",
        subtitle=_subject(compiled.year, compiled.plan).replace("Kết quả", "Tổng hợp kết quả", 1),
        sections=sections,
        symbol="BC",
        date=compiled.submitted_on,
    )


def _total(figures: Mapping[str, Any], key: str) -> int:
    for _t, row in flat_rows(figures):
        if row["key"] == key:
            return int(row.get("value") or 0)
    return 0


def review_report_docx(review: ReviewReport) -> bytes:
    sections: list[DocSection] = []
    for index, part in enumerate(review.body):
        sections.append(DocSection(part.get("heading", ""), [part.get("text") or "…"]))
        if index == 0:
            sections.append(
                DocSection(
                    f"Số liệu giai đoạn {review.first_year}–{review.last_year}",
                    table=figures_table(review.figures),
                )
            )
    return _document(
        unit=review.unit,
        title="Báo cáo",
        subtitle=review.title,
        sections=sections,
        symbol="BC",
        date=None,
    )


def selected_candidates(conference: Conference) -> list[Candidate]:
    return list(
        conference.candidates.filter(status=CandidateStatus.SELECTED)
        .select_related("unit", "person__unit", "collective")
        .order_by("unit__path", "collective_id", "person__sort_key", "id")
    )


def _candidate_row(index: int, candidate: Candidate) -> list[Any]:
    if candidate.person is not None:
        subject = candidate.person.full_name
        detail = ", ".join(p for p in (candidate.person.position, candidate.person.unit.name) if p)
        kind = "Cá nhân"
    else:
        assert candidate.collective is not None
        subject, detail, kind = candidate.collective.name, "", "Tập thể"
    return [index, subject, kind, detail, candidate.unit.name, candidate.reason]


# Official documents stay in Vietnamese whatever the interface language.
CANDIDATE_HEADERS = [
    "STT",
    "Tên cá nhân, tập thể",
    "Loại",
    "Chức vụ, đơn vị",
    "Đơn vị đề cử",
    "Thành tích tiêu biểu",
]


def conference_docx(conference: Conference) -> bytes:
    rows = [_candidate_row(i, c) for i, c in enumerate(selected_candidates(conference), start=1)]
    table = DocTable(CANDIDATE_HEADERS, rows, widths=[0.8, 3.5, 1.5, 3.5, 3, 4.5])
    return _document(
        unit=conference.organizer,
        title="Danh sách",
        subtitle=f"Tập thể, cá nhân điển hình tiên tiến được chọn tham dự\n{conference.title}",
        sections=[
            DocSection(
                "",
                [
                    f"Thời gian tổ chức: {conference.held_on:%d/%m/%Y}"
                    + (f"; địa điểm: {conference.place}." if conference.place else ".")
                ],
                table=table,
                after_table=[f"Danh sách gồm {len(rows)} tập thể, cá nhân."],
            )
        ],
        symbol="DS",
        date=None,
        recipients=["Các đơn vị có tên trong danh sách;"],
    )


# --- responses ------------------------------------------------------------------------------


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def figures_xlsx(filename: str, title: str, figures: Mapping[str, Any]) -> HttpResponse:
    rows = (
        (section, row["label"], int(row.get("value") or 0)) for section, row in flat_rows(figures)
    )
    return xlsx_response(filename, title, [_("Mục"), _("Chỉ tiêu"), _("Số lượng")], rows)


def compiled_xlsx(compiled: CompiledReport) -> HttpResponse:
    sent = [u for u in compiled.by_unit if u.get("values")]
    headers = [
        _("Mục"),
        _("Chỉ tiêu"),
        *[f"{u['unit']} – {u['name']}" for u in sent],
        _("Tổng cộng"),
    ]
    rows = (
        (
            section,
            row["label"],
            *[int(u["values"].get(row["key"], 0)) for u in sent],
            int(row.get("value") or 0),
        )
        for section, row in flat_rows(compiled.sums)
    )
    return xlsx_response(
        f"bao-cao-tong-hop-{compiled.unit.code}-{compiled.year}.xlsx",
        _("Tổng hợp %(y)s") % {"y": compiled.year},
        headers,
        rows,
    )


def conference_xlsx(conference: Conference) -> HttpResponse:
    rows = (_candidate_row(i, c) for i, c in enumerate(selected_candidates(conference), start=1))
    return xlsx_response(
        f"danh-sach-dai-bieu-{conference.pk}.xlsx",
        _("Danh sách"),
        [
            _("STT"),
            _("Tên cá nhân, tập thể"),
            _("Loại"),
            _("Chức vụ, đơn vị"),
            _("Đơn vị đề cử"),
            _("Thành tích tiêu biểu"),
        ],
        rows,
    )
