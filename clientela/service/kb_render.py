"""An article's Markdown as safe HTML: markdown-it-py (CommonMark, tables and
strikethrough, raw HTML off) renders it, then nh3 keeps only harmless tags and
http(s)/mailto links, so neither raw HTML nor a ``javascript:`` link in an article can
run in a visitor's browser, whatever the Markdown parser lets through."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])
_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


def render_markdown(text: str) -> str:
    """Safe HTML of ``text`` (an ``h1`` becomes an ``h2``: the page's title is the h1)."""
    html = _MD.render(text or "").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
