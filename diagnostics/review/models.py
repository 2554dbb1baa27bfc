"""Reviewing cases: the comment thread (the review status lives on the Case itself)."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from diagnostics import signals
from diagnostics.content.markdown import render_markdown
from diagnostics.diagnosis.models import Case

COMMENT_MAX_LENGTH = 2_000


class CommentQuerySet(models.QuerySet):
    def for_case(self, case):
        """The case's thread, oldest first, with each author."""
        return self.filter(case=case).select_related("author").order_by("created_at", "id")


class Comment(models.Model):
    """A note on a case by a lead or admin. Only ever added, so two people commenting at
    once both keep their words."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:50]

    @classmethod
    @transaction.atomic
    def add(cls, case, author, body):
        """Add a comment to the thread: the one way comments are made."""
        comment = cls.objects.create(case=case, author=author, body=body)
        signals.comment_added.send(cls, comment=comment)
        return comment

    @property
    def body_html(self):
        """The comment's Markdown, sanitised like the playbook's."""
        return render_markdown(self.body)
