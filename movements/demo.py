"""Demo movements: the 2025 emulation movement of seed 003, launched sector-wide.

Theme, contents and criteria are those of the Sóc Trăng plan (seed 003), which
answers the ministry's call of Official Letter 154/BTNMT-TCCB (07/01/2025); in
the demo the ministry launches it for the whole sector. Units of the General
Department of Meteorology and Hydrology and of the Sóc Trăng department
register, some registrations are confirmed by their heads, some still wait,
and the confirmed ones carry preliminary review marks.
"""

from __future__ import annotations

import datetime as dt
import random

from movements import services as mv
from movements.models import CriterionTarget, Movement, MovementKind, ReviewStage
from organizations.models import Unit
from people.models import Person

SEED = 20250107
MINISTRY = "BTNMT"
THEME = "Kỷ cương trách nhiệm, chủ động kịp thời, tinh gọn hiệu quả, đổi mới sáng tạo"
CONTENTS = (
    "Thực hiện quyết liệt, có hiệu quả chủ trương sắp xếp, tinh gọn tổ chức bộ máy bảo đảm "
    "“Tinh - Gọn - Mạnh - Hiệu năng - Hiệu lực - Hiệu quả”; không để ngắt quãng công việc, "
    "không ảnh hưởng đến hoạt động bình thường của xã hội, của người dân.\n"
    "Sắp xếp, bố trí, cơ cấu lại đội ngũ công chức, viên chức gắn với kiện toàn, tinh gọn bộ "
    "máy; nâng cao chất lượng đội ngũ theo đề án vị trí việc làm, siết chặt kỷ luật, kỷ cương "
    "hành chính.\n"
    "Thể chế hoá kịp thời chủ trương của Đảng; hoàn thiện chính sách, pháp luật về quản lý tài "
    "nguyên, bảo vệ môi trường và ứng phó với biến đổi khí hậu.\n"
    "Đẩy mạnh cải cách hành chính, trọng tâm là cải cách thủ tục hành chính; kết nối, liên "
    "thông cơ sở dữ liệu tài nguyên và môi trường phục vụ Chính phủ số, kinh tế số.\n"
    "Triển khai các đề án, nhiệm vụ bảo đảm chất lượng, tiến độ; thực hành tiết kiệm, chống "
    "lãng phí.\n"
    "Hưởng ứng các phong trào thi đua do Thủ tướng Chính phủ, Hội đồng Thi đua - Khen thưởng "
    "Trung ương, Bộ trưởng và các cấp phát động; nâng cao chất lượng công tác thi đua, khen "
    "thưởng, bảo đảm chính xác, kịp thời, công khai, minh bạch."
)
COLLECTIVE_CRITERIA = (
    "Tích cực hưởng ứng và phát động phong trào thi đua thiết thực, hiệu quả gắn với các nhiệm "
    "vụ chính trị của cơ quan, đơn vị và của Ngành.",
    "Có chương trình, kế hoạch công tác của năm được xây dựng, phê duyệt theo quy định.",
    "Hoàn thành tốt nhiệm vụ được giao.",
    "Thực hiện tốt kỷ luật, kỷ cương, trách nhiệm, quy định văn hóa công sở: không đi muộn về "
    "sớm, không uống rượu bia, hút thuốc lá tại nơi làm việc.",
    "Nội bộ đoàn kết; thực hiện tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước; "
    "nâng cao đời sống vật chất, tinh thần của công chức, viên chức và người lao động.",
    "Phát hiện, bồi dưỡng điển hình tiên tiến thông qua các phong trào thi đua; nhất là các tập "
    "thể, cá nhân có thành tích xuất sắc, tiêu biểu, có sản phẩm cụ thể, dám nghĩ, dám làm, "
    "năng động, sáng tạo.",
)
INDIVIDUAL_CRITERIA = (
    "Hoàn thành tốt nhiệm vụ được giao trở lên.",
    "Có sáng kiến cải tiến kỹ thuật hoặc đề tài nghiên cứu khoa học công nghệ, giải pháp đổi "
    "mới, sáng tạo để nâng cao chất lượng, hiệu quả công tác.",
    "Có tinh thần trách nhiệm cao, chủ động tuyên truyền, phát huy tính nêu gương, tạo sự đồng "
    "thuận trong thực hiện chủ trương sắp xếp, tinh gọn tổ chức bộ máy.",
    "Chấp hành nghiêm sự phân công, điều động, sắp xếp, bố trí của cơ quan, đơn vị, vì lợi ích "
    "chung.",
    "Chấp hành tốt chủ trương, chính sách của Đảng, pháp luật của Nhà nước, kỷ luật, kỷ cương "
    "hành chính, quy định văn hóa công sở, nội quy, quy chế của cơ quan, đơn vị.",
    "Tích cực hưởng ứng các phong trào thi đua; người đứng đầu cơ quan, đơn vị: ngoài các tiêu "
    "chí trên, đơn vị phải là tập thể lao động xuất sắc.",
)
REGISTERED_ON = dt.date(2025, 2, 14)
# unit code → (collective title, how far the registrations went)
PARTICIPANTS: tuple[tuple[str, str, str], ...] = (
    ("KTTV_TTDB", "TTLDXS", "confirmed"),
    ("KTTV_NB", "TTLDXS", "confirmed"),
    ("KTTV_BB", "TTLDTT", "submitted"),
    ("ST_VP", "TTLDXS", "confirmed"),
    ("ST_QLDD", "TTLDTT", "confirmed"),
    ("ST_MT", "TTLDTT", "draft"),
)
PLEDGES = (
    "Hoàn thành xuất sắc nhiệm vụ chuyên môn được giao, không để chậm trễ hồ sơ.",
    "Có ít nhất một giải pháp cải tiến được áp dụng tại đơn vị.",
    "Chấp hành nghiêm kỷ luật, kỷ cương hành chính và văn hóa công sở.",
    "Chủ động ứng dụng công nghệ thông tin, chuyển đổi số trong công việc.",
)


