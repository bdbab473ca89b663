"""Eligibility benchmark: every title of one year for 100,000 people in 2,000 units.

    uv run python bench/eligibility_bench.py --db sqlite|postgres|both
        [--people 100000 --units 2000 --year 2025] [--keep] [--runs 3] [--profile]

For each backend the script runs two child processes of itself, so that each
one has its own Django settings (DATABASE_URL) and so that the peak resident
memory measured is that of the evaluation, not of the data generator:

1. ``--phase generate``: a fresh database (SQLite file var/bench/bench.sqlite3,
   PostgreSQL database ``thidua_bench``), ``migrate``, then synthetic records
   written straight into the tables (executemany on SQLite, COPY on
   PostgreSQL) with a fixed seed. Synthetic data goes around the services on
   purpose: no audit trail, no validation round trips; the generator keeps
   the same invariants the services keep (unit paths, one open assignment,
   one rating per year, one award of a kind per year).
2. ``--phase measure``: ``evaluate_subtree(root, year, explain=False)`` and
   the bare aggregate baseline, each ``--runs`` times, then one evaluation
   under tracemalloc; the result goes to var/bench/result-<backend>.json.

The parent prints one Markdown table row per backend.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common

VAR = common.VAR
SQLITE_FILE = VAR / "bench.sqlite3"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/thidua_bench"
# Files var/bench/{result,generation,meta}-<backend>.json; --keep ignores extra meta keys.
BENCH = common.Bench(
    Path(__file__).resolve(), SQLITE_FILE, POSTGRES_URL, "BENCH_POSTGRES_URL", exact_meta=False
)
SEED = 20251231
GENERATOR_VERSION = 1  # bump when the generated data changes, so --keep regenerates
TARGET_SECONDS = 20.0
TARGET_RATIO = 3.0
TARGET_MEMORY = 1024**3

# --- orchestration (parent process: no Django) ---------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def fmt_mb(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| Backend | People / units | Engine best (median) | SQL facts / rules (best run) "
        "| Baseline best (median) | Ratio best (median) | tracemalloc peak | Max RSS | "
        "Generation |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    for r in results:
        e, b = r["engine"], r["baseline"]
        mark = " (patched†)" if r.get("patched") else ""
        rows.append(
            f"| {r['label']}{mark} | {r['people']:,} / {r['units']:,} "
            f"| {fmt_s(e['best'])} ({fmt_s(e['median'])}) "
            f"| {fmt_s(r['split']['facts'])} / {fmt_s(r['split']['rules'])} "
            f"| {fmt_s(b['best'])} ({fmt_s(b['median'])}) "
            f"| {r['ratio_best']:.1f}× ({r['ratio_median']:.1f}×) "
            f"| {fmt_mb(r['tracemalloc_peak'])} | {fmt_mb(r['max_rss'])} "
            f"| {fmt_s(r['generation_seconds'])} |"
        )
    return "\n".join(rows)


def targets(r: dict[str, Any]) -> list[str]:
    checks = [
        (
            f"time ≤ {TARGET_SECONDS:.0f} s",
            r["engine"]["best"] <= TARGET_SECONDS,
            fmt_s(r["engine"]["best"]),
        ),
        (
            f"ratio ≤ {TARGET_RATIO:.0f}×",
            r["ratio_best"] <= TARGET_RATIO,
            f"{r['ratio_best']:.2f}×",
        ),
        (
            "peak memory < 1 GB",
            max(r["tracemalloc_peak"], r["max_rss"]) < TARGET_MEMORY,
            f"tracemalloc {fmt_mb(r['tracemalloc_peak'])}, max RSS {fmt_mb(r['max_rss'])}",
        ),
    ]
    return [f"  {'OK  ' if ok else 'MISS'} {name}: {got}" for name, ok, got in checks]


def orchestrate(args: argparse.Namespace) -> int:
    results = BENCH.run_all(args)
    print()
    print(table(results))
    for r in results:
        if r.get("patched"):
            print(f"\n† {r['label']}: {r['patched']}")
    print()
    missed = False
    for r in results:
        print(f"{r['label']}:")
        lines = targets(r)
        missed = missed or any("MISS" in line for line in lines)
        print("\n".join(lines))
    return 1 if missed and args.strict else 0


# --- Django (child processes) ----------------------------------------------------------


def wanted_meta(args: argparse.Namespace) -> dict[str, int]:
    return {
        "people": args.people,
        "units": args.units,
        "year": args.year,
        "seed": SEED,
        "version": GENERATOR_VERSION,
    }


def holds_data_set(args: argparse.Namespace) -> bool:
    """For --keep: the database has the people and units this run would generate."""
    from organizations.models import Unit
    from people.models import Person

    return bool(Person.objects.count() == args.people and Unit.objects.count() == args.units)


# --- data generation --------------------------------------------------------------------

FAMILY = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 1),
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Xuân", "Ngọc", "Anh"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Kim", "Bích", "Mai"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long"]
GIVEN_M += ["Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Tùng", "Việt", "Vinh"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hương", "Lan", "Linh"]
GIVEN_F += ["Loan", "Mai", "Nga", "Ngọc", "Oanh", "Phương", "Thảo", "Trang", "Vân", "Yến"]
POSITIONS = [("Chuyên viên", 70), ("Chuyên viên chính", 20), ("Phó Trưởng phòng", 7)]
POSITIONS += [("Trưởng phòng", 3)]
RATINGS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
RANK = {"HTXSNV": 4, "HTTNV": 3, "HTNV": 2, "KHTNV": 1}
PERSON_RATING_WEIGHTS = [25, 60, 12, 3]
UNIT_RATING_WEIGHTS = [30, 60, 8, 2]
# A rating repeats last year's with this probability, else it is drawn afresh: the yearly
# distribution stays the target one while chains of good years happen as in real life.
RATING_PERSISTENCE = 0.6
DISCIPLINE_FORMS = [
    ("KHIEN_TRACH", 55),
    ("CANH_CAO", 30),
    ("GIANG_CHUC", 8),
    ("CACH_CHUC", 5),
    ("BUOC_THOI_VIEC", 2),
]
LEVELS = [("CO_SO", 80), ("BO_TINH", 17), ("TOAN_QUOC", 3)]
PEOPLE_CHUNK = 10_000


def weighted(pairs: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


@dataclass
class Counters:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


class Loader:
    """Writes plain tuples into a model's table: executemany on SQLite, COPY on PostgreSQL.

    Columns not given get the field's default (auto_now fields: one timestamp), so a
    row is only what the generator decides.
    """

    def __init__(self, counters: Counters) -> None:
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.vendor = connection.vendor
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.counters = counters

    def insert(self, model: Any, attnames: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [a for a in fields if a not in attnames]
        constants: list[Any] = []
        for attname in rest:
            f = fields[attname]
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constants.append(self.now)
            else:
                constants.append(f.get_default())
        const = tuple(constants)
        columns = [fields[a].column for a in attnames] + [fields[a].column for a in rest]
        quoted = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        table = self.connection.ops.quote_name(model._meta.db_table)
        raw = self.connection.connection
        n = 0
        if self.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + const)
                    n += 1
        else:
            marks = ", ".join("?" for _ in columns)
            cur = raw.cursor()
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row + const)
                if len(batch) >= 20_000:
                    cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)
                n += len(batch)
            cur.close()
        self.counters.add(model._meta.db_table, n)


@dataclass
class UnitRow:
    id: int
    code: str
    name: str
    parent: int | None
    path: str
    depth: int


def unit_tree(n_units: int, rng: random.Random) -> list[UnitRow]:
    """A ministry, ~40 departments, offices under them and teams under the offices."""
    root = UnitRow(1, "MIN", "Bộ Tài nguyên và Môi trường (thử tải)", None, "/1/", 0)
    units = [root]
    n_dept = min(40, max(0, n_units - 1))
    rest = n_units - 1 - n_dept
    n_office = min(rest, max(rest // 4, 1)) if rest else 0
    n_team = rest - n_office
    next_id = 2
    depts: list[UnitRow] = []
    for i in range(n_dept):
        u = UnitRow(next_id, f"D{i + 1:02d}", f"Cục Nghiệp vụ {i + 1:02d}", 1, "", 1)
        u.path = f"{root.path}{u.id}/"
        depts.append(u)
        next_id += 1
    offices: list[UnitRow] = []
    for j in range(n_office):
        parent = depts[j % n_dept]
        k = j // n_dept + 1
        u = UnitRow(
            next_id, f"{parent.code}_P{k:02d}", f"Phòng {k:02d} {parent.name}", parent.id, "", 2
        )
        u.path = f"{parent.path}{u.id}/"
        offices.append(u)
        next_id += 1
    teams: list[UnitRow] = []
    for j in range(n_team):
        parent = offices[rng.randrange(len(offices))] if offices else root
        u = UnitRow(
            next_id,
            f"{parent.code}_T{j + 1:04d}",
            f"Tổ {j + 1:04d} {parent.name}",
            parent.id,
            "",
            parent.depth + 1,
        )
        u.path = f"{parent.path}{u.id}/"
        teams.append(u)
        next_id += 1
    return units + depts + offices + teams


def split_people(n_people: int, n_units: int, rng: random.Random) -> list[int]:
    """People per unit: 0.3–1.7 × the mean, every unit at least one person."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(n_units)]
    total = sum(weights)
    counts = [max(1, int(w * n_people / total)) for w in weights]
    diff = n_people - sum(counts)
    i = 0
    while diff != 0:
        idx = i % n_units
        if diff > 0:
            counts[idx] += 1
            diff -= 1
        elif counts[idx] > 1:
            counts[idx] -= 1
            diff += 1
        i += 1
    return counts


