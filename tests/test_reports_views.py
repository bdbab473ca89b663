"""Report pages: permissions, bounded lists, the create/edit/submit flow, compiling,
conference pages and the documents (the DOCX must open in LibreOffice)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from people.models import Person
from reports import services
from reports.figures import values_of
from reports.models import (
    AnnualReport,
    CandidateStatus,
    CompiledReport,
    Conference,
    ConferenceKind,
)
from tests.conftest import Personas, Tree
from tests.test_permissions import assert_object_pages
from tests.test_reports_services import YEAR, annual_requirement, award, person

PERSONAS = ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]


def login(client: Client, username: str) -> Client:
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    return client


def _objects(tree: Tree, personas: Personas, person_a: Person) -> dict[str, str]:
    """One object of each kind, all in KTTV's subtree, for the permission walk."""
    report = services.annual_report_create(
        actor=None, unit=tree.KTTV_A, year=YEAR, results="Kết quả của Đài."
    )
    services.annual_report_submit(actor=None, report=report)
    draft = services.annual_report_create(actor=None, unit=tree.KTTV_B, year=YEAR)
    compiled = services.compile_reports(actor=None, unit=tree.KTTV, year=YEAR)
    plan = annual_requirement(tree).plan
    review = services.review_create(actor=None, unit=tree.KTTV, plan=plan, kind="FINAL")
    conference = services.conference_create(
        actor=None,
        organizer=tree.KTTV,
        title="Hội nghị điển hình tiên tiến",
        kind=ConferenceKind.EXEMPLAR_CONFERENCE,
        held_on=dt.date(2025, 6, 1),
    )
    services.quotas_set(actor=None, conference=conference, quotas={tree.KTTV_A: 2})
    candidate = services.candidate_propose(
        actor=None, conference=conference, unit=tree.KTTV_A, person=person_a, reason="Tiêu biểu"
    )
    return {
        "pk": str(draft.pk),
        "compiled_pk": str(compiled.pk),
        "review_pk": str(review.pk),
        "conference_pk": str(conference.pk),
        "candidate_pk": str(candidate.pk),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_object_pages_follow_the_access_rules(
    tree: Tree, personas: Personas, person_a: Person, persona: str
) -> None:
    values = _objects(tree, personas, person_a)
    client = login(Client(), persona)
    checked = assert_object_pages(client, persona, "reports", values)
    assert checked >= 20
    # Nothing was changed by opening the pages (confirmation steps come first).
    assert AnnualReport.objects.get(pk=int(values["pk"])).is_draft
    assert CompiledReport.objects.get(pk=int(values["compiled_pk"])).is_draft


def test_write_pages_without_the_right_are_refused(tree: Tree, personas: Personas) -> None:
    for name in (
        "reports:create",
        "reports:compile",
        "reports:review_create",
        "reports:conference_create",
    ):
        assert login(Client(), "viewer").get(reverse(name)).status_code == 403
        assert login(Client(), "officer").get(reverse(name)).status_code == 200


def test_lists_run_a_bounded_number_of_queries(
    tree: Tree, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for year in range(2001, 2031):
        services.annual_report_create(actor=None, unit=tree.KTTV_A, year=year)
    client = login(Client(), "officer")
    for name in (
        "reports:list",
        "reports:compiled_list",
        "reports:review_list",
        "reports:conference_list",
    ):
        with django_assert_max_num_queries(15):
            response = client.get(reverse(name))
        assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:list"), {"year": "2024", "status": "DRAFT"})
    assert response.context["page"].paginator.count == 1


def test_outsiders_do_not_see_reports_in_lists(tree: Tree, personas: Personas) -> None:
    services.annual_report_create(actor=None, unit=tree.KTTV_A, year=YEAR)
    response = login(Client(), "outsider").get(reverse("reports:list"))
    assert response.context["page"].paginator.count == 0
    response = login(Client(), "standing").get(reverse("reports:list"), {"q": "dai khi tuong"})
    assert response.context["page"].paginator.count == 1


def test_create_page_prefills_and_creates(tree: Tree, personas: Personas, person_a: Person) -> None:
    award(person=person_a)
    client = login(Client(), "officer")
    response = client.get(reverse("reports:create"), {"unit": "KTTV", "year": str(YEAR)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="fig:awards.CSTDCS" value="1"' in html
    response = client.post(
        reverse("reports:create"),
        {
            "unit": "KTTV",
            "year": YEAR,
            "fig:awards.CSTDCS": "2",
            "fig:awards.LDTT": "abc",
            "results": "Kết quả",
        },
    )
    assert response.status_code == 200
    assert "Nhập số nguyên không âm." in response.content.decode()
    response = client.post(
        reverse("reports:create"),
        {"unit": "KTTV", "year": YEAR, "fig:awards.CSTDCS": "2", "results": "Kết quả"},
    )
    report = AnnualReport.objects.get(unit=tree.KTTV, year=YEAR)
    assert response.status_code == 302
    assert values_of(report.figures)["awards.CSTDCS"] == 2
    # An officer cannot create for a unit outside their scope.
    response = client.get(reverse("reports:create"), {"unit": "STNMT_ST", "year": str(YEAR)})
    assert response.status_code == 200
    assert "unit" in response.context["start"].errors
    assert "fig:awards" not in response.content.decode()


def test_edit_and_submit_pages(tree: Tree, personas: Personas) -> None:
    report = services.annual_report_create(actor=None, unit=tree.KTTV, year=YEAR)
    client = login(Client(), "head")
    response = client.post(
        reverse("reports:edit", args=[report.pk]),
        {"results": "Hoàn thành.", "difficulties": "", "proposals": "Tăng kinh phí."},
    )
    assert response.status_code == 302
    response = client.get(reverse("reports:submit", args=[report.pk]))
    assert "Xác nhận gửi" in response.content.decode()
    response = client.post(reverse("reports:submit", args=[report.pk]), follow=True)
    assert "Đã gửi" in response.content.decode()
    report.refresh_from_db()
    assert report.proposals == "Tăng kinh phí." and not report.is_draft


def test_compile_page_shows_children_and_compiles(tree: Tree, personas: Personas) -> None:
    report = services.annual_report_create(
        actor=None, unit=tree.KTTV_A, year=YEAR, results="A", values={"awards.CSTDCS": 5}
    )
    services.annual_report_submit(actor=None, report=report)
    client = login(Client(), "officer")
    response = client.get(reverse("reports:compile"), {"unit": "KTTV", "year": str(YEAR)})
    html = response.content.decode()
    assert tree.KTTV_A.name in html and tree.KTTV_B.name in html
    assert "Chưa có báo cáo" in html  # KTTV_B
    response = client.post(reverse("reports:compile"), {"unit": "KTTV", "year": YEAR, "plan": ""})
    compiled = CompiledReport.objects.get(unit=tree.KTTV, year=YEAR)
    assert response.status_code == 302
    assert values_of(compiled.sums)["awards.CSTDCS"] == 5
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("reports:compiled_xlsx", args=[compiled.pk])).content)
    )
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][2]).startswith("KTTV_A")
    cstdcs = next(r for r in rows if r[1] == "Chiến sĩ thi đua cơ sở")
    assert cstdcs[2:] == (5, 5)


