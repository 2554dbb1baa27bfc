"""The review panel on a case page: the comment thread and the review status, for those who
review, with links back to the list the case was opened from and on to the next case in it.
The case page (diagnosis) shows it; the review views answer its forms."""

from urllib.parse import urlencode

from django.db import models
from django.http import QueryDict
from django.urls import reverse

from diagnostics.diagnosis.models import Case
from diagnostics.review.forms import CommentForm, ReviewFilterForm, ReviewForm
from diagnostics.review.models import Comment
from diagnostics.staff.roles import can_review


def review_panel(
    request, case, *, comment_form=None, review_form=None, conflict=False, whole_page=True
):
    """What a reviewer sees on a case: nothing (and no query) for anyone else. The links to
    the list and the next case are only for the whole page, not a swapped-in part of it."""
    if not can_review(request.user):
        return {}
    return {
        "reviewer": True,
        "comments": Comment.objects.for_case(case),
        "comment_form": comment_form or CommentForm(),
        "review_form": review_form or ReviewForm(initial={"version": case.version}),
        "conflict": conflict,
        "list_query": list_query(request),
        **(list_links(request, case) if whole_page else {}),
    }


def list_query(request):
    """`?from=<the list's filters>` when the case was opened from the review list, else ""."""
    filters = request.GET.get("from")
    return "" if filters is None else f"?{urlencode({'from': filters})}"


def list_links(request, case):
    """The review list the case was opened from (`back_url`) and the next, older case in it
    (`next_url`, None at its end): one query, and none unless opened from the list."""
    filters = request.GET.get("from")
    if filters is None:
        return {}
    queue = reverse("diagnostics:review_queue")
    form = ReviewFilterForm(QueryDict(filters))
    following = (
        form.filter(Case.objects.select_related("session"))
        .filter(
            models.Q(saved_at__lt=case.saved_at) | models.Q(saved_at=case.saved_at, id__lt=case.pk)
        )
        .order_by("-saved_at", "-id")
        .first()
    )
    return {
        "back_url": f"{queue}?{filters}" if filters else queue,
        "next_url": f"{following.get_absolute_url()}{list_query(request)}" if following else None,
    }
