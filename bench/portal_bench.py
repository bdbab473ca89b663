"""Public portal benchmark: the pages of /portal/ over 10,000 published stories.

    uv run python bench/portal_bench.py --db sqlite|postgres|both
        [--units 500 --exemplars 10000 --fields 20 --stories 10000 --replications 20000]
        [--requests 30] [--keep] [--strict]

For each backend the script runs two child processes of itself, so that each
one has its own Django settings (DATABASE_URL, read by config.settings):

1. ``--phase generate``: a fresh database (SQLite file var/bench/portal.sqlite3,
   PostgreSQL database ``thidua_bench_portal``), ``migrate``, then a ministry
   with its exemplars, stories and replications written with ``bulk_create``
   and a fixed seed. Not through the services: no audit trail, no notification
   and no per-row query, which would take an hour; every derived column
   (search texts, sort keys, slugs, the sanitised body) is computed by the same
   functions the services call.
2. ``--phase measure``: every page through ``django.test.Client`` in process,
   anonymous, DEBUG off, once to warm up and count its SQL queries, then
   ``--requests`` times; the result goes to var/bench/portal-result-<backend>.json.

The parent prints one Markdown table for all backends and the targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlencode

import common

if TYPE_CHECKING:
    from exemplars.models import Exemplar
    from organizations.models import Unit
    from people.models import Person

VAR = common.VAR
SQLITE_FILE = VAR / "portal.sqlite3"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/thidua_bench_portal"
# Files var/bench/portal-{result,generation,meta}-<backend>.json; measured as production
# runs (DJANGO_DEBUG=0), whatever the caller's shell says.
BENCH = common.Bench(
    Path(__file__).resolve(),
    SQLITE_FILE,
    POSTGRES_URL,
    "BENCH_PORTAL_POSTGRES_URL",
    "portal-",
    True,
)
# The options that decide the data generated (--keep reuses a database only for the same).
SIZE_OPTIONS = ("units", "exemplars", "fields", "stories", "replications")
# Collected once and shared by both backends: with DEBUG off the templates resolve
# {% static %} through the manifest, and the application's own var/static is not ours.
STATIC_ROOT = VAR / "static"
SEED = 20251231
GENERATOR_VERSION = 1  # bump when the generated data changes, so --keep regenerates
TARGET_P95_MS = 300.0
# What tests/test_propagation_portal.py allows an anonymous visitor's page.
MAX_QUERIES = 6
# Dates are fixed rather than taken from today, so one seed always gives the same data.
FIRST_YEAR = 2017
LAST_DAY = dt.date(2025, 12, 31)
SEARCH_QUERY = "du bao mua lon"

# --- orchestration (parent process: no Django) ---------------------------------------


def fmt_ms(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def shown_url(url: str) -> str:
    """Readable in a table: decoded, and a long slug cut short."""
    text = unquote_plus(url)
    return text if len(text) <= 64 else text[:60] + "…/"


def results_table(results: list[dict[str, Any]]) -> str:
    head = ["Page", "Request"]
    for r in results:
        short = r["label"].split()[0]
        head += [f"{short} queries", f"{short} median", f"{short} p95"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (3 * len(results))]
    first = results[0]["pages"]
    for i, page in enumerate(first):
        cells = [page["label"], f"`{shown_url(page['url'])}`"]
        for r in results:
            p = r["pages"][i]
            cells += [str(p["queries"]), fmt_ms(p["median_ms"]), fmt_ms(p["p95_ms"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def data_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| Backend | Units | Exemplars (recognised+) | Stories (on the portal / all) "
        "| Replications | Generation |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        d = r["data"]
        lines.append(
            f"| {r['label']} | {d['units']:,} | {d['exemplars']:,} ({d['recognized']:,}) "
            f"| {d['visible_stories']:,} / {d['stories']:,} | {d['replications']:,} "
            f"| {r['generation'].get('generation_seconds', 0.0):.0f} s |"
        )
    return "\n".join(lines)


def page_checks(r: dict[str, Any]) -> list[tuple[bool, str, dict[str, Any]]]:
    checks = []
    for p in r["pages"]:
        fast = p["p95_ms"] <= TARGET_P95_MS
        bounded = p["queries"] <= MAX_QUERIES and (
            p["queries_small"] is None or p["queries_small"] == p["queries"]
        )
        small = "" if p["queries_small"] is None else f", {p['queries_small']} on a small one"
        checks.append(
            (
                fast and bounded,
                f"{p['label']}: p95 {fmt_ms(p['p95_ms'])} (≤ {TARGET_P95_MS:.0f} ms), "
                f"{p['queries']} queries{small} (≤ {MAX_QUERIES}, same)",
                p,
            )
        )
    return checks


def slowest_queries(p: dict[str, Any], n: int = 3) -> list[str]:
    rows = sorted(p["sql"], key=lambda q: -q["ms"])[:n]
    return [f"      {q['ms']:7.1f} ms  {q['sql'][:150]}" for q in rows]


def orchestrate(args: argparse.Namespace) -> int:
    results = BENCH.run_all(args)
    print()
    print(data_table(results))
    print()
    print(results_table(results))
    print()
    missed = False
    for r in results:
        print(f"{r['label']}:")
        for ok, line, page in page_checks(r):
            print(f"  {'OK  ' if ok else 'MISS'} {line}")
            if not ok:
                missed = True
                # The slowest statements of the missed page, to start the investigation.
                print("\n".join(slowest_queries(page)))
    return 1 if missed and args.strict else 0


# --- Django (child processes) ----------------------------------------------------------


def wanted_meta(args: argparse.Namespace) -> dict[str, int]:
    sizes = {name: int(getattr(args, name)) for name in SIZE_OPTIONS}
    return {**sizes, "seed": SEED, "version": GENERATOR_VERSION}


def holds_data_set(args: argparse.Namespace) -> bool:
    """For --keep: the portal shows as many stories as this run would publish."""
    from propagation.services_stories import published_stories

    return bool(published_stories().count() == args.stories)


# --- vocabulary of the generated texts ---------------------------------------------------

DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("TCKTTV", "Tổng cục Khí tượng Thủy văn", "KTTV", "GENERAL_DEPARTMENT"),
    ("CQLDD", "Cục Quản lý đất đai", "", "DEPARTMENT"),
    ("CKSONMT", "Cục Kiểm soát ô nhiễm môi trường", "", "DEPARTMENT"),
    ("CQLTNN", "Cục Quản lý tài nguyên nước", "", "DEPARTMENT"),
    ("CDCVN", "Cục Địa chất Việt Nam", "", "DEPARTMENT"),
    ("CKSVN", "Cục Khoáng sản Việt Nam", "", "DEPARTMENT"),
    ("CBHDVN", "Cục Biển và Hải đảo Việt Nam", "", "DEPARTMENT"),
    ("CBDKH", "Cục Biến đổi khí hậu", "", "DEPARTMENT"),
    ("CDDBD", "Cục Đo đạc, Bản đồ và Thông tin địa lý Việt Nam", "", "DEPARTMENT"),
    ("CVTQG", "Cục Viễn thám quốc gia", "", "DEPARTMENT"),
    ("CCDS", "Cục Chuyển đổi số và Thông tin dữ liệu", "", "DEPARTMENT"),
    ("VPB", "Văn phòng Bộ", "", "OFFICE"),
    ("TTB", "Thanh tra Bộ", "", "DEPARTMENT"),
    ("VPC", "Vụ Pháp chế", "", "DEPARTMENT"),
    ("VTCCB", "Vụ Tổ chức cán bộ", "", "DEPARTMENT"),
    ("VKHTC", "Vụ Kế hoạch – Tài chính", "", "DEPARTMENT"),
    ("VHTQT", "Vụ Hợp tác quốc tế", "", "DEPARTMENT"),
    ("VKHCN", "Vụ Khoa học và Công nghệ", "", "DEPARTMENT"),
    ("BAOTNMT", "Báo Tài nguyên và Môi trường", "", "PRESS"),
    ("VKTTV", "Viện Khoa học Khí tượng Thủy văn và Biến đổi khí hậu", "", "AFFILIATED"),
]
# 63 names on a few lines rather than one per line.
PROVINCES = (  # noqa: SIM905
    "An Giang|Bà Rịa – Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|"
    "Bình Định|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk|Đắk Nông|"
    "Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương|"
    "Hải Phòng|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lạng Sơn|"
    "Lào Cai|Lâm Đồng|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|"
    "Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|"
    "Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Tiền Giang|TP. Hồ Chí Minh|Trà Vinh|"
    "Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái"
).split("|")
OFFICES = [
    "Văn phòng",
    "Phòng Tổng hợp",
    "Phòng Kế hoạch – Tài chính",
    "Phòng Nghiệp vụ",
    "Phòng Thanh tra – Pháp chế",
    "Trung tâm Dữ liệu",
    "Trung tâm Kỹ thuật",
    "Phòng Tổ chức cán bộ",
]
DISTRICTS = [
    "huyện Châu Thành",
    "huyện Long Phú",
    "huyện Mỹ Xuyên",
    "huyện Trần Đề",
    "huyện Kế Sách",
    "thị xã Vĩnh Châu",
    "thị xã Ngã Năm",
    "huyện Thạnh Trị",
    "huyện Mỹ Tú",
    "huyện Cù Lao Dung",
]
# Fields of work (the portal's columns) and practices of each; the first fields are the
# busiest (weights fall as 1/rank), as a meteorological ministry's portal would be.
FIELDS: list[tuple[str, list[str]]] = [
    (
        "Dự báo, cảnh báo",
        [
            "dự báo mưa lớn hạn ngắn bằng dữ liệu radar",
            "cảnh báo lũ quét, sạt lở đất theo thời gian thực",
            "bản tin dự báo bão dễ hiểu cho người dân",
            "cảnh báo dông sét cực ngắn cho vùng đô thị",
        ],
    ),
    (
        "Khí tượng thủy văn",
        [
            "tự động hóa mạng lưới trạm đo mưa",
            "kiểm soát chất lượng số liệu quan trắc",
            "bảo dưỡng thiết bị quan trắc theo tình trạng",
            "đo lưu lượng nước sông bằng thiết bị ADCP",
        ],
    ),
    (
        "Tài nguyên nước",
        [
            "dự báo xâm nhập mặn theo tuần",
            "giám sát khai thác nước dưới đất trực tuyến",
            "cấp phép tài nguyên nước trên môi trường điện tử",
            "bảo vệ nguồn nước sinh hoạt nông thôn",
        ],
    ),
    (
        "Đất đai",
        [
            "số hóa hồ sơ địa chính",
            "đăng ký đất đai trực tuyến một cửa",
            "giải quyết dứt điểm tranh chấp đất đai ở cơ sở",
            "cập nhật biến động đất đai hằng tháng",
        ],
    ),
    (
        "Môi trường",
        [
            "phân loại rác thải tại nguồn",
            "quan trắc nước mặt bằng thiết bị tự chế",
            "giảm rác thải nhựa trong cơ quan",
            "xử lý nước thải làng nghề",
        ],
    ),
    (
        "Chuyển đổi số",
        [
            "văn phòng không giấy tờ",
            "trợ lý số tra cứu dữ liệu chuyên ngành",
            "ký số văn bản trên điện thoại",
            "kho dữ liệu dùng chung của ngành",
        ],
    ),
    (
        "Cải cách hành chính",
        [
            "một cửa điện tử tiếp nhận thủ tục hành chính",
            "rút ngắn thời gian giải quyết hồ sơ",
            "trả kết quả thủ tục hành chính tại nhà",
            "đo mức hài lòng của người dân",
        ],
    ),
    (
        "Biến đổi khí hậu",
        [
            "kịch bản biến đổi khí hậu chi tiết cho cấp tỉnh",
            "kiểm kê khí nhà kính cấp cơ sở",
            "mô hình sinh kế thích ứng với hạn mặn",
            "trồng rừng ngập mặn chắn sóng",
        ],
    ),
    (
        "Địa chất, khoáng sản",
        [
            "giám sát khai thác cát lòng sông bằng camera",
            "lập bản đồ nguy cơ trượt lở",
            "cấp phép khoáng sản công khai, minh bạch",
            "điều tra nước dưới đất vùng khan hiếm nước",
        ],
    ),
    (
        "Biển và hải đảo",
        [
            "quản lý tổng hợp vùng bờ",
            "làm sạch bờ biển cùng ngư dân",
            "giám sát xói lở bờ biển bằng ảnh vệ tinh",
            "bảo tồn rạn san hô dựa vào cộng đồng",
        ],
    ),
    (
        "Đo đạc, bản đồ",
        [
            "cập nhật bản đồ địa hình bằng thiết bị bay không người lái",
            "trạm định vị vệ tinh CORS dùng chung",
            "chuẩn hóa dữ liệu địa lý quốc gia",
            "chỉnh lý bản đồ địa chính nhanh",
        ],
    ),
    (
        "Viễn thám",
        [
            "giám sát lúa vụ đông xuân bằng ảnh vệ tinh",
            "phát hiện sớm cháy rừng từ ảnh viễn thám",
            "theo dõi biến động mặt nước hồ chứa",
            "bản đồ ngập lụt từ ảnh radar vệ tinh",
        ],
    ),
    (
        "Thanh tra, giải quyết khiếu nại",
        [
            "đối thoại trực tiếp trước khi trả lời đơn",
            "giải quyết đơn thư tồn đọng",
            "thanh tra chuyên ngành theo mức độ rủi ro",
            "theo dõi kết luận thanh tra trên phần mềm",
        ],
    ),
    (
        "Pháp chế",
        [
            "phổ biến pháp luật qua mạng xã hội",
            "rà soát văn bản quy phạm pháp luật",
            "tư vấn pháp lý cho người dân vùng sâu",
            "hỏi đáp pháp luật về tài nguyên",
        ],
    ),
    (
        "Tổ chức cán bộ",
        [
            "kèm cặp cán bộ trẻ",
            "đánh giá cán bộ theo kết quả công việc",
            "đào tạo tại chỗ cho viên chức mới",
            "luân chuyển cán bộ gắn với đào tạo",
        ],
    ),
    (
        "Tài chính, tài sản công",
        [
            "quản lý tài sản công bằng phần mềm dùng chung",
            "tiết kiệm chi thường xuyên",
            "công khai ngân sách trên trang thông tin",
            "mua sắm tập trung qua mạng",
        ],
    ),
    (
        "Hợp tác quốc tế",
        [
            "chia sẻ số liệu khí tượng với các nước láng giềng",
            "tiếp nhận chuyển giao công nghệ quan trắc",
            "đào tạo chuyên gia cùng đối tác quốc tế",
            "vận động tài trợ cho dự án thích ứng",
        ],
    ),
    (
        "Khoa học công nghệ",
        [
            "gắn nghiên cứu với nghiệp vụ",
            "ứng dụng trí tuệ nhân tạo trong phân tích ảnh mây",
            "chế tạo thiết bị đo mưa giá rẻ",
            "thương mại hóa kết quả nghiên cứu",
        ],
    ),
    (
        "Tuyên truyền",
        [
            "chuyên mục phổ biến kiến thức khí tượng cho học sinh",
            "video ngắn về phòng chống thiên tai",
            "tuyên truyền bảo vệ môi trường ở trường học",
            "bản tin thời tiết bằng tiếng dân tộc",
        ],
    ),
    (
        "Quản lý, điều hành",
        [
            "đổi mới quản trị tại đơn vị",
            "giao việc và theo dõi tiến độ trên phần mềm",
            "họp giao ban trực tuyến",
            "quản lý chất lượng theo ISO",
        ],
    ),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Thanh", "Quang", "Hồng"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hằng", "Hùng", "Lan", "Linh"]
GIVEN += ["Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Sơn", "Thảo", "Trang", "Tuấn", "Yến"]
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Dự báo viên", "Quan trắc viên", "Kỹ sư"]
POSITIONS += ["Phó Trưởng phòng", "Trưởng phòng"]
TITLE_FORMS = [
    "{P}: cách làm hay của {u}",
    "{s} và mô hình {p}",
    "Lan tỏa mô hình {p} ở {u}",
    "{P}, hiệu quả từ cơ sở",
    "Từ ý tưởng nhỏ đến mô hình {p}",
]
SENTENCES = [
    "Từ năm {y}, tập thể đơn vị đã cùng nhau thử nghiệm cách làm mới.",
    "Ban đầu chỉ là một sáng kiến nhỏ của nhóm cán bộ trẻ trong phòng.",
    "Mỗi tuần, nhóm họp ngắn để rà soát kết quả và điều chỉnh quy trình.",
    "Số liệu được cập nhật thường xuyên và chia sẻ cho các đơn vị liên quan.",
    "Người dân và doanh nghiệp được hướng dẫn tận tình, không phải đi lại nhiều lần.",
    "Lãnh đạo đơn vị trực tiếp theo dõi, tháo gỡ khó khăn ngay khi phát sinh.",
    "Kinh phí thực hiện không lớn, chủ yếu tận dụng thiết bị và phần mềm sẵn có.",
    "Cách làm được chuẩn hóa thành tài liệu hướng dẫn để đơn vị khác áp dụng.",
    "Các lớp tập huấn trực tuyến giúp đồng nghiệp ở cơ sở nắm bắt nhanh.",
    "Kết quả được đánh giá định kỳ theo các chỉ số cụ thể, công khai trên trang thông tin.",
    "Nhiều ý kiến góp ý của người dân đã được tiếp thu để hoàn thiện mô hình.",
    "Mô hình đã được Hội đồng Thi đua – Khen thưởng đánh giá cao tại hội nghị điển hình tiên tiến.",
    "Cán bộ trong đơn vị chủ động học hỏi, trao đổi kinh nghiệm với các tỉnh bạn.",
    "Thời gian xử lý công việc giảm rõ rệt, sai sót hầu như không còn.",
    "Đơn vị phối hợp chặt chẽ với chính quyền địa phương và các tổ chức đoàn thể.",
    "Dữ liệu được lưu trữ tập trung, tra cứu dễ dàng trên máy tính và điện thoại.",
    "Những khó khăn ban đầu về nhân lực và thiết bị từng bước được khắc phục.",
    "Phong trào thi đua yêu nước tạo động lực để tập thể không ngừng đổi mới.",
    "Mô hình góp phần hoàn thành xuất sắc nhiệm vụ chính trị của đơn vị trong năm.",
    "Nhiều đơn vị trong ngành đã đến tham quan, học tập và đăng ký nhân rộng.",
    "Báo chí địa phương nhiều lần đưa tin về cách làm sáng tạo này.",
    "Đơn vị tiếp tục hoàn thiện để mở rộng mô hình trong những năm tới.",
]
HEADINGS = [
    "Từ một ý tưởng nhỏ",
    "Cách làm cụ thể",
    "Kết quả bước đầu",
    "Lan tỏa trong toàn ngành",
    "Những bài học kinh nghiệm",
    "Hướng đi trong thời gian tới",
]
BULLETS = [
    "rà soát quy trình và bỏ các bước trùng lặp;",
    "phân công rõ người, rõ việc, rõ thời hạn;",
    "ứng dụng phần mềm dùng chung của ngành;",
    "chia sẻ dữ liệu với các đơn vị phối hợp;",
    "tập huấn cho cán bộ cơ sở;",
    "lấy ý kiến người dân sau mỗi đợt triển khai;",
]
MEASURES = [
    "Tỷ lệ hồ sơ giải quyết đúng hạn",
    "Độ chính xác của bản tin",
    "Tỷ lệ thủ tục nộp trực tuyến",
    "Mức hài lòng của người dân",
    "Tỷ lệ số liệu đạt chuẩn",
]
STATE_WEIGHTS = [("RECOGNIZED", 55), ("PROPOSED", 20), ("SECTOR", 15), ("NATIONAL", 10)]
# How much more a state's exemplars are written about and copied than a unit-level one.
STATE_POPULARITY = {"RECOGNIZED": 1.0, "PROPOSED": 1.5, "SECTOR": 3.0, "NATIONAL": 6.0}
STAGE_WEIGHTS = [("INTERESTED", 30), ("PILOTING", 25), ("ADOPTED", 25), ("SCALED", 10)]
STAGE_WEIGHTS += [("DISCONTINUED", 10)]
# Stories the portal must not show, as shares of --stories: drafts, in review, withdrawn,
# and published ones whose exemplar was later revoked.
HIDDEN_SHARES = {"DRAFT": 0.05, "REVIEW": 0.02, "WITHDRAWN": 0.03, "REVOKED": 0.02}
# Exemplars not yet recognised (no story may be written about them), as a share of
# --exemplars; they are in the tables the portal's queries join.
EARLY_SHARE = 0.10
BATCH = 2_000


@dataclass
class UnitRow:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent: UnitRow | None
    path: str
    depth: int
    place: str


def unit_tree(n_units: int) -> list[UnitRow]:
    """The ministry, its departments and provincial departments, their offices and the
    district offices under the provinces."""
    root = UnitRow(
        1, "BO", "Bộ Tài nguyên và Môi trường (thử tải)", "", "MINISTRY", None, "/1/", 0, ""
    )
    root.place = root.name
    units = [root]

    def add(parent: UnitRow, code: str, name: str, short: str, kind: str, place: str) -> UnitRow:
        uid = len(units) + 1
        u = UnitRow(
            uid, code, name, short, kind, parent, f"{parent.path}{uid}/", parent.depth + 1, place
        )
        units.append(u)
        return u

    rest = n_units - 1
    depts = [
        add(root, c, n, s, k, n)
        for c, n, s, k in DEPARTMENTS[: max(0, min(len(DEPARTMENTS), rest))]
    ]
    rest -= len(depts)
    provs = [
        add(
            root,
            f"STNMT{i + 1:02d}",
            f"Sở Tài nguyên và Môi trường {p}",
            "",
            "PROVINCIAL_DEPARTMENT",
            p,
        )
        for i, p in enumerate(PROVINCES[: max(0, min(len(PROVINCES), rest))])
    ]
    rest -= len(provs)
    n_office = rest // 4 if provs else rest
    for j in range(n_office):
        d = depts[j % len(depts)]
        k = j // len(depts)
        name = OFFICES[k % len(OFFICES)] + (
            f" {k // len(OFFICES) + 1}" if k >= len(OFFICES) else ""
        )
        add(d, f"{d.code}_P{k + 1:02d}", f"{name} – {d.name}", "", "OFFICE", d.name)
    for j in range(rest - n_office):
        p = provs[j % len(provs)]
        k = j // len(provs)
        district = DISTRICTS[k % len(DISTRICTS)] + (
            f" {k // len(DISTRICTS) + 1}" if k >= len(DISTRICTS) else ""
        )
        add(
            p,
            f"{p.code}_H{k + 1:02d}",
            f"Phòng Tài nguyên và Môi trường {district}, {p.place}",
            "",
            "DISTRICT_OFFICE",
            p.place,
        )
    return units


def pick(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def local_dt(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of `day` in the site's time zone (Asia/Ho_Chi_Minh)."""
    from django.utils import timezone

    naive = dt.datetime.combine(day, dt.time(rng.randrange(7, 18), rng.randrange(60)))
    return timezone.make_aware(naive)


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def body_html(rng: random.Random, year: int, practice: str) -> str:
    """What an editor types: headed sections of paragraphs, a list, sometimes a quotation
    (1.5–7 KB, 4 KB on average: a feature article); stored after clean_body, as the
    service stores it."""
    parts: list[str] = []
    for heading in rng.sample(HEADINGS, rng.randint(3, 5)):
        parts.append(f"<h2>{heading}</h2>")
        for _ in range(rng.randint(2, 3)):
            sentences = rng.sample(SENTENCES, rng.randint(3, 6))
            text = " ".join(s.format(y=year) for s in sentences)
            parts.append(
                f"<p>{text.replace('mô hình', f'mô hình <strong>{practice}</strong>', 1)}</p>"
            )
        if rng.random() < 0.5:
            items = "".join(f"<li>{b}</li>" for b in rng.sample(BULLETS, 3))
            parts.append(f"<ul>{items}</ul>")
    if rng.random() < 0.3:
        parts.append(f"<blockquote>“{cap(practice)} là việc của cả tập thể.”</blockquote>")
    return "".join(parts)


