"""The decision (DOCX, administrative format) and its attached list (XLSX)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from docx import Document as load_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from awards.models import AwardKind
from commendations.models import Decision, ProposalItem
from organizations.models import Unit
from reports.documents import place_of, signer_of
from reports.docx import DocSection, DocTable, administrative_document

LIST_HEADERS = ["STT", "Họ và tên / Tập thể", "Đơn vị", "Khen thưởng", "Tóm tắt thành tích"]


def unit_symbol(unit: Unit) -> str:
    return (unit.short_name or unit.code).replace(" ", "")


def signer_title_for(unit: Unit, signer: str) -> str:
    """The signer's title when the signer is the head on record, else the generic one."""
    title, name = signer_of(unit)
    if name and name.strip().casefold() == signer.strip().casefold():
        return title
    return "Thủ trưởng cơ quan"


def recipient_name(item: ProposalItem) -> str:
    if item.person_id:
        return item.person.full_name  # type: ignore[union-attr]
    return item.unit.name  # type: ignore[union-attr]


def recipient_unit(item: ProposalItem) -> str:
    if item.person_id:
        return item.person.unit.name  # type: ignore[union-attr]
    parent = item.unit.parent  # type: ignore[union-attr]
    return parent.name if parent is not None else ""


def list_rows(items: Sequence[ProposalItem]) -> list[list[object]]:
    return [
        [index, recipient_name(i), recipient_unit(i), i.award_type.name, i.achievement]
        for index, i in enumerate(items, start=1)
    ]


def subject_of(decision: Decision, items: Sequence[ProposalItem]) -> str:
    names = sorted({i.award_type.name for i in items})
    if len(names) == 1:
        kind = "danh hiệu" if items[0].award_type.kind == AwardKind.TITLE else ""
        what = f"{kind} “{names[0]}”".strip()
    else:
        what = "danh hiệu thi đua và hình thức khen thưởng"
    return f"Về việc tặng {what} năm {decision.round.year}"


def _count_phrase(items: Sequence[ProposalItem]) -> str:
    people = sum(1 for i in items if i.person_id)
    units = len(items) - people
    parts = []
    if people:
        parts.append(f"{people} cá nhân")
    if units:
        parts.append(f"{units} tập thể")
    return " và ".join(parts)


def decision_docx(decision: Decision, items: Sequence[ProposalItem], council_on: str) -> bytes:
    """`council_on`: the date of the council's meeting (dd/mm/yyyy) or ""."""
    unit = decision.round.deciding_unit
    parent = unit.parent
    subject = subject_of(decision, items)
    consider = (
        f"Xét đề nghị của Hội đồng Thi đua – Khen thưởng tại phiên họp ngày {council_on} "
        "và của cơ quan thường trực Hội đồng;"
        if council_on
        else "Xét đề nghị của cơ quan thường trực Hội đồng Thi đua – Khen thưởng;"
    )
    award_names = ", ".join(sorted({f"“{i.award_type.name}”" for i in items}))
    sections = [
        DocSection(
            decision.authority.upper(),
            [
                "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
                "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ "
                "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
                consider,
            ],
        ),
        DocSection("QUYẾT ĐỊNH:"),
        DocSection(
            "",
            [
                f"Điều 1. Tặng {award_names} năm {decision.round.year} cho "
                f"{_count_phrase(items)} có tên trong danh sách kèm theo, "
                "đã có thành tích được nêu tại danh sách.",
                "Điều 2. Cá nhân, tập thể có tên tại Điều 1 được hưởng tiền thưởng và các "
                "chế độ theo quy định của pháp luật về thi đua, khen thưởng.",
                "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Thủ trưởng cơ quan thường "
                "trực Hội đồng Thi đua – Khen thưởng, thủ trưởng các đơn vị có liên quan và "
                "các cá nhân, tập thể có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định "
                "này./.",
            ],
        ),
        DocSection(
            f"DANH SÁCH KHEN THƯỞNG (Kèm theo Quyết định số {decision.number} "
            f"ngày {decision.signed_on:%d/%m/%Y})",
            table=DocTable(LIST_HEADERS, list_rows(items), widths=[1.1, 4, 4, 3.2, 6]),
        ),
    ]
    content = administrative_document(
        agency_parent=parent.name if parent is not None else "",
        agency=unit.name,
        number=decision.number,
        place=place_of(unit),
        date=decision.signed_on,
        title="Quyết định",
        subtitle=subject,
        sections=sections,
        signer_title=signer_title_for(unit, decision.signer),
        signer_name=decision.signer,
        recipients=["Như Điều 3;", f"Lưu: VT, {unit_symbol(unit)}."],
    )
    return _center(content, {decision.authority.upper(), "QUYẾT ĐỊNH:"})


def _center(content: bytes, texts: set[str]) -> bytes:
    """The authority line and "QUYẾT ĐỊNH:" stand centred above and below the grounds."""
    document = load_docx(BytesIO(content))
    for paragraph in document.paragraphs:
        if paragraph.text.strip() in texts:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def decision_list_xlsx(decision: Decision, items: Sequence[ProposalItem]) -> bytes:
    """The list attached to the decision: a title, then one row per recipient."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Danh sách"
    columns = len(LIST_HEADERS) + 1
    sheet.append(["DANH SÁCH KHEN THƯỞNG"])
    sheet.append(
        [
            f"(Kèm theo Quyết định số {decision.number} ngày "
            f"{decision.signed_on:%d/%m/%Y} của {decision.authority})"
        ]
    )
    sheet.append([])
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        cell = sheet.cell(row=row, column=1)
        cell.alignment = Alignment(horizontal="center")
        cell.font = Font(bold=row == 1, italic=row == 2, size=13 if row == 1 else 11)
    sheet.append([*LIST_HEADERS, "Số vào sổ"])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for values, item in zip(list_rows(items), items, strict=True):
        number = item.award.certificate.number if item.award_id else ""  # type: ignore[union-attr]
        sheet.append([*values, number])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    for index, width in enumerate([6, 28, 34, 30, 60, 16], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A5"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
