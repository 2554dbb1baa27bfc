from django import forms
from django.contrib.auth import get_user_model
from django.db import models

from diagnostics.content.models import PlaybookRevision, Symptom
from diagnostics.diagnosis.models import Helped, Outcome, ReviewStatus
from diagnostics.privacy.masking import MaskedCharField
from diagnostics.review.models import COMMENT_MAX_LENGTH
from diagnostics.review.paging import decode_position
from diagnostics.staff.models import Role, display_name
from diagnostics.validators import refuse_control_characters, refuse_layout_characters
from diagnostics.widgets import FastSelect, menu


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def has_range(self):
        data = self.cleaned_data if self.is_valid() else {}
        return bool(data.get("date_from") or data.get("date_to"))

    def filter_days(self, tallies):
        """Daily tallies within the range, both days included."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("date_from"):
            tallies = tallies.filter(day__gte=data["date_from"])
        if data.get("date_to"):
            tallies = tallies.filter(day__lte=data["date_to"])
        return tallies

    def filter_dates(self, cases):
        """Cases saved within the range, both days included."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("date_from"):
            cases = cases.filter(saved_at__date__gte=data["date_from"])
        if data.get("date_to"):
            cases = cases.filter(saved_at__date__lte=data["date_to"])
        return cases


NOT_ANSWERED = "none"  # the filter for cases nobody said anything about yet


def symptom_rows():
    return Symptom.objects.order_by("title").values_list("pk", "title")


def revision_rows():
    return [
        (number, f"{number}: {message or title} ({when:%d %b %Y})")
        for number, message, title, when in PlaybookRevision.objects.order_by(
            "-number"
        ).values_list("number", "message", "title", "imported_at")
    ]


class InsightsForm(DateRangeForm):
    symptom = forms.ModelChoiceField(
        label="Checks of",
        queryset=Symptom.objects.order_by("title"),
        required=False,
        empty_label="Choose a symptom",
        widget=FastSelect,
    )
    revision = forms.ModelChoiceField(
        label="Compare before and after revision",
        queryset=PlaybookRevision.objects.all(),
        to_field_name="number",
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        menu(self.fields["symptom"], symptom_rows, "Choose a symptom", kept_until_publish=True)
        menu(self.fields["revision"], revision_rows, "No comparison", kept_until_publish=True)


class ReviewFilterForm(DateRangeForm):
    """The review list's filters. They come from the query string, so a filtered list is a
    bookmark; anything invalid is ignored with a message rather than failing the page."""

    symptom = forms.ModelChoiceField(
        queryset=Symptom.objects.order_by("title"),
        required=False,
        empty_label="Any symptom",
        widget=FastSelect,
    )
    outcome = forms.ChoiceField(
        choices=[("", "Any outcome"), *Outcome.choices], required=False, widget=FastSelect
    )
    status = forms.ChoiceField(
        label="Review",
        choices=[("", "Any review status"), *ReviewStatus.choices],
        required=False,
        widget=FastSelect,
    )
    ran_by = forms.ModelChoiceField(
        label="Ran by",
        queryset=get_user_model()
        .objects.filter(groups__name__in=[Role.AGENT, Role.LEAD, Role.ADMIN])
        .distinct()
        .order_by("first_name", "username"),
        required=False,
        empty_label="Anyone",
        widget=FastSelect,
    )
    helped = forms.ChoiceField(
        label="Solved it?",
        choices=[("", "Any answer"), *Helped.choices, (NOT_ANSWERED, "Not answered")],
        required=False,
        widget=FastSelect,
    )
    q = forms.CharField(
        label="Search", required=False, max_length=100, validators=[refuse_layout_characters]
    )
    field_order = ["q", "symptom", "outcome", "status", "helped", "ran_by", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        menu(self.fields["symptom"], symptom_rows, "Any symptom", kept_until_publish=True)
        menu(self.fields["ran_by"], self.staff_rows, "Anyone")
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Ticket or summary"})

    def staff_rows(self):
        staff = self.fields["ran_by"].queryset.only("first_name", "last_name", "username")
        return [(person.pk, display_name(person)) for person in staff]

    def filter(self, cases):
        """The cases that match every filter given."""
        if not self.is_valid():  # the errors show beside the filters; no guessing
            return cases.none()
        data = self.cleaned_data
        if data["symptom"]:
            cases = cases.filter(symptom=data["symptom"])
        if data["outcome"]:
            cases = cases.filter(outcome=data["outcome"])
        if data["status"]:
            cases = cases.filter(review_status=data["status"])
        if data["helped"]:
            cases = cases.filter(helped="" if data["helped"] == NOT_ANSWERED else data["helped"])
        if data["ran_by"]:
            cases = cases.filter(ran_by=data["ran_by"])
        if data["q"]:
            cases = cases.filter(
                models.Q(ticket__icontains=data["q"]) | models.Q(summary__icontains=data["q"])
            )
        return self.filter_dates(cases)


class CommentForm(forms.Form):
    body = MaskedCharField(
        label="Add a comment",
        max_length=COMMENT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write a comment first.",
            "max_length": f"Keep comments under {COMMENT_MAX_LENGTH} characters "
            "(this one has %(show_value)d).",
        },
    )


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in ReviewStatus if s != ReviewStatus.NEW],
        error_messages={"invalid_choice": "Choose reviewed or needs follow-up."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PositionField(forms.CharField):
    """A place in the case list from a page link (see paging.encode_position)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        position = decode_position(value)
        if position is None:
            raise forms.ValidationError(
                "That page link is not valid. Start again from the newest cases.", code="invalid"
            )
        return position


class PageForm(forms.Form):
    """Which page of the review list: after or before a position, or the last one."""

    after = PositionField(required=False, max_length=40)
    before = PositionField(required=False, max_length=40)
    last = forms.BooleanField(required=False)

    def problem(self):
        """The first thing wrong with the page link (after and before fail alike)."""
        return next(iter(self.errors.values()))[0] if self.errors else ""

    def position(self):
        """The arguments for `paging.page_of`; the newest page when the link is not valid."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
