from django import forms

from diagnostics.integrations.models import EVENTS, Endpoint
from diagnostics.integrations.sending import AddressRefused, check_url
from diagnostics.validators import refuse_control_characters


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {label}") for name, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "enabled"]
        labels = {"url": "Receiver URL", "enabled": "Send events to it"}
        help_texts = {
            "url": "Where the help desk receives events, such as "
            "https://helpdesk.example.com/hooks/portal.",
            "description": "For you: which system this is.",
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except AddressRefused as exc:
            raise forms.ValidationError(f"This URL {exc}.") from exc
        return url

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        refuse_control_characters(description)
        return description
