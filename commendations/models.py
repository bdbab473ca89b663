"""Commendation proposals (hồ sơ đề nghị khen thưởng), council votes, decisions, certificates.

A round (đợt) is opened by the deciding unit; units send one proposal each with
items (a recipient, a title or form, the achievement); the standing body
appraises and may return items; the council votes item by item on the
titles the law puts to a vote; a decision over the approved items creates the
award records; each award gets a certificate with a public verification code.

The ballot is secret by construction: BallotReceipt records *who* voted on an
item in a voting round (one per member, enforced by a unique constraint, so
parallel requests count once) and Vote records *what* was voted, with no link
to the member. Both are written in one transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    ANNUAL = "ANNUAL", _("Khen thưởng thường xuyên hằng năm")
    THEMATIC = "THEMATIC", _("Theo chuyên đề, phong trào thi đua")
    ONE_OFF = "ONE_OFF", _("Khen thưởng đột xuất")
    EXEMPLAR = "EXEMPLAR", _("Hội nghị điển hình tiên tiến")


class Round(models.Model):
    code = models.CharField(_("mã đợt"), max_length=64, unique=True)
    title = models.CharField(_("tên đợt xét"), max_length=500)
    kind = models.CharField(_("loại"), max_length=10, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("năm thành tích"))
    deciding_unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="commendation_rounds",
        verbose_name=_("cấp quyết định"),
    )
    movement = models.ForeignKey(
        "movements.Movement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phong trào thi đua"),
    )
    submission_due = models.DateField(_("hạn gửi hồ sơ"))
    appraisal_due = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    council_on = models.DateField(_("ngày họp hội đồng dự kiến"), null=True, blank=True)
    posting_working_days = models.PositiveSmallIntegerField(
        _("số ngày làm việc niêm yết công khai"), default=10
    )
    note = models.TextField(_("ghi chú"), blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-submission_due", "code"]
        verbose_name = _("đợt xét khen thưởng")

    def __str__(self) -> str:
        return self.title


class ProposalStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Đang soạn")
    SUBMITTED = "SUBMITTED", _("Đã gửi, chờ thẩm định")
    APPRAISAL = "APPRAISAL", _("Đang thẩm định")
    RETURNED = "RETURNED", _("Trả lại để bổ sung")
    COUNCIL = "COUNCIL", _("Trình hội đồng")
    DECIDED = "DECIDED", _("Đã có quyết định")
    REJECTED = "REJECTED", _("Không đề nghị")


class Proposal(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="commendation_proposals",
        verbose_name=_("đơn vị đề nghị"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ProposalStatus.choices, default="DRAFT"
    )
    simplified = models.BooleanField(_("hồ sơ theo thủ tục đơn giản"), default=False)
    summary = models.TextField(_("nội dung tờ trình"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(_("ý kiến trả lại"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round_id", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="proposal_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.round.code} – {self.unit}"


class ItemStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Đề nghị")
    RETURNED = "RETURNED", _("Trả lại để bổ sung")
    ACCEPTED = "ACCEPTED", _("Đã thẩm định")
    REJECTED = "REJECTED", _("Không trình")
    PASSED = "PASSED", _("Hội đồng thông qua")
    FAILED = "FAILED", _("Hội đồng không thông qua")
    DECIDED = "DECIDED", _("Đã quyết định khen thưởng")


class ProposalItem(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    award_type = models.ForeignKey(
        "awards.AwardType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("khen thưởng"),
    )
    achievement = models.TextField(_("tóm tắt thành tích"))
    exemplar = models.ForeignKey(
        "exemplars.Exemplar",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_items",
        verbose_name=_("điển hình tiên tiến"),
    )
    initiatives = models.ManyToManyField(
        "awards.Initiative", blank=True, related_name="+", verbose_name=_("sáng kiến, đề tài")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ItemStatus.choices, default="PROPOSED"
    )
    return_comment = models.TextField(_("ý kiến thẩm định"), blank=True)
    # Eligibility verdict when the proposal was last submitted (the page recomputes).
    verdict = models.CharField(_("kết quả xét điều kiện"), max_length=16, blank=True)
    override_reason = models.TextField(_("lý do đề nghị khi chưa đủ điều kiện"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    award = models.OneToOneField(
        "awards.Award",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_item",
    )

    class Meta:
        ordering = ["proposal_id", "award_type__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="proposal_item_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type.code}: {self.person or self.unit}"


class DocumentKind(models.TextChoices):
    COVER = "COVER", _("Tờ trình")
    REPORT = "REPORT", _("Báo cáo thành tích")
    MINUTES = "MINUTES", _("Biên bản họp xét")
    CERTIFICATION = "CERTIFICATION", _("Xác nhận, chứng nhận")
    OTHER = "OTHER", _("Tài liệu khác")


class Document(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    item = models.ForeignKey(
        ProposalItem, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("loại"), max_length=14, choices=DocumentKind.choices)
    file = models.FileField(_("tệp"), upload_to="commendations/%Y/")
    generated = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name


class SessionStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Chuẩn bị")
    OPEN = "OPEN", _("Đang họp, bỏ phiếu")
    CLOSED = "CLOSED", _("Đã kết thúc")


class CouncilSession(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sessions")
    council = models.ForeignKey(
        "organizations.Council", on_delete=models.PROTECT, related_name="sessions"
    )
    held_on = models.DateField(_("ngày họp"))
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=SessionStatus.choices, default="PLANNED"
    )
    max_rounds = models.PositiveSmallIntegerField(_("số vòng bỏ phiếu tối đa"), default=2)
    # The quorum as a fraction of the membership (2/3 by the sector's rules): a whole
    # percentage cannot say "two thirds" (67 % would refuse 2 of 3 members).
    quorum_num = models.PositiveSmallIntegerField(_("tỷ lệ có mặt tối thiểu (tử số)"), default=2)
    quorum_den = models.PositiveSmallIntegerField(_("tỷ lệ có mặt tối thiểu (mẫu số)"), default=3)
    voting_round = models.PositiveSmallIntegerField(_("vòng bỏ phiếu hiện tại"), default=0)
    items = models.ManyToManyField(ProposalItem, related_name="sessions", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.council} {self.held_on:%d/%m/%Y}"


class Attendance(models.Model):
    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "organizations.CouncilMember", on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("có mặt"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.present}"


class VoteChoice(models.TextChoices):
    YES = "YES", _("Đồng ý")
    NO = "NO", _("Không đồng ý")


class BallotReceipt(models.Model):
    """That a member voted on an item in a voting round — never what they voted."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ProposalItem, on_delete=models.CASCADE, related_name="+")
    voting_round = models.PositiveSmallIntegerField()
    member = models.ForeignKey(
        "organizations.CouncilMember", on_delete=models.PROTECT, related_name="+"
    )
    written = models.BooleanField(default=False)  # an absent member's written opinion
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "item", "voting_round", "member"], name="one_ballot_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} #{self.voting_round}"