@dataclass
class Sizes:
    units: int = 0
    people: int = 0
    exemplars: int = 0
    recognized: int = 0
    stories: int = 0
    visible_stories: int = 0
    outreach: int = 0
    replications: int = 0
    stage_changes: int = 0


@dataclass
class World:
    """Everything generated, in memory, with explicit ids so that rows can refer to rows
    not written yet (bulk_create does not give ids back on every backend)."""

    units: list[Any] = field(default_factory=list)
    versions: list[Any] = field(default_factory=list)
    people: list[Any] = field(default_factory=list)
    assignments: list[Any] = field(default_factory=list)
    exemplars: list[Any] = field(default_factory=list)
    stories: list[Any] = field(default_factory=list)
    outreach: list[Any] = field(default_factory=list)
    replications: list[Any] = field(default_factory=list)
    stage_changes: list[Any] = field(default_factory=list)


def build_units(world: World, rows: list[UnitRow]) -> dict[int, Unit]:
    from organizations.models import Unit, UnitVersion
    from organizations.services import _refresh_keys

    valid_from = dt.date(2000, 1, 1)
    by_id: dict[int, Unit] = {}
    for r in rows:
        unit = Unit(
            id=r.id,
            code=r.code,
            name=r.name,
            short_name=r.short_name,
            kind=r.kind,
            parent=by_id[r.parent.id] if r.parent else None,
            path=r.path,
            depth=r.depth,
            status="ACTIVE",
            valid_from=valid_from,
        )
        _refresh_keys(unit)
        by_id[r.id] = unit
        world.units.append(unit)
        world.versions.append(
            UnitVersion(
                id=r.id, unit=unit, name=unit.name, parent=unit.parent, valid_from=valid_from
            )
        )
    return by_id


