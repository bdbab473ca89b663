"""Replication and outreach: the services' rules (stages, uniqueness, reasons, audit),
spread counts, the pages as the personas see them, bounded queries, and the six-month
reminder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from audit.models import AuditEvent
from core.errors import ValidationFailed
from exemplars import services as ex
from exemplars.models import Exemplar, ExemplarState
from notifications.models import Notification
from organizations import services as org
from organizations.models import Unit, UnitKind
from propagation import services as svc
from propagation.models import Outreach, Replication, Stage, StageChange
from propagation.spread import spread_of
from propagation.urls_replication import urlpatterns as replication_patterns
from tests import test_permissions
from tests.conftest import START, make_user
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
Y = 2024
TODAY = dt.date(2025, 6, 2)


def recognized(
    unit: Unit, title: str = "Mô hình một cửa liên thông", state: str = ExemplarState.RECOGNIZED
) -> Exemplar:
    """A collective exemplar of `unit`, put straight into `state` (the lifecycle has its
    own tests)."""
    exemplar = ex.exemplar_create(
        actor=None,
        unit=unit,
        subject_unit=unit,
        title=title,
        practice_summary="Tiếp nhận và trả kết quả hồ sơ tại một đầu mối.",
        year=Y,
        field="Cải cách hành chính",
    )
    Exemplar.objects.filter(pk=exemplar.pk).update(state=state)
    exemplar.refresh_from_db()
    return exemplar


def unit(parent: Unit, code: str, name: str) -> Unit:
    return org.unit_create(
        actor=None,
        code=code,
        name=name,
        parent=parent,
        kind=UnitKind.AFFILIATED,
        valid_from=START,
    )


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return list(sheet.values)


def actions(obj: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- services: creating --------------------------------------------------------------


def test_create_records_the_first_stage_and_the_audit(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(
        personas.officer,
        exemplar,
        tree.KTTV_B,
        started_on=dt.date(2025, 3, 1),
        notes="Học tập sau buổi giao lưu.",
    )
    assert r.stage == Stage.INTERESTED
    assert r.last_update_at is not None and r.created_by == personas.officer
    change = StageChange.objects.get(replication=r)
    assert (change.from_stage, change.to_stage, change.on) == ("", Stage.INTERESTED, r.started_on)
    assert actions(r) == ["replication.create"]


def test_create_refuses_unrecognised_own_unit_and_discontinued(tree: Any, personas: Any) -> None:
    fostering = recognized(tree.KTTV_A, state=ExemplarState.FOSTERING)
    with pytest.raises(ValidationFailed) as err:
        svc.replication_create(personas.officer, fostering, tree.KTTV_B)
    assert [e.field for e in err.value.errors] == ["exemplar"]
    assert "công nhận" in err.value.errors[0].message

    exemplar = recognized(tree.KTTV_A)
    with pytest.raises(ValidationFailed) as err:
        svc.replication_create(personas.officer, exemplar, tree.KTTV_A)
    assert [e.field for e in err.value.errors] == ["unit"]
    with pytest.raises(ValidationFailed) as err:
        svc.replication_create(personas.officer, exemplar, tree.KTTV_B, stage=Stage.DISCONTINUED)
    assert [e.field for e in err.value.errors] == ["stage"]
    with pytest.raises(ValidationFailed):
        svc.replication_create(
            personas.officer,
            exemplar,
            tree.KTTV_B,
            started_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
        )
    assert not Replication.objects.exists()


def test_one_replication_per_unit_and_exemplar(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    first = svc.replication_create(personas.officer, exemplar, tree.KTTV_B)
    with pytest.raises(svc.DuplicateReplication) as err:
        svc.replication_create(personas.head, exemplar, tree.KTTV_B, stage=Stage.PILOTING)
    assert err.value.code == "duplicate"
    assert err.value.existing == first
    assert tree.KTTV_B.name in err.value.message and f"số {first.pk}" in err.value.message
    assert Replication.objects.count() == 1


def test_only_the_adopting_units_managers_change_it(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    with pytest.raises(PermissionDenied):
        svc.replication_create(personas.viewer, exemplar, tree.KTTV_B)
    with pytest.raises(PermissionDenied):
        svc.replication_create(personas.comms, exemplar, tree.KTTV_B)
    # The exemplar's side sees an ST replication but cannot move it.
    r = svc.replication_create(personas.outsider, exemplar, tree.ST)
    with pytest.raises(PermissionDenied):
        svc.replication_update(personas.officer, r, stage=Stage.PILOTING)


# --- services: stages ------------------------------------------------------------------


def test_stages_move_forward_only_skipping_allowed(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(personas.officer, exemplar, tree.KTTV_B)
    r = svc.replication_update(
        personas.officer, r, stage=Stage.ADOPTED, reason="Đã ban hành quy chế"
    )
    assert r.stage == Stage.ADOPTED and r.stage_changed_on == timezone.localdate()
    with pytest.raises(svc.IllegalStage) as err:
        svc.replication_update(personas.officer, r, stage=Stage.PILOTING)
    assert err.value.code == "illegal"
    with pytest.raises(svc.IllegalStage):
        svc.replication_update(personas.officer, r, stage=Stage.INTERESTED)
    r = svc.replication_update(personas.officer, r, stage=Stage.SCALED)
    assert svc.allowed_stages(Stage.SCALED) == [Stage.DISCONTINUED]
    history = list(r.history.values_list("from_stage", "to_stage", "note"))
    assert history == [
        ("", Stage.INTERESTED, ""),
        (Stage.INTERESTED, Stage.ADOPTED, "Đã ban hành quy chế"),
        (Stage.ADOPTED, Stage.SCALED, ""),
    ]
    events = AuditEvent.objects.filter(action="replication.stage", object_id=str(r.pk))
    pairs = [(e.before or {}, e.after or {}) for e in events.order_by("seq")]
    assert [(before["stage"], after["stage"]) for before, after in pairs] == [
        (Stage.INTERESTED, Stage.ADOPTED),
        (Stage.ADOPTED, Stage.SCALED),
    ]


def test_discontinuing_needs_a_reason_and_ends_the_road(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(personas.officer, exemplar, tree.KTTV_B, stage=Stage.PILOTING)
    with pytest.raises(ValidationFailed) as err:
        svc.replication_update(personas.officer, r, stage=Stage.DISCONTINUED, reason="  ")
    assert [e.field for e in err.value.errors] == ["reason"]
    r.refresh_from_db()
    assert r.stage == Stage.PILOTING
    r = svc.replication_update(
        personas.officer, r, stage=Stage.DISCONTINUED, reason="Thiếu kinh phí duy trì."
    )
    assert r.discontinued_reason == "Thiếu kinh phí duy trì."
    assert svc.allowed_stages(r.stage) == []
    for stage in (Stage.SCALED, Stage.INTERESTED):
        with pytest.raises(svc.IllegalStage):
            svc.replication_update(personas.officer, r, stage=stage)
    with pytest.raises(ValidationFailed):
        svc.replication_update(personas.officer, r, stage="FINISHED")


def test_stage_date_is_checked(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(
        personas.officer, exemplar, tree.KTTV_B, started_on=dt.date(2025, 3, 1)
    )
    with pytest.raises(ValidationFailed) as err:
        svc.replication_update(personas.officer, r, stage=Stage.PILOTING, on=dt.date(2025, 2, 1))
    assert [e.field for e in err.value.errors] == ["on"]
    # Before any move, the start date may change and the first stage's date follows it.
    r = svc.replication_update(personas.officer, r, started_on=dt.date(2025, 3, 10))
    assert r.stage_changed_on == dt.date(2025, 3, 10)
    assert r.history.get().on == dt.date(2025, 3, 10)
    r = svc.replication_update(personas.officer, r, stage=Stage.PILOTING, on=dt.date(2025, 4, 1))
    with pytest.raises(ValidationFailed) as err:
        svc.replication_update(personas.officer, r, started_on=dt.date(2025, 4, 2))
    assert [e.field for e in err.value.errors] == ["started_on"]
    with pytest.raises(ValidationFailed) as err:
        svc.replication_update(personas.officer, r, stage=Stage.ADOPTED, on=dt.date(2025, 3, 20))
    assert [e.field for e in err.value.errors] == ["on"]


def test_edits_are_audited_apart_from_stage_changes(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(personas.officer, exemplar, tree.KTTV_B)
    before = r.last_update_at
    r = svc.replication_update(
        personas.officer,
        r,
        adaptation="Rút gọn còn 3 bước.",
        outcome=svc.Outcome("Thời gian giải quyết hồ sơ", "ngày", Decimal("7"), Decimal("3.5")),
    )
    assert (r.outcome_before, r.outcome_after) == (Decimal("7.00"), Decimal("3.50"))
    assert r.last_update_at > before and r.stage == Stage.INTERESTED
    assert actions(r) == ["replication.create", "replication.update"]
    update = AuditEvent.objects.get(action="replication.update", object_id=str(r.pk))
    assert update.after is not None
    assert update.after["outcome_after"] == "3.50" and "stage" not in update.after
    # Nothing changed: nothing written.
    svc.replication_update(personas.officer, r, adaptation="Rút gọn còn 3 bước.")
    assert actions(r) == ["replication.create", "replication.update"]
    with pytest.raises(ValidationFailed) as err:
        svc.replication_update(personas.officer, r, outcome=svc.Outcome("", "", Decimal(1), None))
    assert [e.field for e in err.value.errors] == ["outcome.measure"]


def test_only_a_fresh_registration_can_be_deleted(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(personas.officer, exemplar, tree.KTTV_B)
    moved = svc.replication_create(personas.officer, exemplar, unit(tree.KTTV, "KTTV_C", "Đài C"))
    svc.replication_update(personas.officer, moved, stage=Stage.PILOTING)
    with pytest.raises(svc.IllegalStage):
        svc.replication_delete(personas.officer, moved)
    svc.replication_delete(personas.officer, r)
    assert not Replication.objects.filter(pk=r.pk).exists()
    assert AuditEvent.objects.filter(action="replication.delete").count() == 1


# --- services: outreach ----------------------------------------------------------------


def test_outreach_create_update_delete_are_audited(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    item = svc.outreach_create(
        personas.comms,
        exemplar,
        kind="ARTICLE",
        channel="SECTOR_NEWSPAPER",
        channel_name="Báo Tài nguyên và Môi trường",
        title="  Một cửa liên thông ở Đài khu vực Nam Bộ ",
        published_on=dt.date(2025, 4, 1),
        url="https://baotainguyenmoitruong.vn/bai-1",
        reach=1200,
    )
    assert item.title == "Một cửa liên thông ở Đài khu vực Nam Bộ"
    svc.outreach_update(personas.officer, item, reach=1500)
    item.refresh_from_db()
    assert item.reach == 1500
    with pytest.raises(ValidationFailed) as err:
        svc.outreach_update(personas.officer, item, url="javascript:alert(1)", title="")
    assert {e.field for e in err.value.errors} == {"url", "title"}
    with pytest.raises(PermissionDenied):
        svc.outreach_delete(personas.head, item)  # heads do not manage outreach
    with pytest.raises(PermissionDenied):
        svc.outreach_create(
            personas.outsider,
            exemplar,
            kind="VIDEO",
            channel="SOCIAL",
            title="x",
            published_on=dt.date(2025, 4, 1),
        )
    svc.outreach_delete(personas.officer, item)
    assert list(
        AuditEvent.objects.filter(action__startswith="outreach.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["outreach.create", "outreach.update", "outreach.delete"]


# --- spread ----------------------------------------------------------------------------


def spread_fixture(tree: Any, personas: Any) -> tuple[Exemplar, list[Replication]]:
    """Four adopting units: one scaled, one adopted, one piloting then discontinued, one
    interested; two outreach items (one without a known reach)."""
    exemplar = recognized(tree.KTTV_A)
    c = unit(tree.KTTV, "KTTV_C", "Đài Khí tượng Thủy văn khu vực Bắc Bộ")
    d = unit(tree.KTTV, "KTTV_D", "Đài Khí tượng Thủy văn khu vực Trung Bộ")
    e = unit(tree.KTTV, "KTTV_E", "Trung tâm Thông tin và Dữ liệu")
    rows = [svc.replication_create(personas.officer, exemplar, u) for u in (tree.KTTV_B, c, d, e)]
    svc.replication_update(personas.officer, rows[0], stage=Stage.PILOTING)
    svc.replication_update(personas.officer, rows[0], stage=Stage.SCALED)
    svc.replication_update(personas.officer, rows[1], stage=Stage.ADOPTED)
    svc.replication_update(personas.officer, rows[2], stage=Stage.PILOTING)
    svc.replication_update(
        personas.officer, rows[2], stage=Stage.DISCONTINUED, reason="Không phù hợp địa bàn."
    )
    for title, reach in (("Bài báo", 1000), ("Phóng sự", None), ("Video", 250)):
        svc.outreach_create(
            None,
            exemplar,
            kind="ARTICLE",
            channel="PORTAL",
            title=title,
            published_on=dt.date(2025, 5, 1),
            reach=reach,
        )
    return exemplar, rows


def test_spread_counts_follow_the_records(tree: Any, personas: Any) -> None:
    exemplar, _rows = spread_fixture(tree, personas)
    spread = spread_of(exemplar)
    assert spread.by_stage == {
        "INTERESTED": 1,
        "PILOTING": 0,
        "ADOPTED": 1,
        "SCALED": 1,
        "DISCONTINUED": 1,
    }
    assert spread.units_adopting == 3
    assert (spread.outreach_count, spread.reach_total) == (3, 1250)
    other = recognized(tree.KTTV_B, title="Chưa ai học tập")
    empty = spread_of(other)
    assert empty.units_adopting == 0 and set(empty.by_stage.values()) == {0}
    assert (empty.outreach_count, empty.reach_total) == (0, 0)


def test_exemplar_page_shows_the_spread_picture(tree: Any, personas: Any) -> None:
    exemplar, rows = spread_fixture(tree, personas)
    response = login(personas.viewer).get(f"/exemplars/{exemplar.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="spread-picture"' in html and 'role="img"' in html
    assert '<title id="spread-svg-title">' in html and '<desc id="spread-svg-desc">' in html
    for r in rows:
        assert f'data-unit="{r.unit.code}"' in html
    assert f'<g data-stage="DISCONTINUED" data-unit="{rows[2].unit.code}">' in html
    assert 'data-testid="units-adopting">3<' in html
    assert 'data-testid="spread-table"' in html
    # The viewer may not register a replication; an officer of another KTTV unit may.
    assert "/replications/new/" not in html
    html = login(personas.officer).get(f"/exemplars/{exemplar.pk}/").content.decode()
    assert f"/propagation/exemplars/{exemplar.pk}/replications/new/" in html


# --- pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, persona: str, monkeypatch: Any
) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(None, exemplar, tree.KTTV_B)
    svc.replication_update(
        None, r, evidence=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4", "application/pdf")
    )
    item = svc.outreach_create(
        None,
        exemplar,
        kind="ARTICLE",
        channel="PORTAL",
        title="Bài viết",
        published_on=dt.date(2025, 5, 1),
    )
    mine = {p.name for p in replication_patterns}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(rt, ns, p) for rt, ns, p in every() if ns != "propagation" or p.name in mine],
    )
    checked = assert_object_pages(
        login(getattr(personas, persona)),
        persona,
        "propagation",
        {
            "pk": str(r.pk),
            "exemplar_pk": str(exemplar.pk),
            "outreach_pk": str(item.pk),
            "code": tree.KTTV_B.code,
        },
    )
    assert checked == 11
    assert Replication.objects.filter(pk=r.pk, stage=Stage.INTERESTED).exists()
    assert Outreach.objects.filter(pk=item.pk).exists()


def test_a_replication_is_seen_from_both_units_and_changed_by_the_adopter(
    tree: Any, personas: Any
) -> None:
    exemplar = recognized(tree.ST, title="Mô hình của Sở")
    r = svc.replication_create(None, exemplar, tree.KTTV_B)
    tccb = make_user("tccb", [(Role.OFFICER, tree.TCCB)])
    for user, seen in ((personas.viewer, True), (personas.outsider, True), (tccb, False)):
        client = login(user)
        listed = client.get("/propagation/replications/").context["page"].object_list
        assert (r in listed) is seen
        assert client.get(f"/propagation/replications/{r.pk}/").status_code == (
            200 if seen else 404
        )
    # The exemplar's unit sees it but does not change it; the adopting unit does.
    assert (
        login(personas.outsider).get(f"/propagation/replications/{r.pk}/edit/").status_code == 403
    )
    assert login(personas.officer).get(f"/propagation/replications/{r.pk}/edit/").status_code == 200


def test_list_filters_and_export(tree: Any, personas: Any) -> None:
    exemplar, rows = spread_fixture(tree, personas)
    client = login(personas.officer)

    def listed(**params: str) -> set[int]:
        response = client.get("/propagation/replications/", params)
        assert response.status_code == 200
        return {r.pk for r in response.context["page"].object_list}

    assert listed() == {r.pk for r in rows}
    assert listed(stage="DISCONTINUED") == {rows[2].pk}
    assert listed(q="bac bo") == {rows[1].pk}  # without diacritics
    assert listed(q="mot cua lien thong") == {r.pk for r in rows}
    assert listed(unit="KTTV_B") == {rows[0].pk}
    assert listed(origin="KTTV_A") == {r.pk for r in rows}
    assert listed(origin="KTTV_B") == set()
    assert listed(year=str(timezone.localdate().year)) == {r.pk for r in rows}
    assert listed(exemplar=str(exemplar.pk)) == {r.pk for r in rows}
    assert listed(stale="1") == set()
    Replication.objects.filter(pk=rows[3].pk).update(
        last_update_at=timezone.now() - dt.timedelta(days=200)
    )
    Replication.objects.filter(pk=rows[0].pk).update(  # SCALED is final: never stale
        last_update_at=timezone.now() - dt.timedelta(days=400)
    )
    assert listed(stale="1") == {rows[3].pk}

    response = client.get("/propagation/replications/", {"format": "xlsx", "stage": "SCALED"})
    values = sheet_rows(response.content)
    assert values[0][0] == "Mã hồ sơ" and len(values) == 2
    assert values[1][4] == tree.KTTV_B.name and values[1][6] == "Đã nhân rộng"


def test_stage_form_records_the_move_and_requires_a_reason(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(None, exemplar, tree.KTTV_B)
    client = login(personas.officer)
    url = f"/propagation/replications/{r.pk}/stage/"
    response = client.post(url, {"stage": "DISCONTINUED", "on": "01/06/2025", "reason": ""})
    assert response.status_code == 200
    assert "Cần ghi rõ lý do dừng áp dụng." in response.content.decode()
    response = client.post(
        url, {"stage": "PILOTING", "on": timezone.localdate().strftime("%d/%m/%Y")}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.stage == Stage.PILOTING
    page = client.get(f"/propagation/replications/{r.pk}/").content.decode()
    assert 'data-to="PILOTING"' in page
    # A stage the form does not offer (backwards) is refused by the form.
    response = client.post(url, {"stage": "INTERESTED", "on": "01/06/2025"})
    assert response.status_code == 200
    r.refresh_from_db()
    assert r.stage == Stage.PILOTING


def test_register_from_the_exemplar_page(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    client = login(personas.officer)
    url = f"/propagation/exemplars/{exemplar.pk}/replications/new/"
    page = client.get(url)
    assert page.status_code == 200
    codes = [c for c, _l in page.context["form"].fields["unit"].choices]
    assert "KTTV_A" not in codes and "KTTV_B" in codes and "STNMT_ST" not in codes
    data = {
        "unit": "KTTV_B",
        "stage": "PILOTING",
        "started_on": "02/05/2025",
        "adaptation": "",
        "notes": "",
    }
    response = client.post(url, data)
    r = Replication.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{r.pk}/")
    assert (r.unit, r.stage, r.started_on) == (tree.KTTV_B, Stage.PILOTING, dt.date(2025, 5, 2))
    again = client.post(url, data, follow=True)
    assert again.redirect_chain[-1][0].endswith(f"/replications/{r.pk}/")
    assert "đã đăng ký nhân rộng" in again.content.decode()
    assert Replication.objects.count() == 1
    # Not yet recognised: back to the exemplar page.
    fostering = recognized(tree.KTTV_A, "Đang bồi dưỡng", ExemplarState.FOSTERING)
    response = client.get(f"/propagation/exemplars/{fostering.pk}/replications/new/")
    assert response.status_code == 302 and response["Location"] == f"/exemplars/{fostering.pk}/"


def test_edit_with_outcome_and_evidence_served_to_those_who_see_it(
    tree: Any, personas: Any
) -> None:
    exemplar = recognized(tree.KTTV_A)
    r = svc.replication_create(None, exemplar, tree.KTTV_B)
    client = login(personas.officer)
    response = client.post(
        f"/propagation/replications/{r.pk}/edit/",
        {
            "started_on": r.started_on.strftime("%d/%m/%Y"),
            "adaptation": "Áp dụng cho 3 trạm.",
            "notes": "",
            "outcome_measure": "Thời gian giải quyết",
            "outcome_unit": "ngày",
            "outcome_before": "10",
            "outcome_after": "4",
            "evidence": SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.4 test", "application/pdf"),
        },
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.outcome_after == Decimal("4.00") and r.evidence
    evidence = f"/propagation/replications/{r.pk}/evidence/"
    got = login(personas.viewer).get(evidence)
    assert got.status_code == 200 and got.getvalue() == b"%PDF-1.4 test"
    assert login(personas.outsider).get(evidence).status_code == 404
    bad = client.post(
        f"/propagation/replications/{r.pk}/edit/",
        {
            "started_on": r.started_on.strftime("%d/%m/%Y"),
            "outcome_before": "5",
            "evidence": SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() == {"evidence"}


def test_outreach_pages_add_edit_delete_and_export(tree: Any, personas: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    client = login(personas.comms)
    response = client.post(
        f"/propagation/exemplars/{exemplar.pk}/outreach/new/",
        {
            "kind": "BROADCAST",
            "channel": "TELEVISION",
            "channel_name": "VTV1",
            "title": "Phóng sự về mô hình một cửa",
            "published_on": "15/05/2025",
            "url": "https://vtv.vn/phong-su",
            "reach": "50000",
        },
    )
    assert response.status_code == 302
    item = Outreach.objects.get()
    assert (item.reach, item.published_on) == (50000, dt.date(2025, 5, 15))
    page = client.get(f"/propagation/exemplars/{exemplar.pk}/outreach/").content.decode()
    assert "Phóng sự về mô hình một cửa" in page and "50.000" in page
    response = client.post(
        f"/propagation/outreach/{item.pk}/edit/",
        {
            "kind": "BROADCAST",
            "channel": "TELEVISION",
            "title": "Phóng sự (sửa)",
            "published_on": "15/05/2025",
            "reach": "",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Phóng sự (sửa)" and item.reach is None

    def listed(**params: str) -> list[int]:
        response = client.get("/propagation/outreach/", params)
        return [o.pk for o in response.context["page"].object_list]

    assert listed(q="Phóng sự", channel="TELEVISION") == [item.pk]
    assert listed(q="mot cua lien thong") == [item.pk]  # the exemplar, without diacritics
    assert listed(channel="PORTAL") == []
    assert listed(year="2024") == []
    export = client.get("/propagation/outreach/", {"format": "xlsx"})
    rows = sheet_rows(export.content)
    assert rows[1][0] == "Phóng sự (sửa)" and rows[1][7] == exemplar.title
    confirm = client.get(f"/propagation/outreach/{item.pk}/delete/")
    assert confirm.status_code == 200 and Outreach.objects.exists()
    client.post(f"/propagation/outreach/{item.pk}/delete/", {"confirmed": "1"})
    assert not Outreach.objects.exists()


def test_unit_page_shows_what_it_adopted_and_from_whom(tree: Any, personas: Any) -> None:
    from_st = recognized(tree.ST, "Mô hình của Sở")
    from_a = recognized(tree.KTTV_A, "Mô hình của Đài A")
    svc.replication_create(None, from_st, tree.KTTV_B)
    by_b = svc.replication_create(None, from_a, tree.KTTV_B)
    given = svc.replication_create(None, from_a, tree.ST_VP)
    response = login(personas.viewer).get("/propagation/units/KTTV_B/replications/")
    adopted = response.context["page"].object_list
    assert {r.exemplar.unit.code for r in adopted} == {"STNMT_ST", "KTTV_A"}
    response = login(personas.viewer).get("/propagation/units/KTTV_A/replications/")
    assert {r.pk for r in response.context["given"]} == {given.pk, by_b.pk}
    assert (
        login(personas.outsider).get("/propagation/units/KTTV_B/replications/").status_code == 404
    )


def test_ranking_orders_by_units_adopting(tree: Any, personas: Any) -> None:
    top, _rows = spread_fixture(tree, personas)
    second = recognized(tree.KTTV_B, "Mô hình thứ hai")
    svc.replication_create(None, second, tree.KTTV_A)
    recognized(tree.KTTV_B, "Chưa ai học tập")
    outside = recognized(tree.ST, "Ngoài phạm vi")
    svc.replication_create(None, outside, tree.ST_VP)
    response = login(personas.viewer).get("/propagation/replications/ranking/")
    ranked = list(response.context["page"].object_list)
    assert [e.pk for e in ranked] == [top.pk, second.pk]
    assert (ranked[0].units_adopting, ranked[0].n_DISCONTINUED, ranked[0].reach_total) == (
        3,
        1,
        1250,
    )
    assert ranked[0].outreach_count == 3


# --- bounded queries -------------------------------------------------------------------


def test_lists_and_ranking_run_a_bounded_number_of_queries(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    exemplar, _rows = spread_fixture(tree, personas)
    client = login(personas.officer)
    urls = [
        "/propagation/replications/",
        "/propagation/replications/?format=xlsx",
        "/propagation/replications/ranking/",
        "/propagation/outreach/",
        "/propagation/outreach/?format=xlsx",
        f"/propagation/exemplars/{exemplar.pk}/outreach/",
        "/propagation/units/KTTV/replications/",
        f"/exemplars/{exemplar.pk}/",
    ]
    few: dict[str, int] = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        few[url] = len(captured.captured_queries)
    for n in range(30):
        u = unit(tree.KTTV, f"KTTV_X{n:02d}", f"Đơn vị thử {n}")
        more = recognized(tree.KTTV_B, f"Mô hình {n}")
        for target in (exemplar, more):
            r = svc.replication_create(None, target, u)
            if n % 3 == 0:
                svc.replication_update(None, r, stage=Stage.ADOPTED)
        svc.outreach_create(
            None,
            more,
            kind="VIDEO",
            channel="SOCIAL",
            title=f"Video {n}",
            published_on=dt.date(2025, 5, 1),
            reach=n,
        )
    for url, count in few.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(captured.captured_queries) <= count, url


# --- reminders -------------------------------------------------------------------------


def remind(day: dt.date) -> svc.ReplicationReminderReport:
    """The daily run on `day`, early in the morning (as the scheduled job runs)."""
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, 0), tick=False):
        return svc.send_replication_reminders()


def test_stale_replications_remind_the_adopting_units_officers_once(
    tree: Any, personas: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    b_officer = make_user("b_officer", [(Role.OFFICER, tree.KTTV_B)], email="b@kttv.gov.vn")
    c = unit(tree.KTTV, "KTTV_C", "Đài C")
    c_head = make_user("c_head", [(Role.HEAD, c)])
    exemplar = recognized(tree.KTTV_A)
    with time_machine.travel(dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        stale = svc.replication_create(None, exemplar, tree.KTTV_B, started_on=dt.date(2025, 1, 10))
        scaled = svc.replication_create(None, exemplar, c, stage=Stage.SCALED)
        quiet = svc.replication_create(None, recognized(tree.KTTV_A, "Khác"), c)
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        svc.replication_update(None, quiet, notes="Đang chuẩn bị thí điểm.")
    # Not six months yet.
    assert remind(dt.date(2025, 7, 9)).reminders == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = remind(dt.date(2025, 7, 11))
    assert report.reminders == 1 and report.notifications == 1 and report.emails == 1
    note = Notification.objects.get()
    assert note.user == b_officer and note.url == f"/propagation/replications/{stale.pk}/"
    assert "Mô hình một cửa liên thông" in note.title
    # The officer with an address also gets it by e-mail, with a link back to the record.
    (mail,) = mailoutbox
    assert mail.to == ["b@kttv.gov.vn"]
    assert mail.subject.startswith("[Thi đua] Cập nhật tình hình nhân rộng: Mô hình một cửa")
    assert f"/propagation/replications/{stale.pk}/" in mail.body
    assert "từ 10/01/2025" in mail.body
    # Run again the same day or the next: nothing more.
    assert remind(dt.date(2025, 7, 11)).reminders == 0
    assert remind(dt.date(2025, 8, 1)).reminders == 0
    # Quiet one turns stale in September: its unit has only a head, who gets it.
    report = remind(dt.date(2025, 9, 2))
    assert report.reminders == 1
    assert Notification.objects.filter(user=c_head).count() == 1
    scaled.refresh_from_db()
    assert scaled.reminded_at is None
    # Six more silent months: a second reminder; an update clears it.
    assert remind(dt.date(2026, 1, 12)).reminders == 1
    assert AuditEvent.objects.filter(action="replication.reminder").count() == 3
    svc.replication_update(None, stale, stage=Stage.PILOTING)
    stale.refresh_from_db()
    assert stale.reminded_at is None


def test_the_reminders_command_runs_the_replication_reminders(tree: Any, personas: Any) -> None:
    import io

    exemplar = recognized(tree.KTTV_A)
    make_user("b_officer", [(Role.OFFICER, tree.KTTV_B)])
    r = svc.replication_create(None, exemplar, tree.KTTV_B)
    Replication.objects.filter(pk=r.pk).update(
        last_update_at=timezone.now() - dt.timedelta(days=400)
    )
    out = io.StringIO()
    call_command("send_reminders", "--now", stdout=out)
    assert "1 nhắc cập nhật nhân rộng, 1 thông báo, 0 thư." in out.getvalue()
    assert Notification.objects.filter(kind=svc.REMINDER_KIND).count() == 1
