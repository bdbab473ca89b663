"""Rounds, proposals, appraisal, dossier documents and the public posting, through the
pages: behaviour, permissions (allowed / 403 / other unit → 404), documents."""

from __future__ import annotations

import contextlib
import datetime as dt
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from docx import Document as load_docx

from audit.models import AuditEvent
from awards.models import AwardType
from commendations import services as cm
from commendations import services_proposals as sp
from commendations.models import (
    Document,
    DocumentKind,
    ItemStatus,
    PostingComment,
    Proposal,
    ProposalItem,
    ProposalStatus,
    Round,
    RoundKind,
)
from commendations.urls import proposal_patterns
from core.errors import Conflict, ValidationFailed
from exemplars.models import Exemplar
from people import services as ppl
from people.models import Person
from tests import test_permissions
from tests.test_eligibility_rules import give, initiative, make_person, rate
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
Y = 2024
D = dt.date
PS = ProposalStatus
IS = ItemStatus


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # The posting's rate limit counts in the cache, which outlives a test.
    cache.clear()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def award_type(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def make_round(tree: Any, personas: Any, **extra: Any) -> Round:
    """A round decided by KTTV (the outsider, at STNMT_ST, does not see it)."""
    return cm.round_create(
        actor=personas.standing,
        data=cm.RoundData(
            code=extra.pop("code", "KT-KTTV-2024"),
            title=extra.pop("title", "Xét khen thưởng năm 2024 của Tổng cục"),
            kind=RoundKind.ANNUAL,
            year=Y,
            deciding_unit=extra.pop("deciding_unit", tree.KTTV),
            submission_due=extra.pop("submission_due", D(2024, 12, 10)),
            **extra,
        ),
    )


def eligible(tree: Any, code: str, name: str | None = None, unit: Any = None) -> Any:
    person = make_person(tree, code, unit=unit)
    if name:
        person = ppl.person_update(actor=None, person=person, full_name=name)
    rate(person, {Y: "HTXSNV"})
    return person


def ineligible(tree: Any, code: str, name: str | None = None) -> Any:
    person = make_person(tree, code)
    if name:
        person.full_name = name
        person.save(update_fields=["full_name"])
    rate(person, {Y: "HTNV"})
    return person


def add(actor: Any, proposal: Proposal, person: Any, code: str = "CSTDCS") -> ProposalItem:
    return cm.item_add(
        actor=actor,
        proposal=proposal,
        data=cm.ItemData(award_type(code), f"Thành tích năm {Y} của {person.full_name}.", person),
    )


def draft(tree: Any, personas: Any, **extra: Any) -> Proposal:
    rnd = make_round(tree, personas, **extra)
    return cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)


def pdf(name: str = "xac-nhan.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4 xac nhan sang kien" + b"0" * size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_text(content: bytes) -> str:
    document = load_docx(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, persona: str, monkeypatch: Any
) -> None:
    proposal = draft(tree, personas)
    item = add(personas.officer, proposal, eligible(tree, "E01"))
    document = sp.document_add(
        actor=personas.officer, proposal=proposal, kind=DocumentKind.CERTIFICATION, file=pdf()
    )
    comment = PostingComment.objects.create(round=proposal.round, name="Dân", content="Ý kiến")
    # Only this module's pages: the council pages of the namespace are walked by their own
    # tests with their own objects, and the public posting page has no role to check.
    mine = {p.name for p in proposal_patterns} - {"posting"}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(r, ns, p) for r, ns, p in every() if ns != "commendations" or p.name in mine],
    )
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client,
        persona,
        "commendations",
        {
            "round": str(proposal.round.pk),
            "proposal": str(proposal.pk),
            "item": str(item.pk),
            "document": str(document.pk),
            "comment": str(comment.pk),
        },
    )
    assert checked == 27
    # Walking the pages (GET shows forms and confirmations) changed nothing.
    proposal.refresh_from_db()
    assert proposal.status == PS.DRAFT
    assert ProposalItem.objects.filter(pk=item.pk, status=IS.PROPOSED).exists()
    assert Document.objects.filter(pk=document.pk).exists()


