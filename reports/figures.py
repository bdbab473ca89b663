"""The figures of an annual report, gathered from records by a registry of sections.

Each section provider answers, for one unit's whole subtree and one year, a list of
labelled counts computed set-wise (one aggregate query per section, whatever the
number of records). Apps that own records register their own section, replacing a
placeholder of the same key: the exemplar work of issue 4 plugs in by calling

    register_section("exemplars", _("Xây dựng điển hình tiên tiến"), 40, provider)

from its AppConfig.ready(). Until then those sections show zeros and the
narratives carry the free text.

The stored shape (AnnualReport.figures, CompiledReport.sums...) is
``{"sections": [{"key", "title", "rows": [{"key", "label", "value"}]}]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Unit

MAX_FIGURE = 10_000_000


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: int = 0


SectionProvider = Callable[[Unit, int], Sequence[Row]]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: Any  # a lazy translation, rendered when the report is created
    order: int
    provider: SectionProvider


_REGISTRY: dict[str, SectionSpec] = {}


def register_section(key: str, title: Any, order: int, provider: SectionProvider) -> None:
    """Add a section, or replace the one with the same key (placeholders are replaced)."""
    _REGISTRY[key] = SectionSpec(key, title, order, provider)


def registered_sections() -> list[SectionSpec]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))


def prefill(unit: Unit, year: int) -> dict[str, Any]:
    """The figures of `unit`'s subtree for `year`, as stored on a new report.

    Labels are stored in the default language (Vietnamese): they end up in the
    official document, whatever language the person creating it browses in.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _prefill(unit, year)


def _prefill(unit: Unit, year: int) -> dict[str, Any]:
    sections = []
    for spec in registered_sections():
        rows = spec.provider(unit, year)
        sections.append(
            {
                "key": spec.key,
                "title": str(spec.title),
                "rows": [
                    {"key": r.key, "label": str(r.label), "value": int(r.value)} for r in rows
                ],
            }
        )
    return {"sections": sections}


# --- reading and combining stored figures ----------------------------------------------


