"""Demo commendation rounds: last year's annual round of the ministry, decided, and this
year's round under way, so the round, posting, council and certificate pages are alive.

The ministry (BTNMT) decides both rounds; its council (core.demo: chair, vice-chair,
standing body, six members and a secretary, ten seats) votes on the titles the law puts
to a vote, counted on the whole membership (CSTĐ cấp Bộ 90 %, Cờ thi đua 80 %).

Last year's round: the General Department of Meteorology and Hydrology, the Sóc Trăng
department and the national water resources centre each sent a proposal; the standing
body appraised and accepted them; the council met in January with every member present
and voted in two rounds (the Cờ thi đua asked for a district office that led its cluster
fell short of 80 % twice and failed); the Minister's decision created the awards and
their certificates; one Bằng khen was revoked afterwards (Law Art. 93) for a dishonest
achievement report. The proposals also carry their generated dossiers this year.

This year's round: the council meets three working days after `today`, so the five
working days of public posting include today. The Sóc Trăng department's proposal is
with the council (the public posting lists it; two opinions came in, one answered); the
institute's proposal is under appraisal with one item returned with a comment; the
newspaper's has just been sent; the General Department is still drafting, with a CSTĐ
cấp Bộ its records do not support yet, proposed by its head with a written reason.

Recipients are chosen so that the eligibility engine opens what they are proposed for:
no item whose records say NOT_ELIGIBLE is sent, and the only override is the draft's. A
Cờ thi đua goes to a unit that led a cluster or block of the year, a collective Bằng khen
to a unit rated HTXSNV two years running. A person is the one of the pool whose records
lack least, given, like exemplars.demo does for its guards, what they lack: LĐTT and
CSTĐCS two years running (Bằng khen) or three (CSTĐ cấp Bộ, with an initiative of
ministry scope), and HTXSNV for the years the demo rates (no rating of a year after the
last rated one is invented; the unit's CSTĐCS decision of the year is what is read).
Everything goes through the services with the demo logins that own each step (officer:
prepare and send; head: override; standing body: appraise, session, decision,
revocation); where no such login covers the unit the administrator acts. The services
stamp the sending time with the clock, so last year's proposals are dated back to the
day they were sent (the round page would mark them late otherwise). Runs after
exemplars.demo inside the demo's transaction; deterministic for a given `today`; does
nothing when rounds already exist.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from accounts.access import Perm, can
from accounts.models import Role, RoleGrant, User
from awards import services as rec
from awards.models import Award, AwardType, Discipline, Initiative, InitiativeKind
from commendations import services as cm
from commendations import services_proposals as sp
from commendations.models import (
    CouncilSession,
    ItemStatus,
    Proposal,
    ProposalItem,
    Round,
    RoundKind,
    SessionStatus,
    VoteChoice,
)
from core.choices import Rating
from core.errors import ValidationFailed
from eligibility.engine import Verdict, evaluate_person, evaluate_unit
from exemplars.models import RECOGNIZED_STATES, Exemplar
from organizations.models import Cluster, CouncilMember, Unit, UnitRating, UnitStatus
from people import services as ppl
from people.models import Person, PersonRating
from reports.documents import signer_of

SEED = 20260114
DECIDING = "BTNMT"
AUTHORITY = "Bộ Tài nguyên và Môi trường"
OPEN_VERDICTS = (Verdict.ELIGIBLE.value, Verdict.NEEDS_JUDGEMENT.value)

# Who owns each kind of move, most fitting role first (the administrator last).
PREPARERS = (Role.OFFICER, Role.STANDING, Role.ADMIN)
HEADS = (Role.HEAD, Role.ADMIN)
STANDING = (Role.STANDING, Role.ADMIN)


@dataclass(frozen=True)
class ItemPlan:
    """One item of a proposal. `pool`: the unit among whose staff (or, for a collective,
    among whose units) the recipient is chosen. `{year}` in the texts is the round's year,
    `{cluster}` the cluster or block a Cờ thi đua's recipient led."""

    award: str
    pool: str
    achievement: str
    collective: bool = False
    initiative: str = ""  # title of the ministry-scope initiative CSTĐ cấp Bộ reads
    override: str = ""  # records say NOT_ELIGIBLE; the head proposes it with this reason
    no_votes: tuple[int, ...] = ()  # NO votes of the council in each voting round
    revoke: str = ""  # the award is revoked afterwards, for this reason
    returned: str = ""  # the standing body returns the item with this comment