def _staff(unit: Unit, on: dt.date, count: int) -> list[Person]:
    people = Person.objects.filter(unit=unit, started_on__lte=on).order_by("code")
    return list(people[:count])


def build(today: dt.date) -> None:
    rng = random.Random(SEED)
    codes = [MINISTRY, "KTTV", *[p[0] for p in PARTICIPANTS]]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    movement = mv.movement_create(
        actor=None,
        launching_unit=units[MINISTRY],
        code="PTTD-2025",
        name=THEME,
        kind=MovementKind.REGULAR,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        contents=CONTENTS,
        preliminary_review_on=dt.date(2025, 7, 15),
        final_review_on=dt.date(2025, 12, 18),
        document_number="154/BTNMT-TCCB",
        document_date=dt.date(2025, 1, 7),
    )
    for text in COLLECTIVE_CRITERIA:
        mv.criterion_add(
            actor=None, movement=movement, target=CriterionTarget.COLLECTIVE, text=text
        )
    for text in INDIVIDUAL_CRITERIA:
        mv.criterion_add(
            actor=None, movement=movement, target=CriterionTarget.INDIVIDUAL, text=text
        )
    _register(movement, units, rng)
    _thematic(units["KTTV"])


def _register(movement: Movement, units: dict[str, Unit], rng: random.Random) -> None:
    confirmed = []
    for code, title, stage in PARTICIPANTS:
        unit = units[code]
        rows = [
            mv.NewRegistration(
                unit=unit,
                person=None,
                aimed_titles=[title],
                pledge="Tập thể cam kết hoàn thành xuất sắc nhiệm vụ năm 2025, không có cá "
                "nhân vi phạm kỷ luật.",
            )
        ]
        for person in _staff(unit, REGISTERED_ON, 4):
            aim = ["CSTDCS", "LDTT"] if rng.random() < 0.3 else ["LDTT"]
            rows.append(
                mv.NewRegistration(
                    unit=unit, person=person, aimed_titles=aim, pledge=rng.choice(PLEDGES)
                )
            )
        created = mv.registrations_create(
            actor=None, movement=movement, rows=rows, on=REGISTERED_ON
        )
        if stage == "draft":
            continue
        mv.registrations_submit(actor=None, registrations=created)
        if stage == "submitted":
            continue
        # The head sends one individual registration back, to show the rejection path.
        if code == "KTTV_NB":
            mv.registrations_reject(
                actor=None,
                registrations=[created[-1]],
                reason="Đề nghị bổ sung nội dung đăng ký sáng kiến cụ thể.",
            )
            created = created[:-1]
        mv.registrations_confirm(actor=None, registrations=created)
        confirmed.extend(created)
    criteria = list(movement.criteria.all())
    entries = [
        mv.MarkEntry(
            registration_id=reg.pk,
            criterion_id=criterion.pk,
            met=rng.random() < 0.85,
        )
        for reg in confirmed
        for criterion in criteria
        if criterion.target == reg.target
    ]
    mv.review_marks_save(
        actor=None, movement=movement, stage=ReviewStage.PRELIMINARY, entries=entries
    )
    forecaster = next(r for r in confirmed if r.person is not None and r.unit.code == "KTTV_TTDB")
    mv.register_as_exemplar_candidate(
        actor=None,
        registration=forecaster,
        note="Giải pháp tự động hóa bản tin dự báo mưa lớn, rút ngắn thời gian phát hành.",
    )
    office = next(r for r in confirmed if r.person is None and r.unit.code == "ST_VP")
    mv.register_as_exemplar_candidate(
        actor=None,
        registration=office,
        note="Mô hình “một cửa số” tiếp nhận hồ sơ, không để trễ hẹn trong quá trình hợp nhất.",
    )


def _thematic(unit: Unit) -> None:
    movement = mv.movement_create(
        actor=None,
        launching_unit=unit,
        code="KTTV-CDS-2025",
        name="Thi đua đẩy mạnh chuyển đổi số trong công tác khí tượng thủy văn",
        kind=MovementKind.THEMATIC,
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        contents="Ứng dụng công nghệ số trong quan trắc, dự báo và cung cấp thông tin khí "
        "tượng thủy văn.",
        preliminary_review_on=dt.date(2025, 12, 10),
        final_review_on=dt.date(2026, 12, 15),
        document_number="85/KH-TCKTTV",
        document_date=dt.date(2025, 2, 20),
    )
    for text in (
        "Có giải pháp chuyển đổi số được áp dụng tại đơn vị.",
        "Tỷ lệ hồ sơ, văn bản xử lý trên môi trường mạng đạt trên 90%.",
    ):
        mv.criterion_add(
            actor=None, movement=movement, target=CriterionTarget.COLLECTIVE, text=text
        )
    mv.criterion_add(
        actor=None,
        movement=movement,
        target=CriterionTarget.INDIVIDUAL,
        text="Có sáng kiến, giải pháp ứng dụng công nghệ số trong công việc.",
    )
