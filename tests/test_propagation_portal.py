"""The public portal: what it shows (only published stories of recognised exemplars),
search without diacritics and filters, the story page with where the practice was
replicated, share metadata, feeds that parse as Atom and RSS, bounded queries, and the
"Đăng ký nhân rộng" button."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exemplars.models import Exemplar, ExemplarState
from propagation import services_stories as svc
from propagation.models import Replication, Stage, Story, StoryStatus
from propagation.portal import column_slug
from propagation.urls_portal import urlpatterns as portal_patterns
from tests import test_permissions
from tests.test_permissions import assert_object_pages
from tests.test_propagation_stories import EVIL, image_bytes, recognized, upload, write

pytestmark = pytest.mark.django_db
S = StoryStatus
ATOM = "{http://www.w3.org/2005/Atom}"


def publish(actor: Any, story: Story) -> Story:
    svc.story_submit(actor=actor, story=story)
    return svc.story_publish(actor=actor, story=story)


def published(actor: Any, exemplar: Exemplar, **kw: Any) -> Story:
    return publish(actor, write(actor, exemplar, **kw))


def replicate(exemplar: Exemplar, unit: Any, stage: str = Stage.INTERESTED) -> Replication:
    """A replication record as it would stand after some moves (its services are tested
    with the replication pages)."""
    return Replication.objects.create(
        exemplar=exemplar,
        unit=unit,
        stage=stage,
        started_on=dt.date(2024, 3, 1),
        stage_changed_on=dt.date(2024, 9, 1),
        last_update_at=timezone.now(),
        discontinued_reason="Thiếu kinh phí" if stage == Stage.DISCONTINUED else "",
    )


@pytest.fixture
def exemplar(tree: Any, person_a: Any) -> Exemplar:
    return recognized(tree.KTTV_A, field="Nông nghiệp", person=person_a)


@pytest.fixture
def story(personas: Any, exemplar: Exemplar) -> Story:
    return published(
        personas.comms,
        exemplar,
        title="Mô hình nông nghiệp thông minh thích ứng biến đổi khí hậu",
        summary="Nông dân dùng bản tin dự báo để xuống giống đúng lúc.",
        body=EVIL,
        cover=upload(),
        cover_alt="Cánh đồng lúa vào vụ",
    )


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- what is shown -------------------------------------------------------------------------


def test_a_published_story_is_public_with_everything(
    client: Client, tree: Any, personas: Any, story: Story, exemplar: Exemplar
) -> None:
    replicate(exemplar, tree.KTTV_B, Stage.ADOPTED)
    replicate(exemplar, tree.ST, Stage.DISCONTINUED)
    page = html(client.get(f"/portal/bai-viet/{story.slug}/"))
    assert story.title in page
    assert "Ứng dụng radar thời tiết." in page  # practice
    assert "Cảnh báo sớm 6 giờ." in page  # results
    assert "Chào <strong>bạn</strong>" in page  # the body, as sanitised HTML
    assert exemplar.unit.name in page and exemplar.title in page
    assert "Cá nhân" in page and "Nguyễn Văn An" in page
    replicated = page.split('data-testid="replicated"')[1].split("</ul>")[0]
    assert tree.KTTV_B.name in replicated and "Đã áp dụng" in replicated
    assert tree.ST.name not in replicated
    stopped = page.split('data-testid="discontinued"')[1].split("</ul>")[0]
    assert tree.ST.name in stopped
    assert f'src="/portal/bai-viet/{story.slug}/anh-dai-dien/"' in page
    assert 'alt="Cánh đồng lúa vào vụ"' in page


def test_the_story_page_runs_nothing_from_the_story(client: Client, story: Story) -> None:
    page = html(client.get(f"/portal/bai-viet/{story.slug}/"))
    body = page.split('data-testid="story-body"')[1].split("</section>")[0]
    assert "<script" not in body
    assert "onerror" not in page and "onclick" not in page
    assert "javascript:" not in page
    assert "<iframe" not in page and "<style" not in page
    # The only script on the page is the portal's own file (the print button).
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/static/portal/portal.js" defer>']


def test_share_metadata_canonical_language_and_print(client: Client, story: Story) -> None:
    page = html(client.get(f"/portal/bai-viet/{story.slug}/"))
    url = f"http://testserver/portal/bai-viet/{story.slug}/"

    def meta(prop: str) -> str:
        match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
        assert match, prop
        return match.group(1)

    assert meta("og:type") == "article"
    assert meta("og:title") == story.title
    assert meta("og:description") == story.summary
    assert meta("og:url") == url
    assert meta("og:locale") == "vi_VN"
    assert meta("og:image") == f"http://testserver/portal/bai-viet/{story.slug}/anh-dai-dien/"
    assert meta("twitter:card") == "summary_large_image"
    assert f'<link rel="canonical" href="{url}">' in page
    assert '<html lang="vi">' in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert 'media="print"' in page and "portal/print.css" in page


def test_no_og_image_without_a_cover(client: Client, personas: Any, exemplar: Exemplar) -> None:
    plain = published(personas.comms, exemplar, title="Không ảnh")
    page = html(client.get(f"/portal/bai-viet/{plain.slug}/"))
    assert "og:image" not in page
    assert 'content="summary"' in page


@pytest.mark.parametrize("status", [S.DRAFT, S.REVIEW, S.WITHDRAWN])
def test_unpublished_stories_are_not_found(
    client: Client, story: Story, status: str, exemplar: Exemplar
) -> None:
    Story.objects.filter(pk=story.pk).update(status=status)
    for url in (
        f"/portal/bai-viet/{story.slug}/",
        f"/portal/bai-viet/{story.slug}/anh-dai-dien/",
        f"/portal/chuyen-muc/{column_slug(story.field)}/",
    ):
        assert client.get(url).status_code == 404, url
    assert story.title not in html(client.get("/portal/"))
    assert story.title not in html(client.get("/portal/tim-kiem/?q=nong"))
    assert story.title not in client.get("/portal/feed/atom/").content.decode()


def test_a_withdrawn_story_disappears(client: Client, personas: Any, story: Story) -> None:
    svc.story_withdraw(actor=personas.comms, story=story, reason="Cần kiểm tra lại số liệu.")
    assert client.get(f"/portal/bai-viet/{story.slug}/").status_code == 404


@pytest.mark.parametrize("state", [ExemplarState.REVOKED, ExemplarState.DROPPED])
def test_stories_of_exemplars_no_longer_recognised_disappear(
    client: Client, story: Story, exemplar: Exemplar, state: str
) -> None:
    Exemplar.objects.filter(pk=exemplar.pk).update(state=state)
    assert client.get(f"/portal/bai-viet/{story.slug}/").status_code == 404
    assert story.title not in html(client.get("/portal/"))


@pytest.mark.parametrize("state", [ExemplarState.PROPOSED, ExemplarState.SECTOR])
def test_stories_of_exemplars_beyond_recognition_stay(
    client: Client, story: Story, exemplar: Exemplar, state: str
) -> None:
    Exemplar.objects.filter(pk=exemplar.pk).update(state=state)
    assert client.get(f"/portal/bai-viet/{story.slug}/").status_code == 200


def test_photos_are_served_only_for_published_stories(
    client: Client, personas: Any, exemplar: Exemplar
) -> None:
    draft = write(personas.comms, exemplar, title="Ảnh")
    photo = svc.story_image_add(
        actor=personas.comms, story=draft, image=upload(), caption="Trạm quan trắc"
    )
    url = f"/portal/bai-viet/{draft.slug}/anh/{photo.pk}/"
    assert client.get(url).status_code == 404
    publish(personas.comms, draft)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.getvalue()[:2] == b"\xff\xd8"
    page = html(client.get(f"/portal/bai-viet/{draft.slug}/"))
    assert f'src="{url}"' in page and "<figcaption>Trạm quan trắc</figcaption>" in page


# --- the dedicated page, columns, search -------------------------------------------------


@pytest.fixture
def library(tree: Any, personas: Any, exemplar: Exemplar) -> dict[str, Story]:
    weather = recognized(tree.KTTV_B, field="Khí tượng", subject_unit=tree.KTTV_B)
    stories = {
        "farm": published(personas.comms, exemplar, title="Nông nghiệp thông minh"),
        "radar": published(personas.comms, weather, title="Dự báo bằng radar"),
        "flood": published(personas.comms, weather, title="Cảnh báo lũ quét"),
    }
    Story.objects.filter(pk=stories["flood"].pk).update(
        published_at=timezone.make_aware(dt.datetime(2023, 5, 1, 9, 0))
    )
    write(personas.comms, weather, title="Bản nháp về đê điều")  # never shown
    return stories


def titles(response: Any) -> list[str]:
    return [s.title for s in response.context["page"].object_list]


def test_the_dedicated_page_shows_the_latest_and_one_column_per_field(
    client: Client, library: dict[str, Story]
) -> None:
    response = client.get("/portal/")
    page = html(response)
    assert [c.name for c in response.context["columns"]] == ["Khí tượng", "Nông nghiệp"]
    assert [c.count for c in response.context["columns"]] == [2, 1]
    assert 'href="/portal/chuyen-muc/khi-tuong/"' in page
    assert "Bản nháp về đê điều" not in page
    for story in library.values():
        assert story.title in page


def test_a_column_page(client: Client, library: dict[str, Story]) -> None:
    response = client.get("/portal/chuyen-muc/khi-tuong/")
    assert titles(response) == ["Dự báo bằng radar", "Cảnh báo lũ quét"]
    assert client.get("/portal/chuyen-muc/khong-co/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=nong+nghiep", ["Nông nghiệp thông minh"]),
        ("q=N%C3%94NG+nghi%E1%BB%87p", ["Nông nghiệp thông minh"]),
        ("q=canh+bao+lu", ["Cảnh báo lũ quét"]),
        ("q=quet+lu", ["Cảnh báo lũ quét"]),  # words in any order
        ("q=nguyen+van+an", ["Nông nghiệp thông minh"]),  # the exemplar's person
        ("q=de+dieu", []),  # drafts are never found
        ("field=Kh%C3%AD+t%C6%B0%E1%BB%A3ng", ["Dự báo bằng radar", "Cảnh báo lũ quét"]),
        ("unit=KTTV_A", ["Nông nghiệp thông minh"]),
        ("year=2023", ["Cảnh báo lũ quét"]),
        ("q=nong+nghiep&year=2023", []),
    ],
)
def test_search_ignores_diacritics_and_filters(
    client: Client, library: dict[str, Story], query: str, expected: list[str]
) -> None:
    assert titles(client.get(f"/portal/tim-kiem/?{query}")) == expected


def test_search_paginates(client: Client, personas: Any, exemplar: Exemplar, settings: Any) -> None:
    for i in range(14):
        published(personas.comms, exemplar, title=f"Nông nghiệp bài {i}")
    first = client.get("/portal/tim-kiem/?q=nong+nghiep")
    assert first.context["page"].paginator.count == 14
    assert len(titles(first)) == 12
    second = client.get("/portal/tim-kiem/?q=nong+nghiep&page=2")
    assert len(titles(second)) == 2
    assert "Trang 2/2" in html(second)


def test_empty_portal_says_so(client: Client, tree: Any) -> None:
    assert "Chưa có bài viết nào được đăng" in html(client.get("/portal/"))
    assert "Chưa có bài viết nào được đăng" in html(client.get("/portal/tim-kiem/"))


# --- feeds -----------------------------------------------------------------------------------


def parse(response: Any) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_the_atom_feed_has_what_atom_requires(client: Client, library: dict[str, Story]) -> None:
    response = client.get("/portal/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Dự báo bằng radar",
        "Nông nghiệp thông minh",
        "Cảnh báo lũ quét",
    ]
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("http://testserver/portal/")
        dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)


def test_the_rss_feed_has_what_rss_requires(client: Client, library: dict[str, Story]) -> None:
    response = client.get("/portal/feed/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = parse(response)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        assert item.findtext("title") and item.findtext("link") and item.findtext("pubDate")
        assert item.findtext("description")
    assert {i.findtext("title") for i in items} == {s.title for s in library.values()}


def test_column_feeds(client: Client, library: dict[str, Story]) -> None:
    atom = parse(client.get("/portal/chuyen-muc/khi-tuong/feed/atom/"))
    assert "Khí tượng" in (atom.findtext(f"{ATOM}title") or "")
    assert {e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")} == {
        "Dự báo bằng radar",
        "Cảnh báo lũ quét",
    }
    rss = parse(client.get("/portal/chuyen-muc/nong-nghiep/feed/rss/"))
    assert [i.findtext("title") for i in rss.iter("item")] == ["Nông nghiệp thông minh"]
    assert client.get("/portal/chuyen-muc/khong-co/feed/rss/").status_code == 404


# --- bounded queries ----------------------------------------------------------------------


def grow(personas: Any, exemplar: Exemplar, tree: Any, n: int) -> Story:
    """n published stories with a cover and a photo, and a few replications."""
    last = None
    while Story.objects.filter(status=S.PUBLISHED).count() < n:
        draft = write(
            personas.comms,
            exemplar,
            title=f"Nông nghiệp {Story.objects.count()}",
            cover=upload(data=image_bytes(size=(20, 10))),
            cover_alt="Ảnh",
        )
        svc.story_image_add(actor=personas.comms, story=draft, image=upload(), caption="Ảnh")
        last = publish(personas.comms, draft)
    assert last is not None
    return last


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(ctx.captured_queries)


PORTAL_PAGES = [
    "/portal/",
    "/portal/tim-kiem/?q=nong+nghiep&year=",
    "/portal/chuyen-muc/nong-nghiep/",
    "/portal/feed/atom/",
    "/portal/feed/rss/",
    "/portal/chuyen-muc/nong-nghiep/feed/atom/",
]


def test_portal_pages_run_a_bounded_number_of_queries(
    client: Client, tree: Any, personas: Any, exemplar: Exemplar
) -> None:
    grow(personas, exemplar, tree, 2)
    small = {url: count(client, url) for url in PORTAL_PAGES}
    story = grow(personas, exemplar, tree, 16)
    for unit in (tree.KTTV_B, tree.ST, tree.ST_VP):
        replicate(exemplar, unit)
    large = {url: count(client, url) for url in PORTAL_PAGES}
    assert small == large
    assert max(large.values()) <= 6
    story_url = f"/portal/bai-viet/{story.slug}/"
    assert count(client, story_url) <= 6


def test_the_story_page_is_bounded_for_a_signed_in_officer(
    tree: Any, personas: Any, exemplar: Exemplar, django_assert_max_num_queries: Any
) -> None:
    story = grow(personas, exemplar, tree, 3)
    for unit in (tree.KTTV_B, tree.ST):
        replicate(exemplar, unit)
    client = Client()
    client.force_login(personas.officer)
    with django_assert_max_num_queries(14):
        assert client.get(f"/portal/bai-viet/{story.slug}/").status_code == 200


# --- "Đăng ký nhân rộng" ------------------------------------------------------------------


def test_anonymous_visitors_are_invited_to_log_in(client: Client, story: Story) -> None:
    page = html(client.get(f"/portal/bai-viet/{story.slug}/"))
    assert f'href="/accounts/login/?next=/portal/bai-viet/{story.slug}/"' in page
    assert "Đăng nhập để đăng ký nhân rộng" in page
    assert 'action="/portal/bai-viet/' not in page
    response = client.post(f"/portal/bai-viet/{story.slug}/nhan-rong/", {"unit": "ST"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Replication.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "comms", "council"])
def test_users_without_replication_rights_see_no_button(
    personas: Any, story: Story, persona: str
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    page = html(client.get(f"/portal/bai-viet/{story.slug}/"))
    assert "nhan-rong/" not in page and "Đăng nhập để đăng ký" not in page
    response = client.post(f"/portal/bai-viet/{story.slug}/nhan-rong/", {"unit": "KTTV_B"})
    assert response.status_code == 403
    assert not Replication.objects.exists()


def test_an_officer_of_another_unit_registers_to_replicate(
    tree: Any, personas: Any, story: Story, exemplar: Exemplar
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.outsider)  # OFFICER of Sở TN&MT Sóc Trăng
    page = client.get(f"/portal/bai-viet/{story.slug}/")
    form = page.context["register_form"]
    assert form.initial["unit"] == "STNMT_ST"  # their own unit by default
    assert set(form.units) == {"STNMT_ST", "ST_VP"}
    url = f"/portal/bai-viet/{story.slug}/nhan-rong/"
    assert client.post(url, {"unit": "STNMT_ST"}).status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    response = client.post(url, {"unit": "STNMT_ST", "csrfmiddlewaretoken": token}, follow=True)
    replication = Replication.objects.get()
    assert (replication.exemplar, replication.unit, replication.stage) == (
        exemplar,
        tree.ST,
        Stage.INTERESTED,
    )
    assert replication.created_by == personas.outsider
    assert "Đã đăng ký nhân rộng" in html(response)
    assert tree.ST.name in html(response).split('data-testid="replicated"')[1]
    # Twice: the service refuses, the page says why.
    again = client.post(url, {"unit": "STNMT_ST", "csrfmiddlewaretoken": token}, follow=True)
    assert "đã đăng ký nhân rộng" in html(again)
    assert Replication.objects.count() == 1


def test_units_outside_the_officers_scope_are_refused(
    tree: Any, personas: Any, story: Story
) -> None:
    client = Client()
    client.force_login(personas.outsider)
    response = client.post(
        f"/portal/bai-viet/{story.slug}/nhan-rong/", {"unit": "KTTV_B"}, follow=True
    )
    assert "Chọn đơn vị đăng ký nhân rộng trong danh sách" in html(response)
    assert not Replication.objects.exists()


def test_the_exemplars_own_unit_is_not_offered(tree: Any, personas: Any, story: Story) -> None:
    client = Client()
    client.force_login(personas.officer)  # OFFICER of KTTV, above the exemplar's KTTV_A
    form = client.get(f"/portal/bai-viet/{story.slug}/").context["register_form"]
    assert "KTTV_A" not in form.units and "KTTV_B" in form.units


@pytest.mark.parametrize("persona", ["viewer", "officer", "head", "standing", "comms"])
def test_the_register_page_by_role(
    personas: Any, story: Story, persona: str, monkeypatch: Any
) -> None:
    """The one non-public portal page: whoever holds MANAGE_REPLICATION somewhere may
    register a unit (any unit's officer, since spreading another unit's practice is the
    point, so there is no "other unit" 404 here: see the outsider test above)."""
    private = {p.name for p in portal_patterns if getattr(p.callback, "access_perm", 0)}
    assert private == {"replicate"}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(r, ns, p) for r, ns, p in every() if ns != "portal" or p.name in private],
    )
    client = Client()
    client.force_login(getattr(personas, persona))
    assert assert_object_pages(client, persona, "portal", {"slug": story.slug}) == 1


def test_public_pages_need_no_login(client: Client, story: Story) -> None:
    slug = column_slug(story.field)
    for url in (
        "/portal/",
        "/portal/tim-kiem/",
        f"/portal/chuyen-muc/{slug}/",
        f"/portal/bai-viet/{story.slug}/",
        f"/portal/bai-viet/{story.slug}/anh-dai-dien/",
        "/portal/feed/atom/",
        "/portal/feed/rss/",
        f"/portal/chuyen-muc/{slug}/feed/atom/",
        f"/portal/chuyen-muc/{slug}/feed/rss/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("url", "version"),
    [
        ("/portal/feed/atom/", "atom10"),
        ("/portal/feed/rss/", "rss20"),
        ("/portal/chuyen-muc/khi-tuong/feed/atom/", "atom10"),
        ("/portal/chuyen-muc/nong-nghiep/feed/rss/", "rss20"),
    ],
)
def test_feed_readers_accept_the_feeds(
    client: Client, library: dict[str, Story], url: str, version: str
) -> None:
    """What a feed reader makes of the feeds: feedparser flags any malformed XML or a
    feed it cannot recognise ("bozo")."""
    import feedparser

    parsed = feedparser.parse(client.get(url).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title and parsed.entries
    for entry in parsed.entries:
        assert entry.title and entry.link.startswith("http://testserver/portal/bai-viet/")
        assert "published_parsed" in entry or "updated_parsed" in entry
