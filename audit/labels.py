"""Readable names of audit actions; the stored code stays stable for integrators."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "unit.create": _("Tạo đơn vị"),
    "unit.update": _("Sửa đơn vị"),
    "unit.move": _("Chuyển đơn vị cấp trên"),
    "unit.merge": _("Sáp nhập đơn vị"),
    "unit.split": _("Chia tách đơn vị"),
    "unit.rating": _("Xếp loại đơn vị"),
    "cluster.create": _("Tạo cụm, khối thi đua"),
    "cluster.update": _("Sửa cụm, khối thi đua"),
    "cluster.copy": _("Chép cụm, khối sang năm khác"),
    "council.create": _("Thành lập hội đồng"),
    "council.member_add": _("Bổ sung thành viên hội đồng"),
    "council.member_end": _("Thôi thành viên hội đồng"),
    "person.create": _("Thêm cán bộ"),
    "person.update": _("Sửa thông tin cán bộ"),
    "person.transfer": _("Điều chuyển cán bộ"),
    "person.rating": _("Xếp loại cán bộ"),
    "award.create": _("Ghi nhận khen thưởng"),
    "award.update": _("Sửa khen thưởng"),
    "award.delete": _("Xóa khen thưởng"),
    "award.import": _("Nhập khen thưởng từ Excel"),
    "initiative.create": _("Ghi nhận sáng kiến, đề tài"),
    "initiative.update": _("Sửa sáng kiến, đề tài"),
    "initiative.delete": _("Xóa sáng kiến, đề tài"),
    "initiative.import": _("Nhập sáng kiến từ Excel"),
    "discipline.create": _("Ghi nhận kỷ luật"),
    "discipline.update": _("Sửa thông tin kỷ luật"),
    "judgement.set": _("Ghi nhận đánh giá điều kiện"),
    "judgement.withdraw": _("Bỏ đánh giá điều kiện"),
    "user.create": _("Tạo tài khoản"),
    "user.activate": _("Mở khóa tài khoản"),
    "user.deactivate": _("Khóa tài khoản"),
    "user.password_email": _("Gửi thư đặt mật khẩu"),
    "user.password_set": _("Đặt mật khẩu"),
    "user.admin_create": _("Tạo tài khoản (trang quản trị)"),
    "user.admin_change": _("Sửa tài khoản (trang quản trị)"),
    "user.admin_delete": _("Xóa tài khoản (trang quản trị)"),
    "role.grant": _("Cấp vai trò"),
    "role.revoke": _("Thu hồi vai trò"),
    "role.admin_change": _("Sửa vai trò (trang quản trị)"),
    "api_token.issue": _("Cấp mã truy cập API"),
    "api_token.revoke": _("Thu hồi mã truy cập API"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
