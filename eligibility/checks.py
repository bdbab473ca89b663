"""The record checks a rule set may name, and the applicability tests of conditions.

A check answers met / not met for one subject from its loaded facts; when the
evaluation asks for explanations it also returns the values that fill the
condition's Vietnamese explanation template (each check documents its keys).
Checks never query the database: eligibility.facts loaded everything set-wise.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from awards.models import DISCIPLINE_RANK, LEVEL_RANK, DisciplineStatus
from eligibility.facts import RATING_RANK, RATING_WINDOW, PersonFacts, UnitFacts

Values = dict[str, Any] | None
Result = tuple[bool, Values]

RANK_LABEL = {
    4: "Hoàn thành xuất sắc nhiệm vụ",
    3: "Hoàn thành tốt nhiệm vụ",
    2: "Hoàn thành nhiệm vụ",
    1: "Không hoàn thành nhiệm vụ",
    0: "chưa có xếp loại",
}
AWARD_LABEL = {
    "LDTT": "Lao động tiên tiến",
    "CSTDCS": "Chiến sĩ thi đua cơ sở",
    "CSTD_BO": "Chiến sĩ thi đua cấp bộ, tỉnh",
    "CSTD_TQ": "Chiến sĩ thi đua toàn quốc",
    "TTLDTT": "Tập thể lao động tiên tiến",
    "TTLDXS": "Tập thể lao động xuất sắc",
    "BK_BO": "Bằng khen cấp bộ, tỉnh",
    "BK_TTG": "Bằng khen của Thủ tướng",
    "HCLD3": "Huân chương Lao động hạng Ba",
}
LEVEL_LABEL = {1: "cơ sở", 2: "bộ, ngành, tỉnh", 3: "toàn quốc"}
FORM_LABEL = {
    "KHIEN_TRACH": "khiển trách",
    "CANH_CAO": "cảnh cáo",
    "GIANG_CHUC": "giáng chức",
    "CACH_CHUC": "cách chức",
    "BUOC_THOI_VIEC": "buộc thôi việc",
}


@dataclass
class Context:
    """One evaluation: the year, whether to explain, and what earlier rules found."""

    year: int
    explain: bool = False
    award: str = ""  # the rule being evaluated (initiatives it already used stay usable)
    eligible: dict[str, set[int]] = field(default_factory=dict)  # people, by award code
    unit_eligible: dict[str, set[int]] = field(default_factory=dict)
    people: dict[int, PersonFacts] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    # Subjects whose title of the year is open by record but awaits a judgement: a
    # condition that leans on it cannot be more certain than that title.
    pending: dict[str, set[int]] = field(default_factory=dict)
    unit_pending: dict[str, set[int]] = field(default_factory=dict)
    leaning: bool = False  # set by a check that leaned on such a title
    # Exemplar standards review a period (from the plan's start to the year assessed)
    # and read facts outside the award records (who heads a unit, which units are
    # recognised collective exemplars); eligibility runs leave both empty.
    period_from: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def vndate(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if years else "không"


def period_text(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rank_in(ratings: int, year: int, y: int) -> int:
    back = year - y
    if back < 0 or back >= RATING_WINDOW:
        return 0
    return (ratings // 10**back) % 10


def _held_mask(awards: dict[str, tuple[int, int | None]], code: str, year: int, y: int) -> bool:
    mask = awards.get(code, (0, None))[0]
    back = year - y
    return back >= 0 and bool(mask >> back & 1)


def person_holds(ctx: Context, f: PersonFacts, code: str, y: int) -> bool:
    """Held in year y: a recorded award, or for the year under review, eligible by record
    (titles of the same year are decided together)."""
    if _held_mask(f.awards, code, ctx.year, y):
        return True
    if y == ctx.year and f.id in ctx.eligible.get(code, ()):
        if f.id in ctx.pending.get(code, ()):
            ctx.leaning = True
        return True
    return False


def unit_holds(ctx: Context, f: UnitFacts, code: str, y: int) -> bool:
    if _held_mask(f.awards, code, ctx.year, y):
        return True
    if y == ctx.year and f.id in ctx.unit_eligible.get(code, ()):
        if f.id in ctx.unit_pending.get(code, ()):
            ctx.leaning = True
        return True
    return False


def latest_before(awards: dict[str, tuple[int, int | None]], code: str, year: int) -> int | None:
    mask, earliest = awards.get(code, (0, None))
    older = mask >> 1  # bit 0 is the year itself
    if older:
        return year - 1 - _lowest_set(older)
    if earliest is not None and earliest < year:
        return earliest
    return None


def _lowest_set(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def discipline_free_from(f: PersonFacts, default_months: int = 12) -> int:
    """First year whose achievements count: after the end of every decided discipline
    (Nghị định 152/2025, Điều 4). A decision without an end date lasts `default_months`."""
    if not f.disciplines:
        return 0
    if default_months == 12 and f.free_from >= 0:
        return f.free_from
    free = 0
    for d in f.disciplines:
        if d.status != DisciplineStatus.DECIDED or d.decided_on is None:
            continue
        end = d.ends_on or add_months(d.decided_on, default_months) - dt.timedelta(days=1)
        free = max(free, end.year + 1)
    if default_months == 12:
        f.free_from = free
    return free


# --- person checks ------------------------------------------------------------------


def member_on_year_end(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """Every check returns at least `detail`, the sentence that fills `{detail}`."""
    met = f.unit_id is not None
    if not ctx.explain:
        return met, None
    day = vndate(dt.date(ctx.year, 12, 31))
    if met:
        assert f.unit_id is not None
        text = f"Ngày {day} thuộc đơn vị {ctx.unit_names.get(f.unit_id, '')}."
    else:
        text = f"Ngày {day} không thuộc đơn vị nào."
    return met, {"detail": text, "date": day}


def not_newcomer(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    months = int(p.get("months", 6))
    cutoff = add_months(dt.date(ctx.year, 12, 31), -months) + dt.timedelta(days=1)
    met = f.recruited_on is not None and f.recruited_on <= cutoff
    if not ctx.explain:
        return met, None
    if f.recruited_on is None:
        text = "Chưa có quá trình công tác được ghi nhận."
    elif met:
        text = f"Bắt đầu công tác từ {vndate(f.recruited_on)}: đủ {months} tháng tính đến 31/12."
    else:
        text = (
            f"Bắt đầu công tác từ {vndate(f.recruited_on)} (sau {vndate(cutoff)}): "
            f"chưa đủ {months} tháng, không thuộc diện bình xét."
        )
    return met, {"detail": text, "months": months, "cutoff": vndate(cutoff)}


def no_pending_discipline(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    pending = [d for d in f.disciplines if d.status == DisciplineStatus.PENDING]
    met = not pending
    if not ctx.explain:
        return met, None
    if met:
        text = "Không có vụ việc kỷ luật đang xem xét."
    else:
        cases = "; ".join(
            f"{FORM_LABEL.get(d.form, d.form)} (phát sinh {vndate(d.opened_on)})" for d in pending
        )
        text = f"Đang xem xét kỷ luật: {cases}. Chưa xét khen thưởng cho đến khi có kết luận."
    return met, {"detail": text}


def no_discipline_in_effect(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    free = discipline_free_from(f, int(p.get("default_months", 12)))
    met = ctx.year >= free
    if not ctx.explain:
        return met, None
    if not f.disciplines or free == 0:
        text = "Không có kỷ luật đã quyết định."
    elif met:
        text = f"Kỷ luật đã hết thời hạn; thành tích được tính từ năm {free}."
    else:
        text = (
            f"Năm {ctx.year} còn trong thời hạn chịu kỷ luật; thành tích chỉ được tính "
            f"từ năm {free}."
        )
    return met, {"detail": text, "from_year": free}


def rating_at_least(ctx: Context, f: PersonFacts | UnitFacts, p: dict[str, Any]) -> Result:
    need = RATING_RANK[p["min"]]
    have = rank_in(f.ratings, ctx.year, ctx.year)
    met = have >= need
    if not ctx.explain:
        return met, None
    text = f"Năm {ctx.year} xếp loại: {RANK_LABEL[have]}; yêu cầu: {RANK_LABEL[need]} trở lên."
    return met, {"detail": text, "rating": RANK_LABEL[have], "min": RANK_LABEL[need]}


def meets_rule(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    code = p["award"]
    met = f.id in ctx.eligible.get(code, ())
    waiting = met and f.id in ctx.pending.get(code, ())
    if waiting:
        ctx.leaning = True
    if not ctx.explain:
        return met, None
    label = AWARD_LABEL.get(code, code)
    if waiting:
        text = (
            f"Đủ tiêu chuẩn {label} năm {ctx.year} theo hồ sơ; còn chờ đánh giá (xem mục {label})."
        )
    elif met:
        text = f"Đạt tiêu chuẩn {label} năm {ctx.year}."
    else:
        text = f"Chưa đủ tiêu chuẩn {label} năm {ctx.year} theo hồ sơ (xem mục {label})."
    return met, {"detail": text}


def _chain_limits(
    ctx: Context, f: PersonFacts | UnitFacts, p: dict[str, Any]
) -> tuple[int, list[str]]:
    """The earliest year a chain may start: after discipline, after the last award that
    already rewarded such a chain (one achievement is rewarded once)."""
    floor = 0
    notes: list[str] = []
    if isinstance(f, PersonFacts):
        free = discipline_free_from(f)
        if free:
            floor = free
            notes.append(f"tính từ năm {free} (sau thời hạn kỷ luật)")
    after = p.get("after_award")
    if after:
        last = latest_before(f.awards, after, ctx.year)
        if last is not None and last + 1 > floor:
            floor = last + 1
            notes.append(f"sau lần {AWARD_LABEL.get(after, after)} năm {last}")
    return floor, notes


def _chain_result(
    ctx: Context, years: list[int], ok: list[bool], floor: int, notes: list[str], what: str
) -> Result:
    missing = [y for y, good in zip(years, ok, strict=True) if not good]
    too_early = [y for y in years if y < floor]
    met = not missing and not too_early
    if not ctx.explain:
        return met, None
    contiguous = years == list(range(years[0], years[-1] + 1))
    period = period_text(years[0], years[-1]) if contiguous else years_text(years)
    parts = [f"{what} các năm {period}: "]
    parts.append("đủ" if not missing else f"thiếu năm {years_text(missing)}")
    if too_early:
        parts.append(f"; năm {years_text(too_early)} không được tính")
    if notes:
        parts.append(" (" + "; ".join(notes) + ")")
    return met, {"detail": "".join(parts) + ".", "period": period}


def title_chain(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """`years` unbroken years ending with the year under review, each holding `award`."""
    code, n = p["award"], int(p["years"])
    years = list(range(ctx.year - n + 1, ctx.year + 1))
    ok = [person_holds(ctx, f, code, y) for y in years]
    if not ctx.explain and not all(ok):
        return False, None
    floor, notes = _chain_limits(ctx, f, p)
    return _chain_result(ctx, years, ok, floor, notes, AWARD_LABEL.get(code, code))


def title_cycle(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """`times` consecutive terms of a title awarded every `every` years (e.g. CSTĐ cấp bộ)."""
    code, times, every = p["award"], int(p["times"]), int(p["every"])
    years = sorted(ctx.year - k * every for k in range(times))
    ok = [person_holds(ctx, f, code, y) for y in years]
    if not ctx.explain and not all(ok):
        return False, None
    floor, notes = _chain_limits(ctx, f, p)
    return _chain_result(ctx, years, ok, floor, notes, AWARD_LABEL.get(code, code))


def rating_chain(ctx: Context, f: PersonFacts | UnitFacts, p: dict[str, Any]) -> Result:
    need, n = RATING_RANK[p["min"]], int(p["years"])
    years = list(range(ctx.year - n + 1, ctx.year + 1))
    ok = [rank_in(f.ratings, ctx.year, y) >= need for y in years]
    if not ctx.explain and not all(ok):
        return False, None
    floor, notes = _chain_limits(ctx, f, p)
    return _chain_result(ctx, years, ok, floor, notes, f"Xếp loại từ {RANK_LABEL[need]}")


def rating_count(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    need, n, count = RATING_RANK[p["min"]], int(p["years"]), int(p["count"])
    floor = discipline_free_from(f)
    years = [y for y in range(ctx.year - n + 1, ctx.year + 1) if y >= floor]
    found = [y for y in years if rank_in(f.ratings, ctx.year, y) >= need]
    met = len(found) >= count
    if not ctx.explain:
        return met, None
    text = (
        f"Số năm {RANK_LABEL[need]} trong {period_text(ctx.year - n + 1, ctx.year)}: "
        f"{len(found)} ({years_text(found)}); cần {count}."
    )
    return met, {"detail": text}


def title_count(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    code, n, count = p["award"], int(p["years"]), int(p["count"])
    floor = discipline_free_from(f)
    years = [y for y in range(ctx.year - n + 1, ctx.year + 1) if y >= floor]
    found = [y for y in years if person_holds(ctx, f, code, y)]
    met = len(found) >= count
    if not ctx.explain:
        return met, None
    text = (
        f"Số lần {AWARD_LABEL.get(code, code)} trong {period_text(ctx.year - n + 1, ctx.year)}: "
        f"{len(found)} ({years_text(found)}); cần {count}."
    )
    return met, {"detail": text}


def holds_award_before(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """Holds `award` from a year at least `years` before the year under review."""
    code, n = p["award"], int(p["years"])
    limit = ctx.year - n
    mask, earliest = f.awards.get(code, (0, None))
    met = bool(mask >> n) or (earliest is not None and earliest <= limit)
    if not ctx.explain:
        return met, None
    label = AWARD_LABEL.get(code, code)
    held_years = [ctx.year - i for i in range(mask.bit_length()) if mask >> i & 1]
    if earliest is not None and earliest not in held_years:
        held_years.append(earliest)
    held = years_text(sorted(held_years))
    found = "năm " + held if held_years else "chưa có"
    text = f"{label}: {found}; cần có từ năm {limit} trở về trước."
    return met, {"detail": text}


def initiatives(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """Initiatives or research of the person, recognised at `min_level` or above in the
    last `years` years, not used by another award (Công văn 5007/BNV-TĐKT)."""
    min_level = LEVEL_RANK[p["min_level"]]
    kinds = set(p.get("kinds", ["INITIATIVE", "RESEARCH"]))
    n, count = int(p["years"]), int(p["count"])
    first = max(ctx.year - n + 1, discipline_free_from(f))
    usable: list[Any] = []
    used_elsewhere = 0
    for i in f.initiatives:
        if not (first <= i.year <= ctx.year and i.level >= min_level and i.kind in kinds):
            continue
        own_use = i.used_award == ctx.award and i.used_year == ctx.year and i.used_person == f.id
        if i.used_award is None or own_use:
            usable.append(i)
        else:
            used_elsewhere += 1
    if p.get("same_kind"):
        by_kind: dict[str, int] = {}
        for i in usable:
            by_kind[i.kind] = by_kind.get(i.kind, 0) + 1
        found = max(by_kind.values(), default=0)
    else:
        found = len(usable)
    met = found >= count
    if not ctx.explain:
        return met, None
    text = (
        f"Sáng kiến, đề tài cấp {LEVEL_LABEL[min_level]} trở lên trong "
        f"{period_text(first if first <= ctx.year else ctx.year, ctx.year)}, chưa dùng cho "
        f"khen thưởng khác: {found}; cần {count}."
    )
    if used_elsewhere:
        text += f" {used_elsewhere} sáng kiến đã dùng cho khen thưởng khác, không tính lại."
    return met, {"detail": text}


# --- unit checks --------------------------------------------------------------------


def unit_active_on_year_end(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    day = dt.date(ctx.year, 12, 31)
    met = f.valid_from <= day and (f.valid_to is None or f.valid_to >= day)
    if not ctx.explain:
        return met, None
    text = (
        f"Đơn vị hoạt động tại ngày {vndate(day)}."
        if met
        else f"Đơn vị đã thôi hoạt động từ {vndate(f.valid_to)} (sáp nhập, giải thể)."
    )
    return met, {"detail": text}


def unit_rating_chain(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    return rating_chain(ctx, f, p)


def unit_title_chain(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    code, n = p["award"], int(p["years"])
    years = list(range(ctx.year - n + 1, ctx.year + 1))
    ok = [unit_holds(ctx, f, code, y) for y in years]
    if not ctx.explain and not all(ok):
        return False, None
    floor, notes = _chain_limits(ctx, f, p)
    return _chain_result(ctx, years, ok, floor, notes, AWARD_LABEL.get(code, code))


def _considered_members(ctx: Context, f: UnitFacts, months: int = 6) -> tuple[list[int], int]:
    """Members on 31/12 less those recruited under `months` ago (not considered for titles)."""
    cutoff = add_months(dt.date(ctx.year, 12, 31), -months) + dt.timedelta(days=1)
    kept, newcomers = [], 0
    for pid in f.members:
        person = ctx.people.get(pid)
        if person is None:
            continue
        if person.recruited_on is not None and person.recruited_on > cutoff:
            newcomers += 1
        else:
            kept.append(pid)
    return kept, newcomers


def _share(found: int, total: int) -> str:
    pct = found * 100 / total if total else 0
    return f"{found}/{total} ({pct:.1f}%)".replace(".", ",")


def members_share_title(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    code, min_pct = p["award"], int(p["min_pct"])
    members, newcomers = _considered_members(ctx, f)
    found = sum(1 for pid in members if person_holds(ctx, ctx.people[pid], code, ctx.year))
    total = len(members)
    # Integer comparison: 69.9 % must not round up to 70 %.
    met = total > 0 and found * 100 >= min_pct * total
    if not ctx.explain:
        return met, None
    label = AWARD_LABEL.get(code, code)
    text = f"{_share(found, total)} thành viên tại 31/12/{ctx.year} đạt {label}; cần từ {min_pct}%."
    if newcomers:
        text += f" Không tính {newcomers} người mới tuyển dụng dưới 6 tháng."
    if not total:
        text = f"Đơn vị không có thành viên tại 31/12/{ctx.year}."
    return met, {"detail": text}


def members_share_rating(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    need, min_pct = RATING_RANK[p["min"]], int(p["min_pct"])
    members = [pid for pid in f.members if pid in ctx.people]
    found = sum(
        1 for pid in members if rank_in(ctx.people[pid].ratings, ctx.year, ctx.year) >= need
    )
    total = len(members)
    met = total > 0 and found * 100 >= min_pct * total
    if not ctx.explain:
        return met, None
    text = (
        f"{_share(found, total)} thành viên xếp loại từ {RANK_LABEL[need]} trở lên; cần {min_pct}%."
    )
    if not total:
        text = f"Đơn vị không có thành viên tại 31/12/{ctx.year}."
    return met, {"detail": text}


def members_with_title(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    code, count = p["award"], int(p["count"])
    holders = [
        pid
        for pid in f.members
        if pid in ctx.people and person_holds(ctx, ctx.people[pid], code, ctx.year)
    ]
    met = len(holders) >= count
    if not ctx.explain:
        return met, None
    names = ", ".join(ctx.people[pid].name for pid in holders[:5])
    more = "…" if len(holders) > 5 else ""
    text = f"Thành viên đạt {AWARD_LABEL.get(code, code)}: {len(holders)}"
    text += f" ({names}{more})" if holders else ""
    text += f"; cần {count}."
    return met, {"detail": text}


def no_member_disciplined(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    floor = DISCIPLINE_RANK[p["min_form"]]
    hit = []
    for pid in f.members:
        person = ctx.people.get(pid)
        if person is None:
            continue
        for d in person.disciplines:
            if (
                d.status == DisciplineStatus.DECIDED
                and d.decided_on is not None
                and d.decided_on.year == ctx.year
                and DISCIPLINE_RANK.get(d.form, 0) >= floor
            ):
                hit.append((person.name, d.form))
    met = not hit
    if not ctx.explain:
        return met, None
    if met:
        text = (
            f"Năm {ctx.year} không có thành viên bị kỷ luật từ {FORM_LABEL[p['min_form']]} trở lên."
        )
    else:
        who = "; ".join(f"{name} ({FORM_LABEL.get(form, form)})" for name, form in hit)
        text = f"Năm {ctx.year} có thành viên bị kỷ luật: {who}."
    return met, {"detail": text}


def cluster_leader(ctx: Context, f: UnitFacts, p: dict[str, Any]) -> Result:
    met = bool(f.leads)
    if not ctx.explain:
        return met, None
    text = (
        f"Dẫn đầu cụm, khối năm {ctx.year}: {', '.join(f.leads)}."
        if met
        else f"Chưa được ghi nhận dẫn đầu cụm, khối thi đua nào năm {ctx.year}."
    )
    return met, {"detail": text}


# --- exemplar standard checks (a review period instead of a fixed number of years) ---


def review_years(ctx: Context) -> list[int]:
    """The years of the review period, at most as many as the rating history keeps."""
    start = ctx.period_from or ctx.year
    start = max(min(start, ctx.year), ctx.year - RATING_WINDOW + 1)
    return list(range(start, ctx.year + 1))


def title_every_year(ctx: Context, f: PersonFacts | UnitFacts, p: dict[str, Any]) -> Result:
    """`award` recorded in every year of the review period (unbroken, hence consecutive)."""
    code = p["award"]
    years = review_years(ctx)
    holds = unit_holds if isinstance(f, UnitFacts) else person_holds
    ok = [holds(ctx, f, code, y) for y in years]  # type: ignore[arg-type]
    return _chain_result(ctx, years, ok, 0, [], AWARD_LABEL.get(code, code))


def rating_every_year(ctx: Context, f: PersonFacts | UnitFacts, p: dict[str, Any]) -> Result:
    need = RATING_RANK[p["min"]]
    years = review_years(ctx)
    ok = [rank_in(f.ratings, ctx.year, y) >= need for y in years]
    return _chain_result(ctx, years, ok, 0, [], f"Xếp loại {RANK_LABEL[need]}")


def initiative_in_period(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """An initiative or research topic of the review period. Unlike a title, an exemplar
    is not a reward: an initiative already used for an award still shows creativity."""
    min_level = LEVEL_RANK[p.get("min_level", "CO_SO")]
    years = review_years(ctx)
    found = [i for i in f.initiatives if years[0] <= i.year <= ctx.year and i.level >= min_level]
    met = len(found) >= int(p.get("count", 1))
    if not ctx.explain:
        return met, None
    period = period_text(years[0], ctx.year)
    if found:
        years_found = sorted({i.year for i in found})
        text = (
            f"Sáng kiến, đề tài trong giai đoạn {period}: {len(found)} "
            f"(năm {years_text(years_found)})."
        )
    else:
        text = f"Không có sáng kiến, đề tài nào được công nhận trong giai đoạn {period}."
    return met, {"detail": text, "period": period}


def head_unit_is_exemplar(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Result:
    """Head of a unit: the unit itself must be a recognised collective exemplar."""
    unit_id, unit_name = ctx.extra.get("heads", {}).get(f.id, (None, ""))
    state = ctx.extra.get("exemplar_units", {}).get(unit_id)
    met = state is not None
    if not ctx.explain:
        return met, None
    if met:
        text = f"Đơn vị {unit_name} là tập thể điển hình tiên tiến ({state})."
    else:
        text = (
            f"Là thủ trưởng đơn vị {unit_name}, nhưng đơn vị chưa được công nhận là tập thể "
            "điển hình tiên tiến."
        )
    return met, {"detail": text, "unit": unit_name}


# --- applicability tests (a condition is listed only when its test holds) -----------


def is_unit_head(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Values:
    head = ctx.extra.get("heads", {}).get(f.id)
    if head is None:
        return None
    return {"detail": f"Thủ trưởng đơn vị {head[1]}.", "unit": head[1]}


def transferred_with_months(ctx: Context, f: PersonFacts, p: dict[str, Any]) -> Values:
    """Moved in the year after `months` or more at the old unit: its comments are needed."""
    if f.transfer is None:
        return None
    old_unit, months_there = f.transfer
    if months_there < int(p.get("months", 6)):
        return None
    return {
        "detail": (
            f"Chuyển từ {old_unit} trong năm {ctx.year}, đã công tác ở đó {months_there} tháng: "
            "cần ý kiến nhận xét của đơn vị cũ."
        )
    }


CHECKS: dict[str, Callable[[Context, Any, dict[str, Any]], Result]] = {
    "member_on_year_end": member_on_year_end,
    "not_newcomer": not_newcomer,
    "no_pending_discipline": no_pending_discipline,
    "no_discipline_in_effect": no_discipline_in_effect,
    "rating_at_least": rating_at_least,
    "meets_rule": meets_rule,
    "title_chain": title_chain,
    "title_cycle": title_cycle,
    "rating_chain": rating_chain,
    "rating_count": rating_count,
    "title_count": title_count,
    "holds_award_before": holds_award_before,
    "initiatives": initiatives,
    "unit_active_on_year_end": unit_active_on_year_end,
    "unit_rating_at_least": rating_at_least,
    "unit_rating_chain": unit_rating_chain,
    "unit_title_chain": unit_title_chain,
    "members_share_title": members_share_title,
    "members_share_rating": members_share_rating,
    "members_with_title": members_with_title,
    "no_member_disciplined": no_member_disciplined,
    "cluster_leader": cluster_leader,
    "title_every_year": title_every_year,
    "rating_every_year": rating_every_year,
    "initiative_in_period": initiative_in_period,
    "head_unit_is_exemplar": head_unit_is_exemplar,
}
APPLICABILITY: dict[str, Callable[[Context, Any, dict[str, Any]], Values]] = {
    "transferred_with_months": transferred_with_months,
    "is_unit_head": is_unit_head,
}
