"""Keyset paging for the case lists: newest first by (saved_at, id), so every page, the last
too, reads only its own rows from the indexes, where OFFSET would step over all rows before."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import models

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID = 2**63  # ids are 64-bit integers in every database


def encode_position(case):
    """A case's place in the newest-first order, for a page link: "<microseconds>-<id>"."""
    return f"{(case.saved_at - EPOCH) // timedelta(microseconds=1)}-{case.pk}"


def decode_position(text):
    """(saved_at, id) from encode_position's text; None when it is not one, or names a time
    or id no case can have."""
    try:
        micros, pk = (int(part) for part in text.split("-"))
        when = EPOCH + timedelta(microseconds=micros)
    except (AttributeError, ValueError, OverflowError):
        return None
    if not 0 < pk < MAX_ID:
        return None
    return when, pk


@dataclass
class CasePage:
    cases: list
    newer: str | None  # position to page back from, when there are newer cases
    older: str | None  # position to page on from, when there are older cases


def page_of(cases, *, after=None, before=None, last=False, size=25):
    """One page of `cases`, newest first, starting after (or ending before) a position, or
    the last page. One query."""
    newest_first = cases.order_by("-saved_at", "-id")
    if after:
        when, pk = after
        rows = list(
            newest_first.filter(models.Q(saved_at__lt=when) | models.Q(saved_at=when, id__lt=pk))[
                : size + 1
            ]
        )
        more_older, more_newer = len(rows) > size, True
        rows = rows[:size]
    elif before or last:
        oldest_first = cases.order_by("saved_at", "id")
        if before:
            when, pk = before
            oldest_first = oldest_first.filter(
                models.Q(saved_at__gt=when) | models.Q(saved_at=when, id__gt=pk)
            )
        rows = list(oldest_first[: size + 1])
        more_newer, more_older = len(rows) > size, bool(before)
        rows = rows[:size][::-1]
    else:
        rows = list(newest_first[: size + 1])
        more_older, more_newer = len(rows) > size, False
        rows = rows[:size]
    return CasePage(
        cases=rows,
        newer=encode_position(rows[0]) if rows and more_newer else None,
        older=encode_position(rows[-1]) if rows and more_older else None,
    )
