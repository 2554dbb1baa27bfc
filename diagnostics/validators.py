"""What people type is text: no control characters (which PostgreSQL may refuse, and which
terminals and spreadsheets act on), and no direction overrides in one-line references."""

import re

from django.core.exceptions import ValidationError

# Control characters (tab and line ends aside), lone surrogates and non-characters.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Line ends, tabs and the invisible marks that reorder how text displays (U+202A-U+202E,
# U+2066-U+2069): a ticket reference is one line, read left to right as typed.
ONE_LINE = re.compile("[\t\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def refuse_control_characters(value):
    if found := CONTROL.search(value):
        raise ValidationError(
            f"Remove the invisible control character (U+{ord(found.group()):04X}) from this text.",
            code="control_character",
        )


def refuse_layout_characters(value):
    refuse_control_characters(value)
    if found := ONE_LINE.search(value):
        raise ValidationError(
            f"Keep this to one line of plain text (it has U+{ord(found.group()):04X}).",
            code="layout_character",
        )


DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")


def refuse_direction_marks(value):
    """Text that others read (in lists, exports, webhooks) shows as typed: no marks that
    reorder how it displays."""
    refuse_control_characters(value)
    if found := DIRECTION.search(value):
        raise ValidationError(
            f"Remove the invisible direction mark (U+{ord(found.group()):04X}) from this text.",
            code="direction_mark",
        )