def test_conference_pages_enforce_quota_and_export(
    tree: Tree, personas: Personas, person_a: Person
) -> None:
    client = login(Client(), "officer")
    response = client.post(
        reverse("reports:conference_create"),
        {
            "organizer": "KTTV",
            "title": "Hội nghị điển hình tiên tiến lần thứ V",
            "kind": ConferenceKind.EXEMPLAR_CONFERENCE,
            "held_on": "15/06/2025",
            "place": "Hà Nội",
        },
    )
    assert response.status_code == 302
    conference = Conference.objects.get(organizer=tree.KTTV)
    client.post(
        reverse("reports:conference_quotas", args=[conference.pk]),
        {"quota:KTTV_A": "1", "quota:KTTV_B": ""},
    )
    assert {q.unit.code: q.quota for q in conference.quotas.all()} == {"KTTV_A": 1}
    propose = reverse("reports:conference_propose", args=[conference.pk])
    response = client.post(
        propose, {"unit": "KTTV_A", "subject": "person", "person": "P001", "reason": "Tiêu biểu"}
    )
    assert response.status_code == 302
    second = person("P002", tree.KTTV_A)
    response = client.post(propose, {"unit": "KTTV_A", "subject": "person", "person": second.code})
    assert response.status_code == 200
    assert "đã đề cử đủ 1" in response.content.decode()
    candidate = conference.candidates.get()
    client.post(
        reverse("reports:conference_select", args=[conference.pk]),
        {"selected": [str(candidate.pk)]},
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SELECTED
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("reports:conference_xlsx", args=[conference.pk])).content)
    )
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Nguyễn Văn An"


