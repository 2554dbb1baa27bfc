"""Widgets the pages draw often enough for Django's per-option templates to show."""

import functools
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from diagnostics.content.shared import published_fragment


class FastSelect(forms.Select):
    """A <select> written in one pass of Python. Django renders every option through its own
    template, which on a menu of a few hundred symptoms costs more than the rest of the page."""

    kept_as = None  # a name: the options are kept until the next publish (see `menu`)

    def render(self, name, value, attrs=None, renderer=None):
        options = self.options_html()
        for chosen in dict.fromkeys(str(v) for v in self.format_value(value)):
            tag = f'<option value="{escape(chosen)}">'
            options = options.replace(tag, f"{tag[:-1]} selected>", 1)
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))

    def use_required_attribute(self, initial):
        # Django reads the first choice to decide, which builds the whole menu; every menu
        # here starts with its empty choice, so none is ever `required`.
        return False

    def options_html(self):
        if self.kept_as:
            return published_fragment(self.kept_as, self.options)
        return self.options()

    def options(self):
        # The standard library's escape, once per value: at 2,000 symptoms, format_html per
        # option was most of the review pages' time.
        return "".join(
            f'<option value="{escape(str(key))}">{escape(str(label))}</option>'
            for key, label in self.choices
        )


def menu(field, rows, empty_label, *, kept_until_publish=False):
    """Feed a FastSelect from a function of (value, label) rows, called only when the menu
    is drawn (a CSV export never draws it). The field still validates against its queryset;
    the menu builds no model objects. A menu only a publish changes (the symptoms) is drawn
    once per publish: at 2,000 symptoms drawing it was most of the review pages' time."""
    # Cached: Django reads a menu's choices twice when drawing it (once for `required`).
    field.widget.choices = functools.cache(lambda: [("", empty_label), *rows()])
    if kept_until_publish:
        field.widget.kept_as = f"menu.{rows.__name__}.{slugify(empty_label)}"
