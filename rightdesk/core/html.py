"""HTML sanitizing: every piece of HTML that came from outside passes through here."""

from __future__ import annotations

import html as _html

import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "img",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"alt", "title", "width", "height", "src"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize_html(raw: str) -> str:
    """Return ``raw`` with scripts, event handlers, styles and unsafe URLs removed."""
    if not raw:
        return ""
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def text_to_html(text: str) -> str:
    """Render plain text as safe HTML paragraphs (escaped, line breaks kept)."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + _html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )


def html_to_text(raw: str) -> str:
    """A plain-text rendering of HTML for search and previews."""
    cleaned = nh3.clean(raw or "", tags=set(), attributes={}, strip_comments=True)
    return _html.unescape(cleaned).strip()
