from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from diagnostics.content.flow_diagram import rules_in_words
from diagnostics.content.markdown import render_markdown
from diagnostics.staff.models import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user):
    """{{ case.saved_by|display_name }}: full name, else username; empty for nobody."""
    return _display_name(user)


@register.filter
def markdown(text):
    """{{ check.help|markdown }}: the playbook's Markdown, rendered and sanitised."""
    return render_markdown(text)


@register.filter
def listed(value):
    """{{ one|listed }}: a single value as a one-item list, for a loop."""
    return [value]


@register.filter
def follows(check, titles):
    """{% for answer, text in check|follows:titles %}: what each answer's rule leads to."""
    return rules_in_words(check, titles or {})


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def time_tag(moment):
    """{{ case.saved_at|time_tag }}: <time> reading "27 Nov 2026, 14:05" in the portal's time
    zone. Two `date` filters per row were a good part of a 25-row list's time."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"
    return mark_safe(f'<time datetime="{local.isoformat()}">{text}</time>')  # digits only


@register.filter
def clip(text, length):
    """{{ case.summary|clip:90 }}: at most `length` characters, the last an ellipsis when
    cut; `truncatechars` without its per-character work, for long lists."""
    text = str(text)
    return escape(text if len(text) <= length else text[: length - 1] + "…")