def build_exemplars(
    world: World,
    args: argparse.Namespace,
    rng: random.Random,
    rows: list[UnitRow],
    units: dict[int, Unit],
) -> None:
    """Recognised exemplars (and beyond), plus early and revoked ones the portal must skip."""
    from exemplars.models import Exemplar
    from exemplars.services import _refresh_search
    from exemplars.standards import default_standard
    from people.models import Assignment, Person
    from people.services import refresh_keys

    fields = FIELDS[: args.fields]
    field_weights = [1 / (i + 1) for i in range(len(fields))]
    candidates = [r for r in rows if r.depth > 0] or rows
    children: dict[int, list[UnitRow]] = {}
    for r in rows:
        if r.parent:
            children.setdefault(r.parent.id, []).append(r)
    standard = {y: default_standard(y).id for y in range(FIRST_YEAR, LAST_DAY.year + 1)}
    n_early = int(args.exemplars * EARLY_SHARE)
    n_revoked = max(1, int(args.stories * HIDDEN_SHARES["REVOKED"]))
    plan = (
        [pick(rng, STATE_WEIGHTS) for _ in range(args.exemplars)]
        + [rng.choice(["DISCOVERED", "FOSTERING"]) for _ in range(n_early)]
        + ["REVOKED"] * n_revoked
    )
    for eid, state in enumerate(plan, start=1):
        home = rng.choice(candidates)
        unit = units[home.id]
        name, practices = rng.choices(fields, field_weights)[0]
        practice = rng.choice(practices)
        year = rng.randint(FIRST_YEAR, LAST_DAY.year - 1)
        person: Person | None = None
        subject: Unit | None = None
        if rng.random() < 0.6:
            pid = len(world.people) + 1
            started = dt.date(rng.randint(1995, year), rng.randint(1, 12), 1)
            full_name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            person = Person(
                id=pid,
                code=f"CN{pid:06d}",
                full_name=full_name,
                gender=rng.choice("MF"),
                birth_date=dt.date(rng.randint(1965, 2000), rng.randint(1, 12), 1),
                position=rng.choice(POSITIONS),
                unit=unit,
                started_on=started,
            )
            refresh_keys(person)
            world.people.append(person)
            world.assignments.append(Assignment(id=pid, person=person, unit=unit, start=started))
            title = f"{cap(practice)} – {full_name}"
        else:
            # A collective at or under the unit that registers it (the service's rule).
            sub = rng.choice([home, *children.get(home.id, [])])
            subject = units[sub.id]
            title = f"{subject.name} – {practice}"
        recognized_year = min(year + rng.randint(0, 1), LAST_DAY.year)
        recognized = state not in ("DISCOVERED", "FOSTERING")
        exemplar = Exemplar(
            id=eid,
            person=person,
            subject_unit=subject,
            unit=unit,
            title=title,
            field=name,
            scope="COMPREHENSIVE" if rng.random() < 0.7 else "ASPECT",
            practice_summary=f"{cap(practice)} tại {home.place}.",
            practice_results=f"{rng.choice(MEASURES)} tăng từ {rng.randint(40, 70)}% lên "
            f"{rng.randint(75, 99)}%.",
            year=year,
            standard_id=standard[year],
            state=state,
            state_changed_at=local_dt(
                day_between(rng, dt.date(recognized_year, 1, 1), LAST_DAY), rng
            ),
            recognized_year=recognized_year if recognized else None,
        )
        _refresh_search(exemplar)
        world.exemplars.append(exemplar)


