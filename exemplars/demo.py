"""Demo exemplars: discovery, fostering, recognition and proposal across 2023 to this year.

The ministry's plan (seed 001), the Sóc Trăng department's plan (seed 000) and the
KTTV phase plan (seed 004) each get their exemplar standard; units of the three
agencies register exemplars under them, foster them (weaknesses, remedies, a mentor,
support actions, check-ins) and move them through every state of the lifecycle.
The two exemplar candidates of the 2025 movement (movements.demo) are registered
from the movement: the forecasting centre's head stays in fostering, because his
unit is not a collective exemplar (criterion DH.CN.thu_truong), and the Sóc Trăng
office is fostered as a collective.

Everything goes through the services, so the guards hold: before an exemplar is
recognised its subject is given what the standard reads for every year of the
review period (an HTXSNV rating, the CSTĐCS title and an initiative; TTLĐXS for a
collective), only where the records built by the earlier demos lack it. Actors are
the demo logins that own each move (officer: register and foster; head: recognise;
standing body: propose and record the decisions of the level above); where no such
login covers the unit the administrator acts. Runs after movements.demo inside the
demo's transaction; deterministic for a given `today`; does nothing when exemplars
already exist.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from accounts.access import Perm, can
from accounts.models import Role, RoleGrant, User
from awards import services as rec
from awards.models import Award, AwardType, Discipline, Initiative
from core.choices import Rating
from exemplars import services as ex
from exemplars.assessment import judgement_conditions, period_start
from exemplars.models import Exemplar, ExemplarState, SupportKind, SupportStatus
from movements.models import Movement, Registration
from movements.services import exemplar_candidates
from organizations import services as org
from organizations.models import Unit
from people import services as ppl
from people.models import Assignment, Person, PersonRating
from plans import services as plans
from plans.models import Plan

SEED = 20231106
S = ExemplarState
K = SupportKind
ST = SupportStatus

# Plan code → the standard issued with it (exemplars/standards/).
PLAN_STANDARDS = (
    ("KH-BTNMT-2023", "DHTT-BTNMT-2023", "thuongtruc"),
    ("KH-STNMT-ST-2023", "DHTT-STNMT-2023", "canbo.soctrang"),
    ("KH-TCKTTV-2021", "DHTT-TCKTTV-2021", "canbo.kttv"),
)
KTTV_PLAN = "KH-TCKTTV-2021"
MINISTRY_PLAN = "KH-BTNMT-2023"
ST_PLAN = "KH-STNMT-ST-2023"
MOVEMENT = "PTTD-2025"
THEMATIC = "KTTV-CDS-2025"

# Who owns each kind of move, most fitting role first (the administrator last).
REGISTRARS = (Role.OFFICER, Role.STANDING, Role.ADMIN)
RECOGNISERS = (Role.HEAD, Role.ADMIN)
PROPOSERS = (Role.STANDING, Role.ADMIN)
REVIEWERS = (Role.HEAD, Role.COUNCIL, Role.STANDING, Role.ADMIN)

SECTOR_AUTHORITY = "Bộ Tài nguyên và Môi trường"
NATIONAL_AUTHORITY = "Hội đồng Thi đua – Khen thưởng Trung ương"

NARRATIVES = (
    "Mô hình được duy trì đều đặn, kết quả ổn định; đồng nghiệp bắt đầu học tập cách làm.",
    "Có tiến bộ rõ về chất lượng sản phẩm; cần tiếp tục hoàn thiện quy trình, tài liệu hóa.",
    "Cách làm được giới thiệu tại giao ban đơn vị, một số phòng đã áp dụng thử.",
    "Kết quả vượt chỉ tiêu đề ra; điển hình chủ động chia sẻ kinh nghiệm cho đơn vị bạn.",
    "Đoàn kiểm tra ghi nhận hiệu quả thực tế; đề nghị tiếp tục theo dõi, nhân rộng.",
)
DIFFICULTIES = (
    "Thiếu kinh phí cho thiết bị, phần mềm hỗ trợ.",
    "Khối lượng công việc chuyên môn lớn, ít thời gian tổng kết, chia sẻ.",
    "",
    "Số liệu đầu vào từ các trạm chưa đồng bộ.",
    "",
)
HELP = (
    "Đơn vị bố trí thời gian, cử người kèm cặp.",
    "Hỗ trợ tham dự lớp tập huấn chuyên sâu.",
    "Giới thiệu trên bản tin nội bộ, động viên kịp thời.",
    "",
    "Hỗ trợ kinh phí mua sắm thiết bị.",
)


def _d(day: dt.date, today: dt.date) -> dt.date:
    """A past date of the story, never after the day the demo is loaded."""
    return min(day, today)


@dataclass(frozen=True)
class Action:
    kind: str
    description: str
    due_on: dt.date
    status: str = ST.PLANNED
    done_on: dt.date | None = None


class _Builder:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.types = {t.code: t for t in AwardType.objects.filter(code__in=AWARD_CODES)}
        logins = list(User.objects.filter(is_active=True).order_by("pk"))
        self.grants: list[tuple[str, User]] = [
            (g.role, g.user)
            for g in RoleGrant.objects.filter(user__in=logins)
            .select_related("user")
            .order_by("user_id", "pk")
        ]
        self.admin = next((u for u in logins if u.is_superuser), None)
        # Subjects of disciplinary cases, people who moved and the demo logins' own
        # persons make poor exemplars of the demo: they are never picked.
        moved = {
            pid
            for pid, n in Assignment.objects.order_by()
            .values_list("person_id")
            .annotate(n=Count("pk"))
            .values_list("person_id", "n")
            if n > 1
        }
        self.avoid: set[int] = (
            set(Discipline.objects.values_list("person_id", flat=True))
            | moved
            | set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        )
        self.taken: set[int] = set()
        self.numbers = itertools.count(1)
        self.units: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}

    # -- actors --
    def actor(self, roles: Sequence[str], perm: Perm, unit: Unit) -> User | None:
        for role in roles:
            for granted, user in self.grants:
                if granted == role and can(user, perm, unit):
                    return user
        return self.admin

    # -- subjects --
    def best_people(self, unit: Unit, years: Sequence[int], count: int) -> list[Person]:
        """Staff (not the head) with the most of what the standard reads, by code on a tie."""
        staff = [
            p
            for p in Person.objects.filter(unit=unit, is_head=False).order_by("code")
            if p.pk not in self.avoid and p.pk not in self.taken and p.started_on.year <= years[0]
        ]
        ids = [p.pk for p in staff]
        excellent = _count_by(
            PersonRating.objects.filter(person_id__in=ids, year__in=years, rating=Rating.HTXSNV),
            "person_id",
        )
        titled = _count_by(
            Award.objects.filter(person_id__in=ids, year__in=years, award_type__code="CSTDCS"),
            "person_id",
        )
        ranked = sorted(staff, key=lambda p: -excellent.get(p.pk, 0) - titled.get(p.pk, 0))
        chosen = ranked[:count]
        self.taken.update(p.pk for p in chosen)
        return chosen

    def head(self, unit: Unit) -> Person:
        person = Person.objects.filter(unit=unit, is_head=True).order_by("code").first()
        if person is None:  # pragma: no cover - every demo unit has a head
            raise LookupError(unit.code)
        self.taken.add(person.pk)
        return person

    def mentor_for(self, exemplar: Exemplar) -> Person | None:
        unit = exemplar.subject_unit or exemplar.unit
        if exemplar.person is not None and not exemplar.person.is_head:
            unit = exemplar.person.unit
        elif unit.parent_id:
            unit = unit.parent  # type: ignore[assignment]
        return Person.objects.filter(unit=unit, is_head=True).order_by("code").first()

    # -- records the standard reads --
    def qualify(self, exemplar: Exemplar, year: int) -> None:
        """Give the subject, for every year of the review period, what it lacks."""
        years = list(range(period_start(exemplar, year), year + 1))
        actor = self.actor(REGISTRARS, Perm.MANAGE_RECORDS, exemplar.unit)
        if exemplar.person is not None:
            self._qualify_person(actor, exemplar.person, years, exemplar.title)
        else:
            assert exemplar.subject_unit is not None
            self._qualify_unit(actor, exemplar.subject_unit, years)

    def _qualify_person(self, actor: Any, person: Person, years: list[int], topic: str) -> None:
        ratings = dict(
            PersonRating.objects.filter(person=person, year__in=years).values_list("year", "rating")
        )
        held = set(
            Award.objects.filter(person=person, year__in=years).values_list(
                "award_type__code", "year"
            )
        )
        for year in years:
            if ratings.get(year) != Rating.HTXSNV:
                ppl.person_rating_set(actor=actor, person=person, year=year, rating=Rating.HTXSNV)
            for code in ("LDTT", "CSTDCS"):
                if (code, year) not in held:
                    self._award(actor, code, year, person=person)
        has_initiative = Initiative.objects.filter(
            authors=person, year__gte=years[0], year__lte=years[-1]
        ).exists()
        if not has_initiative:
            year = years[-1]
            rec.initiative_create(
                actor=actor,
                data=rec.InitiativeData(
                    title=f"Sáng kiến: {topic}",
                    authors=[person],
                    unit=person.unit,
                    level="CO_SO",
                    recognized_on=_d(dt.date(year, 10, 15), self.today),
                    year=year,
                    decision_number=f"{40 + next(self.numbers)}/QĐ-HĐSK (minh hoạ)",
                ),
            )

    def _qualify_unit(self, actor: Any, unit: Unit, years: list[int]) -> None:
        ratings = dict(unit.ratings.filter(year__in=years).values_list("year", "rating"))
        awards = {
            (a.award_type.code, a.year): a
            for a in Award.objects.filter(unit=unit, year__in=years).select_related("award_type")
        }
        for year in years:
            if ratings.get(year) != Rating.HTXSNV:
                org.unit_rating_set(actor=actor, unit=unit, year=year, rating=Rating.HTXSNV)
            if ("TTLDXS", year) in awards:
                continue
            lesser = awards.get(("TTLDTT", year))
            if lesser is None:
                self._award(actor, "TTLDXS", year, unit=unit)
                continue
            # A unit holds one of the two titles a year: the decided one is raised.
            rec.award_update(
                actor=actor,
                award=lesser,
                data=rec.AwardData(
                    award_type=self.types["TTLDXS"],
                    year=year,
                    decision_number=lesser.decision_number,
                    decision_date=lesser.decision_date,
                    unit=unit,
                    signer=lesser.signer,
                    authority=lesser.authority or SECTOR_AUTHORITY,
                    note="Điều chỉnh danh hiệu (dữ liệu minh hoạ).",
                ),
            )

    def _award(
        self,
        actor: Any,
        code: str,
        year: int,
        *,
        person: Person | None = None,
        unit: Unit | None = None,
    ) -> None:
        by_head = code in ("LDTT", "CSTDCS")
        rec.award_create(
            actor=actor,
            data=rec.AwardData(
                award_type=self.types[code],
                year=year,
                decision_number=f"{700 + next(self.numbers)}/QĐ-TĐKT (minh hoạ)",
                decision_date=dt.date(year, 12, 25) if by_head else dt.date(year + 1, 1, 15),
                person=person,
                unit=unit,
                signer="Thủ trưởng đơn vị" if by_head else "Bộ trưởng",
                authority="" if by_head else SECTOR_AUTHORITY,
            ),
        )

    # -- the lifecycle --
    def register(
        self,
        unit_code: str,
        year: int,
        *,
        title: str,
        summary: str,
        field: str,
        results: str = "",
        person: Person | None = None,
        collective: Unit | None = None,
        plan: Plan | None = None,
        movement: Movement | None = None,
        note: str = "",
    ) -> Exemplar:
        unit = self.units[unit_code]
        return ex.exemplar_create(
            actor=self.actor(REGISTRARS, Perm.MANAGE_EXEMPLARS, unit),
            unit=unit,
            person=person,
            subject_unit=collective,
            title=title,
            practice_summary=summary,
            practice_results=results,
            year=year,
            field=field,
            plan=plan,
            movement=movement,
            note=note,
        )

    def foster(
        self,
        exemplar: Exemplar,
        *,
        weaknesses: str,
        remedies: str,
        actions: Iterable[Action] = (),
        checkins: Iterable[dt.date] = (),
        note: str = "",
    ) -> Exemplar:
        officer = self.actor(REGISTRARS, Perm.MANAGE_EXEMPLARS, exemplar.unit)
        exemplar = ex.transition(
            actor=officer,
            exemplar=exemplar,
            to=S.FOSTERING,
            note=note or "Đưa vào kế hoạch bồi dưỡng của đơn vị.",
        )
        exemplar = ex.exemplar_update(
            actor=officer,
            exemplar=exemplar,
            weaknesses=weaknesses,
            remedies=remedies,
            mentor=self.mentor_for(exemplar),
        )
        mentor = exemplar.mentor
        for action in actions:
            ex.action_save(
                actor=officer,
                exemplar=exemplar,
                kind=action.kind,
                description=action.description,
                due_on=action.due_on,
                status=action.status,
                done_on=action.done_on,
                responsible=mentor if action.kind == K.MENTORING else None,
            )
        self.check_in(exemplar, checkins)
        return exemplar

    def check_in(self, exemplar: Exemplar, days: Iterable[dt.date]) -> None:
        officer = self.actor(REGISTRARS, Perm.MANAGE_EXEMPLARS, exemplar.unit)
        base = self.rng.randint(2, 3)
        for index, day in enumerate(sorted({_d(d, self.today) for d in days})):
            # Scores rise as the fostering takes effect, with some noise.
            level = min(5, base + index // 2)
            ex.checkin_save(
                actor=officer,
                exemplar=exemplar,
                checked_on=day,
                effect=min(5, level + self.rng.randint(0, 1)),
                efficiency=level,
                potential=min(5, level + self.rng.randint(0, 1)),
                influence=max(1, level - self.rng.randint(0, 1)),
                narrative=NARRATIVES[index % len(NARRATIVES)],
                difficulties=self.rng.choice(DIFFICULTIES),
                help_given=self.rng.choice(HELP),
            )

    def judge(
        self, exemplar: Exemplar, year: int, *, met: bool = True, only: str | None = None
    ) -> None:
        reviewer = self.actor(REVIEWERS, Perm.ASSESS_EXEMPLARS, exemplar.unit)
        for condition in judgement_conditions(exemplar):
            if only is not None and condition.id != only:
                continue
            ex.review_record(
                actor=reviewer,
                exemplar=exemplar,
                year=year,
                condition_id=condition.id,
                met=met,
                comment=(
                    "Đã xem xét hồ sơ, nhận xét của chi bộ và tập thể đơn vị: đạt."
                    if met
                    else "Chưa đạt: đơn vị đề nghị tiếp tục bồi dưỡng trong năm tới."
                ),
            )

    def recognise(self, exemplar: Exemplar, year: int, note: str = "") -> Exemplar:
        self.qualify(exemplar, year)
        self.judge(exemplar, year)
        head = self.actor(RECOGNISERS, Perm.CONFIRM, exemplar.unit)
        return ex.transition(
            actor=head,
            exemplar=exemplar,
            to=S.RECOGNIZED,
            year=year,
            note=note or f"Công nhận điển hình tiên tiến năm {year} của đơn vị.",
        )

    def move(
        self,
        exemplar: Exemplar,
        to: str,
        note: str = "",
        decision: ex.Decision | None = None,
    ) -> Exemplar:
        perm = ex.transition_perm(exemplar.state, to)
        roles = {
            Perm.MANAGE_EXEMPLARS: REGISTRARS,
            Perm.CONFIRM: RECOGNISERS,
        }.get(perm, PROPOSERS)
        if decision is not None and decision.date is not None:
            decision.date = _d(decision.date, self.today)
        return ex.transition(
            actor=self.actor(roles, perm, exemplar.unit),
            exemplar=exemplar,
            to=to,
            note=note,
            decision=decision,
        )


AWARD_CODES = ("LDTT", "CSTDCS", "TTLDXS")


def _count_by(queryset: Any, field: str) -> dict[int, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))


def _set_standards() -> None:
    """The plans name the standard issued with them (seeds 000, 001, 004)."""
    for code, standard, username in PLAN_STANDARDS:
        plan = Plan.objects.select_related("issuer", "parent").filter(code=code).first()
        if plan is None or plan.exemplar_standard == standard:
            continue
        plans.plan_update(
            actor=User.objects.filter(username=username).first(),
            plan=plan,
            data=plans.PlanData(
                code=plan.code,
                title=plan.title,
                issuer=plan.issuer,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                parent=plan.parent,
                document_number=plan.document_number,
                document_date=plan.document_date,
                signer=plan.signer,
                summary=plan.summary,
                exemplar_standard=standard,
            ),
        )


def _candidate(movement: Movement | None, unit_code: str, person: bool) -> Registration | None:
    if movement is None:
        return None
    return next(
        (
            r
            for r in exemplar_candidates(movement)
            if r.unit.code == unit_code and (r.person_id is not None) == person
        ),
        None,
    )


def build(today: dt.date) -> None:
    if Exemplar.objects.exists():
        return
    _set_standards()
    b = _Builder(today)
    plan = {p.code: p for p in Plan.objects.filter(code__in=[c for c, _, _ in PLAN_STANDARDS])}
    current_plan = Plan.objects.filter(code=f"KH-BTNMT-{today.year}").first()
    movement = Movement.objects.filter(code=MOVEMENT).first()
    thematic = Movement.objects.filter(code=THEMATIC).first()
    _kttv(b, plan[KTTV_PLAN], movement, thematic, current_plan)
    _ministry(b, plan[MINISTRY_PLAN])
    _soc_trang(b, plan[ST_PLAN], movement, current_plan)


def _kttv(
    b: _Builder,
    plan: Plan,
    movement: Movement | None,
    thematic: Movement | None,
    current_plan: Plan | None,
) -> None:
    today = b.today
    u = b.units
    # 2023: the northern station, a TTLĐXS three years running, recognised at the
    # mid-term review of seed 004 and then recognised by the ministry.
    north = b.register(
        "KTTV_BB",
        2023,
        collective=u["KTTV_BB"],
        plan=plan,
        title="Đài KTTV khu vực Bắc Bộ – cảnh báo lũ quét, sạt lở đất theo thời gian thực",
        field="Dự báo, cảnh báo",
        summary=(
            "Kết nối số liệu mưa từ mạng lưới trạm tự động với bản đồ nguy cơ lũ quét, sạt lở"
            " đất; phát bản tin cảnh báo tới từng xã qua tin nhắn và trang thông tin điện tử."
        ),
        results="Cảnh báo phát hành sớm hơn 4 giờ; 100% bản tin đúng hạn.",
    )
    north = b.foster(
        north,
        weaknesses="Chưa tổng kết thành quy trình để các đài khác áp dụng.",
        remedies="Biên soạn quy trình, tổ chức hội thảo chia sẻ với các đài khu vực.",
        actions=[
            Action(
                K.TECHNICAL,
                "Nâng cấp máy chủ xử lý số liệu mưa tự động.",
                dt.date(2023, 6, 30),
                ST.DONE,
                dt.date(2023, 6, 20),
            ),
            Action(
                K.MORAL,
                "Biểu dương tại hội nghị sơ kết giữa giai đoạn của Tổng cục.",
                dt.date(2023, 9, 30),
                ST.DONE,
                dt.date(2023, 9, 22),
            ),
        ],
        checkins=[dt.date(2023, 5, 15), dt.date(2023, 9, 15), dt.date(2023, 12, 10)],
    )
    north = b.recognise(north, 2023)
    north = b.move(north, S.PROPOSED, "Tổng cục đề nghị Bộ công nhận điển hình toàn ngành.")
    b.move(
        north,
        S.SECTOR,
        decision=ex.Decision("215/QĐ-BTNMT (minh hoạ)", dt.date(2024, 4, 10), SECTOR_AUTHORITY),
    )

    # 2024: the station's head (his unit is a collective exemplar), and two forecasters.
    head_bb = b.register(
        "KTTV_BB",
        2024,
        person=b.head(u["KTTV_BB"]),
        plan=plan,
        title="Người đứng đầu đổi mới quản trị dự báo tại Đài khu vực",
        field="Quản lý, điều hành",
        summary=(
            "Tổ chức ca trực dự báo theo nhóm chuyên đề; giao ban trực tuyến hằng ngày với các"
            " đài tỉnh; chỉ đạo ứng dụng sản phẩm mô hình số trị."
        ),
        results="Đài dẫn đầu khối dự báo, quan trắc; tập thể là điển hình toàn ngành.",
    )
    head_bb = b.foster(
        head_bb,
        weaknesses="Cần lan tỏa mô hình quản trị ra các đài tỉnh trực thuộc.",
        remedies="Xây dựng tài liệu hướng dẫn, kèm cặp lãnh đạo các đài tỉnh.",
        actions=[
            Action(
                K.TRAINING,
                "Tham dự lớp bồi dưỡng lãnh đạo cấp phòng và tương đương.",
                dt.date(2024, 8, 31),
                ST.DONE,
                dt.date(2024, 8, 16),
            ),
            Action(
                K.MORAL,
                "Giới thiệu trên Tạp chí Khí tượng Thủy văn.",
                dt.date(2024, 11, 30),
                ST.DONE,
                dt.date(2024, 11, 12),
            ),
        ],
        checkins=[dt.date(2024, 4, 10), dt.date(2024, 10, 10)],
    )
    head_bb = b.recognise(head_bb, 2024)
    b.move(head_bb, S.PROPOSED, "Đề nghị Bộ xem xét công nhận điển hình toàn ngành.")

    star, second, third, fourth = b.best_people(u["KTTV_TTDB"], range(2021, 2025), 4)
    radar = b.register(
        "KTTV_TTDB",
        2024,
        person=star,
        plan=plan,
        title="Mô hình dự báo mưa lớn hạn ngắn bằng dữ liệu radar thời tiết",
        field="Dự báo, cảnh báo",
        summary=(
            "Ghép dữ liệu radar, vệ tinh và trạm đo mưa tự động để dự báo mưa lớn trước"
            " 3–6 giờ; công cụ được chia sẻ cho các đài khu vực."
        ),
        results="Độ chính xác dự báo mưa lớn hạn ngắn tăng từ 62% lên 78%.",
    )
    radar = b.foster(
        radar,
        weaknesses="Kỹ năng trình bày, chuyển giao cho đồng nghiệp còn hạn chế.",
        remedies="Cử tham dự lớp kỹ năng thuyết trình; giao chủ trì tập huấn nội bộ.",
        actions=[
            Action(
                K.TRAINING,
                "Lớp kỹ năng thuyết trình và chuyển giao công nghệ.",
                dt.date(2024, 6, 30),
                ST.DONE,
                dt.date(2024, 6, 14),
            ),
            Action(
                K.MATERIAL,
                "Trang bị máy trạm xử lý dữ liệu radar.",
                dt.date(2024, 9, 30),
                ST.DONE,
                dt.date(2024, 9, 5),
            ),
            Action(
                K.MENTORING,
                "Giám đốc Trung tâm trực tiếp kèm cặp, góp ý sản phẩm.",
                dt.date(2024, 12, 15),
                ST.DONE,
                dt.date(2024, 12, 10),
            ),
        ],
        checkins=[
            dt.date(2024, 3, 20),
            dt.date(2024, 7, 5),
            dt.date(2024, 10, 25),
            dt.date(2025, 3, 1),
            dt.date(2025, 8, 20),
        ],
    )
    radar = b.recognise(radar, 2024)
    radar = b.move(radar, S.PROPOSED, "Đề nghị Bộ công nhận điển hình toàn ngành.")
    radar = b.move(
        radar,
        S.SECTOR,
        decision=ex.Decision("632/QĐ-BTNMT (minh hoạ)", dt.date(2025, 3, 20), SECTOR_AUTHORITY),
    )
    b.move(
        radar,
        S.NATIONAL,
        decision=ex.Decision("118/QĐ-HĐTĐKT (minh hoạ)", dt.date(2025, 9, 2), NATIONAL_AUTHORITY),
    )

    typhoon = b.register(
        "KTTV_TTDB",
        2024,
        person=second,
        plan=plan,
        title="Bản tin dự báo bão bằng ngôn ngữ dễ hiểu cho người dân",
        field="Tuyên truyền",
        summary="Thiết kế lại bản tin bão: bản đồ đơn giản, khuyến cáo hành động theo từng vùng.",
        results="Lượt xem bản tin trên mạng xã hội tăng gấp ba; được báo chí trích dẫn rộng rãi.",
    )
    typhoon = b.foster(
        typhoon,
        weaknesses="Chưa có số liệu đánh giá mức độ người dân hiểu bản tin.",
        remedies="Phối hợp khảo sát người dân vùng ven biển sau mỗi cơn bão.",
        actions=[
            Action(
                K.TECHNICAL,
                "Phần mềm thiết kế đồ họa bản tin.",
                dt.date(2024, 5, 31),
                ST.DONE,
                dt.date(2024, 5, 20),
            ),
            Action(
                K.PRIZE,
                "Giải thưởng sáng tạo trẻ của Tổng cục.",
                dt.date(2024, 12, 31),
                ST.DONE,
                dt.date(2024, 12, 20),
            ),
        ],
        checkins=[dt.date(2024, 6, 1), dt.date(2024, 11, 15), dt.date(2025, 6, 10)],
    )
    b.recognise(typhoon, 2024)

    (office,) = b.best_people(u["KTTV_VP"], range(2021, 2025), 1)
    paperless = b.register(
        "KTTV_VP",
        2024,
        person=office,
        plan=plan,
        title="Văn phòng không giấy tờ tại cơ quan Tổng cục",
        field="Chuyển đổi số",
        summary="Số hóa toàn bộ quy trình trình ký, lưu trữ văn bản đi, đến.",
    )
    paperless = b.foster(
        paperless,
        weaknesses="Phụ thuộc một cá nhân, chưa chuyển giao.",
        remedies="Giao thêm một cán bộ cùng vận hành hệ thống.",
        actions=[
            Action(
                K.TRAINING,
                "Tập huấn quản trị hệ thống văn bản điện tử.",
                dt.date(2024, 7, 31),
                ST.DONE,
                dt.date(2024, 7, 12),
            ),
            Action(
                K.MATERIAL, "Máy quét tài liệu tốc độ cao.", dt.date(2024, 10, 31), ST.CANCELLED
            ),
        ],
        checkins=[dt.date(2024, 5, 5), dt.date(2024, 11, 5)],
    )
    paperless = b.recognise(paperless, 2024)
    b.move(
        paperless,
        S.REVOKED,
        "Kiểm tra sau công nhận: sáng kiến kê khai là kết quả chung của tổ công tác, không"
        " phải của riêng cá nhân; thu hồi công nhận (dữ liệu minh hoạ).",
    )

    # 2025: the forecasting centre registers three (above the quota of 1–2).
    candidate = _candidate(movement, "KTTV_TTDB", person=True)
    head_db = candidate.person if candidate is not None else None
    head_db = head_db or b.head(u["KTTV_TTDB"])
    b.taken.add(head_db.pk)
    automation = b.register(
        "KTTV_TTDB",
        2025,
        person=head_db,
        plan=plan,
        movement=movement if candidate is not None else None,
        title="Tự động hóa bản tin dự báo mưa lớn",
        field="Dự báo, cảnh báo",
        summary=(
            candidate.exemplar_note
            if candidate is not None and candidate.exemplar_note
            else "Tự động hóa khâu biên tập, phát hành bản tin dự báo mưa lớn."
        ),
        note="Phát hiện qua sơ kết phong trào thi đua năm 2025.",
    )
    # Excellent on every record, but his unit is not a collective exemplar: the standard
    # holds him back until the centre itself is recognised (DH.CN.thu_truong).
    b.qualify(automation, 2025)
    b.foster(
        automation,
        weaknesses=(
            "Trung tâm chưa được công nhận là tập thể điển hình tiên tiến: theo tiêu chuẩn,"
            " thủ trưởng đơn vị chỉ được công nhận khi đơn vị là tập thể điển hình."
        ),
        remedies="Bồi dưỡng tập thể Trung tâm đạt Tập thể lao động xuất sắc và được công nhận.",
        actions=[
            Action(
                K.MENTORING,
                "Tổng cục trưởng trực tiếp chỉ đạo xây dựng tập thể điển hình.",
                dt.date(2025, 12, 31),
                ST.IN_PROGRESS,
            ),
            Action(
                K.TECHNICAL,
                "Hoàn thiện hệ thống phát hành bản tin tự động.",
                dt.date(2025, 9, 30),
                ST.DONE,
                dt.date(2025, 9, 18),
            ),
        ],
        checkins=[dt.date(2025, 4, 15), dt.date(2025, 9, 15)],
    )
    nowcast = b.register(
        "KTTV_TTDB",
        2025,
        person=third,
        plan=plan,
        title="Cảnh báo dông sét cực ngắn cho vùng đô thị",
        field="Dự báo, cảnh báo",
        summary="Cảnh báo dông, sét trước 30–60 phút bằng dữ liệu định vị sét và radar.",
    )
    b.foster(
        nowcast,
        weaknesses="Sản phẩm mới thử nghiệm tại hai thành phố; chưa đánh giá đủ một mùa mưa.",
        remedies="Theo dõi hết mùa mưa 2025, hoàn thiện thuật toán, mở rộng phạm vi.",
        actions=[
            Action(
                K.TRAINING,
                "Khóa đào tạo ngắn hạn về dự báo cực ngắn tại nước ngoài.",
                dt.date(2025, 10, 31),
                ST.IN_PROGRESS,
            ),  # overdue
            Action(
                K.MATERIAL,
                "Thuê bao dữ liệu định vị sét.",
                dt.date(2025, 5, 31),
                ST.DONE,
                dt.date(2025, 5, 28),
            ),
            Action(
                K.MENTORING,
                "Dự báo viên chính kèm cặp, phản biện sản phẩm.",
                today + dt.timedelta(days=45),
                ST.PLANNED,
            ),
        ],
        checkins=[
            dt.date(2025, 5, 1),
            dt.date(2025, 8, 1),
            dt.date(2025, 11, 1),
            today - dt.timedelta(days=20),
        ],
    )
    b.register(
        "KTTV_TTDB",
        2025,
        collective=u["KTTV_TTDB"],
        plan=plan,
        title="Trung tâm Dự báo KTTV quốc gia – dự báo chính xác, cảnh báo kịp thời",
        field="Dự báo, cảnh báo",
        summary="Tập thể dẫn đầu phong trào “Dự báo chính xác, cảnh báo kịp thời”.",
    )

    # 2025: the southern station registers one, which could not be kept up.
    (south,) = b.best_people(u["KTTV_NB"], range(2021, 2026), 1)
    salinity = b.register(
        "KTTV_NB",
        2025,
        person=south,
        plan=plan,
        title="Dự báo xâm nhập mặn theo tuần cho vùng Đồng bằng sông Cửu Long",
        field="Tài nguyên nước",
        summary="Bản tin mặn theo tuần, kèm khuyến cáo lịch lấy nước cho từng cống.",
    )
    salinity = b.foster(
        salinity,
        weaknesses="Số liệu đo mặn tại các cống còn thiếu.",
        remedies="Phối hợp với địa phương bổ sung điểm đo.",
        actions=[
            Action(
                K.TECHNICAL, "Bổ sung 5 điểm đo mặn tự động.", dt.date(2025, 6, 30), ST.IN_PROGRESS
            ),
            Action(
                K.MORAL,
                "Động viên, biểu dương tại giao ban quý.",
                dt.date(2025, 4, 30),
                ST.DONE,
                dt.date(2025, 4, 25),
            ),
        ],
        checkins=[dt.date(2025, 4, 1), dt.date(2025, 7, 1)],
    )
    b.move(
        salinity,
        S.DROPPED,
        "Cán bộ được cử đi học dài hạn từ tháng 8/2025; đơn vị dừng theo dõi, sẽ xem xét lại"
        " khi trở về.",
    )

    # This year: new factors, one fostered under the digital transformation movement.
    year = today.year
    if year <= 2025:
        return
    digital = b.register(
        "KTTV_TTDB",
        year,
        person=fourth,
        plan=current_plan,
        movement=thematic,
        title="Trợ lý số tra cứu dữ liệu khí tượng thủy văn",
        field="Chuyển đổi số",
        summary="Công cụ hỏi đáp tra cứu số liệu quan trắc cho dự báo viên và người dân.",
    )
    b.foster(
        digital,
        weaknesses="Chưa kiểm chứng đủ độ chính xác của câu trả lời.",
        remedies="Thử nghiệm nội bộ, đối chiếu với số liệu gốc trước khi mở rộng.",
        actions=[
            Action(
                K.TECHNICAL,
                "Máy chủ thử nghiệm cho trợ lý số.",
                today + dt.timedelta(days=30),
                ST.IN_PROGRESS,
            ),
            Action(
                K.TRAINING,
                "Tập huấn khai thác dữ liệu lớn.",
                today + dt.timedelta(days=60),
                ST.PLANNED,
            ),
        ],
        checkins=[today - dt.timedelta(days=90), today - dt.timedelta(days=10)],
    )
    (journal,) = b.best_people(u["KTTV_TC"], range(year - 2, year), 1)
    b.register(
        "KTTV_TC",
        year,
        person=journal,
        plan=current_plan,
        title="Chuyên mục phổ biến kiến thức khí tượng cho học sinh",
        field="Tuyên truyền",
        summary="Chuyên mục hằng tháng trên Tạp chí, kèm video ngắn cho trường học.",
    )


def _ministry(b: _Builder, plan: Plan) -> None:
    u = b.units
    institute = b.register(
        "BTNMT_VKH",
        2023,
        collective=u["BTNMT_VKH"],
        plan=plan,
        title="Viện Khoa học KTTV và BĐKH – gắn nghiên cứu với dự báo nghiệp vụ",
        field="Nghiên cứu khoa học",
        summary="Chuyển giao kết quả đề tài vào hệ thống dự báo nghiệp vụ trong năm thực hiện.",
    )
    institute = b.foster(
        institute,
        weaknesses="Tỷ lệ đề tài được ứng dụng còn chưa đều giữa các phòng.",
        remedies="Ký thỏa thuận ứng dụng với đơn vị dự báo ngay từ khi đặt hàng đề tài.",
        actions=[
            Action(
                K.MATERIAL,
                "Kinh phí thử nghiệm nghiệp vụ cho 3 đề tài.",
                dt.date(2023, 12, 15),
                ST.DONE,
                dt.date(2023, 12, 1),
            ),
            Action(
                K.MORAL,
                "Tuyên dương tại Hội nghị tổng kết năm của Bộ.",
                dt.date(2023, 12, 31),
                ST.DONE,
                dt.date(2023, 12, 28),
            ),
        ],
        checkins=[dt.date(2023, 11, 20), dt.date(2023, 12, 20), dt.date(2024, 6, 20)],
    )
    b.recognise(institute, 2023)

    (clerk,) = b.best_people(u["BTNMT_VP"], range(2023, 2025), 1)
    one_stop = b.register(
        "BTNMT_VP",
        2024,
        person=clerk,
        plan=plan,
        title="Một cửa điện tử tiếp nhận thủ tục hành chính của Bộ",
        field="Cải cách hành chính",
        summary="Chuẩn hóa quy trình, tiếp nhận và trả kết quả trực tuyến toàn trình.",
        results="Tỷ lệ hồ sơ trả đúng hạn đạt 99,6%.",
    )
    one_stop = b.foster(
        one_stop,
        weaknesses="Chưa kết nối đầy đủ với cơ sở dữ liệu chuyên ngành.",
        remedies="Phối hợp Cục Chuyển đổi số hoàn thiện kết nối.",
        actions=[
            Action(
                K.TECHNICAL,
                "Kết nối cổng dịch vụ công với cơ sở dữ liệu đất đai.",
                dt.date(2024, 9, 30),
                ST.DONE,
                dt.date(2024, 9, 27),
            ),
            Action(
                K.TRAINING,
                "Tập huấn kỹ năng phục vụ người dân.",
                dt.date(2024, 6, 30),
                ST.DONE,
                dt.date(2024, 6, 21),
            ),
        ],
        checkins=[dt.date(2024, 5, 15), dt.date(2024, 10, 15), dt.date(2025, 4, 15)],
    )
    one_stop = b.recognise(one_stop, 2024)
    b.move(one_stop, S.PROPOSED, "Đề nghị xét tặng Bằng khen của Bộ trưởng và tuyên dương.")

    (scientist,) = b.best_people(u["BTNMT_VKH"], range(2023, 2026), 1)
    b.register(
        "BTNMT_VKH",
        2025,
        person=scientist,
        plan=plan,
        title="Kịch bản biến đổi khí hậu chi tiết cho cấp tỉnh",
        field="Nghiên cứu khoa học",
        summary="Chi tiết hóa kịch bản BĐKH đến cấp huyện, phục vụ quy hoạch tỉnh.",
    )


def _soc_trang(
    b: _Builder, plan: Plan, movement: Movement | None, current_plan: Plan | None
) -> None:
    today = b.today
    u = b.units
    inspectors = b.register(
        "ST_TTRA",
        2023,
        collective=u["ST_TTRA"],
        plan=plan,
        title="Thanh tra Sở – giải quyết dứt điểm đơn thư tồn đọng về đất đai",
        field="Thanh tra",
        summary="Phân loại, đối thoại trực tiếp, giải quyết dứt điểm đơn thư tồn đọng.",
        results="Giải quyết 100% đơn thư tồn đọng từ năm 2020 trở về trước.",
    )
    inspectors = b.foster(
        inspectors,
        weaknesses="Hồ sơ lưu trữ còn thủ công.",
        remedies="Số hóa hồ sơ giải quyết đơn thư.",
        actions=[
            Action(
                K.TECHNICAL,
                "Phần mềm quản lý đơn thư.",
                dt.date(2023, 12, 15),
                ST.DONE,
                dt.date(2023, 12, 10),
            ),
            Action(
                K.MORAL,
                "Biểu dương tại hội nghị tổng kết của Sở.",
                dt.date(2023, 12, 31),
                ST.DONE,
                dt.date(2023, 12, 29),
            ),
        ],
        checkins=[dt.date(2023, 11, 30), dt.date(2023, 12, 28)],
    )
    inspectors = b.recognise(inspectors, 2023)
    inspectors = b.move(inspectors, S.PROPOSED, "Đề nghị Bộ công nhận điển hình toàn ngành.")
    b.move(
        inspectors,
        S.RECOGNIZED,
        "Bộ chưa xét công nhận toàn ngành năm 2024 (đã đủ số lượng); tiếp tục là điển hình của Sở.",
    )

    (archivist, officer) = b.best_people(u["ST_VP"], range(2023, 2026), 2)
    archive = b.register(
        "ST_VP",
        2024,
        person=archivist,
        plan=plan,
        title="Số hóa hồ sơ lưu trữ của Văn phòng Sở",
        field="Chuyển đổi số",
        summary="Số hóa, gắn mã tra cứu cho toàn bộ hồ sơ lưu trữ từ năm 2015.",
        results="Thời gian tra cứu hồ sơ giảm từ nửa ngày xuống vài phút.",
    )
    archive = b.foster(
        archive,
        weaknesses="Chưa có quy chế khai thác hồ sơ số.",
        remedies="Tham mưu ban hành quy chế khai thác.",
        actions=[
            Action(
                K.MATERIAL, "Máy quét khổ A3.", dt.date(2024, 4, 30), ST.DONE, dt.date(2024, 4, 18)
            ),
            Action(
                K.MENTORING,
                "Chánh Văn phòng kèm cặp xây dựng quy chế.",
                dt.date(2024, 10, 31),
                ST.DONE,
                dt.date(2024, 10, 30),
            ),
        ],
        checkins=[dt.date(2024, 4, 1), dt.date(2024, 8, 1), dt.date(2024, 12, 1)],
    )
    b.recognise(archive, 2024)

    (monitor,) = b.best_people(u["ST_QT"], range(2023, 2025), 1)
    dropped = b.register(
        "ST_QT",
        2024,
        person=monitor,
        plan=plan,
        title="Quan trắc nước mặt bằng thiết bị tự chế",
        field="Quan trắc môi trường",
        summary="Thiết bị đo độ mặn, pH giá rẻ lắp tại kênh nội đồng.",
    )
    b.move(
        dropped,
        S.DROPPED,
        "Thiết bị chưa được kiểm định; đơn vị dừng theo dõi, hướng dẫn hoàn thiện hồ sơ kiểm định.",
    )

    # 2025: the office is fostered as a collective (the movement's candidate), and one
    # of its staff is recognised.
    candidate = _candidate(movement, "ST_VP", person=False)
    window = b.register(
        "ST_VP",
        2025,
        collective=u["ST_VP"],
        plan=plan,
        movement=movement if candidate is not None else None,
        title="Văn phòng Sở – mô hình “một cửa số”",
        field="Cải cách hành chính",
        summary=(
            candidate.exemplar_note
            if candidate is not None and candidate.exemplar_note
            else "Tiếp nhận hồ sơ qua một cửa số, không để trễ hẹn."
        ),
        note="Phát hiện qua sơ kết phong trào thi đua năm 2025.",
    )
    b.foster(
        window,
        weaknesses="Tập thể chưa đạt Tập thể lao động xuất sắc liên tục các năm 2023–2024.",
        remedies="Phấn đấu đạt TTLĐXS năm 2025; chuẩn hóa quy trình một cửa số.",
        actions=[
            Action(
                K.TECHNICAL,
                "Ki-ốt tra cứu hồ sơ tại bộ phận một cửa.",
                dt.date(2025, 8, 31),
                ST.DONE,
                dt.date(2025, 8, 29),
            ),
            Action(
                K.TRAINING,
                "Tập huấn văn hóa công sở, kỹ năng giao tiếp.",
                dt.date(2025, 9, 30),
                ST.PLANNED,
            ),  # overdue
            Action(
                K.MORAL,
                "Giới thiệu mô hình trên trang thông tin điện tử của Sở.",
                today + dt.timedelta(days=30),
                ST.PLANNED,
            ),
        ],
        checkins=[
            dt.date(2025, 3, 10),
            dt.date(2025, 6, 10),
            dt.date(2025, 9, 10),
            dt.date(2025, 12, 10),
        ],
    )
    budget = b.register(
        "ST_VP",
        2025,
        person=officer,
        plan=plan,
        title="Quản lý tài sản công bằng phần mềm dùng chung",
        field="Tài chính",
        summary="Theo dõi tài sản công của Sở và các phòng trên một phần mềm dùng chung.",
    )
    budget = b.foster(
        budget,
        weaknesses="Chưa chuyển giao cho các Phòng TN&MT cấp huyện.",
        remedies="Hướng dẫn các phòng cấp huyện dùng chung phần mềm.",
        actions=[
            Action(
                K.TRAINING,
                "Tập huấn cho kế toán các phòng cấp huyện.",
                dt.date(2025, 7, 31),
                ST.DONE,
                dt.date(2025, 7, 25),
            ),
            Action(
                K.PRIZE,
                "Giải khuyến khích hội thi sáng kiến của Sở.",
                dt.date(2025, 11, 30),
                ST.DONE,
                dt.date(2025, 11, 20),
            ),
        ],
        checkins=[dt.date(2025, 4, 20), dt.date(2025, 8, 20), dt.date(2025, 12, 5)],
    )
    b.recognise(budget, 2025)

    # A fostered exemplar whose reviewer found one criterion not met (it fails for now).
    (env,) = b.best_people(u["ST_MT"], range(2023, 2026), 1)
    waste = b.register(
        "ST_MT",
        2025,
        person=env,
        plan=plan,
        title="Phân loại rác thải tại nguồn ở khu dân cư",
        field="Quản lý môi trường",
        summary="Vận động hộ dân phân loại rác, phối hợp đơn vị thu gom theo lịch.",
    )
    waste = b.foster(
        waste,
        weaknesses="Mới triển khai ở một phường; chưa tham gia hoạt động xã hội.",
        remedies="Mở rộng sang hai phường; tham gia hoạt động thiện nguyện của Sở.",
        actions=[
            Action(K.MORAL, "Cấp giấy khen của Giám đốc Sở.", dt.date(2025, 12, 31), ST.PLANNED),
            Action(
                K.MATERIAL,
                "Thùng phân loại rác cho khu thí điểm.",
                dt.date(2025, 5, 31),
                ST.DONE,
                dt.date(2025, 5, 30),
            ),
        ],
        checkins=[dt.date(2025, 5, 15), dt.date(2025, 10, 15)],
    )
    b.judge(waste, 2025, met=False, only="DH.chung.tuong_than")

    (water,) = b.best_people(u["ST_TNN"], range(2023, 2026), 1)
    b.register(
        "ST_TNN",
        2025,
        person=water,
        plan=plan,
        title="Bản đồ số giếng khoan khai thác nước ngầm",
        field="Tài nguyên nước",
        summary="Cập nhật vị trí, lưu lượng giếng khoan lên bản đồ số dùng chung.",
    )

    year = today.year
    if year <= 2025:
        return
    (it,) = b.best_people(u["ST_CNTT"], range(year - 2, year), 1)
    b.register(
        "ST_CNTT",
        year,
        person=it,
        plan=current_plan,
        title="Cổng dữ liệu mở tài nguyên và môi trường tỉnh",
        field="Chuyển đổi số",
        summary="Công bố dữ liệu quan trắc, đất đai không mật trên cổng dữ liệu mở.",
    )