def test_roles_act_only_on_their_step(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    item = add(personas.officer, proposal, ineligible(tree, "E02"))
    base = f"/commendations/proposals/{proposal.pk}/"
    # Only the head overrides; only the standing body appraises.
    assert login(personas.officer).get(f"{base}items/{item.pk}/override/").status_code == 403
    assert login(personas.standing).get(f"{base}items/{item.pk}/override/").status_code == 403
    assert login(personas.officer).get(f"{base}accept/").status_code == 403
    assert login(personas.head).get(f"{base}items/{item.pk}/return/").status_code == 403
    # A standing body of a level below the deciding unit does not appraise.
    from tests.conftest import make_user

    low = make_user("standing_a", [("STANDING", tree.KTTV_A)])
    assert login(low).post(f"{base}accept/").status_code == 403
    # Someone of another unit does not learn that the proposal exists.
    assert login(personas.outsider).get(base).status_code == 404
    assert login(personas.outsider).post(f"{base}submit/").status_code == 404


def test_services_refuse_actors_outside_their_step_and_change_nothing(
    tree: Any, personas: Any
) -> None:
    """The services check the actor themselves, so an import, a command or a future API
    cannot skip the check the pages make."""
    from django.core.exceptions import PermissionDenied

    proposal = draft(tree, personas)
    item = add(personas.officer, proposal, eligible(tree, "E01"))
    other = eligible(tree, "E02")
    before = AuditEvent.objects.count()
    outsider, viewer = personas.outsider, personas.viewer
    refused = [
        lambda: cm.round_create(
            actor=personas.officer,
            data=cm.RoundData("KT-X", "Đợt khác", RoundKind.ANNUAL, Y, tree.KTTV, D(2024, 12, 1)),
        ),
        lambda: sp.round_update(
            actor=outsider,
            round=proposal.round,
            data=cm.RoundData("", "Đổi tên", RoundKind.ANNUAL, Y, tree.KTTV, D(2024, 12, 1)),
        ),
        lambda: cm.proposal_create(actor=viewer, round=proposal.round, unit=tree.KTTV_B),
        lambda: sp.proposal_update(actor=outsider, proposal=proposal, simplified=True, summary=""),
        lambda: add(viewer, proposal, other),
        lambda: cm.item_update(actor=outsider, item=item, achievement="Sửa thành tích."),
        lambda: cm.item_delete(actor=viewer, item=item),
        lambda: sp.document_add(
            actor=outsider, proposal=proposal, kind=DocumentKind.CERTIFICATION, file=pdf()
        ),
        lambda: sp.dossier_generate(actor=viewer, proposal=proposal),
        lambda: sp.proposal_delete(actor=outsider, proposal=proposal),
        lambda: cm.proposal_submit(actor=viewer, proposal=proposal),
    ]
    make_round(tree, personas, code="KT-KHAC")  # the deciding unit's standing body may
    opened = AuditEvent.objects.count()
    assert opened == before + 1
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    with pytest.raises(PermissionDenied):
        sp.proposal_take(actor=personas.head, proposal=proposal)
    proposal.refresh_from_db()
    item.refresh_from_db()
    assert proposal.status == PS.SUBMITTED
    assert item.achievement.startswith("Thành tích năm")
    assert AuditEvent.objects.count() == opened + 1  # only the submission


def test_rounds_list_shows_what_the_user_may_propose_in(tree: Any, personas: Any) -> None:
    kttv = make_round(tree, personas)
    ministry = make_round(
        tree, personas, code="KT-BO-2024", title="Xét khen thưởng cấp Bộ", deciding_unit=tree.MIN
    )
    other = make_round(
        tree,
        personas,
        code="KT-ST-2024",
        title="Xét khen thưởng của Sở",
        deciding_unit=tree.ST,
    )
    officer = login(personas.officer).get("/commendations/rounds/").content.decode()
    assert kttv.title in officer
    assert ministry.title in officer  # KTTV proposes to the ministry
    assert other.title not in officer
    outsider = login(personas.outsider).get("/commendations/rounds/").content.decode()
    assert kttv.title not in outsider
    assert ministry.title in outsider and other.title in outsider
    assert login(personas.outsider).get(f"/commendations/rounds/{kttv.pk}/").status_code == 404
    # Filters and search (without diacritics).
    found = login(personas.officer).get("/commendations/rounds/?q=cap bo").content.decode()
    assert ministry.title in found and kttv.title not in found
    by_unit = login(personas.officer).get("/commendations/rounds/?unit=KTTV").content.decode()
    assert kttv.title in by_unit and ministry.title not in by_unit
    empty = login(personas.officer).get("/commendations/rounds/?year=2001").content.decode()
    assert "Không có đợt xét nào khớp" in empty


# --- rounds -----------------------------------------------------------------------------------


def round_form(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "KT-2024-TC",
        "deciding_unit": "KTTV",
        "title": "Khen thưởng thường xuyên năm 2024",
        "kind": RoundKind.ANNUAL,
        "year": str(Y),
        "movement": "",
        "submission_due": "10/12/2024",
        "appraisal_due": "20/12/2024",
        "council_on": "27/12/2024",
        "posting_working_days": "5",
        "note": "",
    }
    data.update(changes)
    return data


def test_standing_body_opens_and_edits_a_round(tree: Any, personas: Any) -> None:
    assert login(personas.officer).get("/commendations/rounds/new/").status_code == 403
    page = login(personas.officer).get("/commendations/rounds/").content.decode()
    assert 'href="/commendations/rounds/new/"' not in page
    client = login(personas.standing)
    bad = client.post("/commendations/rounds/new/", round_form(appraisal_due="01/12/2024"))
    assert bad.status_code == 200
    assert "Hạn thẩm định phải sau hạn gửi hồ sơ." in bad.content.decode()
    assert 'id="id_appraisal_due_error"' in bad.content.decode()
    response = client.post("/commendations/rounds/new/", round_form())
    rnd = Round.objects.get(code="KT-2024-TC")
    assert response["Location"] == f"/commendations/rounds/{rnd.pk}/"
    assert rnd.deciding_unit == tree.KTTV and rnd.council_on == D(2024, 12, 27)
    again = client.post("/commendations/rounds/new/", round_form())
    assert "đã tồn tại" in again.content.decode()

    edit = round_form(title="Khen thưởng năm 2024 (sửa)", year=str(Y - 1))
    assert client.post(f"/commendations/rounds/{rnd.pk}/edit/", edit).status_code == 302
    rnd.refresh_from_db()
    assert rnd.title == "Khen thưởng năm 2024 (sửa)" and rnd.year == Y - 1
    cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)
    locked = client.post(f"/commendations/rounds/{rnd.pk}/edit/", round_form(year=str(Y)))
    assert "không đổi được năm thành tích" in locked.content.decode()
    page = client.get(f"/commendations/rounds/{rnd.pk}/").content.decode()
    assert "Mở đợt xét khen thưởng" in page  # the history
    assert 'title="commendation.round_update"' in page


