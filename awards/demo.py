"""Demo records: awards already decided for 2021–2024 (from the demo's ratings), a few
initiatives, and discipline cases, so eligibility for 2025 has history to read."""

from __future__ import annotations

import datetime as dt
import random

from awards import services
from awards.models import AwardType, DisciplineForm, DisciplineStatus, InitiativeKind
from organizations.models import Unit, UnitRating
from people.models import Assignment, Person, PersonRating

SEED = 2025
DECIDED_YEARS = range(2021, 2025)  # 2025 is the year under review in the demo


def build(today: dt.date) -> None:
    rng = random.Random(SEED)
    types = {t.code: t for t in AwardType.objects.all()}
    members: dict[tuple[int, int], int] = {}
    for year in DECIDED_YEARS:
        day = dt.date(year, 12, 31)
        for pid, uid in (
            Assignment.objects.filter(start__lte=day)
            .exclude(end__lt=day)
            .values_list("person_id", "unit_id")
        ):
            members[(pid, year)] = uid
    people = {p.pk: p for p in Person.objects.select_related("unit")}
    units = {u.pk: u for u in Unit.objects.all()}
    rows: list[services.AwardData] = []
    excellent: dict[int, list[int]] = {}
    for pid, year, rating in PersonRating.objects.filter(year__in=DECIDED_YEARS).values_list(
        "person_id", "year", "rating"
    ):
        if (pid, year) not in members or rating not in ("HTXSNV", "HTTNV"):
            continue
        person = people[pid]
        rows.append(_award(types["LDTT"], year, person=person, number=len(rows)))
        if rating == "HTXSNV" and rng.random() < 0.8:
            rows.append(_award(types["CSTDCS"], year, person=person, number=len(rows)))
            excellent.setdefault(pid, []).append(year)
    # Two consecutive CSTĐCS earn a ministry certificate (Art. 74.1.d) for some of them.
    for pid, years in excellent.items():
        for year in years:
            if year - 1 in years and year in (2022, 2024) and rng.random() < 0.5:
                rows.append(_award(types["BK_BO"], year, person=people[pid], number=len(rows)))
                break
    for uid, year, rating in UnitRating.objects.filter(year__in=DECIDED_YEARS).values_list(
        "unit_id", "year", "rating"
    ):
        code = {"HTXSNV": "TTLDXS", "HTTNV": "TTLDTT"}.get(rating)
        if code:
            rows.append(_award(types[code], year, unit=units[uid], number=len(rows)))
    services.awards_bulk_create(actor=None, rows=rows)
    _initiatives(rng, people, members)
    _disciplines(people)


def _award(
    award_type: AwardType,
    year: int,
    *,
    number: int,
    person: Person | None = None,
    unit: Unit | None = None,
) -> services.AwardData:
    decided_by_head = award_type.level == "CO_SO"
    return services.AwardData(
        award_type=award_type,
        year=year,
        decision_number=f"{1000 + number}/QĐ-TĐKT",
        decision_date=dt.date(year, 12, 25) if decided_by_head else dt.date(year + 1, 1, 15),
        person=person,
        unit=unit,
        signer="Thủ trưởng đơn vị" if decided_by_head else "Bộ trưởng",
        authority="" if decided_by_head else "Bộ Tài nguyên và Môi trường",
    )


def _initiatives(
    rng: random.Random, people: dict[int, Person], members: dict[tuple[int, int], int]
) -> None:
    rows: list[services.InitiativeData] = []
    topics = [
        "Ứng dụng ảnh vệ tinh trong giám sát xâm nhập mặn",
        "Quy trình số hóa hồ sơ địa chính",
        "Mô hình dự báo mưa lớn hạn ngắn",
        "Giải pháp cảnh báo sớm sạt lở bờ sông",
        "Cải tiến quy trình tiếp nhận hồ sơ một cửa",
        "Bản đồ số tài nguyên nước mặt",
    ]
    for year in range(2021, 2026):
        candidates = sorted(pid for (pid, y) in members if y == min(year, 2024))
        for pid in rng.sample(candidates, k=max(1, len(candidates) // 12)):
            person = people[pid]
            level = "BO_TINH" if rng.random() < 0.15 else "CO_SO"
            rows.append(
                services.InitiativeData(
                    title=f"{rng.choice(topics)} ({year})",
                    authors=[person],
                    unit=person.unit,
                    level=level,
                    recognized_on=dt.date(year, rng.randint(3, 11), rng.randint(1, 28)),
                    year=year,
                    kind=(
                        InitiativeKind.RESEARCH if rng.random() < 0.2 else InitiativeKind.INITIATIVE
                    ),
                    decision_number=f"{rng.randint(10, 300)}/QĐ-HĐSK",
                )
            )
    services.initiatives_bulk_create(actor=None, rows=rows)


def _disciplines(people: dict[int, Person]) -> None:
    """One pending case and two decided ones, in both subtrees of the demo."""
    ordered = sorted(people.values(), key=lambda p: p.code)
    kttv = [p for p in ordered if p.unit.path.startswith(_path("KTTV"))]
    soc_trang = [p for p in ordered if p.unit.path.startswith(_path("STNMT_ST"))]
    cases = [
        (kttv[5], DisciplineForm.KHIEN_TRACH, DisciplineStatus.PENDING, None, None),
        (kttv[11], DisciplineForm.KHIEN_TRACH, DisciplineStatus.DECIDED,
         dt.date(2023, 5, 10), dt.date(2024, 5, 9)),
        (soc_trang[3], DisciplineForm.CANH_CAO, DisciplineStatus.DECIDED,
         dt.date(2025, 3, 3), dt.date(2026, 3, 2)),
    ]  # fmt: skip
    for person, form, status, decided_on, ends_on in cases:
        services.discipline_create(
            actor=None,
            data=services.DisciplineData(
                person=person,
                form=form,
                status=status,
                opened_on=(decided_on or dt.date(2025, 10, 1)) - dt.timedelta(days=30),
                decided_on=decided_on,
                ends_on=ends_on,
                decision_number="" if decided_on is None else "15/QĐ-KL",
                reason="Vi phạm quy chế làm việc (dữ liệu mẫu)",
            ),
        )


def _path(code: str) -> str:
    return Unit.objects.get(code=code).path
