import functools

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from diagnostics.models import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TICKET_MAX_LENGTH,
    Case,
    Outcome,
    ResultStatus,
    ReviewStatus,
    Role,
    Symptom,
    decode_position,
)
from diagnostics.playbook import MAX_BYTES


class FastSelect(forms.Select):
    """A <select> written in one pass of Python. Django renders every option through its own
    template, which on a menu of a few hundred symptoms costs more than the rest of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), mark_safe(" selected") if str(key) in selected else "", label)
                for key, label in self.choices
            ),
        )
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


def menu(field, rows, empty_label):
    """Feed a FastSelect from a function of (value, label) rows, called only when the menu
    is drawn (a CSV export never draws it). The field still validates against its queryset;
    the menu builds no model objects."""
    # Cached: Django reads a menu's choices twice when drawing it (once for `required`).
    field.widget.choices = functools.cache(lambda: [("", empty_label), *rows()])


CHOOSABLE = [(s.value, s.label) for s in ResultStatus if s != ResultStatus.PENDING]


class TickForm(forms.Form):
    status = forms.ChoiceField(
        choices=CHOOSABLE,
        error_messages={
            "required": "Choose a result: passed, problem found or not applicable.",
            "invalid_choice": "Choose a result: passed, problem found or not applicable.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={
            "max_length": f"Keep the note under {NOTE_MAX_LENGTH} characters "
            "(it has %(show_value)d).",
        },
    )


class SaveCaseForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the diagnosis ended."},
    )
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Keep the summary under {SUMMARY_MAX_LENGTH} characters "
            "(it has %(show_value)d).",
        },
    )

    class Meta:
        model = Case
        fields = ["outcome", "resolved_by", "summary"]
        labels = {"resolved_by": "Which check fixed it?"}
        error_messages = {
            "resolved_by": {"invalid_choice": "Choose one of this diagnosis’s checks."}
        }

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        field = self.fields["resolved_by"]
        field.queryset = session.results.all()
        field.empty_label = "— Choose the check that fixed it —"
        field.label_from_instance = lambda result: f"{result.position}. {result.title}"

    def clean(self):
        data = super().clean()
        outcome, resolved_by = data.get("outcome"), data.get("resolved_by")
        if outcome == Outcome.RESOLVED and resolved_by is None:
            self.add_error("resolved_by", "Say which check fixed it.")
        elif outcome and outcome != Outcome.RESOLVED:
            data["resolved_by"] = None  # only a resolved case names a check
        return data

    def save(self, saved_by=None):
        """The case, saved by `saved_by` (None for a customer)."""
        self.instance.session = self.session
        self.instance.saved_by = saved_by
        return super().save()


class StartForm(forms.Form):
    ticket = forms.CharField(
        label="Ticket reference",
        required=False,
        max_length=TICKET_MAX_LENGTH,
        help_text="Optional, such as ZD-1234: it is shown on the case and in your list.",
        error_messages={"max_length": f"Keep the reference under {TICKET_MAX_LENGTH} characters."},
    )


class PlaybookUploadForm(forms.Form):
    file = forms.FileField(
        label="Playbook file (YAML)",
        error_messages={
            "required": "Choose a playbook file to import.",
            "empty": "The file is empty.",
        },
    )

    def read(self):
        """The upload's name and bytes, never more than the limit plus one byte."""
        upload = self.cleaned_data["file"]
        return upload.name, upload.read(MAX_BYTES + 1)


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


def symptom_rows():
    return Symptom.objects.order_by("title").values_list("pk", "title")


class InsightsForm(DateRangeForm):
    symptom = forms.ModelChoiceField(
        label="Checks of",
        queryset=Symptom.objects.order_by("title"),
        required=False,
        empty_label="Choose a symptom",
        widget=FastSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        menu(self.fields["symptom"], symptom_rows, "Choose a symptom")


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
    q = forms.CharField(label="Search", required=False, max_length=100)
    field_order = ["q", "symptom", "outcome", "status", "ran_by", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        menu(self.fields["symptom"], symptom_rows, "Any symptom")
        menu(self.fields["ran_by"], self.staff_rows, "Anyone")
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Ticket or summary"})

    def staff_rows(self):
        staff = self.fields["ran_by"].queryset.values_list(
            "pk", "first_name", "last_name", "username"
        )
        return [(pk, f"{first} {last}".strip() or name) for pk, first, last, name in staff]

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
        if data["ran_by"]:
            cases = cases.filter(ran_by=data["ran_by"])
        if data["q"]:
            cases = cases.filter(
                models.Q(ticket__icontains=data["q"]) | models.Q(summary__icontains=data["q"])
            )
        return self.filter_dates(cases)

    def position(self, name):
        """A page position from the query string (`after`, `before`), if a valid one."""
        return decode_position(self.data.get(name, ""))


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_MAX_LENGTH,
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
