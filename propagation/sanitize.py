"""The rich text of portal stories, cleaned with nh3 (Rust's ammonia) on save.

The body is stored already clean so that every page showing it may mark it
safe. The allow-list is explicit and short: text structure, links to the web
or to an e-mail address, quotations, figures and simple tables. Images are not
allowed in the body; they go through StoryImage, which resizes them and strips
their metadata. Script and style elements are dropped with their content; every
event handler (onerror, onclick…) and every other attribute is dropped; links
to ``javascript:``, ``data:`` or relative addresses lose their target.
"""

from __future__ import annotations

import re
from html import unescape

import nh3
from django.utils.html import escape

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "u",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "figure",
        "figcaption",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
# A story links out to sources it does not vouch for: no referrer, no window
# handle for the target, and no search-engine credit.
LINK_REL = "noopener noreferrer nofollow"
# Removed together with everything inside them (the text of a script is code).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}
)

_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")


def clean_html(html: str) -> str:
    """The fragment with only allowed tags and attributes left."""
    if not html or not html.strip():
        return ""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.strip()


def plain_to_html(text: str) -> str:
    """Paragraphs from plain text: a blank line starts a paragraph, a line break is kept."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "".join(
        "<p>" + escape(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )


def clean_body(text: str) -> str:
    """What the editor typed, as clean HTML: plain text is turned into paragraphs first."""
    if not text or not text.strip():
        return ""
    html = text if _HAS_TAG.search(text) else plain_to_html(text)
    return clean_html(html)


def html_to_text(html: str) -> str:
    """The words of a clean fragment, for search and for summaries in feeds."""
    # A space before every tag, so that "<p>a</p><p>b</p>" gives two words.
    spaced = (html or "").replace("<", " <")
    text = nh3.clean(spaced, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    # nh3 leaves entities escaped (&amp;); turn them back into characters.
    return " ".join(unescape(text).split())
