"""Demo propagation and replication: portal stories, outreach, events and the spread of
the recognised exemplars' practices across the seeds' units.

Built on the exemplars demo (exemplars.demo): only exemplars recognised or beyond get
stories (published ones, one in review, one draft), outreach items of several kinds and
channels with their reach, and replications. The events follow the seeds: two exchange
sessions where exemplars share their experience, a study visit of the Sóc Trăng
department to the radar forecasting model, a writing contest of the sector newspaper
with entries, jury scores and results, and a training course for emulation staff,
reporters and propagandists with trainees from several units. Replications reach every
stage, one is discontinued with its reason, and each records an outcome measure before
and after; one has had no update for more than six months, so the reminder fires.

Rows are written with the models directly (the demo is not a user's action), inside one
transaction, meeting every model constraint; stories are cleaned and indexed the way
the stories service does it. Deterministic for a given `today`; does nothing when any
story, event or replication already exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.text import search_key
from exemplars.models import RECOGNIZED_STATES, Exemplar
from organizations.models import Unit
from propagation.models import (
    Channel,
    ContestEntry,
    ContestResult,
    Event,
    EventKind,
    JuryMember,
    JuryScore,
    Outreach,
    OutreachKind,
    Participation,
    Replication,
    Stage,
    StageChange,
    Story,
    StoryStatus,
)
from propagation.sanitize import clean_body
from propagation.services_stories import _refresh_search, unique_slug

# The exemplars of exemplars.demo this demo speaks about, by title.
RADAR = "Mô hình dự báo mưa lớn hạn ngắn bằng dữ liệu radar thời tiết"
BULLETIN = "Bản tin dự báo bão bằng ngôn ngữ dễ hiểu cho người dân"
FLASH_FLOOD = "Đài KTTV khu vực Bắc Bộ – cảnh báo lũ quét, sạt lở đất theo thời gian thực"
LEADER = "Người đứng đầu đổi mới quản trị dự báo tại Đài khu vực"
ARCHIVE = "Số hóa hồ sơ lưu trữ của Văn phòng Sở"
ASSETS = "Quản lý tài sản công bằng phần mềm dùng chung"
INSPECTION = "Thanh tra Sở – giải quyết dứt điểm đơn thư tồn đọng về đất đai"
ONE_STOP = "Một cửa điện tử tiếp nhận thủ tục hành chính của Bộ"
INSTITUTE = "Viện Khoa học KTTV và BĐKH – gắn nghiên cứu với dự báo nghiệp vụ"

P, R, D = StoryStatus.PUBLISHED, StoryStatus.REVIEW, StoryStatus.DRAFT


@dataclass(frozen=True)
class StorySpec:
    exemplar: str
    status: str
    title: str
    summary: str
    practice: str
    results: str
    body: str
    published: dt.date | None = None


STORIES: tuple[StorySpec, ...] = (
    StorySpec(
        RADAR, P,
        "Dự báo mưa lớn trước 6 giờ nhờ ghép dữ liệu radar và trạm đo mưa",
        "Một dự báo viên trẻ của Trung tâm Dự báo khí tượng thủy văn quốc gia đã ghép dữ liệu "
        "radar, vệ tinh và trạm đo mưa tự động để cảnh báo mưa lớn sớm hơn.",
        "Ghép dữ liệu radar thời tiết, ảnh vệ tinh và số liệu trạm đo mưa tự động; xây dựng "
        "công cụ dự báo hạn cực ngắn và chia sẻ cho các đài khu vực.",
        "Độ chính xác dự báo mưa lớn hạn ngắn tăng từ 62% lên 78%; cảnh báo sớm 3–6 giờ.",
        "<h2>Từ một ý tưởng nhỏ</h2><p>Những trận mưa lớn cục bộ thường đến nhanh hơn bản tin. "
        "Từ năm 2023, nhóm dự báo hạn cực ngắn thử <strong>ghép ba nguồn dữ liệu</strong> "
        "vốn được xem riêng rẽ.</p><ul><li>Dữ liệu radar thời tiết cập nhật 10 phút một lần;"
        "</li><li>ảnh mây vệ tinh;</li><li>số liệu hơn 1.500 trạm đo mưa tự động.</li></ul>"
        "<h2>Lan tỏa tới các đài khu vực</h2><p>Công cụ được chuyển giao cho các Đài khu vực "
        "Nam Bộ và Bắc Bộ, kèm tài liệu hướng dẫn và lớp tập huấn trực tuyến.</p>"
        "<blockquote>“Cảnh báo sớm một giờ là thêm một giờ cho người dân sơ tán.”</blockquote>",
        dt.date(2025, 3, 12),
    ),
    StorySpec(
        BULLETIN, P,
        "Bản tin bão “dễ hiểu” đến gần hơn với người dân ven biển",
        "Bản tin bão được thiết kế lại với bản đồ đơn giản và khuyến cáo hành động cho từng vùng.",
        "Thiết kế lại bản tin: bản đồ đơn giản, màu cảnh báo thống nhất, khuyến cáo cụ thể "
        "“nên làm gì” cho từng vùng ảnh hưởng.",
        "Lượt xem bản tin trên mạng xã hội tăng gấp ba; được nhiều cơ quan báo chí trích dẫn.",
        "<p>Thay vì các thuật ngữ chuyên môn, bản tin mới trả lời ba câu hỏi: "
        "<em>bão ở đâu, khi nào đến, cần làm gì</em>.</p><h3>Những thay đổi chính</h3><ol>"
        "<li>Bản đồ một màu cho mỗi cấp rủi ro thiên tai;</li><li>khuyến cáo hành động cho "
        "ngư dân, nông dân và chính quyền xã;</li><li>phiên bản ngắn cho mạng xã hội.</li></ol>",
        dt.date(2025, 6, 2),
    ),
    StorySpec(
        FLASH_FLOOD, P,
        "Đài Bắc Bộ: cảnh báo lũ quét, sạt lở đất đến từng xã theo thời gian thực",
        "Đài KTTV khu vực Bắc Bộ kết nối số liệu mưa tự động với bản đồ nguy cơ để cảnh báo "
        "lũ quét, sạt lở đất tới từng xã.",
        "Kết nối mạng lưới trạm đo mưa tự động với bản đồ nguy cơ lũ quét, sạt lở đất; phát "
        "cảnh báo tới từng xã qua tin nhắn và trang thông tin điện tử.",
        "Cảnh báo phát hành sớm hơn 4 giờ; 100% bản tin đúng hạn.",
        "<p>Mỗi khi lượng mưa tích lũy vượt ngưỡng, hệ thống tự động đối chiếu với bản đồ nguy "
        "cơ và đề xuất bản tin cảnh báo cho dự báo viên trực ban.</p><table><caption>Kết quả "
        "mùa mưa lũ</caption><thead><tr><th scope=\"col\">Năm</th><th scope=\"col\">Số bản tin"
        "</th><th scope=\"col\">Đúng hạn</th></tr></thead><tbody><tr><td>2023</td><td>148</td>"
        "<td>100%</td></tr><tr><td>2024</td><td>173</td><td>100%</td></tr></tbody></table>",
        dt.date(2024, 10, 15),
    ),
    StorySpec(
        ARCHIVE, P,
        "Văn phòng Sở Sóc Trăng số hóa toàn bộ hồ sơ lưu trữ từ năm 2015",
        "Tra cứu một hồ sơ lưu trữ từ nửa ngày xuống còn vài phút nhờ số hóa và gắn mã.",
        "Số hóa, gắn mã tra cứu cho toàn bộ hồ sơ lưu trữ từ năm 2015; ban hành quy chế khai "
        "thác hồ sơ số.",
        "Thời gian tra cứu hồ sơ giảm từ nửa ngày xuống vài phút.",
        "<p>Hơn 40.000 hồ sơ giấy đã được quét, đặt tên theo một quy tắc thống nhất và gắn mã "
        "tra cứu.</p><p>Các phòng chuyên môn và <strong>Văn phòng Đăng ký đất đai</strong> đã "
        "học tập và áp dụng cách làm này.</p>",
        dt.date(2025, 4, 8),
    ),
    StorySpec(
        INSPECTION, P,
        "Thanh tra Sở giải quyết dứt điểm đơn thư tồn đọng về đất đai",
        "Đối thoại trực tiếp và phân loại từng vụ việc giúp giải quyết toàn bộ đơn thư tồn đọng.",
        "Phân loại đơn thư, đối thoại trực tiếp với người dân, phối hợp chính quyền cấp huyện "
        "giải quyết dứt điểm.",
        "Giải quyết 100% đơn thư tồn đọng từ năm 2020 trở về trước.",
        "<p>Mỗi vụ việc có một cán bộ theo đến cùng; người dân được mời đối thoại trực tiếp "
        "trước khi ban hành kết luận.</p>",
        dt.date(2024, 12, 5),
    ),
    StorySpec(
        ONE_STOP, P,
        "Một cửa điện tử của Bộ: 99,6% hồ sơ trả đúng hạn",
        "Quy trình được chuẩn hóa, tiếp nhận và trả kết quả trực tuyến toàn trình.",
        "Chuẩn hóa quy trình tiếp nhận, xử lý; tiếp nhận và trả kết quả thủ tục hành chính "
        "trực tuyến toàn trình.",
        "Tỷ lệ hồ sơ trả đúng hạn đạt 99,6%.",
        "<p>Người nộp hồ sơ theo dõi được từng bước xử lý; mọi hồ sơ trễ hạn đều có thư xin "
        "lỗi và lý do.</p>",
        dt.date(2025, 1, 20),
    ),
    StorySpec(
        INSTITUTE, P,
        "Đưa kết quả nghiên cứu vào dự báo nghiệp vụ ngay trong năm thực hiện đề tài",
        "Viện Khoa học KTTV và BĐKH ký thỏa thuận ứng dụng với đơn vị dự báo từ khi đặt hàng "
        "đề tài.",
        "Gắn mỗi đề tài với một đơn vị dự báo sử dụng kết quả; chuyển giao trong năm thực hiện.",
        "Phần lớn đề tài cấp Bộ của Viện được ứng dụng vào hệ thống dự báo nghiệp vụ.",
        "<p>Đơn vị dự báo tham gia từ khâu đặt hàng, nghiệm thu và chịu trách nhiệm ứng dụng "
        "kết quả.</p>",
        dt.date(2025, 8, 18),
    ),
    StorySpec(
        ASSETS, R,
        "Quản lý tài sản công trên một phần mềm dùng chung",
        "Văn phòng Sở theo dõi tài sản công của Sở và các phòng trên một phần mềm.",
        "Theo dõi tài sản công của Sở và các phòng trên một phần mềm dùng chung.",
        "Số liệu kiểm kê tài sản được tổng hợp trong một ngày thay vì hai tuần.",
        "<p>Bản thảo gửi duyệt: cần bổ sung ý kiến của các Phòng TN&amp;MT cấp huyện.</p>",
    ),
    StorySpec(
        LEADER, D,
        "Người đứng đầu đổi mới quản trị dự báo tại Đài khu vực",
        "Bản nháp giới thiệu cách điều hành dự báo theo nhóm chuyên đề.",
        "Tổ chức dự báo viên theo nhóm chuyên đề, giao ban ngắn mỗi ca trực.",
        "",
        "<p>Bản nháp, đang bổ sung số liệu.</p>",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class OutreachSpec:
    exemplar: str
    kind: str
    channel: str
    channel_name: str
    title: str
    published: dt.date
    reach: int | None
    url: str = ""


OK, CH = OutreachKind, Channel
NEWSPAPER = "Báo Tài nguyên và Môi trường"
OUTREACH: tuple[OutreachSpec, ...] = (
    OutreachSpec(RADAR, OK.ARTICLE, CH.SECTOR_NEWSPAPER, NEWSPAPER,
                 "Người trẻ “bắt” mưa lớn bằng radar", dt.date(2024, 9, 3), 18_400,
                 "https://example.org/baotnmt/bat-mua-lon-bang-radar"),
    OutreachSpec(RADAR, OK.BROADCAST, CH.TELEVISION, "Đài Truyền hình Việt Nam",
                 "Phóng sự: Cảnh báo mưa lớn sớm 6 giờ", dt.date(2025, 7, 21), 250_000),
    OutreachSpec(RADAR, OK.STUDENT_TALK, CH.EVENT, "Trường Đại học TN&MT Hà Nội",
                 "Nói chuyện với sinh viên ngành khí tượng về dự báo hạn cực ngắn",
                 dt.date(2025, 4, 10), 320),
    OutreachSpec(BULLETIN, OK.SOCIAL, CH.SOCIAL, "Trang mạng xã hội của Trung tâm",
                 "Bản tin bão phiên bản ngắn", dt.date(2025, 9, 5), 96_000),
    OutreachSpec(BULLETIN, OK.VIDEO, CH.UNIT_SITE, "Trang thông tin Tổng cục KTTV",
                 "Video: Đọc bản tin bão trong 60 giây", dt.date(2025, 9, 12), 41_500),
    OutreachSpec(FLASH_FLOOD, OK.COLUMN, CH.MAGAZINE, "Tạp chí Khí tượng Thủy văn",
                 "Chuyên mục Gương sáng: Cảnh báo đến từng xã", dt.date(2024, 11, 2), 6_200),
    OutreachSpec(FLASH_FLOOD, OK.BROADCAST, CH.RADIO, "Đài Tiếng nói Việt Nam",
                 "Lũ quét và những giờ vàng", dt.date(2025, 8, 14), 120_000),
    OutreachSpec(ARCHIVE, OK.ARTICLE, CH.PORTAL, "Cổng thông tin tỉnh Sóc Trăng",
                 "Số hóa hồ sơ: tra cứu trong vài phút", dt.date(2025, 4, 15), 5_300),
    OutreachSpec(INSPECTION, OK.ARTICLE, CH.UNIT_SITE, "Trang thông tin Sở TN&MT Sóc Trăng",
                 "Đối thoại để giải quyết dứt điểm đơn thư", dt.date(2024, 12, 20), 2_100),
    OutreachSpec(ONE_STOP, OK.ARTICLE, CH.PORTAL, "Cổng thông tin điện tử Bộ TN&MT",
                 "Một cửa điện tử: người dân theo dõi hồ sơ từng bước", dt.date(2025, 2, 3),
                 12_700),
    OutreachSpec(INSTITUTE, OK.COLUMN, CH.SECTOR_NEWSPAPER, NEWSPAPER,
                 "Khoa học đi vào dự báo nghiệp vụ", dt.date(2025, 8, 25), 9_800),
)  # fmt: skip


@dataclass(frozen=True)
class ReplicationSpec:
    exemplar: str
    unit: str
    stage: str
    started: dt.date
    days_since_update: int
    adaptation: str
    measure: str
    measure_unit: str
    before: str | None
    after: str | None
    reason: str = ""


REPLICATIONS: tuple[ReplicationSpec, ...] = (
    ReplicationSpec(RADAR, "KTTV_NB", Stage.SCALED, dt.date(2024, 6, 1), 20,
                    "Áp dụng công cụ cho vùng Nam Bộ, bổ sung dữ liệu radar Nhà Bè.",
                    "Thời gian cảnh báo sớm mưa lớn", "giờ", "2", "6"),
    ReplicationSpec(RADAR, "KTTV_BB", Stage.ADOPTED, dt.date(2024, 9, 15), 45,
                    "Kết hợp với hệ thống cảnh báo lũ quét sẵn có của Đài.",
                    "Độ chính xác dự báo mưa lớn hạn ngắn", "%", "64", "75"),
    ReplicationSpec(RADAR, "ST_TNN", Stage.PILOTING, dt.date(2025, 5, 10), 30,
                    "Thí điểm dùng sản phẩm dự báo cho cảnh báo ngập úng đô thị.",
                    "Số bản tin cảnh báo ngập úng phát hành đúng hạn", "bản tin/tháng", "2", "5"),
    ReplicationSpec(BULLETIN, "KTTV_NB", Stage.ADOPTED, dt.date(2024, 11, 1), 60,
                    "Dùng mẫu bản tin dễ hiểu cho bão và áp thấp nhiệt đới trên Biển Đông.",
                    "Tỷ lệ người dân hiểu đúng bản tin (khảo sát)", "%", "55", "82"),
    ReplicationSpec(BULLETIN, "TTTT_TNMT", Stage.INTERESTED, dt.date(2025, 10, 1), 15,
                    "", "Lượt xem bản tin trên mạng xã hội", "lượt/tháng", "30000", None),
    ReplicationSpec(ARCHIVE, "ST_VPDK", Stage.SCALED, dt.date(2024, 8, 1), 25,
                    "Số hóa hồ sơ đăng ký đất đai, mở rộng ra các chi nhánh cấp huyện.",
                    "Thời gian tra cứu một hồ sơ", "phút", "240", "10"),
    ReplicationSpec(ARCHIVE, "ST_QLDD", Stage.ADOPTED, dt.date(2024, 10, 1), 50,
                    "Gắn mã tra cứu cho hồ sơ giao đất, cho thuê đất.",
                    "Thời gian tra cứu một hồ sơ", "phút", "120", "8"),
    ReplicationSpec(ARCHIVE, "ST_TPST", Stage.PILOTING, dt.date(2025, 4, 1), 35,
                    "Thí điểm với hồ sơ cấp giấy chứng nhận năm 2024.",
                    "Số hồ sơ đã số hóa", "hồ sơ", "0", "3200"),
    ReplicationSpec(ARCHIVE, "ST_CTH", Stage.INTERESTED, dt.date(2025, 9, 20), 40,
                    "", "Số hồ sơ đã số hóa", "hồ sơ", "0", None),
    ReplicationSpec(ARCHIVE, "ST_KSA", Stage.DISCONTINUED, dt.date(2024, 12, 1), 70,
                    "Thí điểm số hóa hồ sơ năm 2023.",
                    "Số hồ sơ đã số hóa", "hồ sơ", "0", "450",
                    "Chưa bố trí được máy quét và kho lưu trữ số; tạm dừng, chờ dự án chuyển "
                    "đổi số dùng chung của tỉnh."),
    ReplicationSpec(ONE_STOP, "STNMT_ST", Stage.ADOPTED, dt.date(2024, 7, 1), 55,
                    "Áp dụng quy trình một cửa điện tử cho thủ tục đất đai, môi trường của Sở.",
                    "Tỷ lệ hồ sơ trả đúng hạn", "%", "91", "98.5"),
    ReplicationSpec(ONE_STOP, "KTTV_VP", Stage.PILOTING, dt.date(2025, 6, 1), 65,
                    "Thí điểm với thủ tục cấp phép hoạt động dự báo, cảnh báo.",
                    "Tỷ lệ hồ sơ nộp trực tuyến", "%", "20", "55"),
    ReplicationSpec(INSPECTION, "ST_MXU", Stage.ADOPTED, dt.date(2024, 9, 1), 80,
                    "Đối thoại trực tiếp với người dân trước khi trả lời đơn.",
                    "Số đơn thư tồn đọng", "đơn", "37", "4"),
    # No news for more than six months: the reminder is due.
    ReplicationSpec(INSPECTION, "ST_VCH", Stage.INTERESTED, dt.date(2025, 1, 10), 230,
                    "", "Số đơn thư tồn đọng", "đơn", "22", None),
    ReplicationSpec(INSTITUTE, "BTNMT_TNN", Stage.PILOTING, dt.date(2025, 3, 1), 28,
                    "Ký thỏa thuận ứng dụng kết quả đề tài với đơn vị sử dụng ngay khi đặt hàng.",
                    "Tỷ lệ đề tài được ứng dụng trong năm", "%", "30", "60"),
)  # fmt: skip

# The contest: (exemplar, title, author, author's unit, jurors' scores, result).
ENTRIES: tuple[tuple[str, str, str, str, tuple[int, ...], str], ...] = (
    (RADAR, "Người “bắt” mưa lớn trước 6 giờ", "Nguyễn Thu Trang", "BAO_TNMT",
     (92, 88, 90), ContestResult.FIRST),
    (FLASH_FLOOD, "Những giờ vàng trước lũ quét", "Phạm Quốc Huy", "KTTV_TC",
     (86, 84, 89), ContestResult.SECOND),
    (INSPECTION, "Đối thoại để lòng dân yên", "Trần Ngọc Hân", "ST_VP",
     (80, 83, 78), ContestResult.THIRD),
    (BULLETIN, "Bản tin bão ai cũng hiểu", "Lê Minh Khôi", "TTTT_TNMT",
     (75, 79, 77), ContestResult.CONSOLATION),
    (INSTITUTE, "Từ phòng thí nghiệm đến bản tin", "Võ Hoàng Yến", "TC_TNMT",
     (68, 70, 65), ContestResult.NOT_AWARDED),
)  # fmt: skip
JURORS = ("hoidong", "truyenthong", "thuongtruc")


class _Builder:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.units = {u.code: u for u in Unit.objects.all()}
        self.exemplars = {
            e.title: e
            for e in Exemplar.objects.filter(state__in=RECOGNIZED_STATES).select_related(
                "unit", "person", "subject_unit"
            )
        }
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        self.admin = next((u for u in users.values() if u.is_superuser), None)
        self.comms = users.get("truyenthong") or self.admin
        self.officers = {"KTTV": users.get("canbo.kttv"), "STNMT_ST": users.get("canbo.soctrang")}
        self.jurors = [users[name] for name in JURORS if name in users] or (
            [self.admin] if self.admin else []
        )
        self.stories: dict[str, Story] = {}

    def day(self, day: dt.date) -> dt.date:
        """A past date of the story, never after the day the demo is loaded."""
        return min(day, self.today)

    def at(self, day: dt.date, hour: int = 9) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day(day), dt.time(hour)))

    def officer_for(self, unit: Unit) -> User | None:
        for code, user in self.officers.items():
            if (
                user is not None
                and code in self.units
                and unit.path.startswith(self.units[code].path)
            ):
                return user
        return self.admin

    # -- stories ---------------------------------------------------------------------------
    def build_stories(self) -> None:
        for spec in STORIES:
            exemplar = self.exemplars.get(spec.exemplar)
            if exemplar is None:
                continue
            story = Story(
                exemplar=exemplar,
                title=spec.title,
                summary=spec.summary,
                practice=spec.practice,
                results=spec.results,
                body=clean_body(spec.body),
                field=exemplar.field,
                status=spec.status,
                author=self.comms,
            )
            if spec.status == P and spec.published is not None:
                story.published_at = self.at(spec.published, 8)
                story.reviewed_by = self.comms
            story.slug = unique_slug(story.title)
            _refresh_search(story)
            story.save()
            self.stories[spec.exemplar] = story

    # -- outreach -------------------------------------------------------------------------
    def build_outreach(self, events: dict[str, Event]) -> None:
        rows = []
        for spec in OUTREACH:
            exemplar = self.exemplars.get(spec.exemplar)
            if exemplar is None:
                continue
            rows.append(
                Outreach(
                    exemplar=exemplar,
                    kind=spec.kind,
                    channel=spec.channel,
                    channel_name=spec.channel_name,
                    title=spec.title,
                    published_on=self.day(spec.published),
                    url=spec.url,
                    reach=spec.reach,
                    created_by=self.comms,
                )
            )
        # Each published story is an item on the portal; each exchange a session.
        for title, story in self.stories.items():
            if story.status == P and story.published_at is not None:
                rows.append(
                    Outreach(
                        exemplar=story.exemplar,
                        kind=OutreachKind.COLUMN,
                        channel=Channel.PORTAL,
                        channel_name="Chuyên trang điển hình tiên tiến",
                        title=story.title,
                        published_on=timezone.localdate(story.published_at),
                        reach=1_000 + 150 * len(title),
                        story=story,
                        created_by=self.comms,
                    )
                )
        for key, event in events.items():
            kind = OutreachKind.EXCHANGE if key.startswith("exchange") else None
            if kind is None:
                continue
            for exemplar in event.exemplars.all():
                rows.append(
                    Outreach(
                        exemplar=exemplar,
                        kind=kind,
                        channel=Channel.EVENT,
                        channel_name=event.unit.name,
                        title=event.title,
                        published_on=event.starts_on,
                        reach=sum(p.participants for p in event.participations.all()),
                        event=event,
                        created_by=self.comms,
                    )
                )
        if "contest" in events:
            contest = events["contest"]
            for entry in contest.entries.select_related("exemplar"):
                rows.append(
                    Outreach(
                        exemplar=entry.exemplar,
                        kind=OutreachKind.CONTEST_ENTRY,
                        channel=Channel.SECTOR_NEWSPAPER,
                        channel_name=NEWSPAPER,
                        title=entry.title,
                        published_on=contest.starts_on,
                        url=entry.url,
                        reach=3_000,
                        event=contest,
                        created_by=self.comms,
                    )
                )
        for row in rows:
            row.search_text = search_key(row.title, row.channel_name)  # bulk_create skips save()
        Outreach.objects.bulk_create(rows)

    # -- events ---------------------------------------------------------------------------
    def event(
        self,
        kind: str,
        unit: str,
        title: str,
        starts: dt.date,
        ends: dt.date,
        *,
        field: str = "",
        location: str = "",
        description: str = "",
        learned: str = "",
        exemplars: tuple[str, ...] = (),
        participants: tuple[tuple[str, int, str], ...] = (),
    ) -> Event | None:
        organiser = self.units.get(unit)
        if organiser is None:
            return None
        starts_on = self.day(starts)
        event = Event.objects.create(
            kind=kind,
            title=title,
            unit=organiser,
            field=field,
            starts_on=starts_on,
            ends_on=max(starts_on, self.day(ends)),
            location=location,
            description=description,
            learned=learned,
            created_by=self.officer_for(organiser),
        )
        event.exemplars.set([self.exemplars[t] for t in exemplars if t in self.exemplars])
        Participation.objects.bulk_create(
            Participation(event=event, unit=self.units[code], participants=n, note=note)
            for code, n, note in participants
            if code in self.units
        )
        return event

    def build_events(self) -> dict[str, Event]:
        made: dict[str, Event | None] = {
            "exchange_kttv": self.event(
                EventKind.EXCHANGE, "KTTV",
                "Giao lưu điển hình tiên tiến ngành Khí tượng thủy văn năm 2024",
                dt.date(2024, 11, 20), dt.date(2024, 11, 20),
                field="Dự báo, cảnh báo",
                location="Hội trường Tổng cục Khí tượng Thủy văn, Hà Nội",
                description="Các điển hình chia sẻ kinh nghiệm dự báo, cảnh báo mưa lớn, lũ quét "
                "với các đài khu vực và đơn vị cùng lĩnh vực; có phần trao đổi trực tuyến.",
                learned="Các đài khu vực thống nhất dùng chung công cụ ghép dữ liệu radar; "
                "Đài Nam Bộ đăng ký thí điểm trong mùa mưa 2025.",
                exemplars=(RADAR, FLASH_FLOOD),
                participants=(("KTTV_TTDB", 35, ""), ("KTTV_NB", 18, "Dự trực tuyến"),
                              ("KTTV_BB", 22, ""), ("KTTV_VP", 6, "")),
            ),
            "exchange_ministry": self.event(
                EventKind.EXCHANGE, "BTNMT",
                "Giao lưu chia sẻ kinh nghiệm chuyển đổi số, cải cách hành chính",
                dt.date(2025, 5, 16), dt.date(2025, 5, 16),
                field="Cải cách hành chính",
                location="Trực tuyến tới các Sở TN&MT",
                description="Điển hình cải cách hành chính và chuyển đổi số giới thiệu cách làm; "
                "sinh viên Trường Đại học TN&MT Hà Nội dự phần giao lưu.",
                learned="Sở TN&MT Sóc Trăng áp dụng quy trình một cửa điện tử cho thủ tục đất "
                "đai; các phòng đăng ký học tập cách số hóa hồ sơ.",
                exemplars=(ONE_STOP, ARCHIVE),
                participants=(("BTNMT_VP", 12, ""), ("STNMT_ST", 8, ""), ("ST_VP", 10, ""),
                              ("ST_QLDD", 6, ""), ("ST_VPDK", 9, "")),
            ),
            "study_visit": self.event(
                EventKind.STUDY_VISIT, "STNMT_ST",
                "Đoàn Sở TN&MT Sóc Trăng tham quan, học tập mô hình dự báo mưa lớn bằng radar",
                dt.date(2025, 4, 22), dt.date(2025, 4, 23),
                field="Dự báo, cảnh báo",
                location="Trung tâm Dự báo khí tượng thủy văn quốc gia, Hà Nội",
                description="Tham quan phòng dự báo hạn cực ngắn, trao đổi cách ghép dữ liệu radar "
                "và trạm đo mưa tự động.",
                learned="Học cách dùng sản phẩm dự báo mưa lớn để cảnh báo ngập úng đô thị; "
                "Phòng Tài nguyên nước – KTTV thí điểm từ tháng 5/2025.",
                exemplars=(RADAR,),
                participants=(("ST_TNN", 4, "Trưởng đoàn: Trưởng phòng"), ("ST_QT", 3, ""),
                              ("ST_VP", 2, "")),
            ),
            "contest": self.event(
                EventKind.CONTEST, "BAO_TNMT",
                "Cuộc thi viết về gương điển hình tiên tiến ngành Tài nguyên và Môi trường 2025",
                dt.date(2025, 3, 1), dt.date(2025, 9, 30),
                field="Tuyên truyền",
                location="Báo Tài nguyên và Môi trường",
                description="Thể loại: phóng sự, ký, bài phản ánh về điển hình tiên tiến; mỗi "
                "tác phẩm do ba giám khảo chấm theo thang điểm 100.",
                participants=(("BAO_TNMT", 6, ""), ("TC_TNMT", 3, ""), ("KTTV_TC", 4, ""),
                              ("TTTT_TNMT", 3, ""), ("ST_VP", 2, "")),
            ),
            "training": self.event(
                EventKind.TRAINING, "BTNMT_TCCB",
                "Tập huấn nghiệp vụ thi đua, khen thưởng và tuyên truyền điển hình tiên tiến 2025",
                dt.date(2025, 8, 12), dt.date(2025, 8, 13),
                field="Thi đua, khen thưởng",
                location="Hà Nội và trực tuyến",
                description="Đối tượng: cán bộ làm công tác thi đua, khen thưởng, báo cáo viên, "
                "tuyên truyền viên, phóng viên, biên tập viên các đơn vị trực thuộc Bộ.",
                learned="Học viên thực hành lập hồ sơ điển hình, viết tin bài và ghi nhận nhân "
                "rộng mô hình trên phần mềm.",
                participants=(("KTTV_TCCB", 6, "Cán bộ thi đua"), ("KTTV_TC", 4, "Phóng viên"),
                              ("STNMT_ST", 3, ""), ("ST_VP", 5, "Cán bộ thi đua"),
                              ("ST_TPST", 2, ""), ("ST_VCH", 2, ""), ("BAO_TNMT", 5, "Phóng viên"),
                              ("TTTT_TNMT", 4, "Tuyên truyền viên"), ("BTNMT_VP", 3, "")),
            ),
        }  # fmt: skip
        events = {key: event for key, event in made.items() if event is not None}
        if "contest" in events:
            self.build_contest(events["contest"])
        return events

    def build_contest(self, contest: Event) -> None:
        scored: list[tuple[ContestEntry, tuple[int, ...], str]] = []
        for about, title, author, unit, marks, result in ENTRIES:
            exemplar = self.exemplars.get(about)
            if exemplar is None:
                continue
            slug = f"{len(scored) + 1:02d}"
            entry = ContestEntry.objects.create(
                event=contest,
                exemplar=exemplar,
                title=title,
                author=author,
                unit=self.units.get(unit),
                url=f"https://example.org/baotnmt/cuoc-thi-2025/tac-pham-{slug}",
            )
            scored.append((entry, marks, result))
        if not self.jurors:
            return
        JuryMember.objects.bulk_create(
            JuryMember(event=contest, user=juror, is_chair=index == 0)
            for index, juror in enumerate(self.jurors)
        )
        JuryScore.objects.bulk_create(
            JuryScore(entry=entry, juror=juror, score=Decimal(mark))
            for entry, marks, _result in scored
            for juror, mark in zip(self.jurors, marks, strict=False)
        )
        # The results are out only once the contest has closed.
        if contest.ends_on is not None and contest.ends_on < self.today:
            for entry, _marks, result in scored:
                entry.result = result
            ContestEntry.objects.bulk_update([e for e, _m, _r in scored], ["result"])

    # -- replications ---------------------------------------------------------------------
    def build_replications(self) -> None:
        for spec in REPLICATIONS:
            exemplar = self.exemplars.get(spec.exemplar)
            unit = self.units.get(spec.unit)
            if exemplar is None or unit is None:
                continue
            if unit.pk in (exemplar.unit_id, exemplar.subject_unit_id):
                continue
            started = self.day(spec.started)
            last = max(started, self.today - dt.timedelta(days=spec.days_since_update))
            path = self.stages(spec.stage)
            replication = Replication.objects.create(
                exemplar=exemplar,
                unit=unit,
                stage=spec.stage,
                started_on=started,
                stage_changed_on=last if len(path) > 1 else started,
                adaptation=spec.adaptation,
                outcome_measure=spec.measure,
                outcome_unit=spec.measure_unit,
                outcome_before=Decimal(spec.before) if spec.before is not None else None,
                outcome_after=Decimal(spec.after) if spec.after is not None else None,
                discontinued_reason=spec.reason,
                last_update_at=timezone.make_aware(dt.datetime.combine(last, dt.time(10))),
                created_by=self.officer_for(unit),
            )
            # The stages in order, spread evenly from the start to the last update.
            steps = len(path)
            span = (last - started).days
            history = []
            previous = ""
            for index, stage in enumerate(path):
                on = started + dt.timedelta(days=span * index // max(1, steps - 1))
                note = spec.reason if stage == Stage.DISCONTINUED else ""
                history.append(
                    StageChange(
                        replication=replication,
                        from_stage=previous,
                        to_stage=stage,
                        on=on,
                        by=self.officer_for(unit),
                        note=note,
                    )
                )
                previous = stage
            StageChange.objects.bulk_create(history)

    @staticmethod
    def stages(final: str) -> list[str]:
        if final == Stage.DISCONTINUED:
            return [Stage.INTERESTED, Stage.PILOTING, Stage.DISCONTINUED]
        order: list[str] = [Stage.INTERESTED, Stage.PILOTING, Stage.ADOPTED, Stage.SCALED]
        return order[: order.index(final) + 1]


def build(today: dt.date) -> None:
    if Story.objects.exists() or Event.objects.exists() or Replication.objects.exists():
        return
    with transaction.atomic():
        b = _Builder(today)
        if not b.exemplars:
            return
        b.build_stories()
        events = b.build_events()
        b.build_outreach(events)
        b.build_replications()
