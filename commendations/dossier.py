"""The proposal's dossier (Law Art. 84, Decree 152 appendix) as DOCX in the administrative
format (reports/docx.py), generated from the records:

- the cover submission (tờ trình, Mẫu 01) listing the items;
- one achievement report per item (báo cáo thành tích, Mẫu 05 for people): the
  person's particulars, the achievement, the ratings, initiatives and awards of
  recent years from the records — or a short report for the simplified dossier
  (Art. 85: tờ trình + báo cáo tóm tắt);
- the skeleton of the unit's review minutes (biên bản họp xét), to be completed and
  signed at the meeting.

Official documents stay in Vietnamese whatever the interface language. Dates are left
blank to fill in when signing.
"""

from __future__ import annotations

from collections.abc import Sequence

from awards.models import Award, AwardKind, Initiative
from commendations.models import Proposal, ProposalItem
from core.choices import Gender
from organizations.models import Unit, UnitRating
from people.models import Person, PersonRating
from reports.documents import place_of, signer_of
from reports.docx import DocSection, DocTable, administrative_document

YEARS_BACK = 5  # recent years shown in an achievement report
RATINGS = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}


def _symbol(unit: Unit) -> str:
    return (unit.short_name or unit.code).replace(" ", "")


def file_tag(proposal: Proposal) -> str:
    raw = f"{proposal.round.code}-{proposal.unit.code}"
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in raw).strip("-") or "hs"


def recipient_name(item: ProposalItem) -> str:
    if item.person_id:
        return item.person.full_name  # type: ignore[union-attr]
    return item.unit.name  # type: ignore[union-attr]


def recipient_detail(item: ProposalItem) -> str:
    """Position and unit of a person; the unit above a collective."""
    if item.person_id:
        person = item.person
        assert person is not None
        return ", ".join(p for p in (person.position, person.unit.name) if p)
    unit = item.unit
    assert unit is not None
    return unit.parent.name if unit.parent_id else ""  # type: ignore[union-attr]


def _award_phrase(items: Sequence[ProposalItem], year: int) -> str:
    names = sorted({i.award_type.name for i in items})
    if len(names) == 1:
        kind = "danh hiệu " if items[0].award_type.kind == AwardKind.TITLE else ""
        return f"{kind}“{names[0]}” năm {year}"
    return f"danh hiệu thi đua và hình thức khen thưởng năm {year}"


def _count_phrase(items: Sequence[ProposalItem]) -> str:
    people = sum(1 for i in items if i.person_id)
    units = len(items) - people
    parts = [f"{people} cá nhân"] if people else []
    if units:
        parts.append(f"{units} tập thể")
    return " và ".join(parts) or "0 trường hợp"


def _document(
    proposal: Proposal,
    *,
    title: str,
    subtitle: str,
    sections: Sequence[DocSection],
    symbol: str,
    recipients: Sequence[str],
    signer: tuple[str, str] | None = None,
) -> bytes:
    unit = proposal.unit
    parent = unit.parent
    signer_title, signer_name = signer or signer_of(unit)
    return administrative_document(
        agency_parent=parent.name if parent is not None else "",
        agency=unit.name,
        number=f"      /{symbol}-{_symbol(unit)}",
        place=place_of(unit),
        date=None,
        title=title,
        subtitle=subtitle,
        sections=sections,
        signer_title=signer_title,
        signer_name=signer_name,
        recipients=[*recipients, "Lưu: VT."],
    )


# --- the cover submission ----------------------------------------------------------------

ITEM_HEADERS = ["STT", "Họ và tên / Tập thể", "Chức vụ, đơn vị", "Đề nghị", "Tóm tắt thành tích"]


def cover_docx(proposal: Proposal, items: Sequence[ProposalItem]) -> bytes:
    rnd = proposal.round
    deciding = rnd.deciding_unit
    rows = [
        [i, recipient_name(item), recipient_detail(item), item.award_type.name, item.achievement]
        for i, item in enumerate(items, start=1)
    ]
    attached = ["Danh sách trích ngang các trường hợp đề nghị khen thưởng (tại mục II);"]
    if proposal.simplified:
        attached.append("Báo cáo tóm tắt thành tích của từng tập thể, cá nhân.")
    else:
        attached += [
            "Báo cáo thành tích của từng tập thể, cá nhân;",
            "Biên bản họp xét khen thưởng của đơn vị;",
            "Các văn bản xác nhận, chứng nhận có liên quan (sáng kiến, đề tài, kết quả xếp loại).",
        ]
    grounds = [
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành "
        "một số điều của Luật Thi đua, khen thưởng;",
        f"Thực hiện đợt xét khen thưởng “{rnd.title}” của {deciding.name};",
    ]
    if proposal.simplified:
        grounds.append("Hồ sơ đề nghị theo thủ tục đơn giản (Điều 85 Luật Thi đua, khen thưởng).")
    request = (
        f"{proposal.unit.name} kính đề nghị {deciding.name} xem xét, khen thưởng "
        f"{_award_phrase(items, rnd.year)} cho {_count_phrase(items)} có tên dưới đây."
    )
    sections = [
        DocSection("", grounds),
        DocSection("I. NỘI DUNG ĐỀ NGHỊ", [proposal.summary or request]),
        DocSection(
            "II. DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
            table=DocTable(ITEM_HEADERS, rows, widths=[1, 4, 4, 3.2, 6]),
            after_table=[f"Tổng số: {_count_phrase(items)}."],
        ),
        DocSection("III. HỒ SƠ KÈM THEO", attached),
        DocSection(
            "",
            [f"{proposal.unit.name} kính trình {deciding.name} xem xét, quyết định./."],
        ),
    ]
    return _document(
        proposal,
        title="Tờ trình",
        subtitle=f"Về việc đề nghị khen thưởng {_award_phrase(items, rnd.year)}",
        sections=sections,
        symbol="TTr",
        recipients=[f"{deciding.name};", "Cơ quan thường trực Hội đồng TĐKT;"],
    )