# --- documents -------------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or (
        "/usr/bin/soffice" if os.path.exists("/usr/bin/soffice") else ""
    )
    if not found:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI to check generated documents")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _convert(soffice: str, source: Path, target: str, outdir: Path) -> Path:
    # A private profile: a second LibreOffice (or a user's own) must not block this one.
    profile = (outdir / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
         "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )  # fmt: skip
    return outdir / f"{source.stem}.{target.split(':')[0]}"


def _document_text(soffice: str, docx: Path, outdir: Path) -> str:
    """The PDF must be produced; its text is read with pdftotext when present, otherwise
    from LibreOffice's own text export of the same document."""
    pdf = _convert(soffice, docx, "pdf", outdir)
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    else:
        text = _convert(soffice, docx, "txt:Text", outdir).read_text(encoding="utf-8-sig")
    # Reading order, whitespace collapsed: a long agency name wrapping inside its header
    # cell (as it does on paper) is still the same words.
    return " ".join(text.split())


def test_annual_report_docx_opens_in_libreoffice(
    tree: Tree, personas: Personas, person_a: Person, tmp_path: Path
) -> None:
    soffice = _soffice()
    award(person=person_a)
    report = services.annual_report_create(
        actor=None,
        unit=tree.KTTV,
        year=YEAR,
        results="Toàn Tổng cục hoàn thành xuất sắc nhiệm vụ.",
        values={"awards.LDTT": 1234},
    )
    response = login(Client(), "viewer").get(reverse("reports:docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(response.content)
    text = _document_text(soffice, source, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "TỔNG CỤC KHÍ TƯỢNG THỦY VĂN" in text
    assert "BÁO CÁO" in text
    assert "Hà Nội, ngày" in text
    assert "Toàn Tổng cục hoàn thành xuất sắc nhiệm vụ." in text
    assert "Chiến sĩ thi đua cơ sở" in text
    assert "1.234" in text  # the edited figure, Vietnamese grouping
    assert "Nơi nhận:" in text


def test_docx_format_details(tree: Tree, personas: Personas) -> None:
    from docx import Document

    from reports.docx import DocSection, administrative_document, vn_date_line

    assert vn_date_line("Sóc Trăng", dt.date(2025, 2, 5)) == "Sóc Trăng, ngày 05 tháng 02 năm 2025"
    assert vn_date_line("Hà Nội", dt.date(2024, 12, 9)) == "Hà Nội, ngày 09 tháng 12 năm 2024"
    content = administrative_document(
        agency_parent="Bộ Tài nguyên và Môi trường",
        agency="Sở Tài nguyên và Môi trường Sóc Trăng",
        number="12/BC-STNMT",
        place="Sóc Trăng",
        date=dt.date(2025, 1, 10),
        title="Báo cáo",
        subtitle="Kết quả năm 2024",
        sections=[DocSection("I. KẾT QUẢ", ["Nội dung."])],
        signer_title="Giám đốc",
        signer_name="Nguyễn Văn B",
        recipients=["Lưu: VT."],
    )
    document = Document(io.BytesIO(content))
    header = document.tables[0].rows[0].cells
    agency = header[0].paragraphs[1].runs[0]
    motto, sub = header[1].paragraphs[0].runs[0], header[1].paragraphs[1].runs[0]
    assert agency.text == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG SÓC TRĂNG" and agency.bold
    assert header[0].paragraphs[-1].text == "Số: 12/BC-STNMT"
    assert motto.bold and motto.font.name == "Times New Roman"
    assert sub.text == "Độc lập - Tự do - Hạnh phúc" and sub.bold and sub.underline
    place = header[1].paragraphs[2].runs[0]
    assert place.italic and place.text.startswith("Sóc Trăng, ngày 10 tháng 01")
    margin = document.sections[0].left_margin
    assert margin is not None and margin.cm == pytest.approx(3, abs=0.01)
    # The grid carries the widths too (LibreOffice lays the header out from it).
    grid = [c.width.cm for c in document.tables[0].columns]  # type: ignore[union-attr]
    assert grid == [pytest.approx(6.5, abs=0.01), pytest.approx(10.0, abs=0.01)]


def test_compiled_and_conference_docx_are_served(
    tree: Tree, personas: Personas, person_a: Person
) -> None:
    values = _objects(tree, personas, person_a)
    client = login(Client(), "standing")
    for name, key in (
        ("reports:compiled_docx", "compiled_pk"),
        ("reports:review_docx", "review_pk"),
        ("reports:conference_docx", "conference_pk"),
    ):
        response = client.get(reverse(name, args=[values[key]]))
        assert response.status_code == 200
        assert response.content[:2] == b"PK"
