"""Excel exports of the commendation pages: the rounds list and a round's consolidated
list of proposed items (what the standing body compiles by hand today)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import scope_for
from commendations import dossier
from commendations.access import SENSITIVE
from commendations.models import ItemStatus, ProposalItem, ProposalStatus, Round, RoundKind
from eligibility.engine import VERDICT_LABELS, Verdict

ROUND_HEADERS = [
    gettext_noop("Mã đợt"),
    gettext_noop("Tên đợt xét"),
    gettext_noop("Loại"),
    gettext_noop("Năm thành tích"),
    gettext_noop("Cấp quyết định"),
    gettext_noop("Hạn gửi hồ sơ"),
    gettext_noop("Hạn thẩm định"),
    gettext_noop("Ngày họp hội đồng"),
    gettext_noop("Số hồ sơ đề nghị"),
]

ITEM_HEADERS = [
    gettext_noop("STT"),
    gettext_noop("Đơn vị đề nghị"),
    gettext_noop("Cá nhân, tập thể được đề nghị"),
    gettext_noop("Mã cán bộ, mã đơn vị"),
    gettext_noop("Chức vụ, đơn vị"),
    gettext_noop("Danh hiệu, hình thức"),
    gettext_noop("Tóm tắt thành tích"),
    gettext_noop("Điển hình tiên tiến liên quan"),
    gettext_noop("Trạng thái hồ sơ"),
    gettext_noop("Trạng thái đề nghị"),
    gettext_noop("Điều kiện khi gửi"),
    gettext_noop("Lý do đề nghị khi chưa đủ điều kiện"),
]


def file_part(name: str) -> str:
    """A record's number or code made safe for a download's file name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "x"


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def round_headers() -> list[str]:
    return [_(h) for h in ROUND_HEADERS]


def round_rows(rounds: QuerySet[Round]) -> Iterator[list[Any]]:
    kinds = dict(RoundKind.choices)
    for rnd in rounds.iterator(chunk_size=2000):
        yield [
            rnd.code,
            rnd.title,
            str(kinds.get(rnd.kind, rnd.kind)),
            rnd.year,
            rnd.deciding_unit.name,
            _day(rnd.submission_due),
            _day(rnd.appraisal_due),
            _day(rnd.council_on),
            rnd.proposal_count,  # type: ignore[attr-defined]
        ]


def item_headers() -> list[str]:
    return [_(h) for h in ITEM_HEADERS]


def item_rows(user: Any, items: QuerySet[ProposalItem]) -> Iterator[list[Any]]:
    """One row per item of the proposals the user sees, by proposing unit, award and
    name. The verdict recorded at submission is shown only where the user may see the
    unit's personal records (it reveals, for one, a discipline)."""
    sensitive = scope_for(user, SENSITIVE)
    proposal_states = dict(ProposalStatus.choices)
    item_states = dict(ItemStatus.choices)
    rows = items.select_related(
        "proposal__unit", "person__unit", "unit__parent", "award_type", "exemplar"
    ).order_by("proposal__unit__path", "award_type__order", "person__sort_key", "unit__path", "pk")
    for number, item in enumerate(rows.iterator(chunk_size=2000), start=1):
        shown = sensitive.covers(item.proposal.unit)
        verdict = item.verdict if shown else ""
        yield [
            number,
            item.proposal.unit.name,
            dossier.recipient_name(item),
            item.person.code if item.person_id else item.unit.code,  # type: ignore[union-attr]
            dossier.recipient_detail(item),
            item.award_type.name,
            item.achievement,
            item.exemplar.title if item.exemplar_id else "",  # type: ignore[union-attr]
            str(proposal_states.get(item.proposal.status, item.proposal.status)),
            str(item_states.get(item.status, item.status)),
            str(VERDICT_LABELS.get(Verdict(verdict), verdict)) if verdict else "",
            item.override_reason if shown else "",
        ]
