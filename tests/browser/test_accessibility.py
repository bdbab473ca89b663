"""Accessibility of the main pages, checked by axe-core and by keyboard.

axe-core ships inside the axe-playwright-python package and is injected into
the page under test, so nothing is fetched from a CDN. Only "serious" and
"critical" findings fail: those are the ones that lock a screen-reader or
low-vision user out (unreadable text, unnamed controls, broken structure).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from organizations import services as org
from organizations.models import ClusterKind, CouncilRole
from people import services as ppl
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
BLOCKING = {"serious", "critical"}
MERGED_ON = dt.date(2024, 7, 1)

# Bootstrap 5.3 paints striped and hovered table rows with an inset box-shadow,
# which axe ignores: it would measure text on white while people read it on grey.
# Paint each such cell's real colour as its background before axe looks.
FLATTEN_ROW_SHADES = """() => {
  const rgba = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  for (const cell of document.querySelectorAll('td, th')) {
    const style = getComputedStyle(cell);
    const m = style.boxShadow.match(/^(rgba?\\([^)]+\\)) 0px 0px 0px 9999px inset/);
    if (!m) continue;
    const shade = rgba(m[1]);
    const own = rgba(style.backgroundColor);
    const base = own && own[3] > 0 ? own : [255, 255, 255, 1];
    const mixed = [0, 1, 2].map((i) => Math.round(shade[i] * shade[3] + base[i] * (1 - shade[3])));
    cell.style.backgroundColor = `rgb(${mixed.join(',')})`;
    cell.style.boxShadow = 'none';
  }
}"""


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def content(tree: Any, personas: Any, person_a: Any) -> Any:
    """Enough data that every table, badge and history entry on the pages is drawn."""
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2024, rating="HTXSNV")
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating="HTTNV")
    ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTTNV")
    ppl.person_update(actor=personas.admin, person=person_a, position="Chuyên viên chính")
    org.cluster_create(
        actor=personas.admin,
        organizer=tree.MIN,
        kind=ClusterKind.CLUSTER,
        name="Cụm thi đua số 1",
        year=2025,
        members=[tree.KTTV, tree.ST],
        leader=tree.KTTV,
    )
    council = org.council_create(
        actor=personas.admin,
        unit=tree.MIN,
        name="Hội đồng Thi đua – Khen thưởng Bộ",
        established_on=dt.date(2020, 1, 1),
    )
    org.council_member_add(
        actor=personas.admin,
        council=council,
        person=person_a,
        role=CouncilRole.CHAIR,
        valid_from=dt.date(2020, 1, 1),
    )
    # A merged unit: status badges, predecessor ratings and struck-through names.
    org.units_merge(actor=personas.admin, sources=[tree.KTTV_B], into=tree.KTTV_A, on=MERGED_ON)
    return tree


def blocking_violations(axe: Axe, page: Any) -> list[str]:
    page.evaluate(FLATTEN_ROW_SHADES)
    results = axe.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def assert_accessible(axe: Axe, page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    found = blocking_violations(axe, page)
    assert not found, f"{path}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password-reset/"])
def test_pages_before_sign_in_have_no_serious_violations(page: Any, axe: Axe, path: str) -> None:
    assert_accessible(axe, page, path)


def test_failed_sign_in_page_has_no_serious_violations(page: Any, axe: Axe, personas: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill("wrong password")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("alert").wait_for()
    assert not blocking_violations(axe, page)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/units/",
        "/units/KTTV_A/",
        "/units/KTTV_B/",  # merged
        "/units/tree/",
        "/units/clusters/",
        "/units/councils/",
        "/people/",
        "/people/P001/",
        "/people/import/",
        "/users/",
        "/users/{officer}/",
        "/audit/",
        "/awards/",
        "/awards/catalogue/",
        "/awards/initiatives/",
        "/awards/disciplines/",
        "/eligibility/",
        "/eligibility/rules/",
        "/eligibility/people/P001/?year=2024",
        "/eligibility/units/KTTV_A/?year=2024",
        "/eligibility/units/KTTV/list/?year=2024",
        "/plans/",
        "/movements/",
        "/inspections/",
        "/reports/",
        "/notifications/",
        "/commendations/rounds/",
        "/commendations/ballot/",
        "/propagation/events/",
        "/propagation/my-contests/",
        "/propagation/outreach/",
        "/propagation/replications/",
        "/propagation/replications/ranking/",
        "/propagation/stories/",
    ],
)
def test_signed_in_pages_have_no_serious_violations(
    page: Any, axe: Axe, content: Any, personas: Any, path: str
) -> None:
    login(page, "admin")  # a superuser sees every menu entry and every action button
    assert_accessible(axe, page, path.format(officer=personas.officer.pk))


@pytest.mark.parametrize("path", ["/units/KTTV_A/", "/people/P001/"])
def test_english_pages_have_no_serious_violations(
    page: Any, axe: Axe, content: Any, live_server: Any, path: str
) -> None:
    login(page, "admin")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    assert_accessible(axe, page, path)
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("link", name="Skip to main content")).to_have_count(1)


def test_officer_pages_have_no_serious_violations(page: Any, axe: Axe, content: Any) -> None:
    # A scoped officer gets read-only units and fewer buttons than the superuser.
    login(page, "officer")
    for path in ["/", "/units/", "/units/KTTV_A/", "/people/", "/people/P001/"]:
        assert_accessible(axe, page, path)


def test_the_check_sees_text_on_striped_rows(page: Any, axe: Axe, content: Any) -> None:
    # Guards the row-shade flattening: Bootstrap's stock pink for <code> is
    # readable on white but not on a striped row, and the check must notice.
    login(page, "admin")
    page.goto("/people/")
    page.add_style_tag(content="code { color: #d63384 !important; }")
    found = blocking_violations(axe, page)
    assert any(v.startswith("color-contrast") and "code" in v for v in found), found


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Any, personas: Any) -> None:
    login(page, "standing")
    page.goto("/units/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href'),"
        " shown: document.activeElement.getBoundingClientRect().width > 1})"
    )
    assert focused == {"text": "Bỏ qua, đến nội dung chính", "href": "#main", "shown": True}
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab continues inside the main content, not back in the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colours(css: str) -> list[tuple[int, int, int]]:
    return [(int(r), int(g), int(b)) for r, g, b in re.findall(r"rgba?\((\d+), (\d+), (\d+)", css)]


def tab_to(page: Any, selector: str) -> dict[str, Any]:
    """Press Tab until the element matching `selector` has focus; return its focus style."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return dict(
                page.evaluate(
                    "() => { const s = getComputedStyle(document.activeElement);"
                    " return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),"
                    " outlineColor: s.outlineColor, shadow: s.boxShadow}; }"
                )
            )
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize(
    "selector",
    [
        "main table a",  # a plain link on white
        "main a.btn",  # Bootstrap's buttons replace the outline with a faint blue shadow
        "main button[type=submit]",
        "nav a.navbar-brand",  # a link on the dark navigation bar
    ],
)
def test_focus_is_visible_on_white_and_on_the_navbar(
    page: Any, personas: Any, selector: str
) -> None:
    login(page, "standing")
    page.goto("/units/")
    style = tab_to(page, selector)
    assert style["outline"] != "none" and style["width"] >= 2, style
    # WCAG 1.4.11: some ring of the indicator reaches 3:1 against what surrounds it.
    surround = (10, 74, 140) if selector.startswith("nav") else (255, 255, 255)
    rings = colours(style["outlineColor"]) + colours(style["shadow"])
    assert max(contrast(c, surround) for c in rings) >= 3, style