@dataclass(frozen=True)
class ProposalPlan:
    unit: str
    field: str  # "… có thành tích xuất sắc {field}" in the cover submission
    items: tuple[ItemPlan, ...]


# --- last year's round ------------------------------------------------------------------

PAST: tuple[ProposalPlan, ...] = (
    ProposalPlan(
        "KTTV",
        "trong công tác dự báo, cảnh báo khí tượng thủy văn năm {year}",
        (
            ItemPlan(
                "CSTD_BO", "KTTV_TTDB",
                "Chủ trì xây dựng quy trình dự báo mưa lớn hạn ngắn từ sản phẩm mô hình số trị"
                " phân giải cao; ba năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; sáng"
                " kiến được Bộ công nhận có hiệu quả, phạm vi ảnh hưởng cấp Bộ.",
                initiative="Quy trình hiệu chỉnh dự báo mưa lớn hạn ngắn từ sản phẩm mô hình"
                " số trị phân giải cao",
            ),
            ItemPlan(
                "BK_BO", "KTTV_NB",
                "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; trực tiếp theo dõi, cảnh"
                " báo xâm nhập mặn mùa khô vùng Đồng bằng sông Cửu Long, 100% bản tin phát hành"
                " đúng hạn.",
            ),
            ItemPlan(
                "CO_BO", "KTTV",
                "Dẫn đầu {cluster} năm {year}; hoàn thành vượt mức các chỉ tiêu thi đua và nhiệm"
                " vụ chuyên môn được giao, là tập thể tiêu biểu của Tổng cục.",
                collective=True, no_votes=(1,),
            ),
        ),
    ),
    ProposalPlan(
        "STNMT_ST",
        "trong quản lý tài nguyên và môi trường trên địa bàn tỉnh Sóc Trăng năm {year}",
        (
            ItemPlan(
                "BK_BO", "ST_VPDK",
                "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; giải quyết đúng hạn 100%"
                " hồ sơ đăng ký biến động đất đai được giao; đề xuất số hóa hồ sơ địa chính, rút"
                " ngắn thời gian tra cứu cho người dân.",
            ),
            ItemPlan(
                "BK_BO", "STNMT_ST",
                "Hai năm liên tục hoàn thành xuất sắc nhiệm vụ; thực hiện tốt cải cách hành chính,"
                " ứng dụng công nghệ thông tin trong giải quyết công việc, không có đơn thư khiếu"
                " nại kéo dài.",
                collective=True,
            ),
            ItemPlan(
                "CO_BO", "STNMT_ST",
                "Dẫn đầu {cluster} năm {year}; hoàn thành vượt mức các chỉ tiêu thi đua của Sở,"
                " tổ chức tốt phong trào thi đua chuyển đổi số.",
                collective=True, no_votes=(3, 4),
            ),
        ),
    ),
    ProposalPlan(
        "BTNMT_TNN",
        "trong điều tra, quy hoạch tài nguyên nước năm {year}",
        (
            ItemPlan(
                "BK_BO", "BTNMT_TNN",
                "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; tham gia điều tra, đánh"
                " giá tài nguyên nước dưới đất vùng ven biển Nam Bộ, báo cáo tổng hợp được Hội"
                " đồng nghiệm thu đánh giá xuất sắc.",
            ),
            ItemPlan(
                "BK_BO", "BTNMT_TNN",
                "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; chủ trì biên tập bộ bản"
                " đồ tài nguyên nước mặt lưu vực sông Đồng Nai, hoàn thành trước tiến độ.",
                revoke=(
                    "Kê khai không trung thực thành tích: kết quả nêu trong báo cáo thành tích"
                    " là của nhiệm vụ do cá nhân khác chủ trì (Luật Thi đua, khen thưởng 2022,"
                    " Điều 93; kết luận xác minh của Thanh tra Bộ)."
                ),
            ),
        ),
    ),
)  # fmt: skip

