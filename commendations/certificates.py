"""Certificates as PDF (reportlab), with a QR code of the public verification page.

Vietnamese needs a TrueType font with its letters (ơ, ư, ạ, ế, …): the core PDF
fonts have none, so DejaVu Serif (from the system's font package) is embedded in
every certificate. The QR code
(segno) encodes the absolute verification URL built from settings.SITE_URL, the
address printed on paper must be the public one whatever host served the PDF.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from awards.models import AwardKind
from commendations.models import Certificate
from reports.documents import place_of
from reports.docx import MOTTO, MOTTO_SUB, vn_date_line

# Where DejaVu Serif is looked for, in order: THIDUA_FONT_DIR, then the usual system
# folders (Debian/Ubuntu fonts-dejavu-core, Fedora, Arch, Homebrew). `make run` and
# CI install Debian's package when it is missing and they may.
FONT_DIRS = [
    Path(p)
    for p in (
        os.environ.get("THIDUA_FONT_DIR", ""),
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu-serif-fonts",
        "/usr/share/fonts/TTF",
        "/usr/share/fonts/dejavu",
        "/opt/homebrew/share/fonts",
        "/usr/local/share/fonts",
    )
    if p
]
REGULAR, BOLD, ITALIC = "ThiduaSerif", "ThiduaSerif-Bold", "ThiduaSerif-Italic"
FILES = {
    REGULAR: "DejaVuSerif.ttf",
    BOLD: "DejaVuSerif-Bold.ttf",
    ITALIC: "DejaVuSerif-Italic.ttf",
}
RED = colors.HexColor("#b3121f")
GOLD = colors.HexColor("#c9a227")
PDF_TYPE = "application/pdf"


class FontsMissing(RuntimeError):
    """The certificate cannot be drawn: no font with Vietnamese glyphs was found."""


def _font_path(filename: str) -> Path:
    for folder in FONT_DIRS:
        path = folder / filename
        if path.exists():
            return path
    raise FontsMissing(
        f"{filename} not found in {', '.join(map(str, FONT_DIRS))}: install DejaVu fonts "
        "(Debian: apt-get install fonts-dejavu-core) or set THIDUA_FONT_DIR"
    )


@cache
def register_fonts() -> None:
    for name, filename in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_font_path(filename))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC)


def verification_url(certificate: Certificate) -> str:
    path = reverse("commendations:verify", kwargs={"token": certificate.token})
    return settings.SITE_URL.rstrip("/") + path


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _salutation(award: Any) -> str:
    person = award.person
    if person is None:
        return ""
    return {"M": "Ông", "F": "Bà"}.get(person.gender, "")


def _holder_unit(award: Any) -> str:
    if award.person is not None:
        return str(award.person.unit.name)
    parent = award.unit.parent
    return str(parent.name) if parent is not None else ""


def _recipient(award: Any) -> str:
    return str(award.person.full_name if award.person is not None else award.unit.name)


def _centered(c: canvas.Canvas, text: str, y: float, font: str, size: float, color: Any) -> None:
    c.setFillColor(color)
    c.setFont(font, size)
    c.drawCentredString(A4[1] / 2, y, text)


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    while size > 8 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def certificate_pdf(
    certificate: Certificate, *, achievement: str, signer_title: str, url: str
) -> bytes:
    """One A4 landscape page: motto, authority, the award, the recipient and the
    achievement, the decision, the signer, and the QR code of `url`."""
    register_fonts()
    award = certificate.award
    decision = certificate.decision
    buffer = BytesIO()
    c = canvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    c.setTitle(f"{award.award_type.name} – {_recipient(award)}")
    c.setAuthor(decision.authority)
    c.setSubject(f"Quyết định số {decision.number}")
    place = place_of(decision.round.deciding_unit)
    _draw(c, certificate, achievement=achievement, signer_title=signer_title, url=url, place=place)
    c.save()
    return buffer.getvalue()


@dataclass
class Sheet:
    certificate: Certificate
    achievement: str
    url: str


def certificates_pdf(decision: Any, sheets: Iterable[Sheet], *, signer_title: str) -> bytes:
    """Every certificate of a decision in one file, a page each, to print in one go."""
    register_fonts()
    buffer = BytesIO()
    c = canvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    c.setTitle(f"Giấy chứng nhận – Quyết định số {decision.number}")
    c.setAuthor(decision.authority)
    c.setSubject(f"Quyết định số {decision.number}")
    # One deciding unit for all: where it sits is looked up once, not once a page.
    place = place_of(decision.round.deciding_unit)
    for sheet in sheets:
        _draw(
            c,
            sheet.certificate,
            achievement=sheet.achievement,
            signer_title=signer_title,
            url=sheet.url,
            place=place,
        )
    c.save()
    return buffer.getvalue()


def _draw(
    c: canvas.Canvas,
    certificate: Certificate,
    *,
    achievement: str,
    signer_title: str,
    url: str,
    place: str,
) -> None:
    award = certificate.award
    decision = certificate.decision
    width, height = landscape(A4)
    recipient = _recipient(award)

    # Frame: a red outer line and a gold inner one.
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)

    inner = width - 60 * mm
    y = height - 30 * mm
    _centered(c, MOTTO, y, BOLD, 13, colors.black)
    y -= 6 * mm
    _centered(c, MOTTO_SUB, y, BOLD, 12.5, colors.black)
    sub_width = pdfmetrics.stringWidth(MOTTO_SUB, BOLD, 12.5)
    c.setLineWidth(0.6)
    c.setStrokeColor(colors.black)
    c.line((width - sub_width) / 2, y - 1.5 * mm, (width + sub_width) / 2, y - 1.5 * mm)
    y -= 13 * mm
    authority = decision.authority.upper()
    _centered(c, authority, y, BOLD, _fit(authority, BOLD, 15, inner), colors.black)

    y -= 12 * mm
    title = award.award_type.name.upper()
    if award.award_type.kind == AwardKind.TITLE:
        _centered(c, "CÔNG NHẬN DANH HIỆU", y, BOLD, 12, colors.black)
        y -= 14 * mm
    else:
        y -= 6 * mm
    _centered(c, title, y, BOLD, _fit(title, BOLD, 30, inner), RED)
    y -= 12 * mm
    lead = "Tặng" if award.award_type.kind != AwardKind.TITLE else "Cho"
    salutation = _salutation(award)
    _centered(c, lead + (f" {salutation}" if salutation else ""), y, ITALIC, 14, colors.black)
    y -= 14 * mm
    _centered(c, recipient, y, BOLD, _fit(recipient, BOLD, 26, inner), RED)
    holder_unit = _holder_unit(award)
    if holder_unit:
        y -= 8 * mm
        _centered(c, holder_unit, y, REGULAR, _fit(holder_unit, REGULAR, 14, inner), colors.black)

    y -= 8 * mm
    text = achievement.strip() or "Đã có thành tích xuất sắc"
    style = ParagraphStyle(
        "achievement", fontName=ITALIC, fontSize=13, leading=17, alignment=TA_CENTER
    )
    paragraph = Paragraph(f"Đã có thành tích: {_escape(text)} (năm {award.year}).", style)
    _w, h = paragraph.wrap(inner, 40 * mm)
    if h > 40 * mm:  # a very long summary: smaller type rather than overflow
        style.fontSize, style.leading = 10.5, 13
        _w, h = paragraph.wrap(inner, 40 * mm)
    paragraph.drawOn(c, 30 * mm, y - h)

    # Bottom left: the QR code and the references; bottom right: place, date, signer.
    qr_size = 32 * mm
    c.drawImage(ImageReader(BytesIO(qr_png(url))), 24 * mm, 20 * mm, qr_size, qr_size)
    c.setFillColor(colors.black)
    c.setFont(REGULAR, 9.5)
    left = 24 * mm + qr_size + 4 * mm
    c.drawString(left, 44 * mm, f"Quyết định số {decision.number}")
    c.drawString(left, 39 * mm, f"ngày {decision.signed_on:%d/%m/%Y}")
    c.drawString(left, 34 * mm, f"Số vào sổ: {certificate.number}")
    c.setFont(REGULAR, 7.5)
    c.drawString(left, 28 * mm, "Quét mã QR để kiểm tra hiệu lực:")
    c.drawString(left, 24 * mm, url)

    right_x = width - 75 * mm
    c.setFont(ITALIC, 12)
    c.drawCentredString(right_x, 50 * mm, vn_date_line(place, decision.signed_on))
    if signer_title:
        c.setFont(BOLD, 12)
        c.drawCentredString(right_x, 44 * mm, signer_title.upper())
    c.setFont(BOLD, 13)
    c.drawCentredString(right_x, 22 * mm, decision.signer)
    c.showPage()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
