from django import template

from diagnostics.staff.models import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user):
    """{{ case.saved_by|display_name }}: full name, else username; empty for nobody."""
    return _display_name(user)
