"""The review panel on a case page: the comment thread and the review status, for those who
review. The case page (diagnosis) shows it; the review views answer its forms."""

from diagnostics.review.forms import CommentForm, ReviewForm
from diagnostics.review.models import Comment
from diagnostics.staff.roles import can_review


def review_panel(request, case, *, comment_form=None, review_form=None, conflict=False):
    """What a reviewer sees on a case: nothing (and no query) for anyone else."""
    if not can_review(request.user):
        return {}
    return {
        "reviewer": True,
        "comments": Comment.objects.for_case(case),
        "comment_form": comment_form or CommentForm(),
        "review_form": review_form or ReviewForm(initial={"version": case.version}),
        "conflict": conflict,
    }