# --- this year's round -------------------------------------------------------------------

WITH_COUNCIL = ProposalPlan(
    "STNMT_ST",
    "trong quản lý tài nguyên và môi trường trên địa bàn tỉnh Sóc Trăng năm {year}",
    (
        ItemPlan(
            "CSTD_BO", "ST_VPDK",
            "Ba năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; chủ trì giải pháp số hóa,"
            " liên thông hồ sơ địa chính được Bộ công nhận có phạm vi ảnh hưởng cấp Bộ; giải"
            " quyết đúng hạn 100% hồ sơ được giao.",
            initiative="Giải pháp số hóa, liên thông hồ sơ địa chính giữa Văn phòng Đăng ký đất"
            " đai và các chi nhánh",
        ),
        ItemPlan(
            "BK_BO", "ST_MT",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; tham gia đoàn kiểm tra liên"
            " ngành, xử lý dứt điểm các vụ việc ô nhiễm môi trường tại cơ sở chế biến thủy sản.",
        ),
        ItemPlan(
            "BK_BO", "ST_TNN",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; tham mưu cấp phép khai thác"
            " nước dưới đất đúng hạn, hoàn thành kiểm kê tài nguyên nước của tỉnh trước tiến độ.",
        ),
    ),
)  # fmt: skip

UNDER_APPRAISAL = ProposalPlan(
    "BTNMT_VKH",
    "trong nghiên cứu khoa học khí tượng thủy văn và biến đổi khí hậu năm {year}",
    (
        ItemPlan(
            "BK_BO", "BTNMT_VKH",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; chủ nhiệm đề tài cấp Bộ về"
            " tác động của biến đổi khí hậu đến xâm nhập mặn vùng Đồng bằng sông Cửu Long, kết"
            " quả được chuyển giao cho các địa phương.",
            returned=(
                "Báo cáo thành tích chưa nêu số liệu cụ thể về kết quả chuyển giao; đề nghị bổ"
                " sung xác nhận của Hội đồng khoa học Viện về hiệu quả áp dụng của đề tài."
            ),
        ),
        ItemPlan(
            "BK_BO", "BTNMT_VKH",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; tham gia xây dựng kịch bản"
            " biến đổi khí hậu, nước biển dâng cập nhật; công bố 3 bài báo khoa học trong năm.",
        ),
    ),
)  # fmt: skip

JUST_SENT = ProposalPlan(
    "BAO_TNMT",
    "trong công tác thông tin, tuyên truyền về tài nguyên và môi trường năm {year}",
    (
        ItemPlan(
            "BK_BO", "BAO_TNMT",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; thực hiện loạt bài điều tra"
            " về khai thác cát trái phép trên sông, góp phần chấn chỉnh quản lý khoáng sản.",
        ),
        ItemPlan(
            "BK_BO", "BAO_TNMT",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; tổ chức chuyên trang về"
            " phòng, chống thiên tai và thích ứng với biến đổi khí hậu.",
        ),
    ),
)  # fmt: skip

DRAFTING = ProposalPlan(
    "KTTV",
    "trong công tác dự báo, cảnh báo khí tượng thủy văn năm {year}",
    (
        ItemPlan(
            "CSTD_BO", "KTTV_TTDB",
            "Trưởng nhóm dự báo mưa lớn; chủ trì ứng dụng trí tuệ nhân tạo hiệu chỉnh sản"
            " phẩm mô hình số trị, nâng độ chính xác dự báo mưa lớn hạn ngắn.",
            override=(
                "Thành tích xuất sắc đột xuất trong dự báo, cảnh báo mưa lũ lớn năm {year};"
                " sáng kiến cấp Bộ đang chờ Hội đồng khoa học công nhận, Tổng cục sẽ bổ sung"
                " minh chứng trước khi gửi hồ sơ."
            ),
        ),
        ItemPlan(
            "BK_BO", "KTTV_BB",
            "Hai năm liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở; duy trì vận hành mạng lưới"
            " trạm đo mưa tự động khu vực miền núi phía Bắc, cảnh báo lũ quét kịp thời.",
        ),
    ),
)  # fmt: skip

