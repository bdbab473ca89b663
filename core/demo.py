"""Demo data: a fictional slice of the natural resources and environment sector.

The unit names follow the plans in the seed documents (the Ministry, the
General Department of Meteorology and Hydrology, the Sóc Trăng department and
its district offices); every person is invented from lists of common family,
middle and given names, so no name belongs to a real official.

Everything is written through the same service functions the application
uses, so the audit chain covers the demo data and `verify_audit` passes on a
freshly loaded database. A fixed seed makes two loads produce the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.db import transaction

from accounts import services as accounts
from accounts.models import Role, RoleGrant, User
from core.choices import Gender, Rating
from organizations import services as org
from organizations.models import ClusterKind, CouncilRole, Unit, UnitKind
from people import services as ppl
from people.models import Person

SEED = 20250701
ROOT_CODE = "BTNMT"
DEMO_PASSWORD = "demo1234"
EMAIL_DOMAIN = "demo.thidua.local"
RATING_YEARS = range(2021, 2026)
FOUNDED = dt.date(2010, 1, 1)
MERGE_ON = dt.date(2025, 7, 1)
NEWCOMER_CUTOFF = dt.date(2025, 1, 1)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    size: int
    head: str
    deputy: str
    staff: tuple[str, ...]
    short_name: str = ""
    valid_from: dt.date = FOUNDED


CIVIL = ("Chuyên viên chính", "Chuyên viên", "Chuyên viên", "Cán sự")
INSPECT = ("Thanh tra viên chính", "Thanh tra viên", "Thanh tra viên", "Chuyên viên")
FORECAST = ("Dự báo viên chính", "Dự báo viên", "Quan trắc viên", "Kỹ sư", "Kỹ thuật viên")
PRESS = ("Phóng viên", "Phóng viên", "Biên tập viên", "Kỹ thuật viên", "Chuyên viên")
SERVICE = ("Viên chức", "Kỹ sư", "Kỹ thuật viên", "Chuyên viên")
LEADERS_MIN = ("Thứ trưởng",)

_D = UnitKind
UNITS: tuple[UnitSpec, ...] = (
    # --- the Ministry and the bodies directly under it ---------------------------
    UnitSpec("BTNMT", "Bộ Tài nguyên và Môi trường", _D.MINISTRY, None, 4,
             "Bộ trưởng", "Thứ trưởng", LEADERS_MIN, "Bộ TN&MT", dt.date(2002, 8, 5)),
    UnitSpec("BTNMT_TCCB", "Vụ Tổ chức cán bộ", _D.DEPARTMENT, "BTNMT", 13,
             "Vụ trưởng", "Phó Vụ trưởng", CIVIL, "Vụ TCCB"),
    UnitSpec("BTNMT_VP", "Văn phòng Bộ", _D.OFFICE, "BTNMT", 14,
             "Chánh Văn phòng", "Phó Chánh Văn phòng", CIVIL),
    UnitSpec("BTNMT_KHTC", "Vụ Kế hoạch – Tài chính", _D.DEPARTMENT, "BTNMT", 10,
             "Vụ trưởng", "Phó Vụ trưởng", CIVIL, "Vụ KHTC"),
    UnitSpec("BTNMT_PC", "Vụ Pháp chế", _D.DEPARTMENT, "BTNMT", 8,
             "Vụ trưởng", "Phó Vụ trưởng", CIVIL),
    UnitSpec("BTNMT_TTRA", "Thanh tra Bộ", _D.DEPARTMENT, "BTNMT", 10,
             "Chánh Thanh tra", "Phó Chánh Thanh tra", INSPECT),
    UnitSpec("BTNMT_TNN", "Trung tâm Quy hoạch và Điều tra tài nguyên nước quốc gia",
             _D.AFFILIATED, "BTNMT", 14, "Tổng Giám đốc", "Phó Tổng Giám đốc", SERVICE),
    UnitSpec("BTNMT_VKH", "Viện Khoa học Khí tượng Thủy văn và Biến đổi khí hậu",
             _D.AFFILIATED, "BTNMT", 12, "Viện trưởng", "Phó Viện trưởng",
             ("Nghiên cứu viên chính", "Nghiên cứu viên", "Nghiên cứu viên", "Kỹ sư")),
    UnitSpec("BAO_TNMT", "Báo Tài nguyên và Môi trường", _D.PRESS, "BTNMT", 14,
             "Tổng Biên tập", "Phó Tổng Biên tập", PRESS, "Báo TN&MT"),
    UnitSpec("TC_TNMT", "Tạp chí Tài nguyên và Môi trường", _D.PRESS, "BTNMT", 9,
             "Tổng Biên tập", "Phó Tổng Biên tập", PRESS),
    UnitSpec("TTTT_TNMT", "Trung tâm Truyền thông tài nguyên và môi trường", _D.PRESS,
             "BTNMT", 12, "Giám đốc", "Phó Giám đốc", PRESS, "", dt.date(2016, 1, 1)),
    # --- the General Department of Meteorology and Hydrology ---------------------
    UnitSpec("KTTV", "Tổng cục Khí tượng Thủy văn", _D.GENERAL_DEPARTMENT, "BTNMT", 3,
             "Tổng cục trưởng", "Phó Tổng cục trưởng", ("Phó Tổng cục trưởng",),
             "Tổng cục KTTV", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_VP", "Văn phòng Tổng cục", _D.OFFICE, "KTTV", 12,
             "Chánh Văn phòng", "Phó Chánh Văn phòng", CIVIL, "", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_TCCB", "Vụ Tổ chức cán bộ Tổng cục", _D.DEPARTMENT, "KTTV", 9,
             "Vụ trưởng", "Phó Vụ trưởng", CIVIL, "", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_TTDB", "Trung tâm Dự báo khí tượng thủy văn quốc gia", _D.AFFILIATED,
             "KTTV", 24, "Giám đốc", "Phó Giám đốc", FORECAST, "", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_NB", "Đài Khí tượng Thủy văn khu vực Nam Bộ", _D.AFFILIATED, "KTTV", 20,
             "Giám đốc Đài", "Phó Giám đốc Đài", FORECAST, "", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_BB", "Đài Khí tượng Thủy văn khu vực Bắc Bộ", _D.AFFILIATED, "KTTV", 20,
             "Giám đốc Đài", "Phó Giám đốc Đài", FORECAST, "", dt.date(2017, 6, 1)),
    UnitSpec("KTTV_TC", "Tạp chí Khí tượng Thủy văn", _D.PRESS, "KTTV", 7,
             "Tổng Biên tập", "Phó Tổng Biên tập", PRESS, "", dt.date(2017, 6, 1)),
    # --- the Sóc Trăng Department of Natural Resources and Environment -----------
    UnitSpec("STNMT_ST", "Sở Tài nguyên và Môi trường Sóc Trăng", _D.PROVINCIAL_DEPARTMENT,
             "BTNMT", 3, "Giám đốc Sở", "Phó Giám đốc Sở", ("Phó Giám đốc Sở",),
             "Sở TN&MT Sóc Trăng"),
    UnitSpec("ST_VP", "Văn phòng Sở", _D.OFFICE, "STNMT_ST", 10,
             "Chánh Văn phòng", "Phó Chánh Văn phòng", CIVIL),
    UnitSpec("ST_QLDD", "Phòng Quản lý đất đai", _D.OFFICE, "STNMT_ST", 8,
             "Trưởng phòng", "Phó Trưởng phòng", CIVIL),
    UnitSpec("ST_TNN", "Phòng Tài nguyên nước – Khí tượng thủy văn", _D.OFFICE, "STNMT_ST", 6,
             "Trưởng phòng", "Phó Trưởng phòng", CIVIL),
    UnitSpec("ST_MT", "Phòng Môi trường", _D.OFFICE, "STNMT_ST", 7,
             "Trưởng phòng", "Phó Trưởng phòng", CIVIL),
    UnitSpec("ST_TTRA", "Thanh tra Sở", _D.OFFICE, "STNMT_ST", 6,
             "Chánh Thanh tra", "Phó Chánh Thanh tra", INSPECT),
    UnitSpec("ST_VPDK", "Văn phòng Đăng ký đất đai", _D.AFFILIATED, "STNMT_ST", 16,
             "Giám đốc", "Phó Giám đốc", SERVICE),
    UnitSpec("ST_QT", "Trung tâm Quan trắc tài nguyên và môi trường", _D.AFFILIATED,
             "STNMT_ST", 10, "Giám đốc", "Phó Giám đốc", ("Quan trắc viên", *SERVICE)),
    UnitSpec("ST_CNTT", "Trung tâm Công nghệ thông tin tài nguyên và môi trường",
             _D.AFFILIATED, "STNMT_ST", 7, "Giám đốc", "Phó Giám đốc", SERVICE),
)  # fmt: skip

# Phòng Tài nguyên và Môi trường of each district-level area of Sóc Trăng.
DISTRICTS: tuple[tuple[str, str, int], ...] = (
    ("ST_TPST", "thành phố Sóc Trăng", 8),
    ("ST_CTH", "huyện Châu Thành", 6),
    ("ST_KSA", "huyện Kế Sách", 6),
    ("ST_MTU", "huyện Mỹ Tú", 6),
    ("ST_CLD", "huyện Cù Lao Dung", 5),
    ("ST_LPH", "huyện Long Phú", 6),
    ("ST_MXU", "huyện Mỹ Xuyên", 6),
    ("ST_NNA", "thị xã Ngã Năm", 5),
    ("ST_TTR", "huyện Thạnh Trị", 5),
    ("ST_VCH", "thị xã Vĩnh Châu", 7),
    ("ST_TDE", "huyện Trần Đề", 6),
)
DISTRICT_UNITS: tuple[UnitSpec, ...] = tuple(
    UnitSpec(code, f"Phòng Tài nguyên và Môi trường {area}", _D.DISTRICT_OFFICE, "STNMT_ST",
             size, "Trưởng phòng", "Phó Trưởng phòng", CIVIL)
    for code, area, size in DISTRICTS
)  # fmt: skip
ALL_UNITS = UNITS + DISTRICT_UNITS

# The restructuring shown in the demo: two district offices become one.
MERGED_SOURCES = ("ST_LPH", "ST_TDE")
MERGED_CODE = "ST_LPTD"
MERGED_NAME = "Phòng Tài nguyên và Môi trường khu vực Long Phú – Trần Đề"

# Body that does the council's standing work (glossary: cơ quan thường trực).
STANDING_BODY = {"BTNMT": "BTNMT_TCCB", "KTTV": "KTTV_TCCB", "STNMT_ST": "ST_VP"}

# --- invented names ----------------------------------------------------------------

FAMILY = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 4),
    ("Phan", 4), ("Vũ", 3), ("Võ", 4), ("Đặng", 3), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Lâm", 2), ("Thạch", 2), ("Trương", 2), ("Đinh", 1),
    ("Tạ", 1), ("Quách", 1),
)  # fmt: skip
MIDDLE: dict[str, tuple[tuple[str, int], ...]] = {
    Gender.MALE: (("Văn", 10), ("Hữu", 3), ("Đức", 3), ("Minh", 4), ("Quốc", 3), ("Thanh", 3),
                  ("Công", 2), ("Hoàng", 2), ("Ngọc", 2), ("Xuân", 2), ("Trọng", 2), ("Tấn", 2)),
    Gender.FEMALE: (("Thị", 10), ("Ngọc", 4), ("Thu", 3), ("Thanh", 3), ("Kim", 2), ("Mỹ", 2),
                    ("Phương", 2), ("Bích", 2), ("Hồng", 2), ("Diệu", 1), ("Hoài", 1)),
}  # fmt: skip
GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("An", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Hải", "Hiếu", "Hùng", "Huy",
                  "Khang", "Khải", "Khoa", "Lâm", "Long", "Lộc", "Lợi", "Minh", "Nam", "Nghĩa",
                  "Nhân", "Phong", "Phúc", "Quang", "Sang", "Sơn", "Tài", "Tâm", "Thắng",
                  "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Vũ"),
    Gender.FEMALE: ("Anh", "Chi", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
                    "Hoa", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân",
                    "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Thảo", "Thủy", "Trang",
                    "Trinh", "Tuyết", "Uyên", "Vân", "Xuân", "Yến"),
}  # fmt: skip

PERSON_RATINGS = ((Rating.HTXSNV, 14), (Rating.HTTNV, 76), (Rating.HTNV, 8), (Rating.KHTNV, 2))
UNIT_RATINGS = ((Rating.HTXSNV, 35), (Rating.HTTNV, 58), (Rating.HTNV, 7))


def _weighted(rng: random.Random, options: Any) -> Any:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


# --- demo logins -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str
    unit: str
    superuser: bool = False
    # Which person the login belongs to: "head" of the unit, or a staff member of a unit.
    person_from: str = ""
    person_is_head: bool = False


LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec("admin", Role.ADMIN, "BTNMT", superuser=True),
    LoginSpec("thuongtruc", Role.STANDING, "BTNMT", person_from="BTNMT_TCCB"),
    LoginSpec("canbo.kttv", Role.OFFICER, "KTTV", person_from="KTTV_TCCB"),
    LoginSpec("thutruong.kttv", Role.HEAD, "KTTV", person_from="KTTV", person_is_head=True),
    LoginSpec("hoidong", Role.COUNCIL, "BTNMT", person_from="BTNMT_VP", person_is_head=True),
    LoginSpec("truyenthong", Role.COMMS, "BTNMT", person_from="TTTT_TNMT"),
    LoginSpec("xem.soctrang", Role.VIEWER, "STNMT_ST", person_from="ST_QLDD"),
    LoginSpec("canbo.soctrang", Role.OFFICER, "STNMT_ST", person_from="ST_VP"),
)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    unit: str
    person: str


def demo_exists() -> bool:
    return Unit.objects.filter(code=ROOT_CODE).exists()


def demo_logins() -> list[Login]:
    """The demo logins as they stand in the database (for the table printed at the end)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s.username for s in LOGINS]).select_related(
            "person"
        )
    }
    grants = {
        (g.user_id, g.role): g.unit.name
        for g in RoleGrant.objects.filter(user__in=users.values()).select_related("unit")
    }
    rows = []
    for spec in LOGINS:
        user = users.get(spec.username)
        if user is None:
            continue
        rows.append(
            Login(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=str(Role(spec.role).label),
                unit=grants.get((user.pk, spec.role), ""),
                person=user.person.full_name if user.person else "",
            )
        )
    return rows


