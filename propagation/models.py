"""Propagation (tuyên truyền) and replication (nhân rộng) of exemplars.

Outreach items record what was said about an exemplar, where and to how many
people; events are the exchanges, study visits, contests and trainings around
them; stories are the portal's published pages; and replications record which
other units adopted an exemplar's practice, how far they got and what it
achieved. Spread is computed from the last two.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import search_key


class OutreachKind(models.TextChoices):
    ARTICLE = "ARTICLE", _("Bài viết")
    COLUMN = "COLUMN", _("Bài đăng chuyên mục")
    BROADCAST = "BROADCAST", _("Phóng sự phát thanh, truyền hình")
    VIDEO = "VIDEO", _("Video")
    SOCIAL = "SOCIAL", _("Bài đăng mạng xã hội")
    EXCHANGE = "EXCHANGE", _("Buổi giao lưu, chia sẻ kinh nghiệm")
    STUDENT_TALK = "STUDENT_TALK", _("Nói chuyện với học sinh, sinh viên")
    CONTEST_ENTRY = "CONTEST_ENTRY", _("Tác phẩm dự thi")


class Channel(models.TextChoices):
    SECTOR_NEWSPAPER = "SECTOR_NEWSPAPER", _("Báo của ngành")
    MAGAZINE = "MAGAZINE", _("Tạp chí")
    PORTAL = "PORTAL", _("Cổng thông tin điện tử")
    TELEVISION = "TELEVISION", _("Truyền hình")
    RADIO = "RADIO", _("Phát thanh")
    UNIT_SITE = "UNIT_SITE", _("Trang thông tin của đơn vị")
    SOCIAL = "SOCIAL", _("Mạng xã hội")
    EVENT = "EVENT", _("Hội nghị, sự kiện")
    OTHER = "OTHER", _("Khác")


class Outreach(models.Model):
    """One piece of propagation about an exemplar, with its reach."""

    exemplar = models.ForeignKey(
        "exemplars.Exemplar",
        on_delete=models.CASCADE,
        related_name="outreach",
        verbose_name=_("điển hình"),
    )
    kind = models.CharField(_("hình thức"), max_length=16, choices=OutreachKind.choices)
    channel = models.CharField(_("kênh"), max_length=20, choices=Channel.choices)
    channel_name = models.CharField(_("tên kênh, cơ quan báo chí"), max_length=255, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=500)
    published_on = models.DateField(_("ngày đăng, phát"))
    url = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    reach = models.PositiveIntegerField(_("lượt xem, người nghe"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    event = models.ForeignKey(
        "Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach",
        verbose_name=_("sự kiện"),
    )
    story = models.ForeignKey(
        "Story",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach",
        verbose_name=_("bài trên chuyên trang"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("hoạt động tuyên truyền")
        verbose_name_plural = _("hoạt động tuyên truyền")
        indexes = [models.Index(fields=["exemplar", "published_on"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Kept here rather than in the services so that every writer (demo, imports)
        # leaves a searchable row.
        self.search_text = search_key(self.title, self.channel_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class EventKind(models.TextChoices):
    EXCHANGE = "EXCHANGE", _("Giao lưu, chia sẻ kinh nghiệm")
    STUDY_VISIT = "STUDY_VISIT", _("Tham quan, học tập kinh nghiệm")
    CONTEST = "CONTEST", _("Cuộc thi viết, phóng sự")
    TRAINING = "TRAINING", _("Tập huấn, bồi dưỡng nghiệp vụ")


class Event(models.Model):
    """An exchange session, study visit, writing contest or training course."""

    kind = models.CharField(_("loại sự kiện"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("tên sự kiện"), max_length=500)
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="propagation_events",
        verbose_name=_("đơn vị tổ chức"),
    )
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    location = models.CharField(_("địa điểm"), max_length=500, blank=True)
    description = models.TextField(_("nội dung"), blank=True)
    # Exchange sessions: the exemplars who share their experience.
    # Study visits: the host exemplar(s). Contests: the exemplars written about
    # are on the entries.
    exemplars = models.ManyToManyField(
        "exemplars.Exemplar",
        blank=True,
        related_name="events",
        verbose_name=_("điển hình tham gia, đón đoàn"),
    )
    learned = models.TextField(_("kết quả, bài học rút ra"), blank=True)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("sự kiện tuyên truyền")
        verbose_name_plural = _("sự kiện tuyên truyền")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="event_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_key(self.title, self.location, self.field, self.unit.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class Participation(models.Model):
    """The units that took part in an event (visiting units, trainees by unit)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    participants = models.PositiveIntegerField(
        _("số người tham gia"), default=0, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["event", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["event", "unit"], name="participation_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.unit}"


class ContestResult(models.TextChoices):
    NONE = "", _("Chưa có kết quả")
    FIRST = "FIRST", _("Giải Nhất")
    SECOND = "SECOND", _("Giải Nhì")
    THIRD = "THIRD", _("Giải Ba")
    CONSOLATION = "CONSOLATION", _("Giải Khuyến khích")
    NOT_AWARDED = "NOT_AWARDED", _("Không đạt giải")


class ContestEntry(models.Model):
    """A contest entry about an exemplar, scored by the jury."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    exemplar = models.ForeignKey(
        "exemplars.Exemplar",
        on_delete=models.PROTECT,
        related_name="contest_entries",
        verbose_name=_("điển hình được viết về"),
    )
    title = models.CharField(_("tên tác phẩm"), max_length=500)
    author = models.CharField(_("tác giả"), max_length=255)
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị tác giả"),
    )
    url = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    result = models.CharField(
        _("kết quả"), max_length=12, choices=ContestResult.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "title", "pk"]
        verbose_name = _("tác phẩm dự thi")
        verbose_name_plural = _("tác phẩm dự thi")

    def __str__(self) -> str:
        return self.title


class JuryMember(models.Model):
    """A member of a contest's jury, named by the organisers: only members score, and
    each sees and scores the entries on their own page."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="jury")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("giám khảo"),
    )
    is_chair = models.BooleanField(_("trưởng ban giám khảo"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "-is_chair", "pk"]
        verbose_name = _("thành viên ban giám khảo")
        verbose_name_plural = _("ban giám khảo")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="jury_member_once"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class JuryScore(models.Model):
    """One juror's score for one entry; the entry's score is the mean."""

    entry = models.ForeignKey(ContestEntry, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        _("điểm"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.CharField(_("nhận xét"), max_length=1000, blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "juror"], name="jury_score_once_per_juror")
        ]

    def __str__(self) -> str:
        return f"{self.entry}: {self.score}"


class StoryStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Bản nháp")
    REVIEW = "REVIEW", _("Chờ duyệt")
    PUBLISHED = "PUBLISHED", _("Đã đăng")
    WITHDRAWN = "WITHDRAWN", _("Đã gỡ")


class Story(models.Model):
    """A story about an exemplar for the public portal.

    ``body`` is stored already sanitised (nh3) so that every page that shows it
    can mark it safe without trusting the editor.
    """

    exemplar = models.ForeignKey(
        "exemplars.Exemplar",
        on_delete=models.PROTECT,
        related_name="stories",
        verbose_name=_("điển hình"),
    )
    title = models.CharField(_("tiêu đề"), max_length=500)
    slug = models.SlugField(_("đường dẫn"), max_length=220, unique=True)
    summary = models.TextField(_("tóm tắt"), max_length=1000, blank=True)
    practice = models.TextField(_("mô hình, cách làm hay"), blank=True)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    # The portal's columns are the fields of work; copied from the exemplar so
    # that an editor may file a story under a more fitting column.
    field = models.CharField(_("chuyên mục (lĩnh vực)"), max_length=255, blank=True)
    cover = models.ImageField(_("ảnh đại diện"), upload_to="stories/%Y/", blank=True)
    cover_alt = models.CharField(_("mô tả ảnh"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=StoryStatus.choices, default=StoryStatus.DRAFT
    )
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("lý do gỡ"), blank=True)
    review_comment = models.TextField(_("ý kiến duyệt"), blank=True)
    search_text = models.TextField(editable=False, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người viết"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("bài viết về điển hình")
        verbose_name_plural = _("bài viết về điển hình")
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # The portal's columns, unit filter and previews read only these columns of
            # every published story: an index that covers them spares reading the rows
            # (bodies of several kilobytes). docs/benchmarks.md, portal.
            models.Index(
                fields=["status", "published_at", "field", "exemplar"], name="story_portal_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StoryImage(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("ảnh"), upload_to="stories/%Y/")
    caption = models.CharField(_("chú thích"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["story", "position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Stage(models.TextChoices):
    INTERESTED = "INTERESTED", _("Đã đăng ký nhân rộng")
    PILOTING = "PILOTING", _("Đang thí điểm")
    ADOPTED = "ADOPTED", _("Đã áp dụng")
    SCALED = "SCALED", _("Đã nhân rộng")
    DISCONTINUED = "DISCONTINUED", _("Dừng áp dụng")


# Forward order of the stages; DISCONTINUED can be reached from any of them.
STAGE_ORDER = [Stage.INTERESTED, Stage.PILOTING, Stage.ADOPTED, Stage.SCALED]


class Replication(models.Model):
    """A unit adopting an exemplar's practice, stage by stage."""

    exemplar = models.ForeignKey(
        "exemplars.Exemplar",
        on_delete=models.PROTECT,
        related_name="replications",
        verbose_name=_("mô hình, điển hình"),
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="replications",
        verbose_name=_("đơn vị nhân rộng"),
    )
    stage = models.CharField(
        _("giai đoạn"), max_length=12, choices=Stage.choices, default=Stage.INTERESTED
    )
    started_on = models.DateField(_("ngày bắt đầu"))
    stage_changed_on = models.DateField(_("ngày chuyển giai đoạn"), null=True, blank=True)
    adaptation = models.TextField(_("cách vận dụng, điều chỉnh"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    outcome_measure = models.CharField(_("chỉ số đo kết quả"), max_length=255, blank=True)
    outcome_unit = models.CharField(_("đơn vị tính"), max_length=64, blank=True)
    outcome_before = models.DecimalField(
        _("giá trị trước khi áp dụng"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    outcome_after = models.DecimalField(
        _("giá trị sau khi áp dụng"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence = models.FileField(_("minh chứng"), upload_to="replications/%Y/", blank=True)
    discontinued_reason = models.TextField(_("lý do dừng"), blank=True)
    # The last time anything was recorded, for the six-month reminder.
    last_update_at = models.DateTimeField(_("cập nhật lần cuối"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_update_at", "-pk"]
        verbose_name = _("nhân rộng mô hình")
        verbose_name_plural = _("nhân rộng mô hình")
        constraints = [
            models.UniqueConstraint(fields=["exemplar", "unit"], name="replication_once_per_unit"),
            models.CheckConstraint(
                condition=~Q(stage="DISCONTINUED") | ~Q(discontinued_reason=""),
                name="replication_discontinued_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["stage", "last_update_at"])]

    def __str__(self) -> str:
        return f"{self.exemplar} → {self.unit}"


class StageChange(models.Model):
    """The history of a replication's stages."""

    replication = models.ForeignKey(Replication, on_delete=models.CASCADE, related_name="history")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    on = models.DateField(_("ngày"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["replication", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.replication}: {self.from_stage} → {self.to_stage}"
