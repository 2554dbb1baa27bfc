from django import forms

from diagnostics.diagnosis.models import (
    FEEDBACK_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OFF_PATH_RESOLVING_MESSAGE,
    RESOLVING_CHECK_MESSAGE,
    SUMMARY_MAX_LENGTH,
    TICKET_MAX_LENGTH,
    Case,
    Helped,
    Outcome,
    ResultStatus,
    on_path,
)
from diagnostics.privacy.masking import MaskedCharField
from diagnostics.validators import (
    refuse_control_characters,
    refuse_direction_marks,
    refuse_layout_characters,
)
from diagnostics.widgets import FastSelect, menu

CHOOSABLE = [(s.value, s.label) for s in ResultStatus if s != ResultStatus.PENDING]


class TickForm(forms.Form):
    # Optional: a note typed before a result is chosen is saved with the result unchanged.
    status = forms.ChoiceField(
        required=False,
        choices=CHOOSABLE,
        error_messages={
            "required": "Choose a result: passed, problem found or not applicable.",
            "invalid_choice": "Choose a result: passed, problem found or not applicable.",
        },
    )
    note = MaskedCharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        validators=[refuse_control_characters],
        error_messages={
            "max_length": f"Keep the note under {NOTE_MAX_LENGTH} characters "
            "(it has %(show_value)d).",
        },
    )


NOTHING_ANSWERED = "No check has an answer yet: say in the summary what happened."


class SaveCaseForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the diagnosis ended."},
    )
    summary = MaskedCharField(
        label="Summary",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        validators=[refuse_control_characters],
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
        widgets = {"resolved_by": FastSelect}
        error_messages = {
            "resolved_by": {"invalid_choice": "Choose one of this diagnosis’s checks."}
        }

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        field = self.fields["resolved_by"]
        field.queryset = session.results.all()  # what a choice is validated against
        # Drawn from the results the page already holds, not a second read of them.
        menu(
            field,
            lambda: [(r.pk, f"{r.position}. {r.title}") for r in session.result_list],
            "— Choose the check that fixed it —",
        )
        if not self.is_bound and (end := session.path_end()) and "outcome" in end:
            # The playbook says how this path ends: fill that in (the person may change it).
            self.initial["outcome"] = end["outcome"]
            if end["outcome"] == Outcome.RESOLVED and (result := session.resolving_result()):
                self.initial["resolved_by"] = result.pk

    def clean(self):
        """Refuse a record that contradicts its own answers (Case.save checks the resolving
        check again under the session's lock, in case a tick changed it meanwhile)."""
        data = super().clean()
        outcome, resolved_by = data.get("outcome"), data.get("resolved_by")
        if outcome == Outcome.RESOLVED and resolved_by is None:
            self.add_error("resolved_by", "Say which check fixed it.")
        elif outcome == Outcome.RESOLVED and not resolved_by.may_resolve:
            self.add_error("resolved_by", RESOLVING_CHECK_MESSAGE)
        elif outcome == Outcome.RESOLVED and not on_path(resolved_by, self.session.result_list):
            self.add_error("resolved_by", OFF_PATH_RESOLVING_MESSAGE)
        elif outcome and outcome != Outcome.RESOLVED:
            data["resolved_by"] = None  # only a resolved case names a check
        if not data.get("summary") and not self.session.answered():
            self.add_error("summary", NOTHING_ANSWERED)
        return data

    def save(self, saved_by=None):
        """The case, saved by `saved_by` (None for a customer)."""
        self.instance.session = self.session
        self.instance.saved_by = saved_by
        return super().save()


class StartForm(forms.Form):
    ticket = MaskedCharField(
        label="Ticket reference",
        required=False,
        max_length=TICKET_MAX_LENGTH,
        validators=[refuse_layout_characters],
        help_text="Optional, such as ZD-1234: it is shown on the case and in your list.",
        error_messages={"max_length": f"Keep the reference under {TICKET_MAX_LENGTH} characters."},
    )


class FeedbackForm(forms.Form):
    helped = forms.ChoiceField(
        label="Did this solve your problem?",
        choices=Helped.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no.", "invalid_choice": "Choose yes or no."},
    )
    reason = MaskedCharField(
        label="What helped, or what was missing? (optional)",
        required=False,
        max_length=FEEDBACK_MAX_LENGTH,
        validators=[refuse_direction_marks],
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"Keep it under {FEEDBACK_MAX_LENGTH} characters (it has %(show_value)d)."
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # its labels end in "?" or ")", not ":"
        super().__init__(*args, **kwargs)