# --- achievement reports -------------------------------------------------------------------


def _years(year: int) -> range:
    return range(year - YEARS_BACK + 1, year + 1)


def _awards_table(awards: Sequence[Award]) -> DocTable:
    return DocTable(
        ["Năm", "Danh hiệu, hình thức khen thưởng", "Số, ngày quyết định", "Cơ quan ban hành"],
        [
            [
                str(a.year),  # a year, not a quantity: no thousands separator
                a.award_type.name,
                f"{a.decision_number} ngày {a.decision_date:%d/%m/%Y}",
                a.authority,
            ]
            for a in awards
        ],
        widths=[1.4, 5.5, 4.5, 4.5],
    )


def _ratings_table(ratings: Sequence[tuple[int, str]]) -> DocTable:
    return DocTable(
        ["Năm", "Kết quả xếp loại"],
        [[str(year), RATINGS.get(rating, rating)] for year, rating in ratings],
        widths=[2, 12],
    )


def _initiatives_table(initiatives: Sequence[Initiative]) -> DocTable:
    return DocTable(
        ["Năm", "Tên sáng kiến, đề tài", "Cấp công nhận", "Số quyết định công nhận"],
        [
            [str(i.year), i.title, i.get_level_display(), i.decision_number or ""]
            for i in initiatives
        ],
        widths=[1.4, 7.5, 3.5, 3.5],
    )


def _person_sections(
    item: ProposalItem, person: Person, year: int, short: bool
) -> list[DocSection]:
    years = _years(year)
    particulars = [
        f"Họ và tên: {person.full_name}"
        + (f"; giới tính: {Gender(person.gender).label}" if person.gender else "")
        + ".",
        f"Ngày sinh: {person.birth_date:%d/%m/%Y}." if person.birth_date else "Ngày sinh: ….",
        f"Chức vụ: {person.position or '…'}.",
        f"Đơn vị công tác: {person.unit.name}.",
        f"Thời gian công tác tại đơn vị: từ ngày {person.started_on:%d/%m/%Y}.",
    ]
    sections = [
        DocSection("I. SƠ LƯỢC LÝ LỊCH", particulars),
        DocSection("II. THÀNH TÍCH ĐẠT ĐƯỢC", [item.achievement]),
    ]
    if short:
        return sections
    ratings = list(
        PersonRating.objects.filter(person=person, year__in=years)
        .order_by("year")
        .values_list("year", "rating")
    )
    initiatives = list(
        Initiative.objects.filter(authors=person, year__in=years).order_by("year", "title")
    )
    cited = {i.pk for i in item.initiatives.all()}
    awards = list(
        Award.objects.filter(person=person, year__in=years, revoked_on__isnull=True)
        .select_related("award_type")
        .order_by("year", "award_type__order")
    )
    sections += _record_sections(ratings, initiatives, awards, cited, year)
    return sections


def _unit_sections(item: ProposalItem, unit: Unit, year: int, short: bool) -> list[DocSection]:
    years = _years(year)
    heads = Person.objects.filter(unit=unit, is_head=True).order_by("code").first()
    particulars = [
        f"Tên tập thể: {unit.name}.",
        f"Đơn vị cấp trên: {unit.parent.name}." if unit.parent_id else "",  # type: ignore[union-attr]
        f"Thủ trưởng: {heads.full_name}." if heads else "Thủ trưởng: ….",
        f"Số cán bộ, công chức, viên chức, người lao động: "
        f"{Person.objects.filter(unit__path__startswith=unit.path).count()}.",
    ]
    sections = [
        DocSection("I. KHÁI QUÁT ĐẶC ĐIỂM, TÌNH HÌNH", [p for p in particulars if p]),
        DocSection("II. THÀNH TÍCH ĐẠT ĐƯỢC", [item.achievement]),
    ]
    if short:
        return sections
    ratings = list(
        UnitRating.objects.filter(unit=unit, year__in=years)
        .order_by("year")
        .values_list("year", "rating")
    )
    awards = list(
        Award.objects.filter(unit=unit, year__in=years, revoked_on__isnull=True)
        .select_related("award_type")
        .order_by("year", "award_type__order")
    )
    sections += _record_sections(ratings, [], awards, set(), year)
    return sections


