"""Portal stories on the staff side: sanitising, photos, the publishing workflow and its
audit, permissions (allowed, denied 403, other unit 404) and the staff pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from exemplars.models import Exemplar, ExemplarState
from propagation import services_stories as svc
from propagation.images import MAX_WIDTH, process_image
from propagation.models import Story, StoryImage, StoryStatus
from propagation.sanitize import clean_body, clean_html, html_to_text
from propagation.urls_stories import urlpatterns as story_patterns
from tests import test_permissions
from tests.test_exemplars_lifecycle import register
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
S = StoryStatus
EVIL = (
    '<p>Chào <strong>bạn</strong><script>alert("x")</script></p>'
    '<img src="x" onerror="alert(1)">'
    '<p onclick="steal()">Đoạn hai <a href="javascript:alert(2)">xem</a> '
    '<a href="https://monre.gov.vn/tin" target="_blank">nguồn</a></p>'
    "<style>body{display:none}</style><iframe src='https://evil.example'></iframe>"
)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    picture = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        data[0x013B] = "Nguyen Van An"  # Artist
        kwargs["exif"] = data.tobytes()
    picture.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name: str = "anh.jpg", data: bytes | None = None, ctype: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data if data is not None else image_bytes(), ctype)


def recognized(unit: Any, field: str = "Khí tượng thủy văn", **subject: Any) -> Exemplar:
    """An exemplar recognised at its unit (the lifecycle itself is tested elsewhere)."""
    exemplar = register(None, unit, **subject)
    Exemplar.objects.filter(pk=exemplar.pk).update(state=ExemplarState.RECOGNIZED, field=field)
    exemplar.refresh_from_db()
    return exemplar


def write(actor: Any, exemplar: Exemplar, **kw: Any) -> Story:
    data: dict[str, Any] = {
        "title": "Đổi mới dự báo mưa lớn ở Nam Bộ",
        "summary": "Cách làm hay của Đài khu vực Nam Bộ.",
        "practice": "Ứng dụng radar thời tiết.",
        "results": "Cảnh báo sớm 6 giờ.",
        "body": "<p>Nội dung bài.</p>",
    }
    data.update(kw)
    return svc.story_create(actor=actor, exemplar=exemplar, **data)


@pytest.fixture
def exemplar(tree: Any, person_a: Any) -> Exemplar:
    return recognized(tree.KTTV_A, person=person_a)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- sanitising -------------------------------------------------------------------------


def test_sanitiser_drops_scripts_handlers_and_javascript_links() -> None:
    clean = clean_html(EVIL)
    lowered = clean.lower()
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<style", "<iframe"):
        assert bad not in lowered, bad
    assert "<img" not in lowered  # photos go through StoryImage, never the body
    assert "<strong>bạn</strong>" in clean
    assert 'href="https://monre.gov.vn/tin"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean
    assert "target=" not in clean


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("<h2>Tiêu đề</h2><ul><li>một</li></ul>", "<h2>Tiêu đề</h2><ul><li>một</li></ul>"),
        ("<blockquote>Trích</blockquote>", "<blockquote>Trích</blockquote>"),
        ('<a href="mailto:vp@monre.gov.vn">thư</a>', 'href="mailto:vp@monre.gov.vn"'),
        (
            "<figure><figcaption>Chú thích</figcaption></figure>",
            "<figure><figcaption>Chú thích</figcaption></figure>",
        ),
        ('<table><tr><th scope="col">A</th></tr></table>', '<th scope="col">A</th>'),
    ],
)
def test_sanitiser_keeps_the_allow_list(raw: str, kept: str) -> None:
    assert kept in clean_html(raw)


@pytest.mark.parametrize(
    "href", ["/admin/", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "JaVaScRiPt:alert(1)"]
)
def test_links_only_to_the_web_or_mail(href: str) -> None:
    assert "href" not in clean_html(f'<a href="{href}">x</a>')


def test_plain_text_becomes_paragraphs_and_is_escaped() -> None:
    assert clean_body("Dòng một\nDòng hai\n\nĐoạn <2>") == (
        "<p>Dòng một<br>Dòng hai</p><p>Đoạn &lt;2&gt;</p>"
    )
    assert html_to_text("<p>a &amp; b</p><p>c</p>") == "a & b c"


def test_the_body_is_stored_clean(tree: Any, personas: Any, exemplar: Exemplar) -> None:
    story = write(personas.comms, exemplar, body=EVIL)
    story.refresh_from_db()
    assert "<script" not in story.body and "onerror" not in story.body
    assert "javascript:" not in story.body
    svc.story_update(actor=personas.comms, story=story, body='<p><img src=x onerror="x()">ok</p>')
    story.refresh_from_db()
    assert story.body == "<p>ok</p>"


# --- photos ----------------------------------------------------------------------------


def test_large_photos_are_resized_and_lose_their_exif() -> None:
    original = image_bytes(size=(4000, 3000), exif=True)
    with Image.open(io.BytesIO(original)) as probe:
        assert probe.getexif().get(0x013B) == "Nguyen Van An"
    content = process_image(upload("Ảnh đẹp.JPG", original))
    assert content.name == "anh-dep.jpg"
    with Image.open(io.BytesIO(content.read())) as result:
        assert result.format == "JPEG"
        assert result.size == (MAX_WIDTH, 1200)
        assert not result.getexif()
        assert "exif" not in result.info


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_keep_their_format(fmt: str, ext: str) -> None:
    content = process_image(upload(f"a.{ext}", image_bytes(fmt, (2000, 500))))
    assert content.name == f"a.{ext}"
    with Image.open(io.BytesIO(content.read())) as result:
        assert result.format == fmt
        assert result.size == (MAX_WIDTH, 400)


def test_small_photos_keep_their_size() -> None:
    content = process_image(upload(data=image_bytes(size=(800, 600))))
    with Image.open(io.BytesIO(content.read())) as result:
        assert result.size == (800, 600)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<script>alert(1)</script>", "không phải là ảnh"),
        (b"%PDF-1.4 not really", "không phải là ảnh"),
        (b"", "rỗng"),
    ],
)
def test_files_that_are_not_images_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        process_image(upload("anh.jpg", data), "cover")
    assert refused.value.errors[0].field == "cover"
    assert message in refused.value.errors[0].message


def test_other_image_formats_and_big_files_are_refused() -> None:
    with pytest.raises(ValidationFailed) as gif:
        process_image(upload("a.gif", image_bytes("GIF")))
    assert "JPEG, PNG hoặc WebP" in gif.value.errors[0].message
    big = SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1), "image/jpeg")
    with pytest.raises(ValidationFailed) as too_big:
        process_image(big)
    assert "tối đa 10 MB" in too_big.value.errors[0].message


# --- writing -------------------------------------------------------------------------------


def test_a_story_defaults_its_column_and_gets_an_address_without_diacritics(
    personas: Any, exemplar: Exemplar
) -> None:
    first = write(personas.comms, exemplar)
    assert first.status == S.DRAFT
    assert first.field == "Khí tượng thủy văn"
    assert first.slug == "doi-moi-du-bao-mua-lon-o-nam-bo"
    assert first.author == personas.comms
    second = write(personas.comms, exemplar, field="Dự báo")
    assert second.slug == "doi-moi-du-bao-mua-lon-o-nam-bo-2"
    assert second.field == "Dự báo"
    assert "nam bo" in first.search_text and "nguyen van an" in first.search_text


def test_only_recognised_exemplars_get_stories(tree: Any, personas: Any, person_a: Any) -> None:
    fostering = register(None, tree.KTTV_A, person=person_a)
    with pytest.raises(ValidationFailed) as refused:
        write(personas.comms, fostering)
    assert refused.value.errors[0].field == "exemplar"


def test_a_cover_needs_its_description(personas: Any, exemplar: Exemplar) -> None:
    with pytest.raises(ValidationFailed) as refused:
        write(personas.comms, exemplar, cover=upload())
    assert [e.field for e in refused.value.errors] == ["cover_alt"]
    story = write(personas.comms, exemplar, cover=upload(), cover_alt="Cán bộ bên radar")
    assert story.cover.name.startswith("stories/")
    with pytest.raises(ValidationFailed):
        svc.story_update(actor=personas.comms, story=story, cover_alt="")
    svc.story_update(actor=personas.comms, story=story, remove_cover=True, cover_alt="")
    story.refresh_from_db()
    assert not story.cover


def test_only_communication_staff_of_the_unit_write(
    tree: Any, personas: Any, exemplar: Exemplar
) -> None:
    for who in (personas.officer, personas.viewer, personas.head, personas.outsider):
        with pytest.raises(PermissionDenied):
            write(who, exemplar)
    story = write(personas.comms, exemplar)
    with pytest.raises(PermissionDenied):
        svc.story_submit(actor=personas.officer, story=story)
    assert svc.allowed_moves(personas.officer, story) == []
    assert svc.allowed_moves(personas.comms, story) == ["submit"]


# --- the workflow --------------------------------------------------------------------------


def actions(story: Story) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="propagation.story", object_id=str(story.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_whole_workflow_is_audited(personas: Any, exemplar: Exemplar) -> None:
    comms = personas.comms
    story = write(comms, exemplar)
    svc.story_update(actor=comms, story=story, title="Dự báo mưa lớn bằng radar")
    story.refresh_from_db()
    assert story.slug == "du-bao-mua-lon-bang-radar"  # follows the title until published
    svc.story_submit(actor=comms, story=story)
    with pytest.raises(ValidationFailed) as no_comment:
        svc.story_return(actor=comms, story=story, comment=" ")
    assert no_comment.value.errors[0].field == "note"
    story = svc.story_return(actor=comms, story=story, comment="Bổ sung số liệu.")
    assert story.status == S.DRAFT and story.review_comment == "Bổ sung số liệu."
    svc.story_submit(actor=comms, story=story)
    story = svc.story_publish(actor=comms, story=story)
    assert story.status == S.PUBLISHED and story.reviewed_by == comms
    first_published = story.published_at
    assert first_published is not None
    with pytest.raises(Conflict):
        svc.story_update(actor=comms, story=story, title="Sửa khi đã đăng")
    with pytest.raises(ValidationFailed):
        svc.story_withdraw(actor=comms, story=story, reason="")
    story = svc.story_withdraw(actor=comms, story=story, reason="Số liệu cần kiểm tra lại.")
    assert story.status == S.WITHDRAWN and story.withdrawn_reason == "Số liệu cần kiểm tra lại."
    svc.story_update(actor=comms, story=story, title="Tiêu đề mới sau khi gỡ")
    story.refresh_from_db()
    assert story.slug == "du-bao-mua-lon-bang-radar"  # shared addresses stay
    svc.story_submit(actor=comms, story=story)
    story = svc.story_publish(actor=comms, story=story)
    assert story.published_at == first_published
    assert actions(story) == [
        "story.create",
        "story.update",
        "story.submit",
        "story.return",
        "story.submit",
        "story.publish",
        "story.withdraw",
        "story.update",
        "story.submit",
        "story.publish",
    ]
    withdraw = AuditEvent.objects.get(action="story.withdraw")
    before, after = withdraw.before or {}, withdraw.after or {}
    assert before["status"] == S.PUBLISHED
    assert after["status"] == S.WITHDRAWN
    assert after["note"] == "Số liệu cần kiểm tra lại."
    assert withdraw.unit == exemplar.unit


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (S.DRAFT, "publish"),
        (S.DRAFT, "withdraw"),
        (S.DRAFT, "return"),
        (S.REVIEW, "submit"),
        (S.REVIEW, "withdraw"),
        (S.PUBLISHED, "submit"),
        (S.PUBLISHED, "publish"),
        (S.WITHDRAWN, "publish"),
    ],
)
def test_illegal_moves_are_conflicts(
    personas: Any, exemplar: Exemplar, status: str, move: str
) -> None:
    story = write(personas.comms, exemplar)
    Story.objects.filter(pk=story.pk).update(status=status)
    with pytest.raises(Conflict):
        svc.MOVE_FUNCS[move](personas.comms, story, "Ghi chú")
    story.refresh_from_db()
    assert story.status == status


def test_review_needs_summary_and_practice_and_a_recognised_exemplar(
    personas: Any, exemplar: Exemplar
) -> None:
    story = write(personas.comms, exemplar, summary="", practice="")
    with pytest.raises(ValidationFailed) as refused:
        svc.story_submit(actor=personas.comms, story=story)
    assert {e.field for e in refused.value.errors} == {"summary", "practice"}
    svc.story_update(actor=personas.comms, story=story, summary="Tóm tắt", practice="Cách làm")
    svc.story_submit(actor=personas.comms, story=story)
    Exemplar.objects.filter(pk=exemplar.pk).update(state=ExemplarState.REVOKED)
    with pytest.raises(ValidationFailed):
        svc.story_publish(actor=personas.comms, story=story)


def test_the_author_hears_about_a_return(personas: Any, exemplar: Exemplar, tree: Any) -> None:
    from accounts.models import Role
    from tests.conftest import make_user

    reviewer = make_user("reviewer", [(Role.COMMS, tree.KTTV)])
    story = write(personas.comms, exemplar)
    svc.story_submit(actor=personas.comms, story=story)
    svc.story_return(actor=reviewer, story=story, comment="Thêm ảnh.")
    note = personas.comms.notifications.get()
    assert "trả lại" in note.title and note.body == "Thêm ảnh."


def test_photos_are_added_with_captions_and_only_drafts_are_deleted(
    personas: Any, exemplar: Exemplar
) -> None:
    story = write(personas.comms, exemplar)
    with pytest.raises(ValidationFailed):
        svc.story_image_add(actor=personas.comms, story=story, image=upload(), caption="")
    photo = svc.story_image_add(
        actor=personas.comms,
        story=story,
        image=upload(data=image_bytes(size=(3000, 1500))),
        caption="Trạm radar",
    )
    with Image.open(photo.image.path) as stored:
        assert stored.width == MAX_WIDTH
    svc.story_image_delete(actor=personas.comms, photo=photo)
    assert not StoryImage.objects.exists()
    svc.story_submit(actor=personas.comms, story=story)
    with pytest.raises(Conflict):
        svc.story_delete(actor=personas.comms, story=story)
    draft = write(personas.comms, exemplar)
    svc.story_delete(actor=personas.comms, story=draft)
    assert not Story.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="story.delete").count() == 1
    assert {"story.image_add", "story.image_delete"} <= set(actions(story))


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    personas: Any, exemplar: Exemplar, persona: str, monkeypatch: Any
) -> None:
    story = write(personas.comms, exemplar, cover=upload(), cover_alt="Ảnh radar")
    photo = svc.story_image_add(
        actor=personas.comms, story=story, image=upload(), caption="Trạm radar"
    )
    mine = {p.name for p in story_patterns}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(r, ns, p) for r, ns, p in every() if ns != "propagation" or p.name in mine],
    )
    client = login(getattr(personas, persona))
    values = {"pk": str(story.pk), "image": str(photo.pk)}
    checked = assert_object_pages(client, persona, "propagation", values)
    assert checked == len([p for p in story_patterns if "<" in str(p.pattern)])


@pytest.mark.parametrize(
    ("persona", "status"), [("comms", 200), ("viewer", 403), ("officer", 403), ("outsider", 403)]
)
def test_the_list_and_the_form_are_for_communication_staff(
    personas: Any, persona: str, status: int
) -> None:
    client = login(getattr(personas, persona))
    assert client.get("/propagation/stories/").status_code == status
    assert client.get("/propagation/stories/new/").status_code == status


def test_writing_and_publishing_through_the_pages(personas: Any, exemplar: Exemplar) -> None:
    client = login(personas.comms)
    form = client.get(f"/propagation/stories/new/?exemplar={exemplar.pk}")
    assert form.context["form"].initial["practice"] == exemplar.practice_summary
    response = client.post(
        "/propagation/stories/new/",
        {
            "exemplar": str(exemplar.pk),
            "title": "Nông nghiệp thông minh",
            "summary": "Tóm tắt",
            "practice": "Cách làm",
            "results": "Kết quả",
            "body": EVIL,
            "field": "",
            "cover": upload(),
            "cover_alt": "Cánh đồng",
        },
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/propagation/stories/{story.pk}/"
    page = client.get(f"/propagation/stories/{story.pk}/").content.decode()
    assert "<script" not in page.split('data-testid="story-body"')[1].split("</div>")[0]
    assert "onerror" not in page
    for move in ("submit", "publish"):
        response = client.post(f"/propagation/stories/{story.pk}/move/", {"move": move})
        assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == S.PUBLISHED
    # Withdrawing without a reason re-draws the page with the error; nothing changes.
    response = client.post(f"/propagation/stories/{story.pk}/move/", {"move": "withdraw"})
    assert response.status_code == 200
    assert "Lý do gỡ bài" in response.content.decode()
    story.refresh_from_db()
    assert story.status == S.PUBLISHED
    preview = client.get(f"/propagation/stories/{story.pk}/preview/")
    assert preview.status_code == 200
    assert b'data-testid="preview-banner"' in preview.content


def test_the_form_shows_service_errors_on_the_fields(personas: Any, exemplar: Exemplar) -> None:
    client = login(personas.comms)
    response = client.post(
        "/propagation/stories/new/",
        {
            "exemplar": str(exemplar.pk),
            "title": "Ảnh lỗi",
            "cover": upload("x.jpg", b"not an image"),
            "cover_alt": "Mô tả",
        },
    )
    assert response.status_code == 200
    assert "không phải là ảnh" in response.context["form"].errors["cover"][0]
    assert not Story.objects.exists()


def test_the_list_filters_and_searches_without_diacritics(
    tree: Any, personas: Any, person_a: Any, exemplar: Exemplar
) -> None:
    other = recognized(tree.KTTV_B, field="Nông nghiệp", subject_unit=tree.KTTV_B)
    write(personas.comms, exemplar, title="Dự báo mưa lớn")
    farm = write(personas.comms, other, title="Nông nghiệp thông minh")
    svc.story_submit(actor=personas.comms, story=farm)
    client = login(personas.comms)

    def titles(query: str) -> list[str]:
        page = client.get(f"/propagation/stories/?{query}").context["page"]
        return [s.title for s in page.object_list]

    assert titles("q=nong+nghiep") == ["Nông nghiệp thông minh"]
    assert titles("status=REVIEW") == ["Nông nghiệp thông minh"]
    assert titles("field=Khí+tượng+thủy+văn") == ["Dự báo mưa lớn"]
    assert titles("unit=KTTV_A") == ["Dự báo mưa lớn"]


def test_the_list_runs_a_bounded_number_of_queries(
    personas: Any, exemplar: Exemplar, django_assert_max_num_queries: Any
) -> None:
    client = login(personas.comms)
    counts = []
    for n in (2, 12):
        while Story.objects.count() < n:
            write(personas.comms, exemplar)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/propagation/stories/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(15):
        client.get("/propagation/stories/")