def flat_rows(figures: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(section title, row) pairs in document order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for section in figures.get("sections", []):
        for row in section.get("rows", []):
            out.append((section.get("title", ""), row))
    return out


def values_of(figures: Mapping[str, Any]) -> dict[str, int]:
    return {row["key"]: int(row.get("value") or 0) for _t, row in flat_rows(figures)}


def with_values(figures: Mapping[str, Any], values: Mapping[str, int]) -> dict[str, Any]:
    """A copy of `figures` with the given row values replaced (unknown keys ignored)."""
    return {
        "sections": [
            {
                **section,
                "rows": [
                    {**row, "value": int(values.get(row["key"], row.get("value") or 0))}
                    for row in section.get("rows", [])
                ],
            }
            for section in figures.get("sections", [])
        ]
    }


def sum_figures(many: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Add up figures row by row; sections and rows keep their first-seen order.

    Reports of different years may hold different rows (the catalogue changed):
    a row missing from one report counts as 0 there.
    """
    sections: dict[str, dict[str, Any]] = {}
    for figures in many:
        for section in figures.get("sections", []):
            target = sections.setdefault(
                section["key"],
                {"key": section["key"], "title": section.get("title", ""), "rows": {}},
            )
            for row in section.get("rows", []):
                existing = target["rows"].setdefault(
                    row["key"], {"key": row["key"], "label": row.get("label", ""), "value": 0}
                )
                existing["value"] += int(row.get("value") or 0)
    return {"sections": [{**s, "rows": list(s["rows"].values())} for s in sections.values()]}


# --- built-in providers --------------------------------------------------------------


def _subtree(prefix: str, unit: Unit) -> Q:
    return Q(**{f"{prefix}path__startswith": unit.path})


def awards_section(unit: Unit, year: int) -> list[Row]:
    """Awards held for `year` by the subtree's people and collectives, by title or form.

    People are counted in their current unit: a person who moved away since took
    the award's record with them, as the people pages do.
    """
    from awards.models import Award, AwardType

    counts = dict(
        Award.objects.filter(year=year)
        .filter(_subtree("unit__", unit) | _subtree("person__unit__", unit))
        .values_list("award_type_id")
        .annotate(n=Count("id"))
        .values_list("award_type_id", "n")
    )
    types = AwardType.objects.filter(Q(active=True) | Q(pk__in=list(counts))).order_by(
        "order", "code"
    )
    return [Row(f"awards.{t.code}", t.name, counts.get(t.pk, 0)) for t in types]


def initiatives_section(unit: Unit, year: int) -> list[Row]:
    from awards.models import Initiative, InitiativeKind, RecognitionLevel

    rows = (
        Initiative.objects.filter(_subtree("unit__", unit), year=year)
        .values_list("kind", "level")
        .annotate(n=Count("id"))
        .values_list("kind", "level", "n")
    )
    by_level: dict[str, int] = {}
    research = 0
    for kind, level, n in rows:
        by_level[level] = by_level.get(level, 0) + n
        if kind == InitiativeKind.RESEARCH:
            research += n
    out = [
        Row(
            f"initiatives.{level}",
            _("Sáng kiến, đề tài %(level)s") % {"level": str(label).lower()},
            by_level.get(level, 0),
        )
        for level, label in RecognitionLevel.choices
    ]
    out.append(Row("initiatives.research", _("Trong đó: đề tài, công trình khoa học"), research))
    return out


def registrations_section(unit: Unit, year: int) -> list[Row]:
    """Exemplars the subtree registered to build under plans (EXEMPLAR_REGISTRATION)."""
    from plans.models import RegistrationEntry, RequirementKind

    entries = RegistrationEntry.objects.filter(
        _subtree("submission__unit__", unit),
        submission__requirement__kind=RequirementKind.EXEMPLAR_REGISTRATION,
    ).filter(
        Q(submission__requirement__year=year)
        | Q(submission__requirement__year__isnull=True, submission__requirement__due_on__year=year)
    )
    agg = entries.aggregate(
        total=Count("id"),
        people=Count("id", filter=Q(person__isnull=False)),
        collectives=Count("id", filter=Q(person__isnull=True)),
    )
    return [
        Row("exemplars.registered", _("Điển hình đăng ký xây dựng"), agg["total"]),
        Row("exemplars.registered_people", _("Trong đó: cá nhân"), agg["people"]),
        Row(
            "exemplars.registered_collectives", _("Trong đó: tập thể, mô hình"), agg["collectives"]
        ),
        # Filled by the exemplars app once it exists (issue 4).
        Row("exemplars.recognized", _("Điển hình được công nhận, tuyên dương"), 0),
        Row("exemplars.proposed_upward", _("Điển hình đề nghị cấp trên khen thưởng"), 0),
    ]


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _field_names(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def movements_section(unit: Unit, year: int) -> list[Row]:
    """Emulation movements launched in the subtree and registrations made there that
    year. Read defensively: the movements app is built alongside this one, so a field
    it renames leaves zeros here rather than breaking every report."""
    movement = _model("movements.Movement")
    registration = _model("movements.Registration")
    launched = registered = confirmed = 0
    if movement is not None and {"launching_unit", "starts_on"} <= _field_names(movement):
        launched = movement.objects.filter(
            _subtree("launching_unit__", unit), starts_on__year=year
        ).count()
    if registration is not None and {"unit", "registered_on", "status"} <= _field_names(
        registration
    ):
        agg = registration.objects.filter(
            _subtree("unit__", unit), registered_on__year=year
        ).aggregate(
            total=Count("id", filter=~Q(status__in=["DRAFT", "REJECTED"])),
            confirmed=Count("id", filter=Q(status="CONFIRMED")),
        )
        registered, confirmed = agg["total"], agg["confirmed"]
    return [
        Row("movements.launched", _("Phong trào thi đua được phát động"), launched),
        Row("movements.registrations", _("Lượt đăng ký thi đua"), registered),
        Row("movements.confirmed", _("Trong đó: đã được thủ trưởng xác nhận"), confirmed),
    ]


def inspections_section(unit: Unit, year: int) -> list[Row]:
    """Council inspections of units in the subtree carried out that year."""
    model = _model("inspections.Inspection")
    planned = done = 0
    if model is not None and {"unit", "scheduled_on", "done_on"} <= _field_names(model):
        agg = model.objects.filter(_subtree("unit__", unit)).aggregate(
            planned=Count("id", filter=Q(scheduled_on__year=year)),
            done=Count("id", filter=Q(done_on__year=year)),
        )
        planned, done = agg["planned"], agg["done"]
    return [
        Row("inspections.planned", _("Cuộc kiểm tra theo kế hoạch"), planned),
        Row("inspections.done", _("Cuộc kiểm tra đã thực hiện"), done),
    ]


def _placeholder(rows: Sequence[tuple[str, Any]]) -> SectionProvider:
    def provide(unit: Unit, year: int) -> list[Row]:
        return [Row(key, str(label), 0) for key, label in rows]

    return provide


register_section("awards", gettext_lazy("Khen thưởng"), 10, awards_section)
register_section("initiatives", gettext_lazy("Sáng kiến, đề tài khoa học"), 20, initiatives_section)
register_section("movements", gettext_lazy("Phong trào thi đua"), 30, movements_section)
register_section(
    "exemplars", gettext_lazy("Xây dựng điển hình tiên tiến"), 40, registrations_section
)
register_section(
    "outreach",
    gettext_lazy("Tuyên truyền điển hình tiên tiến"),
    50,
    _placeholder(
        [
            ("outreach.articles", gettext_lazy("Tin, bài, chuyên trang, chuyên mục")),
            ("outreach.events", gettext_lazy("Buổi giao lưu, chia sẻ kinh nghiệm")),
        ]
    ),
)
register_section(
    "replication",
    gettext_lazy("Nhân rộng điển hình"),
    60,
    _placeholder(
        [
            ("replication.models", gettext_lazy("Mô hình được nhân rộng")),
            ("replication.visits", gettext_lazy("Đoàn tham quan, học tập kinh nghiệm")),
        ]
    ),
)
register_section(
    "trainings",
    gettext_lazy("Tập huấn nghiệp vụ"),
    70,
    _placeholder(
        [
            ("trainings.courses", gettext_lazy("Lớp tập huấn")),
            ("trainings.attendees", gettext_lazy("Lượt người được tập huấn")),
        ]
    ),
)
register_section("inspections", gettext_lazy("Kiểm tra"), 80, inspections_section)