class SlugRegistry:
    """propagation.services_stories.unique_slug without its query per story: the same
    base and the same -2, -3… suffixes, against the slugs generated so far."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, title: str) -> str:
        from django.utils.text import slugify

        from core.text import fold
        from propagation.services_stories import SLUG_MAX

        base = slugify(fold(title))[:SLUG_MAX].strip("-") or "bai-viet"
        slug, n = base, 2
        while slug in self.taken:
            slug = f"{base}-{n}"
            n += 1
        self.taken.add(slug)
        return slug


def build_stories(world: World, args: argparse.Namespace, rng: random.Random) -> None:
    """Published stories about recognised exemplars, and the hidden ones around them."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from core.text import search_key
    from propagation.models import Outreach, Story
    from propagation.sanitize import clean_body
    from propagation.services_stories import _refresh_search

    practices = {name: ps for name, ps in FIELDS}
    recognized = [e for e in world.exemplars if e.state in STATE_POPULARITY]
    revoked = [e for e in world.exemplars if e.state == "REVOKED"]
    weights = [STATE_POPULARITY[e.state] * rng.paretovariate(2.0) for e in recognized]
    slug = SlugRegistry()
    plan: list[tuple[Exemplar, str]] = [
        (e, "PUBLISHED") for e in rng.choices(recognized, weights, k=args.stories)
    ]
    for status in ("DRAFT", "REVIEW", "WITHDRAWN"):
        n = int(args.stories * HIDDEN_SHARES[status])
        plan += [(e, status) for e in rng.choices(recognized, weights, k=n)]
    plan += [(e, "PUBLISHED") for e in revoked]
    rng.shuffle(plan)
    portal_name = "Chuyên trang điển hình tiên tiến"
    for sid, (exemplar, status) in enumerate(plan, start=1):
        field_name = exemplar.field
        if rng.random() < 0.05:  # an editor filed it under another column
            field_name = rng.choice(FIELDS[: args.fields])[0]
        practice = rng.choice(practices[exemplar.field])
        place = exemplar.unit.name
        subject = exemplar.subject_name
        title = rng.choice(TITLE_FORMS).format(P=cap(practice), p=practice, u=place, s=subject)
        start = dt.date(exemplar.recognized_year or exemplar.year, 1, 1)
        published_at = None
        if status in ("PUBLISHED", "WITHDRAWN"):
            published_at = local_dt(day_between(rng, start, LAST_DAY), rng)
        a, b = rng.randint(40, 70), rng.randint(75, 99)
        story = Story(
            id=sid,
            exemplar=exemplar,
            title=title[:500],
            summary=f"{subject} ({place}) đã triển khai {practice}, được đồng nghiệp và người "
            f"dân ghi nhận.",
            practice=f"{cap(practice)}.\n\n{rng.choice(SENTENCES).format(y=start.year)}",
            results=f"{rng.choice(MEASURES)} tăng từ {a}% lên {b}%.",
            body=clean_body(body_html(rng, start.year, practice)),
            field=field_name,
            status=status,
            published_at=published_at,
            withdrawn_reason="Cần cập nhật số liệu mới." if status == "WITHDRAWN" else "",
            review_comment="",
        )
        story.slug = slug(story.title)
        _refresh_search(story)
        world.stories.append(story)
        if published_at is not None:
            # Publishing records the story as outreach (services_stories._record_outreach).
            item = Outreach(
                id=len(world.outreach) + 1,
                exemplar=exemplar,
                kind="COLUMN",
                channel="PORTAL",
                channel_name=portal_name,
                title=story.title,
                published_on=timezone.localdate(published_at),
                url=settings.SITE_URL.rstrip("/") + reverse("portal:story", args=[story.slug]),
                reach=rng.randint(200, 20_000),
                story=story,
            )
            item.search_text = search_key(item.title, item.channel_name)  # as Outreach.save
            world.outreach.append(item)