def test_round_page_shows_progress_holder_and_late_marks(tree: Any, personas: Any) -> None:
    rnd = make_round(tree, personas, appraisal_due=D(2024, 12, 20), council_on=D(2024, 12, 27))
    late = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)
    sent = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_B)
    add(personas.officer, sent, eligible(tree, "E03", unit=tree.KTTV_B))
    add(personas.officer, late, eligible(tree, "E04"))
    with time_machine.travel(dt.datetime(2024, 12, 5, 9, 0), tick=False):
        cm.proposal_submit(actor=personas.officer, proposal=sent)
    with time_machine.travel(dt.datetime(2024, 12, 15, 9, 0), tick=False):
        page = login(personas.officer).get(f"/commendations/rounds/{rnd.pk}/").content.decode()
    assert "Quá hạn gửi hồ sơ" in page  # KTTV_A still drafting after 10/12
    assert "Cơ quan thường trực – Tổng cục Khí tượng Thủy văn" in page  # KTTV_B's file
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in page  # KTTV_A holds its own
    with time_machine.travel(dt.datetime(2024, 12, 22, 9, 0), tick=False):
        page = login(personas.standing).get(f"/commendations/rounds/{rnd.pk}/").content.decode()
    assert "Quá hạn thẩm định" in page
    sent.refresh_from_db()
    assert sp.holder(sent) == "Cơ quan thường trực – Tổng cục Khí tượng Thủy văn"
    cm.proposal_accept(actor=personas.standing, proposal=sent)
    sent.refresh_from_db()
    assert sp.holder(sent) == "Hội đồng Thi đua – Khen thưởng"


# --- proposals and items --------------------------------------------------------------------


def test_unit_creates_a_proposal_once_per_round(tree: Any, personas: Any) -> None:
    rnd = make_round(tree, personas)
    client = login(personas.officer)
    url = f"/commendations/rounds/{rnd.pk}/proposals/new/"
    assert login(personas.viewer).get(url).status_code == 403
    response = client.post(url, {"unit": "KTTV_A", "simplified": ""})
    proposal = Proposal.objects.get(round=rnd, unit=tree.KTTV_A)
    assert response["Location"] == f"/commendations/proposals/{proposal.pk}/"
    form = client.get(url).content.decode()
    assert 'value="KTTV_A"' not in form and 'value="KTTV_B"' in form
    assert client.post(url, {"unit": "KTTV_A"}).status_code == 200  # not a choice any more
    assert Proposal.objects.filter(round=rnd).count() == 1


def item_form(person: Any = None, **changes: Any) -> dict[str, Any]:
    data = {
        "recipient_kind": "person",
        "person": person.code if person is not None else "",
        "collective": "",
        "award_type": "CSTDCS",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ, có sáng kiến được áp dụng.",
        "exemplar": "",
    }
    data.update(changes)
    return data


def test_items_are_added_edited_and_refused_with_the_conflict_named(
    tree: Any, personas: Any
) -> None:
    proposal = draft(tree, personas)
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    good = eligible(tree, "E05", "Trần Thị Thu Hương")
    assert client.post(f"{base}items/new/", item_form(good)).status_code == 302
    item = proposal.items.get()
    assert item.person == good and item.award_type.code == "CSTDCS"
    # Someone of another unit is not a choice; a missing recipient is named on its field.
    stranger = make_person(tree, "S01", unit=tree.ST)
    refused = client.post(f"{base}items/new/", item_form(stranger)).content.decode()
    assert 'id="id_person_error"' in refused
    # Double reward: the conflicting decision is named, next to the award field.
    held = eligible(tree, "E06")
    give(held, "CSTDCS", Y)
    page = client.post(f"{base}items/new/", item_form(held)).content.decode()
    assert f"CSTDCS/{Y}" in page and 'id="id_award_type_error"' in page
    # A collective with a title for collectives.
    unit = client.post(
        f"{base}items/new/",
        item_form(recipient_kind="unit", collective="KTTV_A", award_type="TTLDXS"),
    )
    assert unit.status_code == 302
    assert proposal.items.filter(unit=tree.KTTV_A).exists()
    # Edit the achievement and cite the person's own initiative.
    own = initiative(good, Y)
    edit = client.post(
        f"{base}items/{item.pk}/edit/",
        {"achievement": "Thành tích đã sửa.", "initiatives": [str(own.pk)]},
    )
    assert edit.status_code == 302
    item.refresh_from_db()
    assert item.achievement == "Thành tích đã sửa."
    assert list(item.initiatives.all()) == [own]
    # Delete asks first, then removes.
    assert "Xóa đề nghị" in client.get(f"{base}items/{item.pk}/delete/").content.decode()
    assert ProposalItem.objects.filter(pk=item.pk).exists()
    client.post(f"{base}items/{item.pk}/delete/")
    assert not ProposalItem.objects.filter(pk=item.pk).exists()
    history = client.get(base).content.decode()
    assert "Thêm đề nghị khen thưởng" in history and "Xóa đề nghị khen thưởng" in history


