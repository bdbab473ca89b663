"""Official documents in the Vietnamese administrative format (Nghị định 30/2020/NĐ-CP,
Phụ lục I), built with python-docx. Reused by every app that issues a document.

Layout: A4, margins top/bottom 2 cm, left 3 cm, right 1.5 cm; Times New Roman; a
borderless two-column header (issuing agency and number on the left, national
motto and place/date on the right); the document type and subject centred; the
body at 14 pt justified with a first-line indent; then "Nơi nhận:" on the left and
the signer block on the right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class DocTable:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    # Relative column widths; the table spans the text width.
    widths: Sequence[float] = ()
    # Rows (by index) printed in bold, e.g. section headings or totals.
    bold_rows: Sequence[int] = ()


@dataclass(frozen=True)
class DocSection:
    heading: str = ""
    paragraphs: Sequence[str] = ()
    table: DocTable | None = None
    after_table: Sequence[str] = field(default_factory=tuple)


def vn_date_line(place: str, date: dt.date | None) -> str:
    """'Hà Nội, ngày 05 tháng 02 năm 2025': days below 10 and months 1–2 take a leading
    zero (Nghị định 30/2020, Phụ lục I, mục II.5); a missing date leaves blanks to fill."""
    if date is None:
        return f"{place}, ngày      tháng      năm"
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


def _font(run: Any, size: int, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the East Asian / complex-script font for some Vietnamese letters.
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(
    container: Any,
    text: str = "",
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = None,
    indent: bool = False,
    before: int = 0,
    after: int = 0,
) -> Any:
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        run = paragraph.add_run(text)
        _font(run, size, bold=bold, italic=italic)
        run.font.underline = underline
    return paragraph


def _cell_para(cell: Any, text: str, **kwargs: Any) -> Any:
    """Text in a table cell; the first call reuses the cell's empty paragraph."""
    first = cell.paragraphs[0]
    if not first.runs and not first.text and len(cell.paragraphs) == 1:
        first._element.getparent().remove(first._element)
    return _para(cell, text, **kwargs)


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _grid(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table: Any, widths_cm: Sequence[float]) -> None:
    # Both the grid and the cells: Word reads the cells' widths, LibreOffice the grid's
    # (left at equal halves, the national motto wrapped onto two lines there).
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


TEXT_WIDTH_CM = 16.5  # A4 21 cm minus 3 cm left and 1.5 cm right margins


def _data_table(document: Any, table: DocTable) -> None:
    columns = len(table.headers)
    grid = document.add_table(rows=1, cols=columns)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid(grid)
    for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
        _cell_para(cell, str(header), size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    bold_rows = set(table.bold_rows)
    for index, values in enumerate(table.rows):
        cells = grid.add_row().cells
        for position, (cell, value) in enumerate(zip(cells, values, strict=False)):
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            text = (
                f"{value:,}".replace(",", ".") if numeric else ("" if value is None else str(value))
            )
            _cell_para(
                cell,
                text,
                size=12,
                bold=index in bold_rows,
                align=WD_ALIGN_PARAGRAPH.RIGHT if numeric and position > 0 else None,
            )
    relative = list(table.widths) or [1.0] * columns
    total = sum(relative) or 1.0
    _widths(grid, [TEXT_WIDTH_CM * w / total for w in relative])


def administrative_document(
    *,
    agency_parent: str,
    agency: str,
    number: str,
    place: str,
    date: dt.date | None,
    title: str,
    subtitle: str,
    sections: Sequence[DocSection],
    signer_title: str,
    signer_name: str,
    recipients: Sequence[str],
    signer_authority: str = "",
) -> bytes:
    """A complete document as DOCX bytes.

    `number` is what follows "Số: " (e.g. "12/BC-KTTV", or "   /BC-KTTV" for a draft);
    `signer_authority` is the optional "TM." / "KT." line above the signer's title.
    """
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal_fonts = normal.element.get_or_add_rPr()
    fonts = normal_fonts.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        normal_fonts.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    # The default template starts with one empty paragraph; the header table goes first.
    for paragraph in list(document.paragraphs):
        paragraph._element.getparent().remove(paragraph._element)

    header = document.add_table(rows=1, cols=2)
    _no_borders(header)
    _widths(header, [6.5, 10.0])
    left, right = header.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    if agency_parent:
        _cell_para(left, agency_parent.upper(), size=HEADER_PT, align=center)
    _cell_para(left, agency.upper(), size=HEADER_PT, bold=True, align=center)
    _cell_para(left, "—————", size=HEADER_PT, align=center)
    _cell_para(left, f"Số: {number}", size=HEADER_PT, align=center, before=4)
    _cell_para(right, MOTTO, size=HEADER_PT, bold=True, align=center)
    _cell_para(right, MOTTO_SUB, size=BODY_PT, bold=True, underline=True, align=center)
    _cell_para(right, vn_date_line(place, date), size=BODY_PT, italic=True, align=center, before=10)

    _para(document, title.upper(), size=BODY_PT, bold=True, align=center, before=18)
    if subtitle:
        for line in subtitle.splitlines():
            _para(document, line, size=BODY_PT, bold=True, align=center)
    _para(document, "—————", size=BODY_PT, align=center, after=12)

    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    for part in sections:
        if part.heading:
            _para(document, part.heading, bold=True, align=justify, before=6, after=3)
        for text in part.paragraphs:
            for line in str(text).splitlines() or [""]:
                if line.strip():
                    _para(document, line.strip(), align=justify, indent=True, after=3)
        if part.table is not None:
            _data_table(document, part.table)
            for text in part.after_table:
                _para(document, text, italic=True, size=12, before=3)

    footer = document.add_table(rows=1, cols=2)
    _no_borders(footer)
    _widths(footer, [8.0, 8.5])
    left, right = footer.rows[0].cells
    _cell_para(left, "Nơi nhận:", size=12, bold=True, italic=True, before=12)
    for recipient in recipients:
        _cell_para(left, f"- {recipient}", size=11)
    if signer_authority:
        _cell_para(
            right, signer_authority.upper(), size=BODY_PT, bold=True, align=center, before=12
        )
    _cell_para(
        right,
        signer_title.upper(),
        size=BODY_PT,
        bold=True,
        align=center,
        before=0 if signer_authority else 12,
    )
    # Room for the signature and seal.
    _cell_para(right, "", size=BODY_PT, after=48)
    _cell_para(right, signer_name, size=BODY_PT, bold=True, align=center)

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