def build_replications(
    world: World, args: argparse.Namespace, rng: random.Random, units: dict[int, Unit]
) -> None:
    """Units taking up recognised practices, skewed: a national exemplar is copied far more."""
    from django.utils import timezone

    from propagation.models import STAGE_ORDER, Replication, StageChange

    recognized = [e for e in world.exemplars if e.state in STATE_POPULARITY]
    weights = [STATE_POPULARITY[e.state] * rng.paretovariate(1.2) for e in recognized]
    unit_list = [u for u in units.values() if u.depth > 0]
    order = [str(s) for s in STAGE_ORDER]
    seen: set[tuple[int, int]] = set()
    target = min(args.replications, len(recognized) * max(0, len(unit_list) - 2))
    while len(world.replications) < target:
        for exemplar in rng.choices(recognized, weights, k=target - len(world.replications)):
            unit = rng.choice(unit_list)
            key = (exemplar.id, unit.id)
            # The service refuses the exemplar's own unit and subject, and a second record.
            if key in seen or unit.id in (exemplar.unit_id, exemplar.subject_unit_id):
                continue
            seen.add(key)
            stage = pick(rng, STAGE_WEIGHTS)
            first = dt.date(exemplar.recognized_year or exemplar.year, 1, 1)
            started = day_between(rng, first, LAST_DAY)
            path = order[: order.index(stage) + 1] if stage in order else order[: rng.randint(1, 3)]
            rid = len(world.replications) + 1
            on, prev = started, ""
            changes: list[StageChange] = []
            for to in [*path, "DISCONTINUED"] if stage == "DISCONTINUED" else path:
                changes.append(
                    StageChange(
                        id=len(world.stage_changes) + len(changes) + 1,
                        replication_id=rid,
                        from_stage=prev,
                        to_stage=to,
                        on=on,
                        note="Dừng do thay đổi nhiệm vụ." if to == "DISCONTINUED" else "",
                    )
                )
                prev = to
                on = min(on + dt.timedelta(days=rng.randint(20, 200)), LAST_DAY)
            outcome = stage in ("ADOPTED", "SCALED")
            world.replications.append(
                Replication(
                    id=rid,
                    exemplar=exemplar,
                    unit=unit,
                    stage=stage,
                    started_on=started,
                    stage_changed_on=changes[-1].on,
                    adaptation="Điều chỉnh cho phù hợp điều kiện của đơn vị." if outcome else "",
                    outcome_measure=rng.choice(MEASURES) if outcome else "",
                    outcome_unit="%" if outcome else "",
                    outcome_before=rng.randint(30, 70) if outcome else None,
                    outcome_after=rng.randint(71, 99) if outcome else None,
                    discontinued_reason="Dừng do thay đổi nhiệm vụ."
                    if stage == "DISCONTINUED"
                    else "",
                    last_update_at=timezone.make_aware(
                        dt.datetime.combine(changes[-1].on, dt.time(9))
                    ),
                )
            )
            world.stage_changes.extend(changes)
            if len(world.replications) >= target:
                break


