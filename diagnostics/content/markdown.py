"""Markdown from the playbook, rendered and sanitised: playbooks come from uploads."""

import markdown as markdown_lib
import nh3
from django.db import models
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


class RenderedMarkdownField(models.TextField):
    """A Markdown field's HTML, rendered and sanitised once when the text is saved (by the
    model's `save`, or copied from a row that was), so no page renders Markdown per request.
    It reads back as safe HTML: nothing else writes it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return mark_safe(value)  # sanitised by render_markdown before it was stored


def save_rendered(instance, text_field, html_field, kwargs):
    """For a model's `save(**kwargs)`: render `text_field` into `html_field` when the text
    may have changed (every field saved, or the text among `update_fields`)."""
    fields = kwargs.get("update_fields")
    if fields is None or text_field in fields:
        setattr(instance, html_field, render_markdown(getattr(instance, text_field)))
        if fields is not None:
            kwargs["update_fields"] = [*fields, html_field]
    return kwargs