def _record_sections(
    ratings: Sequence[tuple[int, str]],
    initiatives: Sequence[Initiative],
    awards: Sequence[Award],
    cited: set[int],
    year: int,
) -> list[DocSection]:
    first = year - YEARS_BACK + 1
    span = f"từ năm {first} đến năm {year}"
    out = [
        DocSection(
            f"1. Kết quả xếp loại {span}",
            table=_ratings_table(ratings) if ratings else None,
            paragraphs=() if ratings else ["Chưa có kết quả xếp loại trong hồ sơ."],
        )
    ]
    if initiatives:
        notes = []
        if cited:
            used = [i.title for i in initiatives if i.pk in cited]
            notes = [f"Sáng kiến, đề tài làm căn cứ đề nghị: {'; '.join(used)}."] if used else []
        out.append(
            DocSection(
                f"2. Sáng kiến, đề tài {span}",
                table=_initiatives_table(initiatives),
                after_table=notes,
            )
        )
    out.append(
        DocSection(
            f"III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG ({span})",
            table=_awards_table(awards) if awards else None,
            paragraphs=() if awards else ["Chưa có khen thưởng trong hồ sơ."],
        )
    )
    return out


def report_docx(item: ProposalItem, year: int, *, short: bool = False) -> bytes:
    """The achievement report of one item; `short` for the simplified dossier."""
    proposal = item.proposal
    who = recipient_name(item)
    if item.person_id:
        assert item.person is not None
        sections = _person_sections(item, item.person, year, short)
        signer = ("Người báo cáo thành tích", item.person.full_name)
    else:
        assert item.unit is not None
        sections = _unit_sections(item, item.unit, year, short)
        signer = signer_of(item.unit)
    sections.append(
        DocSection(
            "XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ",
            [f"{proposal.unit.name} xác nhận nội dung báo cáo trên là đúng sự thật."],
        )
    )
    title = "Báo cáo tóm tắt thành tích" if short else "Báo cáo thành tích"
    return _document(
        proposal,
        title=title,
        subtitle=f"Đề nghị tặng “{item.award_type.name}” năm {year}\nCủa: {who}",
        sections=sections,
        symbol="BC",
        recipients=[f"{proposal.unit.name};"],
        signer=signer,
    )


# --- the unit's review minutes ---------------------------------------------------------------


def minutes_docx(proposal: Proposal, items: Sequence[ProposalItem]) -> bytes:
    """A skeleton to complete at the unit's review meeting: time, attendance and the
    vote on each item are left blank."""
    rnd = proposal.round
    rows = [
        [
            i,
            recipient_name(item),
            recipient_detail(item),
            item.award_type.name,
            "…/…",
            "",
        ]
        for i, item in enumerate(items, start=1)
    ]
    sections = [
        DocSection(
            "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN",
            [
                "Thời gian: … giờ … ngày … tháng … năm ….",
                f"Địa điểm: {proposal.unit.name}.",
                "Chủ trì: …; thư ký: ….",
                "Thành phần: Hội đồng Thi đua – Khen thưởng (hoặc tập thể lãnh đạo) của đơn vị; "
                "tổng số thành viên: …; có mặt: …; vắng mặt: ….",
            ],
        ),
        DocSection(
            "II. NỘI DUNG",
            [
                f"Xét đề nghị khen thưởng trong đợt “{rnd.title}” "
                f"đối với {_count_phrase(items)}. Hội đồng đã nghe báo cáo thành tích, "
                "thảo luận và biểu quyết bằng phiếu kín đối với từng trường hợp.",
            ],
        ),
        DocSection(
            "III. KẾT QUẢ BIỂU QUYẾT",
            table=DocTable(
                [
                    "STT",
                    "Họ và tên / Tập thể",
                    "Chức vụ, đơn vị",
                    "Đề nghị",
                    "Đồng ý/Tổng số",
                    "Ghi chú",
                ],
                rows,
                widths=[1, 4, 4, 3.5, 2.3, 2],
            ),
        ),
        DocSection(
            "IV. KẾT LUẬN",
            [
                "Thống nhất đề nghị cấp trên xem xét, khen thưởng các trường hợp đạt tỷ lệ "
                "phiếu đồng ý theo quy định.",
                "Biên bản kết thúc lúc … giờ … cùng ngày, được các thành viên dự họp thông qua./.",
            ],
        ),
    ]
    return _document(
        proposal,
        title="Biên bản",
        subtitle=f"Họp xét đề nghị khen thưởng\n({rnd.title})",
        sections=sections,
        symbol="BB",
        recipients=["Hồ sơ đề nghị khen thưởng;"],
        signer=("Chủ trì cuộc họp", ""),
    )
