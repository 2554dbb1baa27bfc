from django import forms

from diagnostics.content.playbook import MAX_BYTES


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