def write(world: World) -> None:
    """In foreign-key order; Django sizes each INSERT to the backend's parameter limit."""
    from django.db.models import F

    from exemplars.models import Exemplar
    from organizations.models import Unit, UnitVersion
    from people.models import Assignment, Person
    from propagation.models import Outreach, Replication, StageChange, Story

    for model, rows in (
        (Unit, world.units),
        (UnitVersion, world.versions),
        (Person, world.people),
        (Assignment, world.assignments),
        (Exemplar, world.exemplars),
        (Story, world.stories),
        (Outreach, world.outreach),
        (Replication, world.replications),
        (StageChange, world.stage_changes),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]
    # auto_now fields took the load's time; a story's feed entry shows its last change,
    # which for a story never edited since is its publication.
    Story.objects.filter(published_at__isnull=False).update(
        created_at=F("published_at"), updated_at=F("published_at")
    )


def generate(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from exemplars.models import Exemplar
    from organizations.models import Unit, UnitVersion
    from people.models import Assignment, Person
    from propagation.models import Outreach, Replication, StageChange, Story
    from propagation.services_stories import published_stories

    started = time.perf_counter()
    common.migrate()
    migrated = time.perf_counter()
    rng = random.Random(SEED)
    world = World()
    rows = unit_tree(args.units)
    units = build_units(world, rows)
    build_exemplars(world, args, rng, rows, units)
    build_stories(world, args, rng)
    build_replications(world, args, rng, units)
    built = time.perf_counter()

    common.unsafe_fast_writes()
    with transaction.atomic():
        write(world)
        models = [Unit, UnitVersion, Person, Assignment, Exemplar, Story, Outreach]
        models += [Replication, StageChange]
        common.reset_sequences(models)
    loaded = time.perf_counter()
    common.analyze()
    done = time.perf_counter()
    visible = published_stories().count()
    # The generator's contract with the measurement: exactly --stories on the portal.
    assert visible == args.stories, (visible, args.stories)
    sizes = Sizes(
        units=len(world.units),
        people=len(world.people),
        exemplars=len(world.exemplars),
        recognized=sum(e.state in STATE_POPULARITY for e in world.exemplars),
        stories=len(world.stories),
        visible_stories=visible,
        outreach=len(world.outreach),
        replications=len(world.replications),
        stage_changes=len(world.stage_changes),
    )
    return {
        "data": asdict(sizes),
        "stories_by_status": dict(Counter(s.status for s in world.stories)),
        "exemplars_by_state": dict(Counter(e.state for e in world.exemplars)),
        "replications_by_stage": dict(Counter(r.stage for r in world.replications)),
        "migrate_seconds": migrated - started,
        "build_seconds": built - migrated,
        "load_seconds": loaded - built,
        "analyze_seconds": done - loaded,
        "generation_seconds": done - started,
    }


# --- measurement ------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    url: str
    # The same page over few rows: its query count must be the same (bounded queries).
    small_url: str | None = None
    # How many stories the page's query selects, for the record.
    matches: int | None = None


def search_url(**params: Any) -> str:
    return "/portal/tim-kiem/?" + urlencode({k: v for k, v in params.items() if v is not None})


def search_matches(query: str) -> int:
    from django.http import QueryDict

    from propagation import portal
    from propagation.forms_stories import PortalSearchForm

    cols = portal.columns()
    form = PortalSearchForm(
        QueryDict(query), fields=[c.name for c in cols], units=portal._unit_options()
    )
    return int(portal._searched(form, cols).count())


def pages() -> list[Page]:
    """The pages measured, chosen from the data: the busiest column, a story of the most
    replicated exemplar, the last page of the unfiltered list, and a small counterpart of
    each where there is one."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from core.text import fold
    from propagation import portal
    from propagation.services_stories import published_stories

    cols = sorted(portal.columns(), key=lambda c: -c.count)
    big, small = cols[0], cols[-1]
    busiest = (
        published_stories()
        .filter(field__in=big.fields)
        .annotate(y=ExtractYear("published_at"))
        .values("exemplar__unit__code", "y")
        .annotate(n=Count("pk"))
        .order_by("-n", "exemplar__unit__code", "-y")
        .first()
    )
    assert busiest is not None
    stories = published_stories().annotate(n=Count("exemplar__replications"))
    popular = stories.order_by("-n", "pk").first()
    lonely = stories.filter(n=0).order_by("pk").first()
    assert popular is not None and lonely is not None
    last = math.ceil(published_stories().count() / portal.PER_PAGE)
    rare = fold(lonely.title)
    filters = {"q": "", "field": big.name, "unit": busiest["exemplar__unit__code"]}
    filters["year"] = busiest["y"]
    listed = [
        Page("home", "Portal home", "/portal/"),
        Page(
            "column",
            f"Column “{big.name}” ({big.count:,} stories)",
            big.url,
            small.url,
            big.count,
        ),
        Page(
            "search",
            f"Search “{SEARCH_QUERY}”",
            search_url(q=SEARCH_QUERY),
            search_url(q=rare),
            search_matches(urlencode({"q": SEARCH_QUERY})),
        ),
        Page(
            "filtered",
            "Search, field + unit + year",
            search_url(**filters),
            matches=search_matches(urlencode(filters)),
        ),
        Page("deep", f"Search, page {last} of {last}", search_url(page=last), search_url(page=1)),
        Page(
            "story",
            f"Story ({popular.n} replications)",
            f"/portal/bai-viet/{popular.slug}/",
            f"/portal/bai-viet/{lonely.slug}/",
        ),
        Page("atom", "Atom feed", "/portal/feed/atom/"),
        Page("rss", "RSS feed", "/portal/feed/rss/"),
    ]
    return listed


def collect_static() -> None:
    """The manifest the templates' {% static %} needs with DEBUG off, under var/bench."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    override_settings(STATIC_ROOT=str(STATIC_ROOT)).enable()
    if not (STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


STORY_LINK = re.compile(r"/portal/bai-viet/([^/\"<]+)/")


def fetch(client: Any, url: str) -> Any:
    """One request as a WSGI server serves it: the test client skips the connection
    handling of request_started/request_finished, so it is done here (SQLite, with
    CONN_MAX_AGE 0, opens its file for every request; PostgreSQL keeps its connection)."""
    from django.db import close_old_connections

    close_old_connections()
    response = client.get(url, secure=True)
    close_old_connections()
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return response


def count_queries(client: Any, url: str) -> tuple[int, list[dict[str, Any]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed: list[tuple[float, str]] = []
    with CaptureQueriesContext(connection) as ctx, common.sql_timer(timed):
        fetch(client, url)
    return len(ctx.captured_queries), [{"ms": s * 1000, "sql": sql} for s, sql in timed]


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at or above `share` of the samples."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(args: argparse.Namespace, generation: dict[str, Any]) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from exemplars.models import Exemplar
    from organizations.models import Unit
    from propagation.models import Replication, Story
    from propagation.services_stories import published_stories

    assert not settings.DEBUG
    collect_static()
    hidden = set(
        Story.objects.exclude(pk__in=published_stories().values("pk")).values_list(
            "slug", flat=True
        )
    )
    # 127.0.0.1 is in the default ALLOWED_HOSTS; the test client's "testserver" is not.
    client = Client(HTTP_HOST="127.0.0.1")
    measured = []
    for page in pages():
        fetch(client, page.url)  # warm-up: templates, URL resolvers, the planner's caches
        queries, sql = count_queries(client, page.url)
        small = None
        if page.small_url:
            fetch(client, page.small_url)
            small, _ = count_queries(client, page.small_url)
        times = []
        size = 0
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = fetch(client, page.url)
            times.append((time.perf_counter() - t0) * 1000)
            size = len(response.content)
        # Drafts, withdrawn stories and those of revoked exemplars are among the newest
        # rows: a page that forgot the filter would show them.
        shown = set(STORY_LINK.findall(response.content.decode()))
        if shown & hidden:
            raise SystemExit(f"{page.url} shows unpublished stories: {sorted(shown & hidden)}")
        row = {
            **asdict(page),
            "queries": queries,
            "queries_small": small,
            "times_ms": times,
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
            "max_ms": max(times),
            "bytes": size,
            "sql": sql,
            "sql_ms": sum(q["ms"] for q in sql),
        }
        print(
            f"   {page.label}: median {row['median_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, "
            f"{queries} queries (SQL {row['sql_ms']:.1f} ms), {size / 1024:.0f} KB"
            + ("" if page.matches is None else f", {page.matches:,} stories match"),
            flush=True,
        )
        measured.append(row)
    data = {
        "units": Unit.objects.count(),
        "exemplars": Exemplar.objects.count(),
        "recognized": Exemplar.objects.filter(state__in=list(STATE_POPULARITY)).count(),
        "stories": Story.objects.count(),
        "visible_stories": published_stories().count(),
        "replications": Replication.objects.count(),
    }
    return {
        "backend": args.db,
        "label": common.backend_label(connection),
        "requests": args.requests,
        "data": data,
        "generation": generation,
        "pages": measured,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# --- entry point ------------------------------------------------------------------------


def generation_summary(info: dict[str, Any]) -> str:
    sizes = ", ".join(f"{k} {v:,}" for k, v in info["data"].items())
    return f"{common.generation_line(info)}: {sizes}"


def child(args: argparse.Namespace) -> int:
    return BENCH.child(
        args, wanted_meta(args), holds_data_set, generate, measure, generation_summary
    )


def main(argv: list[str] | None = None) -> int:
    parser = common.new_parser(__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--exemplars", type=int, default=10_000, help="recognised or beyond")
    parser.add_argument("--fields", type=int, default=20, choices=range(1, len(FIELDS) + 1))
    parser.add_argument("--stories", type=int, default=10_000, help="on the portal")
    parser.add_argument("--replications", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse a database of the same data")
    common.add_run_arguments(parser)
    args = parser.parse_args(argv)
    if args.units < 3 or args.exemplars < 1 or args.stories < 1 or args.requests < 1:
        parser.error("need at least 3 units, 1 exemplar, 1 story and 1 request")
    return common.dispatch(parser, args, child, orchestrate)


if __name__ == "__main__":
    sys.exit(main())
