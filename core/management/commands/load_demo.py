"""Load the demo organisation, staff and logins (idempotent)."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_chain
from core import demo


def _width(text: str) -> int:
    # Precomposed Vietnamese letters are one column each; combining marks take none.
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def login_table(rows: list[demo.Login]) -> str:
    header = ("Tên đăng nhập", "Mật khẩu", "Vai trò", "Đơn vị")
    cells = [header, *[(r.username, r.password, r.role, r.unit) for r in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule]
    for index, row in enumerate(cells):
        lines.append("| " + " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu (Bộ TN&MT, Tổng cục KTTV, Sở TN&MT Sóc Trăng, cán bộ giả định, "
        "tài khoản demo). Chạy lại không tạo trùng: chỉ in danh sách tài khoản."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.demo_exists():
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không tạo thêm.")
        else:
            started = time.monotonic()
            summary = demo.load_demo()
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"Đã tạo dữ liệu mẫu trong {elapsed:.1f} giây: {summary.units} đơn vị, "
                f"{summary.people} cán bộ, {summary.person_ratings} lượt xếp loại cá nhân, "
                f"{summary.unit_ratings} lượt xếp loại tập thể, {summary.transfers} lượt điều "
                f"chuyển, {summary.clusters} cụm/khối thi đua, {summary.councils} hội đồng, "
                f"{summary.users} tài khoản; sáp nhập {' + '.join(summary.merged[:-1])} "
                f"→ {summary.merged[-1]} từ {demo.MERGE_ON:%d/%m/%Y}."
            )
            report = verify_chain()
            if report.ok:
                self.stdout.write(f"Nhật ký kiểm toán: {report.checked} sự kiện, chuỗi băm hợp lệ.")
            else:
                raise CommandError(f"Chuỗi nhật ký kiểm toán hỏng tại #{report.broken_seq}.")
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {demo.DEMO_PASSWORD}):")
        self.stdout.write(login_table(demo.demo_logins()))
