from django import template

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