# --- building -------------------------------------------------------------------------


@dataclass
class DemoSummary:
    units: int = 0
    people: int = 0
    person_ratings: int = 0
    unit_ratings: int = 0
    transfers: int = 0
    clusters: int = 0
    councils: int = 0
    users: int = 0
    merged: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.units: dict[str, Unit] = {}
        self.staff: dict[str, list[Person]] = {}
        self.heads: dict[str, Person] = {}
        self.deputies: dict[str, list[Person]] = {}
        self.council_members: dict[str, list[Person]] = {}
        self.used_names: set[str] = set()
        self.next_number = 1
        self.summary = DemoSummary()

    # -- helpers --
    def _name(self, gender: str) -> str:
        for _attempt in range(50):
            name = " ".join(
                (
                    _weighted(self.rng, FAMILY),
                    _weighted(self.rng, MIDDLE[gender]),
                    self.rng.choice(GIVEN[gender]),
                )
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("name lists too short for the demo size")

    def _person(
        self, unit: Unit, position: str, started_on: dt.date, *, is_head: bool = False
    ) -> Person:
        gender = Gender.FEMALE if self.rng.random() < 0.46 else Gender.MALE
        age_at_start = self.rng.randint(32, 45) if is_head else self.rng.randint(22, 38)
        birth = _random_date(
            self.rng,
            dt.date(started_on.year - age_at_start, 1, 1),
            dt.date(started_on.year - age_at_start, 12, 28),
        )
        code = f"NV{self.next_number:04d}"
        self.next_number += 1
        person = ppl.person_create(
            actor=None, code=code, full_name=self._name(gender), unit=unit,
            started_on=started_on, gender=gender, is_head=is_head, position=position,
            birth_date=birth,
        )  # fmt: skip
        self.staff.setdefault(unit.code, []).append(person)
        self.summary.people += 1
        return person

    # -- steps, in the order things happened --
    def build_units(self) -> None:
        for spec in ALL_UNITS:
            self.units[spec.code] = org.unit_create(
                actor=None, code=spec.code, name=spec.name,
                parent=self.units.get(spec.parent or ""), kind=spec.kind,
                short_name=spec.short_name, valid_from=spec.valid_from,
            )  # fmt: skip
        self.summary.units = len(self.units)

    def build_people(self) -> None:
        last_regular = dt.date(2024, 12, 31)
        for spec in ALL_UNITS:
            unit = self.units[spec.code]
            head_start = _random_date(self.rng, spec.valid_from, dt.date(2019, 12, 31))
            self.heads[spec.code] = self._person(unit, spec.head, head_start, is_head=True)
            deputies = 1 if spec.size < 8 else 2
            if spec.parent is None or spec.code in STANDING_BODY:
                # The leadership of a ministry, general department or Sở is all deputies.
                deputies = spec.size - 1
            for _ in range(deputies):
                start = _random_date(self.rng, spec.valid_from, dt.date(2021, 12, 31))
                self.deputies.setdefault(spec.code, []).append(
                    self._person(unit, spec.deputy, start)
                )
            for _ in range(spec.size - 1 - deputies):
                # About one in twelve joined in 2025; the merged offices take none, so
                # that nobody starts there after the merge date.
                newcomer = spec.code not in MERGED_SOURCES and self.rng.random() < 0.08
                start = (
                    _random_date(self.rng, NEWCOMER_CUTOFF, dt.date(2025, 10, 1))
                    if newcomer
                    else _random_date(self.rng, spec.valid_from, last_regular)
                )
                self._person(unit, self.rng.choice(spec.staff), start)

    def build_transfers(self) -> None:
        """A handful of moves between units of the same agency over the years."""
        moves = (
            ("BTNMT_VP", "BTNMT_TCCB", dt.date(2021, 4, 1)),
            ("BTNMT_KHTC", "BTNMT_PC", dt.date(2022, 3, 1)),
            ("KTTV_TTDB", "KTTV_NB", dt.date(2022, 9, 1)),
            ("KTTV_BB", "KTTV_TTDB", dt.date(2023, 2, 15)),
            ("KTTV_VP", "KTTV_TCCB", dt.date(2023, 7, 1)),
            ("ST_QLDD", "ST_VPDK", dt.date(2023, 10, 1)),
            ("ST_VPDK", "ST_CTH", dt.date(2024, 1, 15)),
            ("ST_MT", "ST_QT", dt.date(2024, 8, 1)),
            ("BAO_TNMT", "TTTT_TNMT", dt.date(2024, 11, 1)),
        )
        for source, target, on in moves:
            candidates = [
                p
                for p in self.staff[source]
                if not p.is_head
                and p not in self.deputies.get(source, [])
                and p.started_on < on
                and p.unit.code == source
            ]
            person = candidates[self.rng.randrange(len(candidates))]
            person = ppl.person_transfer(actor=None, person=person, unit=self.units[target], on=on)
            self.staff[source].remove(person)
            self.staff[target].append(person)
            self.summary.transfers += 1

    def build_councils(self) -> None:
        """Chair the head, vice-chair a deputy, the standing body's head, members, a secretary."""
        plans = {
            "BTNMT": (
                "Hội đồng Thi đua – Khen thưởng Bộ Tài nguyên và Môi trường",
                dt.date(2020, 3, 16), "512/QĐ-BTNMT",
                ("BTNMT_VP", "BTNMT_KHTC", "BTNMT_PC", "BTNMT_TTRA", "BAO_TNMT", "KTTV"),
            ),
            "KTTV": (
                "Hội đồng Thi đua – Khen thưởng Tổng cục Khí tượng Thủy văn",
                dt.date(2020, 4, 2), "208/QĐ-TCKTTV",
                ("KTTV_VP", "KTTV_TTDB", "KTTV_NB", "KTTV_BB", "KTTV_TC"),
            ),
            "STNMT_ST": (
                "Hội đồng Thi đua – Khen thưởng Sở Tài nguyên và Môi trường Sóc Trăng",
                dt.date(2020, 2, 20), "45/QĐ-STNMT",
                ("ST_QLDD", "ST_TNN", "ST_MT", "ST_TTRA", "ST_VPDK", "ST_QT"),
            ),
        }  # fmt: skip
        for code, (name, established, decision, member_units) in plans.items():
            council = org.council_create(
                actor=None, unit=self.units[code], name=name, established_on=established,
                decision_number=f"Quyết định số {decision}",
            )  # fmt: skip
            standing = STANDING_BODY[code]
            secretary = next(
                p for p in self.staff[standing]
                if not p.is_head and p not in self.deputies.get(standing, [])
            )  # fmt: skip
            seats = [
                (self.heads[code], CouncilRole.CHAIR),
                (self.deputies[code][0], CouncilRole.VICE_CHAIR),
                (self.heads[standing], CouncilRole.STANDING),
                *[(self.heads[u], CouncilRole.MEMBER) for u in member_units],
                (secretary, CouncilRole.SECRETARY),
            ]
            for person, role in seats:
                org.council_member_add(
                    actor=None, council=council, person=person, role=role, valid_from=established
                )
            self.council_members[code] = [p for p, r in seats if r != CouncilRole.SECRETARY]
            self.summary.councils += 1

    def build_clusters(self, year: int) -> None:
        plans = (
            ("BTNMT", ClusterKind.BLOCK, "Khối các đơn vị quản lý nhà nước",
             ("BTNMT_TCCB", "BTNMT_VP", "BTNMT_KHTC", "BTNMT_PC", "BTNMT_TTRA", "KTTV")),
            ("BTNMT", ClusterKind.BLOCK, "Khối các đơn vị sự nghiệp",
             ("BTNMT_TNN", "BTNMT_VKH", "STNMT_ST")),
            ("BTNMT", ClusterKind.BLOCK, "Khối báo chí, truyền thông",
             ("BAO_TNMT", "TC_TNMT", "TTTT_TNMT")),
            ("KTTV", ClusterKind.BLOCK, "Khối cơ quan Tổng cục",
             ("KTTV_VP", "KTTV_TCCB", "KTTV_TC")),
            ("KTTV", ClusterKind.BLOCK, "Khối các đơn vị dự báo, quan trắc",
             ("KTTV_TTDB", "KTTV_NB", "KTTV_BB")),
            ("STNMT_ST", ClusterKind.BLOCK, "Khối các phòng chuyên môn",
             ("ST_VP", "ST_QLDD", "ST_TNN", "ST_MT", "ST_TTRA")),
            ("STNMT_ST", ClusterKind.BLOCK, "Khối các đơn vị sự nghiệp",
             ("ST_VPDK", "ST_QT", "ST_CNTT")),
            ("STNMT_ST", ClusterKind.CLUSTER, "Cụm các Phòng TN&MT cấp huyện",
             tuple(code for code, _, _ in DISTRICTS)),
        )  # fmt: skip
        for index, (organizer, kind, name, member_codes) in enumerate(plans):
            members = [self.units[c] for c in member_codes]
            # Leadership rotates each year, as the plans ask (khối trưởng, khối phó).
            offset = (year - 2024 + index) % len(members)
            leader = members[offset]
            deputy = members[(offset + 1) % len(members)]
            followers = self.council_members[organizer][1:]
            org.cluster_create(
                actor=None, organizer=self.units[organizer], kind=kind, name=name, year=year,
                members=members, leader=leader, deputy=deputy,
                follower=followers[(index + year) % len(followers)],
            )  # fmt: skip
            self.summary.clusters += 1

    def _active_people(self) -> list[Person]:
        return [p for people in self.staff.values() for p in people]

    def build_person_ratings(self, years: range) -> None:
        for person in self._active_people():
            for year in years:
                if person.started_on.year > year:
                    continue
                rating = _weighted(self.rng, PERSON_RATINGS)
                ppl.person_rating_set(actor=None, person=person, year=year, rating=rating)
                self.summary.person_ratings += 1

    def build_unit_ratings(self, years: range) -> None:
        for unit in self.units.values():
            for year in years:
                # A unit merged during the year is rated under its successor.
                if unit.valid_from.year > year or (unit.valid_to and unit.valid_to.year <= year):
                    continue
                rating = _weighted(self.rng, UNIT_RATINGS)
                org.unit_rating_set(actor=None, unit=unit, year=year, rating=rating)
                self.summary.unit_ratings += 1

    def build_merge(self) -> None:
        # One office keeps one head: the first head leads, the other becomes a deputy.
        # The edit is made before the merge: person_update checks `started_on` against
        # the current unit, and the successor is younger than the people it takes over.
        first, second = (self.heads[c] for c in MERGED_SOURCES)
        ppl.person_update(actor=None, person=second, is_head=False, position="Phó Trưởng phòng")
        sources = [self.units[c] for c in MERGED_SOURCES]
        merged = org.units_merge(
            actor=None, sources=sources, on=MERGE_ON, code=MERGED_CODE, name=MERGED_NAME,
            kind=UnitKind.DISTRICT_OFFICE, parent=self.units["STNMT_ST"],
            note="Sắp xếp tổ chức bộ máy năm 2025 (dữ liệu minh hoạ).",
        )  # fmt: skip
        self.units[MERGED_CODE] = merged
        self.summary.units += 1
        for code in MERGED_SOURCES:
            self.units[code].refresh_from_db()
        self.summary.merged = [*MERGED_SOURCES, MERGED_CODE]
        moved = [p for c in MERGED_SOURCES for p in self.staff.pop(c)]
        self.staff[MERGED_CODE] = moved
        self.heads[MERGED_CODE] = first
        for _ in range(2):
            start = _random_date(self.rng, dt.date(2025, 8, 1), dt.date(2025, 10, 1))
            self._person(merged, "Chuyên viên", start)
        for person in self.staff[MERGED_CODE]:
            person.refresh_from_db()

    def build_users(self) -> None:
        for spec in LOGINS:
            person = None
            if spec.person_from:
                if spec.person_is_head:
                    person = self.heads[spec.person_from]
                else:
                    person = next(
                        p for p in self.staff[spec.person_from]
                        if not p.is_head and not hasattr(p, "_demo_login")
                        and p not in self.deputies.get(spec.person_from, [])
                    )  # fmt: skip
                person._demo_login = True  # type: ignore[attr-defined]
            user = accounts.user_create(
                actor=None, username=spec.username, password=DEMO_PASSWORD,
                email=f"{spec.username}@{EMAIL_DOMAIN}",
                full_name=person.full_name if person else "Quản trị hệ thống",
                person=person, is_superuser=spec.superuser,
            )  # fmt: skip
            accounts.role_grant(actor=None, user=user, role=spec.role, unit=self.units[spec.unit])
            self.summary.users += 1


@transaction.atomic
def load_demo() -> DemoSummary:
    """Build the whole demo in one transaction: a failure leaves the database untouched."""
    builder = _Builder()
    builder.build_units()
    builder.build_people()
    builder.build_transfers()
    builder.build_councils()
    builder.build_clusters(2024)
    builder.build_person_ratings(range(2021, 2025))
    builder.build_unit_ratings(range(2021, 2025))
    builder.build_clusters(2025)
    builder.build_merge()
    builder.build_person_ratings(range(2025, 2026))
    builder.build_unit_ratings(range(2025, 2026))
    builder.build_users()
    # The demo of each later capability builds on the foundation's units and people.
    today = dt.date.today()
    for app in (
        "awards",
        "plans",
        "movements",
        "exemplars",
        "commendations",
        "inspections",
        "reports",
        "propagation",
    ):
        import_module(f"{app}.demo").build(today)
    return builder.summary