def test_person_box_suggests_the_units_people_and_offers_only_their_initiatives(
    tree: Any, personas: Any
) -> None:
    proposal = draft(tree, personas)
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/items/"
    huong = eligible(tree, "E05", "Trần Thị Thu Hương")
    eligible(tree, "E06", "Trần Văn Hưng")
    stranger = make_person(tree, "S01", unit=tree.ST)
    ppl.person_update(actor=None, person=stranger, full_name="Trần Thị Thu Hường")
    # Typed without diacritics; people of other units are never suggested.
    options = client.get(f"{base}people/", {"person": "tran thi thu"}).content.decode()
    assert 'value="E05"' in options and "Trần Thị Thu Hương" in options
    assert "S01" not in options and "E06" not in options
    assert 'value="E06"' in client.get(f"{base}people/", {"person": "e06"}).content.decode()
    # The chosen person's free initiatives only, with a hint before anyone is chosen.
    own = initiative(huong, Y)
    other = initiative(Person.objects.get(code="E06"), Y)
    boxes = client.get(f"{base}initiatives/", {"person": "E05"}).content.decode()
    assert f'value="{own.pk}"' in boxes and f'value="{other.pk}"' not in boxes
    assert "Nhập mã cán bộ" in client.get(f"{base}initiatives/").content.decode()
    unknown = client.get(f"{base}initiatives/", {"person": "S01"}).content.decode()
    assert "Không tìm thấy cán bộ có mã “S01”" in unknown
    # Someone else's initiative posted with the item is not taken.
    page = client.post(
        f"{base}new/", item_form(huong, initiatives=[str(own.pk), str(other.pk)])
    ).content.decode()
    assert 'id="initiatives_error"' in page
    assert f"{other.pk} không phải là một trong các lựa chọn" in page
    assert not proposal.items.exists()
    added = client.post(f"{base}new/", item_form(huong, initiatives=[str(own.pk)]))
    assert added.status_code == 302
    assert list(proposal.items.get().initiatives.all()) == [own]
    # An unknown code is named on the person box.
    missing = client.post(f"{base}new/", item_form(stranger)).content.decode()
    assert "Không tìm thấy cán bộ có mã “S01” trong đơn vị đề nghị." in missing
    # Other units' officers learn nothing.
    outsider = login(personas.outsider)
    assert outsider.get(f"{base}people/", {"person": "tran"}).status_code == 404


