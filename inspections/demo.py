"""Demo inspections: the ministry council's 2025 plan to check emulation work in 3 units.

Seed 001 (§4a): every year the council and the Organisation and Personnel
Department send teams to check emulation, commendation and exemplar work in
some units. The demo records findings for each unit and follow-ups in all
three states a user should see: closed, open, and overdue.
"""

from __future__ import annotations

import datetime as dt

from inspections import services as ins
from inspections.models import FollowUpStatus, Inspection, TeamRole
from organizations.models import Council, CouncilMember, CouncilRole, Unit

MINISTRY = "BTNMT"
VISITS: tuple[tuple[str, dt.date, str, str], ...] = (
    (
        "KTTV",
        dt.date(2025, 5, 20),
        "Đơn vị đã ban hành kế hoạch xây dựng, nhân rộng điển hình tiên tiến và tổ chức đăng ký "
        "thi đua đầy đủ; hồ sơ đề nghị khen thưởng lưu trữ đúng quy định. Việc theo dõi các "
        "nhân tố mới ở các đài khu vực chưa thường xuyên.",
        "Cập nhật danh sách nhân tố mới theo quý; bổ sung chuyên mục điển hình tiên tiến trên "
        "trang thông tin điện tử của Tổng cục.",
    ),
    (
        "STNMT_ST",
        dt.date(2025, 6, 10),
        "Sở đã phát động phong trào thi đua năm 2025 kịp thời; việc sắp xếp bộ máy được gắn với "
        "phong trào. Biên bản bình xét của một số phòng cấp huyện chưa ghi kết quả biểu quyết.",
        "Hoàn thiện biên bản bình xét thi đua theo mẫu; tập huấn nghiệp vụ thi đua, khen thưởng "
        "cho cán bộ phụ trách ở cấp huyện.",
    ),
    (
        "BTNMT_TNN",
        dt.date(2025, 9, 16),
        "Trung tâm thực hiện đúng quy trình xét tặng danh hiệu; chưa có kế hoạch bồi dưỡng "
        "điển hình tiên tiến riêng.",
        "Xây dựng kế hoạch bồi dưỡng, nhân rộng điển hình tiên tiến giai đoạn 2025–2026.",
    ),
)


def build(today: dt.date) -> None:
    council = Council.objects.select_related("unit").get(unit__code=MINISTRY)
    plan = ins.plan_create(
        actor=None,
        council=council,
        year=2025,
        title="Kế hoạch kiểm tra công tác thi đua, khen thưởng và xây dựng điển hình tiên tiến "
        "năm 2025",
        document_number="1020/KH-HĐTĐKT",
        document_date=dt.date(2025, 4, 8),
        contents="Kiểm tra việc triển khai phong trào thi đua năm 2025, công tác phát hiện, bồi "
        "dưỡng, nhân rộng điển hình tiên tiến và hồ sơ đề nghị khen thưởng tại một số đơn vị.",
    )
    seats = list(
        CouncilMember.objects.filter(council=council, valid_to__isnull=True)
        .select_related("person")
        .order_by("role", "id")
    )
    standing = next(s.person for s in seats if s.role == CouncilRole.STANDING)
    members = [s.person for s in seats if s.role == CouncilRole.MEMBER][:2]
    team = ins.team_create(
        actor=None,
        plan=plan,
        name="Đoàn kiểm tra số 1",
        members=[
            ins.NewMember(role=TeamRole.LEADER, person=standing),
            *[ins.NewMember(role=TeamRole.MEMBER, person=p) for p in members],
            ins.NewMember(
                role=TeamRole.SECRETARY,
                name="Trần Thị Minh Thư",
                affiliation="Chuyên viên Vụ Tổ chức cán bộ",
            ),
        ],
    )
    units = {u.code: u for u in Unit.objects.filter(code__in=[v[0] for v in VISITS])}
    done: list[tuple[Inspection, dt.date]] = []
    for code, scheduled_on, findings, recommendations in VISITS:
        inspection = ins.inspection_create(
            actor=None, plan=plan, unit=units[code], scheduled_on=scheduled_on, team=team
        )
        if scheduled_on <= today:
            inspection = ins.findings_record(
                actor=None,
                inspection=inspection,
                done_on=scheduled_on,
                findings=findings,
                recommendations=recommendations,
                today=today,
            )
            done.append((inspection, scheduled_on))
    if len(done) < 3:
        return  # a demo dated before the visits has nothing to follow up
    (first, first_on), (second, second_on), (third, third_on) = done
    # Closed: acted on and reported.
    closed = ins.follow_up_add(
        actor=None,
        inspection=first,
        action="Cập nhật danh sách nhân tố mới của các đài khu vực theo quý.",
        responsible_unit=first.unit,
        due_on=first_on + dt.timedelta(days=60),
    )
    ins.follow_up_set_status(
        actor=None, follow_up=closed, status=FollowUpStatus.IN_PROGRESS, today=today
    )
    ins.follow_up_set_status(
        actor=None,
        follow_up=closed,
        status=FollowUpStatus.CLOSED,
        closed_on=min(first_on + dt.timedelta(days=45), today),
        note="Đã ban hành danh sách nhân tố mới quý III/2025 kèm kế hoạch bồi dưỡng.",
        today=today,
    )
    # Overdue: its date has passed and nothing was reported.
    ins.follow_up_add(
        actor=None,
        inspection=second,
        action="Hoàn thiện biên bản bình xét thi đua của các Phòng TN&MT cấp huyện theo mẫu.",
        responsible_unit=second.unit,
        due_on=max(second_on, today - dt.timedelta(days=20)),
    )
    # Open: still within its time.
    ins.follow_up_add(
        actor=None,
        inspection=third,
        action="Xây dựng kế hoạch bồi dưỡng, nhân rộng điển hình tiên tiến 2025–2026.",
        responsible_unit=third.unit,
        due_on=max(today, third_on) + dt.timedelta(days=60),
    )
