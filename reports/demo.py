"""Demo data for reports upward: 2024 annual reports of some KTTV and Sóc Trăng units
(some sent, some still drafts), KTTV's compilation of its units' reports, and the
KTTV exemplar conference of Q2/2025 (seed 004) with quotas and proposed delegates.

Runs inside the demo's transaction after the foundation demo; figures are pre-filled
from whatever records the other demos created before it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from accounts.models import User
from organizations.models import Unit
from people.models import Person
from reports import services
from reports.models import ConferenceKind

YEAR = 2024
SEED = 2024_06

RESULTS = [
    "Đơn vị đã quán triệt, triển khai kế hoạch thi đua năm {y} đến toàn thể cán bộ, viên chức; "
    "100% cán bộ đăng ký thi đua. Phong trào thi đua gắn với nhiệm vụ chuyên môn, "
    "nhiều sáng kiến được áp dụng, nâng cao chất lượng công việc.",
    "Công tác phát hiện, bồi dưỡng điển hình tiên tiến được quan tâm; đơn vị đã xây dựng "
    "02 điển hình tiên tiến theo kế hoạch, tổ chức tuyên truyền trên trang thông tin điện tử.",
    "Đơn vị hoàn thành tốt các chỉ tiêu thi đua năm {y}; nội bộ đoàn kết, chấp hành tốt "
    "kỷ luật, kỷ cương hành chính, văn hóa công sở.",
]
DIFFICULTIES = [
    "Kinh phí cho công tác tuyên truyền điển hình tiên tiến còn hạn chế.",
    "Một số cán bộ làm công tác thi đua, khen thưởng kiêm nhiệm, chưa được tập huấn đầy đủ.",
    "",
]
PROPOSALS = [
    "Đề nghị cấp trên tổ chức tập huấn nghiệp vụ thi đua, khen thưởng cho cán bộ kiêm nhiệm.",
    "Đề nghị bổ sung kinh phí từ Quỹ thi đua, khen thưởng cho hoạt động nhân rộng điển hình.",
    "",
]

# (unit code, sent?) — the rest of the units have no report yet, as in real life.
REPORTS = [
    ("KTTV_TTDB", True),
    ("KTTV_NB", True),
    ("KTTV_BB", False),
    ("ST_QLDD", True),
    ("ST_MT", True),
    ("ST_VPDK", False),
]
QUOTAS = {"KTTV_TTDB": 2, "KTTV_NB": 2, "KTTV_BB": 1, "KTTV_VP": 1}


def _actor(username: str) -> Any:
    return User.objects.filter(username=username).first()


def build(today: dt.date) -> None:
    rng = random.Random(SEED)
    units = {
        u.code: u for u in Unit.objects.filter(code__in=[c for c, _ in REPORTS] + ["KTTV", *QUOTAS])
    }
    sent_on = min(dt.date(YEAR + 1, 1, 8), today)
    for code, sent in REPORTS:
        unit = units.get(code)
        if unit is None:
            continue
        actor = _actor("canbo.kttv" if code.startswith("KTTV") else "canbo.soctrang")
        report = services.annual_report_create(
            actor=actor,
            unit=unit,
            year=YEAR,
            results=rng.choice(RESULTS).format(y=YEAR),
            difficulties=rng.choice(DIFFICULTIES),
            proposals=rng.choice(PROPOSALS),
        )
        if sent:
            services.annual_report_submit(actor=actor, report=report, on=sent_on)

    kttv = units.get("KTTV")
    if kttv is None:
        return
    officer = _actor("canbo.kttv")
    services.compile_reports(actor=officer, unit=kttv, year=YEAR)

    conference = services.conference_create(
        actor=officer,
        organizer=kttv,
        title="Hội nghị Thi đua điển hình tiên tiến lần thứ V của Tổng cục Khí tượng Thủy văn",
        kind=ConferenceKind.EXEMPLAR_CONFERENCE,
        held_on=dt.date(2025, 6, 20),
        place="Hà Nội",
    )
    services.quotas_set(
        actor=officer,
        conference=conference,
        quotas={units[c]: n for c, n in QUOTAS.items() if c in units},
    )
    proposed = []
    for code, quota in QUOTAS.items():
        unit = units.get(code)
        if unit is None:
            continue
        staff = list(Person.objects.filter(unit=unit).order_by("code")[:quota])
        # The first slot of a forecasting unit goes to the collective itself.
        if code in {"KTTV_TTDB", "KTTV_NB"} and staff:
            staff = staff[:-1]
            proposed.append(
                services.candidate_propose(
                    actor=officer,
                    conference=conference,
                    unit=unit,
                    collective=unit,
                    reason="Tập thể lao động xuất sắc nhiều năm liên tục; dẫn đầu phong trào "
                    "thi đua “Dự báo chính xác, cảnh báo kịp thời”.",
                )
            )
        for member in staff:
            proposed.append(
                services.candidate_propose(
                    actor=officer,
                    conference=conference,
                    unit=unit,
                    person=member,
                    reason="Hoàn thành xuất sắc nhiệm vụ và đạt danh hiệu Chiến sĩ thi đua "
                    "cơ sở nhiều năm liên tục; có sáng kiến được áp dụng.",
                )
            )
    # The standing body has made a first choice; the list is not closed yet.
    chosen = {c.pk for c in proposed[::2]}
    if chosen:
        services.candidates_select(actor=officer, conference=conference, selected=chosen)