# Opinions sent on the posting: (award, pool of the item it concerns, name, contact,
# content, the standing body's answer or "" while unanswered).
OPINIONS = (
    (
        "BK_BO", "ST_MT", "Trần Văn Bảy", "0912 000 111",
        "Đề nghị cơ quan thường trực làm rõ số vụ việc ô nhiễm được xử lý nêu trong báo cáo"
        " thành tích; theo báo địa phương, một số vụ việc do Thanh tra Sở chủ trì xử lý.",
        "Cơ quan thường trực đã đối chiếu với Sở Tài nguyên và Môi trường Sóc Trăng: cá nhân"
        " được đề nghị là thành viên đoàn kiểm tra liên ngành, báo cáo thành tích đã ghi rõ vai"
        " trò; ý kiến được báo cáo Hội đồng tại phiên họp ngày {council}.",
    ),
    (
        "CSTD_BO", "ST_VPDK", "Lâm Thị Kim Thoa", "",
        "Đồng tình với đề nghị: thủ tục đăng ký đất đai tại Văn phòng Đăng ký đất đai nhanh,"
        " đúng hẹn; cán bộ hướng dẫn người dân tận tình.",
        "",
    ),
)  # fmt: skip

# Years running of LĐTT and CSTĐCS (with HTXSNV) each personal form reads, its year included.
SPAN = {"BK_BO": 2, "CSTD_BO": 3}


