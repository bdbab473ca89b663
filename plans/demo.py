"""Demo plans from the seeds: the ministry plan 2023–2025 (seed 001), the Sóc Trăng
department's plan cascaded under it (seed 000), the KTTV phase plan 2021–2025
(seed 004), and the ministry's plan for the current year, with answers on time,
late, missing, with a wrong number of exemplars, and not yet due, so that the
compliance grid shows every colour.

Runs after core.demo inside the same transaction; deterministic for a given
`today` (random.Random with a fixed seed) and written through plans.services so
that the audit chain covers it. Signers are given by title, not by name.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from accounts.models import User
from organizations.models import Unit
from people.models import Person
from plans import services
from plans.models import Plan, Requirement, RequirementKind
from plans.services import EntryData, PhaseData, PlanData, RequirementData

SEED = 20230630
MINISTRY = "BTNMT"
DEPARTMENT = "STNMT_ST"
GENERAL_DEPARTMENT = "KTTV"

# Outcomes of a past-due requirement, with weights.
OUTCOMES = (("on_time", 55), ("late", 20), ("missing", 15), ("invalid", 10))
FIELDS = ("Dự báo, cảnh báo", "Quản lý đất đai", "Cải cách hành chính", "Chuyển đổi số",
          "Quan trắc môi trường", "Tuyên truyền", "Tài nguyên nước")  # fmt: skip


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


class _Builder:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.standing = _user("thuongtruc")
        self.kttv_officer = _user("canbo.kttv")
        self.st_officer = _user("canbo.soctrang")

    # -- answers --
    def _entries(self, unit: Unit, count: int) -> list[EntryData]:
        people = list(Person.objects.filter(unit=unit).order_by("code")[:40])
        entries = []
        for index in range(count):
            if people and index % 2 == 0:
                person = self.rng.choice(people)
                entries.append(
                    EntryData(
                        title=f"{person.full_name} – {person.position or 'cán bộ'}",
                        person=person,
                        field=self.rng.choice(FIELDS),
                    )
                )
            else:
                entries.append(
                    EntryData(
                        title=f"Tập thể {unit.short_name or unit.name}",
                        unit=unit,
                        field=self.rng.choice(FIELDS),
                    )
                )
        return entries

    def _submit(
        self,
        requirement: Requirement,
        unit: Unit,
        on: dt.date,
        *,
        actor: Any = None,
        invalid: bool = False,
        child_plan: Plan | None = None,
    ) -> None:
        entries: list[EntryData] = []
        if requirement.kind == RequirementKind.EXEMPLAR_REGISTRATION:
            low = requirement.min_count or 1
            high = requirement.max_count or low
            count = (high + 1 + self.rng.randint(0, 1)) if invalid else self.rng.randint(low, high)
            entries = self._entries(unit, count)
        services.submission_submit(
            actor=actor,
            requirement=requirement,
            unit=unit,
            submitted_on=on,
            note="Dữ liệu minh hoạ.",
            child_plan=child_plan,
            entries=entries,
        )

    def answer(
        self, plan: Plan, actor: Any = None, skip: set[tuple[str, str]] | None = None
    ) -> None:
        """Answer every requirement of `plan` by a weighted draw per unit."""
        skip = skip or set()
        for requirement in plan.requirements.order_by("due_on", "key"):
            for unit in services.units_in_scope(requirement):
                if (requirement.key, unit.code) in skip:
                    continue
                self._answer_one(requirement, unit, actor)

    def _answer_one(self, requirement: Requirement, unit: Unit, actor: Any) -> None:
        due = requirement.due_on
        if due >= self.today:
            # Not yet due: a third have sent already, the others are pending.
            if self.rng.random() < 0.35:
                early = max(due - dt.timedelta(days=40), self.today - dt.timedelta(days=20))
                on = min(self.today, early + dt.timedelta(days=self.rng.randint(0, 10)))
                self._submit(requirement, unit, on, actor=actor)
            return
        outcome = self.rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES], k=1)[
            0
        ]
        if outcome == "invalid" and requirement.kind != RequirementKind.EXEMPLAR_REGISTRATION:
            outcome = "on_time"
        if outcome == "missing":
            return
        if outcome == "late":
            on = due + dt.timedelta(days=self.rng.randint(1, 25))
            if on > self.today:
                return
        else:
            on = due - dt.timedelta(days=self.rng.randint(0, 20))
        self._submit(requirement, unit, on, actor=actor, invalid=outcome == "invalid")

    # -- plans --
    def ministry_plan(self) -> Plan:
        return services.plan_create(
            actor=self.standing,
            data=PlanData(
                code="KH-BTNMT-2023",
                title=(
                    "Kế hoạch tuyên truyền, bồi dưỡng và nhân rộng điển hình tiên tiến"
                    " ngành tài nguyên và môi trường giai đoạn 2023–2025"
                ),
                issuer=_unit(MINISTRY),
                starts_on=dt.date(2023, 11, 6),
                ends_on=dt.date(2025, 12, 31),
                document_number="06/KH-BTNMT",
                document_date=dt.date(2023, 11, 6),
                signer="Thứ trưởng",
                summary=(
                    "Thực hiện Quyết định số 1526/QĐ-TTg ngày 09/12/2022 của Thủ tướng Chính phủ"
                    " phê duyệt Đề án “Tuyên truyền gương điển hình tiên tiến giai đoạn"
                    " 2022–2025”. Quy trình: phát hiện, bồi dưỡng, tổng kết và nhân rộng điển"
                    " hình tiên tiến; mỗi năm mỗi đơn vị xây dựng từ 01–02 điển hình; kèm theo"
                    " Tiêu chuẩn điển hình tiên tiến của ngành."
                ),
            ),
            requirements=[
                RequirementData(
                    key="KH-DONVI",
                    kind=RequirementKind.UNIT_PLAN,
                    due_on=dt.date(2023, 12, 30),
                    title="Kế hoạch giai đoạn 2023–2025 của đơn vị (gửi qua Vụ Tổ chức cán bộ)",
                ),
                *[
                    RequirementData(
                        key=f"DK-{year}",
                        kind=RequirementKind.EXEMPLAR_REGISTRATION,
                        due_on=dt.date(year, 3, 31),
                        min_count=1,
                        max_count=2,
                        year=year,
                        title=f"Đăng ký 01–02 điển hình tiên tiến xây dựng năm {year}",
                    )
                    for year in (2024, 2025)
                ],
                *[
                    RequirementData(
                        key=f"BC-{year}",
                        kind=RequirementKind.ANNUAL_REPORT,
                        due_on=dt.date(year, 12, 15),
                        year=year,
                        title=f"Báo cáo tình hình thực hiện năm {year}",
                    )
                    for year in (2024, 2025)
                ],
            ],
        )

    def ministry_milestones(self, plan: Plan) -> None:
        for title, due in (
            ("Các đơn vị gửi kế hoạch của đơn vị về Bộ (qua Vụ TCCB)", dt.date(2023, 12, 30)),
            ("Tuyên dương điển hình tiên tiến tiêu biểu năm 2024", dt.date(2024, 12, 31)),
            (
                "Quý II/2025: Hội nghị điển hình tiên tiến giai đoạn 2020–2025 tại các đơn vị;"
                " giới thiệu điển hình dự Đại hội Thi đua yêu nước ngành lần thứ V",
                dt.date(2025, 6, 30),
            ),
            ("Tổng kết công tác phát hiện, bồi dưỡng, xây dựng điển hình", dt.date(2025, 12, 31)),
        ):
            services.milestone_add(actor=self.standing, plan=plan, title=title, due_on=due)

    def department_plan(self, parent: Plan) -> Plan:
        return services.plan_create(
            actor=self.st_officer,
            data=PlanData(
                code="KH-STNMT-ST-2023",
                title=(
                    "Kế hoạch tuyên truyền, bồi dưỡng và nhân rộng điển hình tiên tiến"
                    " ngành tài nguyên và môi trường giai đoạn 2023–2025 của Sở"
                ),
                issuer=_unit(DEPARTMENT),
                parent=parent,
                starts_on=dt.date(2023, 11, 20),
                ends_on=dt.date(2025, 12, 31),
                document_number="KH-STNMT (minh hoạ)",
                document_date=dt.date(2023, 11, 20),
                signer="Giám đốc Sở",
                summary=(
                    "Cụ thể hóa Kế hoạch số 06/KH-BTNMT ngày 06/11/2023 của Bộ cho các phòng,"
                    " đơn vị thuộc Sở và các Phòng Tài nguyên và Môi trường cấp huyện."
                ),
            ),
            requirements=[
                *[
                    RequirementData(
                        key=f"DK-{year}",
                        kind=RequirementKind.EXEMPLAR_REGISTRATION,
                        due_on=dt.date(year, 3, 15),
                        min_count=1,
                        max_count=2,
                        year=year,
                        title=f"Đăng ký 01–02 điển hình tiên tiến năm {year}",
                    )
                    for year in (2024, 2025)
                ],
                *[
                    RequirementData(
                        key=f"BC-{year}",
                        kind=RequirementKind.ANNUAL_REPORT,
                        due_on=dt.date(year, 12, 5),
                        year=year,
                        title=f"Báo cáo tình hình thực hiện năm {year} gửi Văn phòng Sở",
                    )
                    for year in (2024, 2025)
                ],
            ],
        )

    def kttv_plan(self) -> Plan:
        plan = services.plan_create(
            actor=self.kttv_officer,
            data=PlanData(
                code="KH-TCKTTV-2021",
                title="Kế hoạch triển khai xây dựng và nhân rộng điển hình tiên tiến giai đoạn"
                " 2021–2025",
                issuer=_unit(GENERAL_DEPARTMENT),
                starts_on=dt.date(2021, 8, 20),
                ends_on=dt.date(2025, 12, 31),
                document_number="KH-TCKTTV (minh hoạ)",
                document_date=dt.date(2021, 8, 20),
                signer="Tổng cục trưởng",
                summary=(
                    "Căn cứ Kế hoạch số 03/KH-BTNMT ngày 27/7/2021 của Bộ. Các đơn vị trực"
                    " thuộc xây dựng kế hoạch và lập danh sách đăng ký xây dựng điển hình tiên"
                    " tiến, gửi về Tổng cục (qua Vụ Tổ chức cán bộ) trước ngày 07/9/2021."
                ),
            ),
            requirements=[
                RequirementData(
                    key="KH-2021",
                    kind=RequirementKind.UNIT_PLAN,
                    due_on=dt.date(2021, 9, 7),
                    title="Kế hoạch giai đoạn 2021–2023 của đơn vị",
                ),
                RequirementData(
                    key="DK-2021",
                    kind=RequirementKind.EXEMPLAR_REGISTRATION,
                    due_on=dt.date(2021, 9, 7),
                    min_count=1,
                    max_count=2,
                    year=2021,
                    title="Danh sách đăng ký xây dựng điển hình tiên tiến",
                ),
                RequirementData(
                    key="KH-2024",
                    kind=RequirementKind.UNIT_PLAN,
                    due_on=dt.date(2024, 3, 31),
                    title="Kế hoạch chi tiết giai đoạn 2023–2025 của đơn vị",
                ),
            ],
            phases=[
                PhaseData("Giai đoạn 1 (2021–2023)", dt.date(2021, 8, 20), dt.date(2023, 12, 31)),
                PhaseData("Giai đoạn 2 (2023–2025)", dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
            ],
        )
        first, second = list(plan.phases.order_by("order"))
        for phase, title, due in (
            (first, "Quý III/2021: các đơn vị xây dựng kế hoạch 2021–2023 và đăng ký số lượng"
                    " điển hình tiên tiến", dt.date(2021, 9, 30)),
            (first, "Quý IV/2021 – hết năm 2022: tổ chức thực hiện, phát hiện, bồi dưỡng, xây"
                    " dựng điển hình", dt.date(2022, 12, 31)),
            (first, "Quý I–II/2023: sơ kết tại các đơn vị trực thuộc và Tổng cục",
             dt.date(2023, 6, 30)),
            (first, "Quý III–IV/2023: sơ kết lĩnh vực KTTV; Tổng cục trưởng công nhận, biểu"
                    " dương và đề nghị Bộ công nhận", dt.date(2023, 12, 31)),
            (second, "Quý I/2024: các đơn vị xây dựng kế hoạch chi tiết giai đoạn 2023–2025",
             dt.date(2024, 3, 31)),
            (second, "Quý II/2024 – Quý I/2025: bình xét, công nhận điển hình; đề nghị Bộ công"
                     " nhận", dt.date(2025, 3, 31)),
            (second, "Quý II/2025: Hội nghị Thi đua điển hình tiên tiến lần thứ V của Tổng cục"
                     " KTTV", dt.date(2025, 6, 30)),
        ):  # fmt: skip
            services.milestone_add(
                actor=self.kttv_officer, plan=plan, title=title, due_on=due, phase=phase
            )
        return plan

    def current_year_plan(self) -> Plan:
        """The ministry's yearly duties (seed 001, V.1 b–c) for the demo's own year, so that
        some answers are not yet due whatever day the demo is loaded."""
        year = self.today.year
        report_due = max(dt.date(year, 12, 15), self.today + dt.timedelta(days=21))
        return services.plan_create(
            actor=self.standing,
            data=PlanData(
                code=f"KH-BTNMT-{year}",
                title=f"Kế hoạch xây dựng và tuyên dương điển hình tiên tiến năm {year}",
                issuer=_unit(MINISTRY),
                starts_on=dt.date(year, 1, 1),
                ends_on=max(dt.date(year, 12, 31), report_due),
                document_number=f"KH-BTNMT-{year} (minh hoạ)",
                document_date=dt.date(year, 1, 10),
                signer="Thứ trưởng",
            ),
            requirements=[
                RequirementData(
                    key=f"BC-{year}",
                    kind=RequirementKind.ANNUAL_REPORT,
                    due_on=report_due,
                    year=year,
                    title=f"Báo cáo kết quả xây dựng điển hình tiên tiến năm {year}",
                ),
            ],
        )


def build(today: dt.date) -> None:
    builder = _Builder(today)
    ministry = builder.ministry_plan()
    builder.ministry_milestones(ministry)
    department = builder.department_plan(ministry)
    kh = ministry.requirements.get(key="KH-DONVI")
    # The department answers the ministry with its own plan, on time (seed 000 → 001).
    builder._submit(kh, _unit(DEPARTMENT), dt.date(2023, 11, 28), child_plan=department,
                    actor=builder.st_officer)  # fmt: skip
    # One registration with too many entries, so the grid always shows that colour too.
    builder._submit(ministry.requirements.get(key="DK-2024"), _unit(GENERAL_DEPARTMENT),
                    dt.date(2024, 3, 20), actor=builder.kttv_officer, invalid=True)  # fmt: skip
    builder.answer(
        ministry, actor=None, skip={("KH-DONVI", DEPARTMENT), ("DK-2024", GENERAL_DEPARTMENT)}
    )
    builder.answer(department, actor=builder.st_officer)
    kttv = builder.kttv_plan()
    builder.answer(kttv, actor=builder.kttv_officer)
    builder.answer(builder.current_year_plan(), actor=None)
