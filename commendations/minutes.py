"""The minutes (biên bản) of a council session, as DOCX in the administrative format.

Date, members present and absent, the quorum, each item with its votes and
result per voting round, and the written opinions of absent members. Ballots
stay secret: only counts appear.
"""

from __future__ import annotations

from commendations import services_council as sc
from commendations.decision_docs import recipient_name, unit_symbol
from commendations.models import CouncilSession, ItemStatus
from organizations.models import CouncilRole
from reports.documents import place_of
from reports.docx import DocSection, DocTable, administrative_document


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}".replace(".", ",") + " %" if whole else "—"


def minutes_docx(session: CouncilSession) -> bytes:
    rnd = session.round
    unit = rnd.deciding_unit
    rows = sc.attendance_rows(session)
    quorum = sc.quorum_info(session)
    present = [r.member for r in rows if r.present]
    absent = [r.member for r in rows if not r.present]
    items = sc.agenda(session)
    results = sc.round_results(session)

    member_table = DocTable(
        ["STT", "Họ và tên", "Chức danh trong Hội đồng", "Tham dự"],
        [
            [
                i,
                r.member.person.full_name,
                r.member.get_role_display(),
                "Có mặt" if r.present else "Vắng mặt",
            ]
            for i, r in enumerate(rows, start=1)
        ],
        widths=[1.1, 6, 5, 3],
    )
    composition = [
        f"Thời gian: ngày {session.held_on:%d/%m/%Y}.",
        f"Tổng số thành viên Hội đồng: {quorum.total}; có mặt: {quorum.present}; "
        f"vắng mặt: {quorum.total - quorum.present}"
        + (" (" + ", ".join(m.person.full_name for m in absent) + ")." if absent else "."),
        f"Số thành viên có mặt {quorum.present}/{quorum.total} "
        f"({_pct(quorum.present, quorum.total)}), quy chế yêu cầu tối thiểu "
        f"{quorum.fraction} tổng số thành viên "
        f"({quorum.needed} thành viên): "
        + ("đủ điều kiện tiến hành phiên họp." if quorum.reached else "chưa đủ điều kiện."),
    ]
    content = [
        f"Hội đồng xem xét {len(items)} đề nghị khen thưởng của đợt “{rnd.title}”, "
        "biểu quyết bằng phiếu kín. Tỷ lệ phiếu đồng ý được tính trên tổng số thành viên "
        "của Hội đồng (kể cả thành viên vắng mặt), theo ngưỡng của từng danh hiệu, hình thức.",
        f"Số vòng bỏ phiếu đã tiến hành: {session.voting_round} "
        f"(tối đa {session.max_rounds} vòng theo quy chế).",
    ]
    sections = [
        DocSection("I. THỜI GIAN, THÀNH PHẦN", composition, table=member_table),
        DocSection("II. NỘI DUNG", content),
    ]
    for result in results:
        table = DocTable(
            [
                "STT",
                "Cá nhân, tập thể",
                "Khen thưởng",
                "Đồng ý",
                "Không đồng ý",
                "Số phiếu",
                "Tỷ lệ đồng ý/tổng số",
                "Cần (phiếu)",
                "Kết quả",
            ],
            [
                [
                    i,
                    recipient_name(t.item),
                    t.item.award_type.name,
                    t.yes,
                    t.no,
                    t.ballots,
                    _pct(t.yes, t.members),
                    f"{t.needed} ({t.threshold} %)",
                    "Đạt" if t.passed else "Không đạt",
                ]
                for i, t in enumerate(result.tallies, start=1)
            ],
            widths=[0.8, 4.2, 3.4, 1.3, 1.5, 1.3, 1.6, 1.6, 1.4],
        )
        sections.append(
            DocSection(f"III.{result.number}. KẾT QUẢ BỎ PHIẾU VÒNG {result.number}", table=table)
        )
    if not results:
        sections.append(DocSection("III. KẾT QUẢ BỎ PHIẾU", ["Chưa tiến hành bỏ phiếu."]))
    written = sc.written_opinions(session)
    written_by = sc.written_members(session)
    sections.append(
        DocSection(
            "IV. Ý KIẾN BẰNG VĂN BẢN CỦA THÀNH VIÊN VẮNG MẶT",
            [
                f"Hội đồng nhận {written} phiếu ý kiến bằng văn bản của {written_by} "
                "thành viên vắng mặt; các phiếu đã được tính vào kết quả trên."
                if written
                else "Không có ý kiến bằng văn bản."
            ],
        )
    )
    passed = [i for i in items if i.status in (ItemStatus.PASSED, ItemStatus.DECIDED)]
    failed = [i for i in items if i.status == ItemStatus.FAILED]
    conclusion = [
        f"Hội đồng thống nhất đề nghị khen thưởng {len(passed)} trường hợp"
        + (": " + "; ".join(recipient_name(i) for i in passed) + "." if passed else "."),
    ]
    if failed:
        conclusion.append(
            f"Không thông qua {len(failed)} trường hợp: "
            + "; ".join(recipient_name(i) for i in failed)
            + "."
        )
    conclusion.append(
        f"Phiên họp kết thúc vào ngày {session.held_on:%d/%m/%Y}; biên bản được lập "
        f"thành 02 bản, có giá trị như nhau./."
    )
    sections.append(DocSection("V. KẾT LUẬN", conclusion))
    chair = next((m for m in present if m.role == CouncilRole.CHAIR), None) or next(
        (r.member for r in rows if r.member.role == CouncilRole.CHAIR), None
    )
    return administrative_document(
        agency_parent=unit.name,
        agency=session.council.name,
        number=f"      /BB-HĐTĐKT-{unit_symbol(unit)}",
        place=place_of(unit),
        date=session.held_on,
        title="Biên bản",
        subtitle=f"Phiên họp Hội đồng Thi đua – Khen thưởng\n({rnd.title})",
        sections=sections,
        signer_title="Chủ tịch",
        signer_name=chair.person.full_name if chair is not None else "",
        signer_authority="TM. Hội đồng",
        recipients=["Thành viên Hội đồng;", "Lưu: VT, hồ sơ khen thưởng."],
    )