class Vote(models.Model):
    """What was voted on an item in a round, with no link to who voted it."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ProposalItem, on_delete=models.CASCADE, related_name="votes")
    voting_round = models.PositiveSmallIntegerField()
    choice = models.CharField(max_length=3, choices=VoteChoice.choices)

    def __str__(self) -> str:
        return self.choice


class Decision(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    number = models.CharField(_("số quyết định"), max_length=64)
    signed_on = models.DateField(_("ngày ký"))
    signer = models.CharField(_("người ký"), max_length=150)
    authority = models.CharField(_("cơ quan quyết định"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="decision_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class Certificate(models.Model):
    """The certificate of one award; `token` is the public verification code (QR)."""

    award = models.OneToOneField(
        "awards.Award", on_delete=models.PROTECT, related_name="certificate"
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("số vào sổ"), max_length=32, unique=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issued_on = models.DateField(_("ngày cấp"))

    def __str__(self) -> str:
        return self.number


class Revocation(models.Model):
    """Law Art. 93: an award cancelled, with the reason and the revoking decision."""

    award = models.OneToOneField(
        "awards.Award", on_delete=models.PROTECT, related_name="revocation"
    )
    reason = models.TextField(_("lý do thu hồi"))
    decision_number = models.CharField(_("số quyết định thu hồi"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định thu hồi"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.decision_number


class PostingComment(models.Model):
    """An opinion sent on the publicly posted list of candidates (Law: public posting).

    Sent without an account; the IP address is kept only as a salted hash, to
    limit floods and to let the standing body see repeated senders.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="posting_comments")
    item = models.ForeignKey(
        ProposalItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posting_comments",
        verbose_name=_("về đề nghị"),
    )
    name = models.CharField(_("họ và tên người góp ý"), max_length=255)
    contact = models.CharField(_("điện thoại hoặc thư điện tử"), max_length=255, blank=True)
    content = models.TextField(_("nội dung góp ý"), max_length=5000)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("ý kiến xử lý"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "-created_at", "-pk"]
        verbose_name = _("góp ý về danh sách niêm yết")

    def __str__(self) -> str:
        return f"{self.name}: {self.content[:40]}"
