"""Markdown from the playbook, rendered and sanitised: playbooks come from uploads."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

_TAGS = {
    "a", "blockquote", "br", "code", "em", "h3", "h4", "hr", "kbd", "li", "ol", "p", "pre",
    "strong", "ul",
}  # fmt: skip


def render_markdown(text):
    """Markdown to HTML that is safe to put in a page: only basic tags, links without scripts."""
    if not text:
        return ""
    html = markdown_lib.markdown(
        text, extensions=["sane_lists", "fenced_code"], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # sanitised by nh3 just above