def test_exemplar_link_is_shown_on_the_item(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    person = eligible(tree, "E07")
    exemplar = Exemplar.objects.create(
        person=person,
        unit=tree.KTTV_A,
        title="Mô hình cảnh báo lũ quét sớm",
        practice_summary="Kết hợp radar và trạm đo mưa.",
        year=Y,
        standard_id="BTNMT-2023",
    )
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    other = Exemplar.objects.create(
        person=eligible(tree, "E08"),
        unit=tree.KTTV_A,
        title="Điển hình khác",
        practice_summary="…",
        year=Y,
        standard_id="BTNMT-2023",
    )
    wrong = client.post(f"{base}items/new/", item_form(person, exemplar=str(other.pk)))
    assert "không phải của đối tượng được đề nghị" in wrong.content.decode()
    assert (
        client.post(f"{base}items/new/", item_form(person, exemplar=str(exemplar.pk)))["Location"]
        == base
    )
    page = client.get(base).content.decode()
    assert exemplar.title in page
    # The exemplar pages come from another branch; link to them once they are there.
    with contextlib.suppress(NoReverseMatch):
        assert reverse("exemplars:detail", args=[exemplar.pk]) in page


def test_an_ineligible_item_blocks_until_the_head_overrides(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    add(personas.officer, proposal, eligible(tree, "E09", "Lê Đức Thắng"))
    weak = add(personas.officer, proposal, ineligible(tree, "E10", "Phạm Ngọc Ánh"))
    officer = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    detail = officer.get(base).content.decode()
    assert "Chưa đủ điều kiện" in detail and "hồ sơ chưa gửi được" in detail
    confirm = officer.get(f"{base}submit/").content.decode()
    assert "Phạm Ngọc Ánh" in confirm and "chặn gửi hồ sơ" in confirm
    assert "Hoàn thành xuất sắc nhiệm vụ" in confirm  # the failing condition, explained
    assert 'type="submit">Gửi hồ sơ' not in confirm
    refused = officer.post(f"{base}submit/").content.decode()
    assert "Phạm Ngọc Ánh chưa đủ điều kiện" in refused
    proposal.refresh_from_db()
    assert proposal.status == PS.DRAFT
    # The head writes a reason; a too short one is refused next to the field.
    head = login(personas.head)
    short = head.post(f"{base}items/{weak.pk}/override/", {"reason": "Tốt"}).content.decode()
    assert 'id="id_reason_error"' in short
    head.post(f"{base}items/{weak.pk}/override/", {"reason": "Cứu hộ đột xuất trong bão số 3."})
    weak.refresh_from_db()
    assert weak.override_reason == "Cứu hộ đột xuất trong bão số 3."
    assert weak.override_by == personas.head
    assert officer.post(f"{base}submit/")["Location"] == base
    proposal.refresh_from_db()
    assert proposal.status == PS.SUBMITTED
    page = officer.get(base).content.decode()
    assert "Cứu hộ đột xuất trong bão số 3." in page
    assert "Đề nghị khi chưa đủ điều kiện (có lý do)" in page  # history


def test_readers_see_no_verdicts_and_no_actions(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    add(personas.officer, proposal, ineligible(tree, "E11", "Phạm Văn Bình"))
    for persona in ("viewer", "comms"):
        page = (
            login(getattr(personas, persona))
            .get(f"/commendations/proposals/{proposal.pk}/")
            .content.decode()
        )
        assert "Phạm Văn Bình" in page
        assert "Chưa đủ điều kiện" not in page
        assert "/items/new/" not in page and "/submit/" not in page
        assert "/cover.docx" not in page
    officer = login(personas.officer).get(f"/commendations/proposals/{proposal.pk}/")
    assert "/items/new/" in officer.content.decode()


def test_appraisal_returns_an_item_the_unit_fixes_and_resubmits(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    first = add(personas.officer, proposal, eligible(tree, "E12", "Nguyễn Văn Một"))
    second = add(personas.officer, proposal, eligible(tree, "E13", "Nguyễn Văn Hai"))
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    base = f"/commendations/proposals/{proposal.pk}/"
    standing = login(personas.standing)
    assert standing.post(f"{base}take/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == PS.APPRAISAL
    empty = standing.post(f"{base}items/{second.pk}/return/", {"comment": ""}).content.decode()
    assert 'id="id_comment_error"' in empty
    standing.post(f"{base}items/{second.pk}/return/", {"comment": "Bổ sung xác nhận sáng kiến."})
    proposal.refresh_from_db()
    second.refresh_from_db()
    assert proposal.status == PS.RETURNED and second.status == IS.RETURNED
    officer = login(personas.officer)
    page = officer.get(base).content.decode()
    assert "Bổ sung xác nhận sáng kiến." in page and "Gửi lại hồ sơ" in page
    officer.post(
        f"{base}items/{second.pk}/edit/",
        {"achievement": "Đã bổ sung xác nhận sáng kiến cấp cơ sở."},
    )
    second.refresh_from_db()
    assert second.status == IS.PROPOSED
    officer.post(f"{base}submit/")
    proposal.refresh_from_db()
    assert proposal.status == PS.SUBMITTED
    # While the standing body holds the file, the unit does not change it.
    locked = officer.post(f"{base}items/new/", item_form(eligible(tree, "E14")))
    assert locked.status_code == 302 and proposal.items.count() == 2
    assert "Thẩm định xong" in standing.get(f"{base}accept/").content.decode()
    standing.post(f"{base}accept/")
    proposal.refresh_from_db()
    assert proposal.status == PS.COUNCIL
    assert {i.status for i in proposal.items.all()} == {IS.ACCEPTED}
    assert first.pk in {i.pk for i in sp.posted_items(proposal.round)}
    history = officer.get(base).content.decode()
    assert "Trả lại đề nghị để bổ sung" in history
    assert "Thẩm định xong hồ sơ, trình hội đồng" in history


def test_a_draft_is_deleted_but_not_once_sent(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    add(personas.officer, proposal, eligible(tree, "E15"))
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    assert "Không hoàn tác được" in client.get(f"{base}delete/").content.decode()
    assert client.post(f"{base}delete/")["Location"] == (
        f"/commendations/rounds/{proposal.round_id}/"
    )
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    sent = cm.proposal_create(actor=personas.officer, round=proposal.round, unit=tree.KTTV_A)
    add(personas.officer, sent, eligible(tree, "E16"))
    cm.proposal_submit(actor=personas.officer, proposal=sent)
    client.post(f"/commendations/proposals/{sent.pk}/delete/")
    assert Proposal.objects.filter(pk=sent.pk).exists()


# --- dossier documents -----------------------------------------------------------------------


def test_docx_documents_name_the_items_and_the_records(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    hương = eligible(tree, "E17", "Trần Thị Thu Hương")
    rate(hương, {Y - 1: "HTTNV"})
    give(hương, "LDTT", Y - 1)
    initiative(hương, Y)
    item = add(personas.officer, proposal, hương)
    add(personas.officer, proposal, eligible(tree, "E18", "Lê Đức Thắng"))
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    cover = client.get(f"{base}cover.docx")
    assert cover["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(cover.content)
    assert "Trần Thị Thu Hương" in text and "Lê Đức Thắng" in text
    assert "TỜ TRÌNH" in text and "Chiến sĩ thi đua cơ sở" in text
    report = docx_text(client.get(f"{base}items/{item.pk}/report.docx").content)
    assert "Trần Thị Thu Hương" in report and "Đài Khí tượng Thủy văn khu vực Nam Bộ" in report
    assert "Hoàn thành xuất sắc nhiệm vụ" in report and "Hoàn thành tốt nhiệm vụ" in report
    assert "Lao động tiên tiến" in report and f"Sáng kiến {Y} CO_SO" in report
    assert item.achievement in report
    minutes = docx_text(client.get(f"{base}minutes.docx").content)
    assert "BIÊN BẢN" in minutes and "Lê Đức Thắng" in minutes

    # Stored with the proposal: cover, one report per item and the minutes; again replaces.
    assert client.post(f"{base}dossier/").status_code == 302
    kinds = sorted(proposal.documents.filter(generated=True).values_list("kind", flat=True))
    assert kinds == ["COVER", "MINUTES", "REPORT", "REPORT"]
    client.post(f"{base}dossier/")
    assert proposal.documents.filter(generated=True).count() == 4
    stored = proposal.documents.get(kind=DocumentKind.COVER)
    response = client.get(f"{base}documents/{stored.pk}/")
    assert "Trần Thị Thu Hương" in docx_text(response.getvalue())


def test_simplified_dossier_has_only_the_cover_and_short_reports(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    person = eligible(tree, "E19", "Đỗ Minh Khoa")
    give(person, "LDTT", Y - 1)
    add(personas.officer, proposal, person)
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    client.post(f"{base}edit/", {"summary": "Đề nghị khen thưởng đột xuất.", "simplified": "on"})
    proposal.refresh_from_db()
    assert proposal.simplified and proposal.summary == "Đề nghị khen thưởng đột xuất."
    client.post(f"{base}dossier/")
    kinds = sorted(proposal.documents.values_list("kind", flat=True))
    assert kinds == ["COVER", "REPORT"]
    report = proposal.documents.get(kind=DocumentKind.REPORT)
    text = docx_text(report.file.read())
    assert "BÁO CÁO TÓM TẮT THÀNH TÍCH" in text and "Đỗ Minh Khoa" in text
    assert "Lao động tiên tiến" not in text  # the short report leaves the record tables out
    assert "Đề nghị khen thưởng đột xuất." in docx_text(client.get(f"{base}cover.docx").content)


def test_uploads_are_checked_and_served_only_to_those_who_see_records(
    tree: Any, personas: Any, monkeypatch: Any
) -> None:
    proposal = draft(tree, personas)
    item = add(personas.officer, proposal, eligible(tree, "E20"))
    client = login(personas.officer)
    base = f"/commendations/proposals/{proposal.pk}/"
    exe = client.post(
        f"{base}documents/new/",
        {"kind": "CERTIFICATION", "item": "", "file": SimpleUploadedFile("x.exe", b"MZ")},
    ).content.decode()
    assert "Chỉ nhận tệp" in exe and 'id="id_file_error"' in exe
    monkeypatch.setattr(sp, "MAX_UPLOAD", 100)
    big = client.post(
        f"{base}documents/new/", {"kind": "OTHER", "item": "", "file": pdf(size=200)}
    ).content.decode()
    assert "Tệp tối đa 20 MB." in big
    ok = client.post(
        f"{base}documents/new/", {"kind": "CERTIFICATION", "item": str(item.pk), "file": pdf()}
    )
    assert ok.status_code == 302
    document = proposal.documents.get()
    assert document.item == item and not document.generated
    response = client.get(f"{base}documents/{document.pk}/")
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
    assert "sandbox" in response["Content-Security-Policy"]
    assert login(personas.viewer).get(f"{base}documents/{document.pk}/").status_code == 403
    assert login(personas.outsider).get(f"{base}documents/{document.pk}/").status_code == 404
    # Once sent, the dossier's files stay as they were.
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    client.post(f"{base}documents/{document.pk}/delete/")
    assert Document.objects.filter(pk=document.pk).exists()


# --- public posting ------------------------------------------------------------------------


def test_working_days_skip_weekends() -> None:
    # Council on Friday 27/12/2024: ten working days before start on Friday 13/12.
    assert sp.working_days_before(D(2024, 12, 27), 10) == D(2024, 12, 13)
    assert sp.working_days_before(D(2024, 12, 30), 1) == D(2024, 12, 27)  # Monday → Friday
    assert sp.working_days_before(D(2024, 12, 30), 0) == D(2024, 12, 30)


def test_public_posting_lists_the_items_sent_on_during_the_window(tree: Any, personas: Any) -> None:
    rnd = make_round(tree, personas, council_on=D(2024, 12, 27), posting_working_days=10)
    sent = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)
    add(personas.officer, sent, eligible(tree, "E21", "Trần Thị Thu Hương"))
    cm.proposal_submit(actor=personas.officer, proposal=sent)
    cm.proposal_accept(actor=personas.standing, proposal=sent)
    drafting = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_B)
    add(personas.officer, drafting, make_person(tree, "E22", unit=tree.KTTV_B))
    anonymous = Client()
    url = f"/commendations/posting/{rnd.pk}/"
    with time_machine.travel(dt.datetime(2024, 12, 12, 9, 0), tick=False):
        before = anonymous.get(url).content.decode()
    assert "sẽ được niêm yết từ ngày 13/12/2024" in before
    assert "Trần Thị Thu Hương" not in before
    with time_machine.travel(dt.datetime(2024, 12, 16, 9, 0), tick=False):
        during = anonymous.get(url)
    assert during.status_code == 200
    page = during.content.decode()
    assert "Trần Thị Thu Hương" in page and "Chiến sĩ thi đua cơ sở" in page
    assert "Cán bộ E22" not in page  # not appraised yet
    assert "Chưa đủ điều kiện" not in page and "Đủ điều kiện" not in page
    with time_machine.travel(dt.datetime(2024, 12, 27, 9, 0), tick=False):
        after = anonymous.get(url).content.decode()
    assert "Đã hết thời gian niêm yết" in after and "Trần Thị Thu Hương" not in after
    # A round that posts nothing has no public page.
    silent = make_round(tree, personas, code="KT-IM-LANG")
    assert anonymous.get(f"/commendations/posting/{silent.pk}/").status_code == 404
    assert anonymous.get("/commendations/posting/999999/").status_code == 404
    # The round's page links the posting.
    round_page = login(personas.officer).get(f"/commendations/rounds/{rnd.pk}/").content.decode()
    assert url in round_page


def test_returning_the_file_keeps_item_comments_and_uncorrected_items_block(
    tree: Any, personas: Any
) -> None:
    proposal = draft(tree, personas)
    first = add(personas.officer, proposal, eligible(tree, "E31", "Lê Văn Ba"))
    second = add(personas.officer, proposal, eligible(tree, "E32", "Lê Văn Bốn"))
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    base = f"/commendations/proposals/{proposal.pk}/"
    standing = login(personas.standing)
    standing.post(f"{base}items/{first.pk}/return/", {"comment": "Thiếu xác nhận sáng kiến."})
    proposal.refresh_from_db()
    assert proposal.status == PS.RETURNED and proposal.return_comment == ""
    first.refresh_from_db()
    assert first.return_comment == "Thiếu xác nhận sáng kiến."
    # Resubmitting without correcting the returned item is refused, naming it.
    with pytest.raises(ValidationFailed) as err:
        cm.proposal_submit(actor=personas.officer, proposal=proposal)
    assert "Lê Văn Ba" in str(err.value.errors[0].message)
    cm.item_update(actor=personas.officer, item=first, achievement="Đã có xác nhận sáng kiến.")
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    # The whole file can be returned too, with its own comment.
    empty = standing.post(f"{base}return/", {"comment": " "}).content.decode()
    assert 'id="id_comment_error"' in empty
    standing.post(f"{base}return/", {"comment": "Thiếu biên bản họp xét của đơn vị."})
    proposal.refresh_from_db()
    assert proposal.status == PS.RETURNED
    assert proposal.return_comment == "Thiếu biên bản họp xét của đơn vị."
    page = login(personas.officer).get(base).content.decode()
    assert "Thiếu biên bản họp xét của đơn vị." in page
    assert "Trả lại hồ sơ đề nghị để bổ sung" in page  # the history names the step
    assert {i.status for i in proposal.items.all()} == {IS.PROPOSED}
    assert second.pk in {i.pk for i in proposal.items.all()}


def test_standing_body_rejects_an_item_and_a_file_with_none_left_is_rejected(
    tree: Any, personas: Any
) -> None:
    proposal = draft(tree, personas)
    only = add(personas.officer, proposal, eligible(tree, "E33", "Phạm Thị Năm"))
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    base = f"/commendations/proposals/{proposal.pk}/"
    # The unit's officer may not reject; the standing body may, with a reason.
    assert login(personas.officer).post(f"{base}items/{only.pk}/reject/").status_code == 403
    standing = login(personas.standing)
    page = standing.post(f"{base}items/{only.pk}/reject/", {"comment": ""}).content.decode()
    assert 'id="id_comment_error"' in page
    standing.post(f"{base}items/{only.pk}/reject/", {"comment": "Thành tích chưa tiêu biểu."})
    only.refresh_from_db()
    assert only.status == IS.REJECTED and only.return_comment == "Thành tích chưa tiêu biểu."
    shown = login(personas.officer).get(base).content.decode()
    assert "Thành tích chưa tiêu biểu." in shown
    with pytest.raises(Conflict):
        cm.item_reject(actor=personas.standing, item=only, reason="Lần nữa")
    cm.proposal_accept(actor=personas.standing, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == PS.REJECTED
    assert not sp.posted_items(proposal.round).exists()


def test_an_exemplar_of_someone_else_is_refused_by_the_service(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    person = eligible(tree, "E34")
    other = eligible(tree, "E35")
    exemplar = Exemplar.objects.create(
        person=other, unit=tree.KTTV_A, title="Điển hình khác", year=Y, standard_id="X"
    )
    with pytest.raises(ValidationFailed) as err:
        cm.item_add(
            actor=personas.officer,
            proposal=proposal,
            data=cm.ItemData(award_type("CSTDCS"), "Thành tích.", person, exemplar=exemplar),
        )
    assert [e.field for e in err.value.errors] == ["exemplar"]


def _posted_round(tree: Any, personas: Any) -> tuple[Round, ProposalItem]:
    rnd = make_round(tree, personas, council_on=D(2024, 12, 27), posting_working_days=10)
    sent = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)
    item = add(personas.officer, sent, eligible(tree, "E36", "Đỗ Thị Sáu"))
    cm.proposal_submit(actor=personas.officer, proposal=sent)
    cm.proposal_accept(actor=personas.standing, proposal=sent)
    return rnd, item


def test_the_public_sends_opinions_on_the_posting_and_the_standing_body_answers(
    tree: Any, personas: Any
) -> None:
    rnd, item = _posted_round(tree, personas)
    url = f"/commendations/posting/{rnd.pk}/"
    anonymous = Client()
    with time_machine.travel(dt.datetime(2024, 12, 16, 9, 0), tick=False):
        invalid_post = anonymous.post(url, {"name": "", "content": ""})
        assert invalid_post.status_code == 200
        assert 'id="id_name_error"' in invalid_post.content.decode()
        assert not PostingComment.objects.exists()
        sent = anonymous.post(
            url,
            {"item": str(item.pk), "name": "Nguyễn Văn Dân", "content": "Đề nghị xem lại."},
            REMOTE_ADDR="203.0.113.7",
        )
        assert sent.status_code == 302
        assert "Đã nhận góp ý" in anonymous.get(url).content.decode()
    comment = PostingComment.objects.get()
    assert comment.item == item and comment.name == "Nguyễn Văn Dân"
    assert comment.ip_hash and "203.0.113.7" not in comment.ip_hash
    event = AuditEvent.objects.get(action="commendation.posting_comment")
    assert event.actor is None
    # Outside the window nothing is accepted.
    with time_machine.travel(dt.datetime(2024, 12, 27, 9, 0), tick=False):
        anonymous.post(url, {"name": "Muộn", "content": "Gửi muộn."})
    assert PostingComment.objects.count() == 1
    # The standing body sees and answers; a proposing unit's officer may not.
    listing = f"/commendations/rounds/{rnd.pk}/comments/"
    standing = login(personas.standing)
    page = standing.get(listing).content.decode()
    assert "Đề nghị xem lại." in page and "Đỗ Thị Sáu" in page and "Chưa xử lý" in page
    handle = f"{listing}{comment.pk}/"
    assert login(personas.officer).post(handle, {"response": "x"}).status_code == 403
    assert 'id="id_response_error"' in standing.post(handle, {"response": ""}).content.decode()
    standing.post(handle, {"response": "Đã xác minh, giữ nguyên đề nghị."})
    comment.refresh_from_db()
    assert comment.handled_by == personas.standing and comment.handled_at is not None
    assert "Đã xác minh" in standing.get(f"{listing}?show=handled").content.decode()
    assert "Đã xác minh" not in standing.get(f"{listing}?show=open").content.decode()


def test_opinions_from_one_address_are_rate_limited(tree: Any, personas: Any) -> None:
    rnd, _item = _posted_round(tree, personas)
    url = f"/commendations/posting/{rnd.pk}/"
    anonymous = Client()
    with time_machine.travel(dt.datetime(2024, 12, 16, 9, 0), tick=False):
        codes = [
            anonymous.post(
                url, {"name": "A", "content": f"Ý kiến {n}"}, REMOTE_ADDR="198.51.100.9"
            ).status_code
            for n in range(7)
        ]
        other = anonymous.post(url, {"name": "B", "content": "Khác"}, REMOTE_ADDR="198.51.100.10")
    assert codes == [302] * 5 + [429, 429]
    assert other.status_code == 302
    assert PostingComment.objects.count() == 6


def test_posting_comment_list_runs_bounded_queries(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    rnd, item = _posted_round(tree, personas)
    client = login(personas.standing)
    url = f"/commendations/rounds/{rnd.pk}/comments/"
    for n in range(3):
        PostingComment.objects.create(round=rnd, item=item, name=f"N{n}", content="x")
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for n in range(20):
        PostingComment.objects.create(round=rnd, item=item, name=f"M{n}", content="y")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- Excel exports ------------------------------------------------------------------------


def sheet(content: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    active = load_workbook(BytesIO(content)).active
    assert active is not None
    return list(active.iter_rows(values_only=True))


def test_rounds_export_follows_the_filters(tree: Any, personas: Any) -> None:
    make_round(tree, personas, council_on=D(2024, 12, 27))
    make_round(tree, personas, code="KT-CHUYENDE", title="Khen thưởng chuyên đề phòng chống bão")
    client = login(personas.officer)
    rows = sheet(client.get("/commendations/rounds/", {"format": "xlsx"}).content)
    assert rows[0][:3] == ("Mã đợt", "Tên đợt xét", "Loại")
    assert {r[0] for r in rows[1:]} == {"KT-KTTV-2024", "KT-CHUYENDE"}
    found = sheet(
        client.get("/commendations/rounds/", {"format": "xlsx", "q": "phong chong"}).content
    )
    assert [r[0] for r in found[1:]] == ["KT-CHUYENDE"]
    first = next(r for r in rows if r[0] == "KT-KTTV-2024")
    assert first[5:8] == ("10/12/2024", None, "27/12/2024")
    # Someone of another branch exports no round of this one.
    assert (
        sheet(login(personas.outsider).get("/commendations/rounds/?format=xlsx").content)[1:] == []
    )


def test_round_export_lists_every_visible_item_and_verdicts_only_to_record_readers(
    tree: Any, personas: Any
) -> None:
    proposal = draft(tree, personas)
    add(personas.officer, proposal, eligible(tree, "E02", "Trần Văn Bình"))
    add(personas.officer, proposal, eligible(tree, "E01", "Nguyễn Thị An"))
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    other = cm.proposal_create(actor=personas.officer, round=proposal.round, unit=tree.KTTV_B)
    add(personas.officer, other, eligible(tree, "B01", "Lê Văn Cường", unit=tree.KTTV_B))
    url = f"/commendations/rounds/{proposal.round.pk}/?format=xlsx"
    response = login(personas.standing).get(url)
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="tong-hop-de-nghi-KT-KTTV-2024.xlsx"'
    )
    rows = sheet(response.content)
    assert rows[0][0] == "STT" and rows[0][10] == "Điều kiện khi gửi"
    # By proposing unit, then by Vietnamese name order (given name first: An before Bình).
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        (1, "Nguyễn Thị An", "E01"),
        (2, "Trần Văn Bình", "E02"),
        (3, "Lê Văn Cường", "B01"),
    ]
    assert rows[1][8] == "Đã gửi, chờ thẩm định" and rows[1][10] == "Cần đánh giá"
    assert rows[3][8] == "Đang soạn" and rows[3][10] is None  # not sent: no verdict yet
    # A reader sees the list, not the verdicts; another branch gets nothing.
    reader = sheet(login(personas.viewer).get(url).content)
    assert len(reader) == 4 and {r[10] for r in reader[1:]} == {None}
    assert login(personas.outsider).get(url).status_code == 404


def test_round_export_runs_bounded_queries(tree: Any, personas: Any) -> None:
    proposal = draft(tree, personas)
    client = login(personas.standing)
    url = f"/commendations/rounds/{proposal.round.pk}/?format=xlsx"
    counts = []
    for n in (1, 8):
        while proposal.items.count() < n:
            k = proposal.items.count()
            add(personas.officer, proposal, eligible(tree, f"Q{k:02d}"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_proposal_page_evaluates_its_items_as_a_set(tree: Any, personas: Any) -> None:
    """The verdicts of a long proposal cost the same queries as those of a short one."""
    proposal = draft(tree, personas)
    cm.item_add(
        actor=personas.officer,
        proposal=proposal,
        data=cm.ItemData(award_type("TTLDTT"), "Tập thể hoàn thành tốt.", None, tree.KTTV_A),
    )
    client = login(personas.officer)
    url = f"/commendations/proposals/{proposal.pk}/"
    counts = []
    for n in (2, 9):
        while proposal.items.count() < n:
            add(personas.officer, proposal, eligible(tree, f"Q{proposal.items.count():02d}"))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        counts.append(len(captured.captured_queries))
    verdicts = {row["item"].person_id: row["verdict"] for row in page.context["rows"]}
    assert len(verdicts) == 9 and all(verdicts.values()), verdicts
    assert counts[0] == counts[1], counts
