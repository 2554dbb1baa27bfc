from django import forms

from diagnostics.privacy.masking import TIMEOUT, apply, compile_custom, rules
from diagnostics.privacy.models import MaskingRule, RetentionSettings
from diagnostics.validators import refuse_layout_characters


class MaskingRuleForm(forms.ModelForm):
    """A custom rule. "Test" shows what it (with the other enabled rules) does to a sample,
    without saving anything."""

    sample = forms.CharField(
        label="Sample text to test the rule on",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = MaskingRule
        fields = ["name", "pattern", "marker"]
        labels = {"pattern": "Pattern (regular expression)", "marker": "Replace matches with"}
        help_texts = {"pattern": "For example, order references: ORD-\\d{8}"}
        widgets = {"pattern": forms.TextInput()}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        refuse_layout_characters(name)
        return name

    def clean_marker(self):
        marker = self.cleaned_data["marker"].strip()
        refuse_layout_characters(marker)
        return marker

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        if not pattern:
            raise forms.ValidationError("Give the pattern to look for.")
        try:
            self.compiled = compile_custom(pattern)
        except ValueError as exc:
            raise forms.ValidationError(f"This pattern {exc}.") from exc
        return pattern

    def tested(self):
        """The sample as it would be stored with this rule added to the enabled ones."""
        data = self.cleaned_data
        return apply(data["sample"], [*rules(), (self.compiled, None, data["marker"], TIMEOUT)])


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionSettings
        fields = ["free_text_days", "case_days", "session_days", "delivery_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.min_value = 1
            field.widget.attrs["min"] = 1
            field.validators = [v for v in field.validators if getattr(v, "limit_value", 1) != 0]

    def clean(self):
        data = super().clean()
        text, cases = data.get("free_text_days"), data.get("case_days")
        if text and cases and text > cases:
            self.add_error(
                "free_text_days",
                "Typed text goes with the case: keep it no longer than the case itself.",
            )
        return data
