"""Daily plan deadline reminders; schedule it once a day (cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notifications import services
from notifications.tasks import send_plan_reminders_task, send_replication_reminders_task
from propagation.services import send_replication_reminders


class Command(BaseCommand):
    help = (
        "Nhắc hạn gửi theo kế hoạch và nhắc cập nhật nhân rộng quá 6 tháng: đưa tác vụ "
        "vào hàng đợi cho tiến trình nền "
        "(manage.py db_worker), hoặc chạy ngay với --now. Chạy nhiều lần trong ngày "
        "cũng không gửi trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="ngày tính hạn, dạng YYYY-MM-DD (mặc định: hôm nay)", default=""
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="chạy ngay trong tiến trình này thay vì đưa vào hàng đợi",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["date"] or ""
        day: dt.date | None = None
        if text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError as exc:
                raise CommandError(f"Ngày không hợp lệ: {text!r} (cần YYYY-MM-DD)") from exc
        if options["now"]:
            report = services.send_plan_reminders(day)
            self.stdout.write(
                f"{report.on:%d/%m/%Y}: {report.before_due} nhắc trước hạn, "
                f"{report.overdue} nhắc quá hạn, {report.notifications} thông báo, "
                f"{report.emails} thư."
            )
            if report.without_recipients:
                units = ", ".join(report.without_recipients)
                self.stdout.write(f"Đơn vị không có cán bộ thi đua/thủ trưởng nhận nhắc: {units}")
            stale = send_replication_reminders(day)
            self.stdout.write(
                f"{stale.reminders} nhắc cập nhật nhân rộng, {stale.notifications} thông báo, "
                f"{stale.emails} thư."
            )
            return
        result = send_plan_reminders_task.enqueue(day.isoformat() if day else None)
        self.stdout.write(f"Đã đưa tác vụ nhắc hạn vào hàng đợi (mã {result.id}).")
        stale_task = send_replication_reminders_task.enqueue(day.isoformat() if day else None)
        self.stdout.write(
            f"Đã đưa tác vụ nhắc cập nhật nhân rộng vào hàng đợi (mã {stale_task.id})."
        )