def _add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day (Monday–Friday) after `day`."""
    current, left = day, count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _count_by(queryset: Any, field: str) -> dict[int, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))


class _Builder:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.units = {u.code: u for u in Unit.objects.all()}
        self.types = {t.code: t for t in AwardType.objects.all()}
        logins = list(User.objects.filter(is_active=True).order_by("pk"))
        self.grants: list[tuple[str, User]] = [
            (g.role, g.user)
            for g in RoleGrant.objects.filter(user__in=logins)
            .select_related("user")
            .order_by("user_id", "pk")
        ]
        self.admin = next((u for u in logins if u.is_superuser), None)
        # People with a disciplinary case and the demo logins' own persons are not proposed.
        self.avoid: set[int] = set(Discipline.objects.values_list("person_id", flat=True)) | set(
            User.objects.exclude(person=None).values_list("person_id", flat=True)
        )
        self.taken: set[int] = set()
        self.taken_units: set[int] = set()
        # The demo records ratings up to this year; a later year's are not entered yet.
        self.rated_through = PersonRating.objects.aggregate(m=Max("year"))["m"] or 0
        self.numbers = itertools.count(1)
        self.deciding = self.units[DECIDING]
        self.plans: dict[int, ItemPlan] = {}  # item pk → its plan

    def day(self, year: int, month: int, day: int) -> dt.date:
        """A date of the story, never after the day the demo is loaded."""
        return min(dt.date(year, month, day), self.today)

    # -- actors --
    def actor(self, roles: Sequence[str], perm: Perm, unit: Unit) -> User | None:
        for role in roles:
            for granted, user in self.grants:
                if granted == role and can(user, perm, unit):
                    return user
        return self.admin

    @property
    def standing(self) -> User | None:
        return self.actor(STANDING, Perm.PROPOSE_EXEMPLARS, self.deciding)

    # -- people --
    def _staff(self, rnd: Round, plan: ItemPlan, started_by: int) -> list[Person]:
        """Staff of the pool (not heads) free to be proposed, shuffled. Nobody holds a
        proposal of the year but those this demo took; item_add checks again."""
        unit = self.units[plan.pool]
        people = Person.objects.filter(
            unit__path__startswith=unit.path, is_head=False, started_on__year__lte=started_by
        ).select_related("unit")
        holders = set(
            Award.objects.filter(award_type__code=plan.award, year=rnd.year).values_list(
                "person_id", flat=True
            )
        )
        skip = self.avoid | self.taken | holders
        staff = [p for p in people.order_by("code") if p.pk not in skip]
        self.rng.shuffle(staff)
        return staff

    def ineligible(self, rnd: Round, plan: ItemPlan) -> Person:
        """A person of the pool whose records do not open the award (to be overridden)."""
        for person in self._staff(rnd, plan, rnd.year - 1):
            _rs, subject = evaluate_person(person, rnd.year, explain=False)
            result = subject.result(plan.award)
            if result is not None and result.verdict == Verdict.NOT_ELIGIBLE:
                self.taken.add(person.pk)
                return person
        raise LookupError(f"no ineligible {plan.award} in {plan.pool}")  # pragma: no cover

    def _initiatives(self, person: Person, years: Sequence[int]) -> list[Initiative]:
        return list(
            Initiative.objects.filter(
                authors=person,
                year__gte=years[0],
                year__lte=years[-1],
                level__in=("BO_TINH", "TOAN_QUOC"),
                used_by__isnull=True,
            ).order_by("year", "pk")[:1]
        )

    def _lacking(
        self, staff: Sequence[Person], years: Sequence[int], initiative: bool
    ) -> dict[int, int]:
        """How much each person's records lack for the form: a missing record counts 1, a
        lower rating to raise counts 3 (the demo's history is changed as little as it can)."""
        ids = [p.pk for p in staff]
        ratings = {
            (pid, y): r
            for pid, y, r in PersonRating.objects.filter(
                person_id__in=ids, year__in=years
            ).values_list("person_id", "year", "rating")
        }
        held = set(
            Award.objects.filter(
                person_id__in=ids, year__in=years, award_type__code__in=("LDTT", "CSTDCS")
            ).values_list("person_id", "award_type__code", "year")
        )
        cited = set(
            Initiative.objects.filter(
                authors__in=ids,
                year__gte=years[0],
                year__lte=years[-1],
                level__in=("BO_TINH", "TOAN_QUOC"),
                used_by__isnull=True,
            ).values_list("authors", flat=True)
        )
        lacking = {}
        for pid in ids:
            n = 0
            for y in years:
                if y <= self.rated_through and ratings.get((pid, y)) != Rating.HTXSNV:
                    n += 3 if (pid, y) in ratings else 1
                n += sum(1 for code in ("LDTT", "CSTDCS") if (pid, code, y) not in held)
            if initiative and pid not in cited:
                n += 1
            lacking[pid] = n
        return lacking

    def recipient(self, rnd: Round, plan: ItemPlan) -> tuple[Person, list[Initiative]]:
        """The person of the pool whose records lack least for the form, given what they
        lack, as exemplars.demo does for its guards: the HTXSNV ratings the demo records,
        the LĐTT and CSTĐCS the unit's head decided each year and, for CSTĐ cấp Bộ, an
        initiative of ministry scope. Returns the initiatives the item cites."""
        years = list(range(rnd.year - SPAN[plan.award] + 1, rnd.year + 1))
        staff = self._staff(rnd, plan, years[0])
        if plan.award == "BK_BO":  # the chain of CSTĐCS counts after the last Bằng khen
            recent = set(
                Award.objects.filter(
                    person__in=staff, award_type__code="BK_BO", year__in=years
                ).values_list("person_id", flat=True)
            )
            staff = [p for p in staff if p.pk not in recent]
        lacking = self._lacking(staff, years, bool(plan.initiative))
        person = min(staff, key=lambda p: lacking[p.pk])
        self.taken.add(person.pk)
        officer = self.actor(PREPARERS, Perm.MANAGE_RECORDS, person.unit)
        ratings = dict(
            PersonRating.objects.filter(person=person, year__in=years).values_list("year", "rating")
        )
        held = set(
            Award.objects.filter(person=person, year__in=years).values_list(
                "award_type__code", "year"
            )
        )
        for y in years:
            if y <= self.rated_through and ratings.get(y) != Rating.HTXSNV:
                ppl.person_rating_set(actor=officer, person=person, year=y, rating=Rating.HTXSNV)
            for code in ("LDTT", "CSTDCS"):
                if (code, y) not in held:
                    rec.award_create(
                        actor=officer,
                        data=rec.AwardData(
                            award_type=self.types[code],
                            year=y,
                            decision_number=f"{500 + next(self.numbers)}/QĐ-TĐKT (minh hoạ)",
                            decision_date=self.day(y, 12, 25),
                            person=person,
                            signer="Thủ trưởng đơn vị",
                        ),
                    )
        if not plan.initiative:
            return person, []
        initiatives = self._initiatives(person, years)
        if not initiatives:
            initiatives.append(
                rec.initiative_create(
                    actor=officer,
                    data=rec.InitiativeData(
                        title=plan.initiative,
                        authors=[person],
                        unit=person.unit,
                        level="BO_TINH",
                        recognized_on=self.day(rnd.year - 1, 9, 15),
                        year=rnd.year - 1,
                        kind=InitiativeKind.INITIATIVE,
                        decision_number=f"{1200 + next(self.numbers)}/QĐ-BTNMT (minh hoạ)",
                    ),
                )
            )
        return person, initiatives

    # -- collectives --
    def collective(self, rnd: Round, plan: ItemPlan) -> tuple[Unit, str]:
        """A unit of the pool (not the pool itself) whose records open the form: for a Cờ
        thi đua, one that led a cluster or block of the year. Returns it and the cluster."""
        root = self.units[plan.pool]
        award_type = self.types[plan.award]

        def free(unit: Unit) -> bool:
            return unit.pk not in self.taken_units and not cm.conflicts(
                round=rnd, award_type=award_type, person=None, unit=unit, initiatives=()
            )

        if plan.award == "CO_BO":
            for cluster in (
                Cluster.objects.filter(year=rnd.year, leader__path__startswith=root.path)
                .exclude(leader=root)
                .select_related("leader")
                .order_by("name", "pk")
            ):
                leader = cluster.leader
                if leader is not None and free(leader):
                    self.taken_units.add(leader.pk)
                    return leader, cluster.name
        units = [
            u
            for u in Unit.objects.filter(path__startswith=root.path, status=UnitStatus.ACTIVE)
            .exclude(pk=root.pk)
            .order_by("path")
            if free(u)
        ]
        self.rng.shuffle(units)
        # Units rated HTXSNV last year and this year first: what a Bằng khen reads.
        excellent = _count_by(
            UnitRating.objects.filter(
                unit__in=units, year__in=(rnd.year - 1, rnd.year), rating=Rating.HTXSNV
            ),
            "unit_id",
        )
        units.sort(key=lambda u: -excellent.get(u.pk, 0))
        chosen = units[0]  # when none qualifies, sending overrides it (never expected)
        for unit in units[:5]:
            _rs, subject = evaluate_unit(unit, rnd.year, explain=False)
            result = subject.result(plan.award) if subject is not None else None
            if result is not None and result.verdict.value in OPEN_VERDICTS:
                chosen = unit
                break
        self.taken_units.add(chosen.pk)
        return chosen, ""

    # -- proposals --
    def prepare(self, rnd: Round, plan: ProposalPlan) -> Proposal:
        unit = self.units[plan.unit]
        officer = self.actor(PREPARERS, Perm.MANAGE_RECORDS, unit)
        proposal = cm.proposal_create(actor=officer, round=rnd, unit=unit)
        proposal = sp.proposal_update(
            actor=officer,
            proposal=proposal,
            simplified=False,
            summary=(
                f"Căn cứ Luật Thi đua, khen thưởng năm 2022 và Kế hoạch tổ chức phong trào thi"
                f" đua năm {rnd.year} của Bộ, {unit.name} kính đề nghị Bộ trưởng xét tặng danh"
                f" hiệu thi đua, hình thức khen thưởng cho các tập thể, cá nhân có thành tích"
                f" xuất sắc {plan.field.format(year=rnd.year)}."
            ),
        )
        for item_plan in plan.items:
            self.add_item(rnd, proposal, item_plan)
        return proposal

    def add_item(self, rnd: Round, proposal: Proposal, plan: ItemPlan) -> ProposalItem:
        officer = self.actor(PREPARERS, Perm.MANAGE_RECORDS, proposal.unit)
        person: Person | None = None
        unit: Unit | None = None
        initiatives: list[Initiative] = []
        cluster = ""
        if plan.collective:
            unit, cluster = self.collective(rnd, plan)
        elif plan.override:
            person = self.ineligible(rnd, plan)
        else:
            person, initiatives = self.recipient(rnd, plan)
        exemplar = (
            Exemplar.objects.filter(person=person, state__in=RECOGNIZED_STATES)
            .order_by("-year", "pk")
            .first()
            if person is not None
            else None
        )
        item = cm.item_add(
            actor=officer,
            proposal=proposal,
            data=cm.ItemData(
                award_type=self.types[plan.award],
                achievement=plan.achievement.format(year=rnd.year, cluster=cluster),
                person=person,
                unit=unit,
                exemplar=exemplar,
                initiatives=initiatives,
            ),
        )
        if plan.override:
            item = cm.item_override(
                actor=self.actor(HEADS, Perm.CONFIRM, proposal.unit),
                item=item,
                reason=plan.override.format(year=rnd.year),
            )
        self.plans[item.pk] = plan
        return item

    def send(self, proposal: Proposal, *, dossier: bool = False) -> Proposal:
        officer = self.actor(PREPARERS, Perm.MANAGE_RECORDS, proposal.unit)
        if dossier:
            sp.dossier_generate(actor=officer, proposal=proposal)
        try:
            return cm.proposal_submit(actor=officer, proposal=proposal)
        except ValidationFailed as exc:  # pragma: no cover - a guard, not expected to act
            # Whatever the records of another year say, the demo's proposals are sent:
            # the head proposes what the records refuse, with a reason.
            refused = [int(e.field.split(".")[1]) for e in exc.errors if e.field[:6] == "items."]
            if not refused:
                raise
            for item in proposal.items.filter(pk__in=refused):
                cm.item_override(
                    actor=self.actor(HEADS, Perm.CONFIRM, proposal.unit),
                    item=item,
                    reason="Thành tích xuất sắc đột xuất, Thủ trưởng đơn vị xác nhận.",
                )
            return cm.proposal_submit(actor=officer, proposal=proposal)

    def appraise(self, proposal: Proposal) -> Proposal:
        proposal = sp.proposal_take(actor=self.standing, proposal=proposal)
        return cm.proposal_accept(actor=self.standing, proposal=proposal)

    # -- the council --
    def vote(self, session: CouncilSession, members: list[CouncilMember]) -> CouncilSession:
        """Every member present votes on every open item, round after round, until the
        session closes: YES unless the item's plan asks for NO votes in that round."""
        while session.status != SessionStatus.CLOSED:
            session = cm.voting_open(actor=self.standing, session=session)
            for item in cm.open_items(session):
                planned = self.plans[item.pk].no_votes
                no = (
                    planned[session.voting_round - 1] if session.voting_round <= len(planned) else 0
                )
                for index, member in enumerate(members):
                    choice = VoteChoice.NO if index >= len(members) - no else VoteChoice.YES
                    cm.cast_vote(session=session, item=item, member=member, choice=choice)
            cm.voting_close(actor=self.standing, session=session)
            session.refresh_from_db()
        return session

    # -- the two rounds --
    def past_round(self) -> Round:
        year = self.today.year - 1
        council_on = self.day(year + 1, 1, 14)
        rnd = cm.round_create(
            actor=self.standing,
            data=cm.RoundData(
                code=f"KT-BTNMT-{year}",
                title=f"Xét khen thưởng thường xuyên năm {year} của Bộ Tài nguyên và Môi trường",
                kind=RoundKind.ANNUAL,
                year=year,
                deciding_unit=self.deciding,
                submission_due=dt.date(year, 12, 15),
                appraisal_due=dt.date(year, 12, 29),
                council_on=council_on,
                posting_working_days=10,
                note="Đợt xét thi đua, khen thưởng cuối năm theo Kế hoạch của Bộ (minh hoạ).",
            ),
        )
        sent_on = (dt.date(year, 12, 10), dt.date(year, 12, 12), dt.date(year, 12, 15))
        for plan, day in zip(PAST, sent_on, strict=True):
            proposal = self.send(self.prepare(rnd, plan))
            self.appraise(proposal)
            Proposal.objects.filter(pk=proposal.pk).update(submitted_at=_at(day))
        session = cm.session_create(actor=self.standing, round=rnd, held_on=council_on)
        members = cm.council_members(session.council, session.held_on)
        cm.attendance_set(actor=self.standing, session=session, present=[m.pk for m in members])
        self.vote(session, members)
        passed = list(
            ProposalItem.objects.filter(proposal__round=rnd, status=ItemStatus.PASSED).order_by(
                "pk"
            )
        )
        _title, minister = signer_of(self.deciding)
        decision = cm.decision_issue(
            actor=self.standing,
            round=rnd,
            data=cm.DecisionData(
                number="125/QĐ-BTNMT (minh hoạ)",
                signed_on=self.day(year + 1, 1, 22),
                signer=minister or "Bộ trưởng",
                authority=AUTHORITY,
            ),
            items=passed,
        )
        for item in ProposalItem.objects.filter(proposal__round=rnd, award__isnull=False).order_by(
            "pk"
        ):
            reason = self.plans[item.pk].revoke
            if reason and item.award is not None:
                cm.revoke(
                    actor=self.standing,
                    award=item.award,
                    reason=reason,
                    decision_number="412/QĐ-BTNMT (minh hoạ)",
                    decision_date=max(self.day(year + 1, 6, 18), decision.signed_on),
                )
        return rnd

    def current_round(self) -> Round:
        year = self.today.year
        council_on = _add_working_days(self.today, 3)
        rnd = cm.round_create(
            actor=self.standing,
            data=cm.RoundData(
                code=f"KT-BTNMT-{year}",
                title=f"Xét khen thưởng thường xuyên năm {year} của Bộ Tài nguyên và Môi trường",
                kind=RoundKind.ANNUAL,
                year=year,
                deciding_unit=self.deciding,
                # Tomorrow: the proposals sent today are not late wherever the clock's
                # day (the sending time is the clock's, in the project's time zone).
                submission_due=self.today + dt.timedelta(days=1),
                appraisal_due=council_on - dt.timedelta(days=2),
                council_on=council_on,
                posting_working_days=5,
                note="Đợt xét thi đua, khen thưởng cuối năm theo Kế hoạch của Bộ (minh hoạ).",
            ),
        )
        # With the council: appraised, and listed on the public posting.
        posted = self.appraise(self.send(self.prepare(rnd, WITH_COUNCIL), dossier=True))
        # Under appraisal: one item returned to the institute with a comment.
        appraised = sp.proposal_take(
            actor=self.standing,
            proposal=self.send(self.prepare(rnd, UNDER_APPRAISAL), dossier=True),
        )
        for item in appraised.items.order_by("pk"):
            comment = self.plans[item.pk].returned
            if comment:
                cm.item_return(actor=self.standing, item=item, comment=comment)
        # Just sent: waiting for the standing body.
        self.send(self.prepare(rnd, JUST_SENT))
        # Still drafting, with an ineligible item the head proposes with a reason.
        self.prepare(rnd, DRAFTING)
        # Opinions on the public posting, one answered by the standing body.
        items = {
            (self.plans[i.pk].award, self.plans[i.pk].pool): i
            for i in sp.posted_items(rnd).filter(proposal=posted)
        }
        for award, pool, name, contact, content, response in OPINIONS:
            concerned = items.get((award, pool))
            opinion = sp.posting_comment_add(
                round=rnd,
                data=sp.CommentData(
                    name=name,
                    content=content,
                    contact=contact,
                    item_id=concerned.pk if concerned is not None else None,
                ),
                ip="",
                on=self.today,
            )
            if response:
                sp.posting_comment_handle(
                    actor=self.standing,
                    comment=opinion,
                    response=response.format(council=f"{council_on:%d/%m/%Y}"),
                )
        return rnd


def build(today: dt.date) -> None:
    if Round.objects.exists() or DECIDING not in set(Unit.objects.values_list("code", flat=True)):
        return
    builder = _Builder(today)
    builder.past_round()
    builder.current_round()