@dataclass
class Ids:
    person: int = 0
    assignment: int = 0
    rating: int = 0
    award: int = 0
    initiative: int = 0
    author: int = 0
    discipline: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return int(value)


def generate(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from awards.models import Award, AwardType, Discipline, Initiative
    from core.text import search_key, text_sort_key
    from organizations.models import (
        Cluster,
        ClusterMember,
        Unit,
        UnitRating,
        UnitVersion,
    )
    from people.models import Assignment, Person, PersonRating

    started = time.perf_counter()
    common.migrate()
    migrated = time.perf_counter()
    rng = random.Random(SEED)
    Y = args.year
    years = list(range(Y - 9, Y + 1))  # ratings: the 10-year window ending with Y
    award_years = list(range(Y - 10, Y))  # awards: 10 years, the year itself is undecided
    type_id = dict(AwardType.objects.values_list("code", "id"))
    counters = Counters()
    loader = Loader(counters)
    valid_from = dt.date(2000, 1, 1)
    decision_date = {y: dt.date(y + 1, 1, 15) for y in range(Y - 11, Y + 1)}

    common.unsafe_fast_writes()

    with transaction.atomic():
        # --- units: paths, depth and keys as organizations.services.unit_create sets them
        units = unit_tree(args.units, rng)
        loader.insert(
            Unit,
            [
                "id",
                "code",
                "name",
                "short_name",
                "kind",
                "parent_id",
                "path",
                "depth",
                "status",
                "valid_from",
                "search_text",
                "sort_key",
            ],
            (
                (
                    u.id,
                    u.code,
                    u.name,
                    "",
                    ["MINISTRY", "DEPARTMENT", "OFFICE"][min(u.depth, 2)]
                    if u.depth < 3
                    else "OTHER",
                    u.parent,
                    u.path,
                    u.depth,
                    "ACTIVE",
                    valid_from,
                    search_key(u.code, u.name, ""),
                    text_sort_key(u.name),
                )
                for u in units
            ),
        )
        loader.insert(
            UnitVersion,
            ["id", "unit_id", "name", "parent_id", "valid_from"],
            ((u.id, u.id, u.name, u.parent, valid_from) for u in units),
        )
        unit_ratings(loader, units, years, rng)
        unit_awards(loader, units, award_years, type_id, decision_date, rng, Award)
        clusters(loader, units, years, rng, Cluster, ClusterMember)

        # --- people, in chunks of whole units so that co-authors share a unit
        counts = split_people(args.people, len(units), rng)
        gen = Gen(
            rng=rng,
            ids=Ids(),
            loader=loader,
            year=Y,
            years=years,
            award_years=award_years,
            type_id=type_id,
            decision_date=decision_date,
            unit_ids=[u.id for u in units],
            valid_from=valid_from,
        )
        chunk: list[tuple[int, int]] = []  # (unit id, people count)
        in_chunk = 0
        for u, n in zip(units, counts, strict=True):
            chunk.append((u.id, n))
            in_chunk += n
            if in_chunk >= PEOPLE_CHUNK:
                people_chunk(gen, chunk)
                chunk, in_chunk = [], 0
        if chunk:
            people_chunk(gen, chunk)

        common.reset_sequences(
            [
                Unit,
                UnitVersion,
                UnitRating,
                Cluster,
                ClusterMember,
                Person,
                Assignment,
                PersonRating,
                Award,
                Initiative,
                Initiative.authors.through,
                Discipline,
            ]
        )
    loaded = time.perf_counter()
    common.analyze()
    done = time.perf_counter()
    return {
        "rows": counters.rows,
        "migrate_seconds": migrated - started,
        "load_seconds": loaded - migrated,
        "analyze_seconds": done - loaded,
        "generation_seconds": done - started,
    }


def unit_ratings(
    loader: Loader, units: list[UnitRow], years: list[int], rng: random.Random
) -> None:
    from organizations.models import UnitRating

    rows = []
    rid = 0
    for u in units:
        prev = None
        for y in years:
            if prev is None or rng.random() >= RATING_PERSISTENCE:
                prev = rng.choices(RATINGS, UNIT_RATING_WEIGHTS)[0]
            rid += 1
            rows.append((rid, u.id, y, prev))
    loader.insert(UnitRating, ["id", "unit_id", "year", "rating"], rows)


def unit_awards(
    loader: Loader,
    units: list[UnitRow],
    award_years: list[int],
    type_id: dict[str, int],
    decision_date: dict[int, dt.date],
    rng: random.Random,
    award_model: Any,
) -> None:
    """TTLĐTT for most units each year, TTLĐXS for some of them, a few Bằng khen / Giấy khen.
    Award ids for units come after the people's (the people's are numbered from 1)."""
    rows = []
    aid = 10_000_000
    for u in units:
        for y in award_years:
            held = []
            if rng.random() < 0.8:
                held.append("TTLDTT")
                if rng.random() < 0.25:
                    held.append("TTLDXS")
            if rng.random() < 0.03:
                held.append("BK_BO")
            if rng.random() < 0.08:
                held.append("GIAY_KHEN")
            for code in held:
                aid += 1
                rows.append((aid, None, u.id, type_id[code], y, f"{aid}/QĐ-TĐKT", decision_date[y]))
    loader.insert(
        award_model,
        ["id", "person_id", "unit_id", "award_type_id", "year", "decision_number", "decision_date"],
        rows,
    )


def clusters(
    loader: Loader,
    units: list[UnitRow],
    years: list[int],
    rng: random.Random,
    cluster_model: Any,
    member_model: Any,
) -> None:
    """Each year: the departments in clusters of 5, the offices in blocks of 10, one leader each."""
    depts = [u for u in units if u.depth == 1]
    offices = [u for u in units if u.depth == 2]
    rows, members = [], []
    cid = mid = 0
    for y in years:
        for kind, group, size in (("CLUSTER", depts, 5), ("BLOCK", offices, 10)):
            for start in range(0, len(group), size):
                part = group[start : start + size]
                cid += 1
                leader = rng.choice(part).id
                label = "Cụm" if kind == "CLUSTER" else "Khối"
                rows.append((cid, 1, kind, f"{label} thi đua số {start // size + 1}", y, leader))
                for u in part:
                    mid += 1
                    members.append((mid, cid, u.id))
    loader.insert(cluster_model, ["id", "organizer_id", "kind", "name", "year", "leader_id"], rows)
    loader.insert(member_model, ["id", "cluster_id", "unit_id"], members)


@dataclass
class Gen:
    """What the people generator carries from one chunk to the next."""

    rng: random.Random
    ids: Ids
    loader: Loader
    year: int
    years: list[int]
    award_years: list[int]
    type_id: dict[str, int]
    decision_date: dict[int, dt.date]
    unit_ids: list[int]
    valid_from: dt.date
    name_cache: dict[str, tuple[str, str]] = field(default_factory=dict)
    position_fold: dict[str, str] = field(default_factory=dict)


def people_chunk(gen: Gen, chunk: list[tuple[int, int]]) -> None:
    """People of whole units: assignments, ratings, awards, initiatives, discipline."""
    from awards.models import Award, Discipline, Initiative
    from core.text import fold, name_sort_key
    from people.models import Assignment, Person, PersonRating

    rng, ids, loader, Y = gen.rng, gen.ids, gen.loader, gen.year
    years, award_years, type_id = gen.years, gen.award_years, gen.type_id
    decision_date, name_cache, unit_ids = gen.decision_date, gen.name_cache, gen.unit_ids
    valid_from = gen.valid_from
    families, family_w = weighted(FAMILY)
    positions, position_w = weighted(POSITIONS)
    forms, form_w = weighted(DISCIPLINE_FORMS)
    levels, level_w = weighted(LEVELS)

    Row = tuple[Any, ...]
    persons: list[Row] = []
    assignments: list[Row] = []
    ratings: list[Row] = []
    awards: list[Row] = []
    disciplines: list[Row] = []
    initiatives: list[Row] = []
    authors: list[Row] = []
    award_of: dict[tuple[int, str, int], int] = {}
    by_unit: dict[int, list[int]] = {}
    held_cstdcs: dict[int, set[int]] = {}
    for unit_id, n in chunk:
        members = by_unit.setdefault(unit_id, [])
        for k in range(n):
            pid = ids.next("person")
            members.append(pid)
            female = rng.random() < 0.5
            family = rng.choices(families, family_w)[0]
            middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            name = f"{family} {middle} {given}"
            if name not in name_cache:
                name_cache[name] = (fold(name), name_sort_key(name))
            folded, sort_key = name_cache[name]
            code = f"P{pid:06d}"
            position = "Trưởng đơn vị" if k == 0 else rng.choices(positions, position_w)[0]
            if position not in gen.position_fold:
                gen.position_fold[position] = fold(position)
            pos_fold = gen.position_fold[position]
            # Recruitment: most long ago, ~3 % in the year under review (half of them
            # after 1 July: newcomers, not considered), the rest spread over 10 years.
            roll = rng.random()
            if roll < 0.03:
                start = dt.date(Y, 1, 1) + dt.timedelta(days=rng.randrange(330))
            elif roll < 0.25:
                start = dt.date(rng.randrange(Y - 9, Y), rng.randrange(1, 13), 1)
            else:
                start = dt.date(rng.randrange(1995, Y - 9), rng.randrange(1, 13), 1)
            start = max(start, valid_from)
            unit_now, started_on = unit_id, start
            if start.year < Y and rng.random() < 0.02:
                # Moved during the year under review: one closed assignment, one open one.
                moved_on = dt.date(Y, rng.randrange(2, 12), rng.randrange(1, 28))
                unit_now = rng.choice(unit_ids)
                if unit_now == unit_id:
                    unit_now = unit_ids[(unit_ids.index(unit_id) + 1) % len(unit_ids)]
                assignments.append(
                    (ids.next("assignment"), pid, unit_id, start, moved_on - dt.timedelta(days=1))
                )
                assignments.append((ids.next("assignment"), pid, unit_now, moved_on, None))
                started_on = moved_on
            else:
                assignments.append((ids.next("assignment"), pid, unit_id, start, None))
            persons.append(
                (
                    pid,
                    code,
                    name,
                    "F" if female else "M",
                    dt.date(rng.randrange(1965, 2002), 6, 1),
                    position,
                    k == 0,
                    unit_now,
                    started_on,
                    f"{folded} {code.lower()} {pos_fold}",
                    sort_key,
                )
            )

            # Discipline for ~1 %: a quarter still pending (opened in the year under review).
            punished: set[int] = set()
            if rng.random() < 0.01:
                form = rng.choices(forms, form_w)[0]
                if rng.random() < 0.25:
                    opened = dt.date(Y, rng.randrange(1, 12), rng.randrange(1, 28))
                    disciplines.append(
                        (ids.next("discipline"), pid, form, "PENDING", opened, None, None)
                    )
                else:
                    dy = rng.choice(years)
                    decided = dt.date(dy, rng.randrange(1, 13), rng.randrange(1, 28))
                    ends = None
                    if rng.random() < 0.5:
                        ends = decided + dt.timedelta(days=364)
                    disciplines.append(
                        (
                            ids.next("discipline"),
                            pid,
                            form,
                            "DECIDED",
                            decided - dt.timedelta(30),
                            decided,
                            ends,
                        )
                    )
                    punished.add(dy)

            # Ratings (10 years) and the awards of the 10 years before the one under review.
            rank: dict[int, int] = {}
            prev = None
            for y in years:
                if y < start.year:
                    continue
                if prev is None or rng.random() >= RATING_PERSISTENCE:
                    prev = rng.choices(RATINGS, PERSON_RATING_WEIGHTS)[0]
                rating = "HTNV" if y in punished and RANK[prev] > 2 else prev
                rank[y] = RANK[rating]
                ratings.append((ids.next("rating"), pid, y, rating))
            held: dict[str, set[int]] = {}
            for y in award_years:
                r = rank.get(y, 0)
                if y < start.year or y in punished or r < 3:
                    continue
                got = []
                if rng.random() < 0.95:
                    got.append("LDTT")
                    if r == 4 and rng.random() < 0.5:
                        got.append("CSTDCS")
                        if {y - 1, y - 2} <= held.get("CSTDCS", set()) and rng.random() < 0.3:
                            got.append("CSTD_BO")
                if r == 4 and rank.get(y - 1, 0) == 4 and rng.random() < 0.05:
                    got.append("BK_BO")
                elif any(b <= y - 5 for b in held.get("BK_BO", ())) and rng.random() < 0.1:
                    got.append("BK_TTG")
                if rng.random() < 0.05:
                    got.append("GIAY_KHEN")
                for c in got:
                    if y in held.setdefault(c, set()):
                        continue
                    held[c].add(y)
                    aid = ids.next("award")
                    award_of[(pid, c, y)] = aid
                    awards.append(
                        (aid, pid, None, type_id[c], y, f"{aid}/QĐ-TĐKT", decision_date[y])
                    )
            held_cstdcs[pid] = held.get("CSTDCS", set())

    # Initiatives (~15 per 100 people over 10 years), co-authored within a unit; those of
    # CSTĐCS holders are likelier, and half of those were used by that year's CSTĐCS.
    for unit_id, members in by_unit.items():
        for pid in members:
            for y in years:
                good = y in held_cstdcs[pid]
                if rng.random() >= (0.09 if good else 0.0052):
                    continue
                iid = ids.next("initiative")
                level = rng.choices(levels, level_w)[0]
                kind = "INITIATIVE" if rng.random() < 0.75 else "RESEARCH"
                used = award_of.get((pid, "CSTDCS", y)) if good and rng.random() < 0.5 else None
                title = f"Sáng kiến {iid}" if kind == "INITIATIVE" else f"Đề tài {iid}"
                initiatives.append(
                    (iid, kind, title, unit_id, level, dt.date(y, 11, 15), y, used, fold(title))
                )
                co = {pid}
                for _ in range(rng.choice((0, 0, 1, 2))):
                    co.add(rng.choice(members))
                for a in sorted(co):
                    authors.append((ids.next("author"), iid, a))

    loader.insert(
        Person,
        [
            "id",
            "code",
            "full_name",
            "gender",
            "birth_date",
            "position",
            "is_head",
            "unit_id",
            "started_on",
            "search_text",
            "sort_key",
        ],
        persons,
    )
    loader.insert(Assignment, ["id", "person_id", "unit_id", "start", "end"], assignments)
    loader.insert(PersonRating, ["id", "person_id", "year", "rating"], ratings)
    loader.insert(
        Award,
        ["id", "person_id", "unit_id", "award_type_id", "year", "decision_number", "decision_date"],
        awards,
    )
    loader.insert(
        Initiative,
        [
            "id",
            "kind",
            "title",
            "unit_id",
            "level",
            "recognized_on",
            "year",
            "used_by_id",
            "search_text",
        ],
        initiatives,
    )
    loader.insert(Initiative.authors.through, ["id", "initiative_id", "person_id"], authors)
    loader.insert(
        Discipline,
        ["id", "person_id", "form", "status", "opened_on", "decided_on", "ends_on"],
        disciplines,
    )
    print(f"   people up to {ids.person:,}", flush=True)


# --- measurement ------------------------------------------------------------------------

BASELINE_SQL = """
WITH m AS MATERIALIZED (
    SELECT a.person_id AS pid, a.unit_id AS uid
    FROM people_assignment a JOIN organizations_unit u ON u.id = a.unit_id
    WHERE u.path LIKE %(prefix)s AND a.start <= %(day)s
      AND (a."end" IS NULL OR a."end" >= %(day)s)
), t AS MATERIALIZED (
    SELECT id, sort_key FROM organizations_unit
    WHERE path LIKE %(prefix)s AND valid_from <= %(day)s
)
SELECT x.sid, COUNT(*), SUM(x.v), MIN(x.y), MAX(x.y) FROM (
    SELECT m.pid AS sid, LENGTH(p.sort_key) + LENGTH(p.full_name) AS v, m.uid AS y
    FROM m JOIN people_person p ON p.id = m.pid
  UNION ALL
    SELECT a.person_id, CASE WHEN a."end" IS NULL THEN 1 ELSE 0 END, a.unit_id
    FROM people_assignment a JOIN m ON m.pid = a.person_id
  UNION ALL
    SELECT r.person_id,
           CASE r.rating WHEN 'HTXSNV' THEN 4 WHEN 'HTTNV' THEN 3 WHEN 'HTNV' THEN 2 ELSE 1 END,
           r.year
    FROM people_personrating r JOIN m ON m.pid = r.person_id
    WHERE r.year > %(first)s AND r.year <= %(year)s
  UNION ALL
    SELECT w.person_id, w.award_type_id, w.year
    FROM awards_award w JOIN m ON m.pid = w.person_id
    WHERE w.year <= %(year)s
  UNION ALL
    SELECT ia.person_id,
           CASE i.level WHEN 'CO_SO' THEN 1 WHEN 'BO_TINH' THEN 2 ELSE 3 END
             + COALESCE(ub.award_type_id, 0),
           i.year
    FROM awards_initiative_authors ia JOIN m ON m.pid = ia.person_id
    JOIN awards_initiative i ON i.id = ia.initiative_id
    LEFT JOIN awards_award ub ON ub.id = i.used_by_id
    WHERE i.year > %(award_first)s AND i.year <= %(year)s
  UNION ALL
    SELECT d.person_id, CASE d.status WHEN 'PENDING' THEN 1 ELSE 2 END, 0
    FROM awards_discipline d JOIN m ON m.pid = d.person_id
    WHERE d.status = 'PENDING' OR d.decided_on <= %(day)s
  UNION ALL
    SELECT j.person_id, 1, 0 FROM awards_judgement j JOIN m ON m.pid = j.person_id
    WHERE j.year = %(year)s
  UNION ALL
    SELECT -t.id, LENGTH(t.sort_key), 0 FROM t
  UNION ALL
    SELECT -ur.unit_id,
           CASE ur.rating WHEN 'HTXSNV' THEN 4 WHEN 'HTTNV' THEN 3 WHEN 'HTNV' THEN 2 ELSE 1 END,
           ur.year
    FROM organizations_unitrating ur JOIN t ON t.id = ur.unit_id
    WHERE ur.year > %(first)s AND ur.year <= %(year)s
  UNION ALL
    SELECT -w.unit_id, w.award_type_id, w.year
    FROM awards_award w JOIN t ON t.id = w.unit_id
    WHERE w.year <= %(year)s
  UNION ALL
    SELECT -c.leader_id, 1, c.year FROM organizations_cluster c JOIN t ON t.id = c.leader_id
    WHERE c.year = %(year)s
) x
GROUP BY x.sid
"""


def baseline(root_path: str, year: int) -> int:
    """The bare aggregate: one query reading the rows the engine reads, one row per subject."""
    from django.db import connection

    params: dict[str, Any] = {
        "prefix": f"{root_path}%",
        "day": dt.date(year, 12, 31),
        "year": year,
        "first": year - 10,
        "award_first": year - 16,
    }
    with connection.cursor() as cur:
        cur.execute(BASELINE_SQL, params)
        rows = cur.fetchall()
    return len(rows)


@dataclass
class Split:
    facts: float = 0.0
    rules: float = 0.0


def instrument(split: Split) -> None:
    """Time the SQL facts loading of evaluate_subtree; the rest of a run is the rules."""
    from eligibility import facts as facts_mod

    def timed(fn: Callable[..., Any], bucket: str) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                setattr(split, bucket, getattr(split, bucket) + time.perf_counter() - t0)

        return wrapper

    facts_mod.load_people = timed(facts_mod.load_people, "facts")  # type: ignore[method-assign]
    facts_mod.load_units = timed(facts_mod.load_units, "facts")  # type: ignore[method-assign]


def stats(times: list[float]) -> dict[str, Any]:
    return {"runs": times, "best": min(times), "median": statistics.median(times)}


def measure(args: argparse.Namespace, generation: dict[str, Any]) -> dict[str, Any]:
    import tracemalloc

    from django.db import connection

    from eligibility.engine import Verdict, evaluate_subtree
    from organizations.models import Unit

    root = Unit.objects.get(parent__isnull=True, code="MIN")
    year = args.year
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    split = Split()
    instrument(split)

    patched = ""
    # One untimed run first, as a real server's would be: imports and caches warm.
    evaluate_subtree(root, year, explain=False, include_units=False)
    gc.collect()

    engine_times: list[float] = []
    splits: list[tuple[float, float]] = []
    summary: dict[str, Any] = {}
    for i in range(args.runs):
        split.facts = split.rules = 0.0
        gc.collect()
        t0 = time.perf_counter()
        evaluation = evaluate_subtree(root, year, explain=False)
        elapsed = time.perf_counter() - t0
        split.rules = elapsed - split.facts
        engine_times.append(elapsed)
        splits.append((split.facts, split.rules))
        print(
            f"   engine run {i + 1}: {elapsed:.2f} s (facts {split.facts:.2f} s, "
            f"rules {split.rules:.2f} s)",
            flush=True,
        )
        if i == 0:
            summary = verdict_counts(evaluation, Verdict)
            assert summary["people"] == args.people, summary["people"]
            assert summary["units"] == args.units, summary["units"]
        del evaluation
    rss_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    baseline_times: list[float] = []
    subjects = 0
    for i in range(args.runs):
        gc.collect()
        t0 = time.perf_counter()
        subjects = baseline(root.path, year)
        elapsed = time.perf_counter() - t0
        baseline_times.append(elapsed)
        print(f"   baseline run {i + 1}: {elapsed:.2f} s ({subjects:,} rows)", flush=True)

    gc.collect()
    tracemalloc.start()
    evaluation = evaluate_subtree(root, year, explain=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del evaluation
    gc.collect()

    profile_text = ""
    if args.profile:
        profile_text = profile(root, year, connection.vendor)

    e, b = stats(engine_times), stats(baseline_times)
    best_run = engine_times.index(e["best"])
    return {
        "backend": args.db,
        "label": common.backend_label(connection),
        "people": summary["people"],
        "units": summary["units"],
        "year": year,
        "verdicts": summary["verdicts"],
        "engine": e,
        "baseline": b,
        "baseline_rows": subjects,
        "split": {"facts": splits[best_run][0], "rules": splits[best_run][1]},
        "ratio_best": e["best"] / b["best"],
        "ratio_median": e["median"] / b["median"],
        "tracemalloc_peak": peak,
        "max_rss": rss_engine,
        "rss_before_evaluation": rss_before,
        "generation_seconds": generation.get("generation_seconds", 0.0),
        "generation": generation,
        "profile": profile_text,
        "patched": patched,
    }


def verdict_counts(evaluation: Any, verdict: Any) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for subjects in (evaluation.people, evaluation.units):
        for s in subjects.values():
            for r in s.results:
                key = f"{s.kind}:{r.award}"
                row = counts.setdefault(key, {v.value: 0 for v in verdict})
                row[r.verdict.value] += 1
    return {"people": len(evaluation.people), "units": len(evaluation.units), "verdicts": counts}


def profile(root: Any, year: int, vendor: str) -> str:
    """cProfile of one evaluation, plus the time of every SQL query it ran."""
    import cProfile
    import io
    import pstats

    from eligibility.engine import evaluate_subtree

    queries: list[tuple[float, str]] = []
    prof = cProfile.Profile()
    gc.collect()
    with common.sql_timer(queries):
        prof.enable()
        evaluation = evaluate_subtree(root, year, explain=False)
        prof.disable()
    del evaluation
    out = io.StringIO()
    for order in ("tottime", "cumulative"):
        pstats.Stats(prof, stream=out).sort_stats(order).print_stats(25)
    out.write("\nSQL queries (execute time only; rows are fetched lazily afterwards):\n")
    for seconds, sql in queries:
        out.write(f"{seconds:8.3f} s  {sql[:160]}\n")
    # The cost of the cyclic garbage collector during one evaluation.
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    evaluation = evaluate_subtree(root, year, explain=False)
    out.write(f"\nOne evaluation with gc disabled: {time.perf_counter() - t0:.2f} s\n")
    gc.enable()
    del evaluation
    text = out.getvalue()
    (VAR / f"profile-{vendor}.txt").write_text(text)
    return text


# --- entry point ------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    return BENCH.child(args, wanted_meta(args), holds_data_set, generate, measure)


def main(argv: list[str] | None = None) -> int:
    parser = common.new_parser(__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse a database of the same size")
    parser.add_argument("--profile", action="store_true", help="cProfile one evaluation")
    common.add_run_arguments(parser)
    return common.dispatch(parser, parser.parse_args(argv), child, orchestrate)


if __name__ == "__main__":
    sys.exit(main())
