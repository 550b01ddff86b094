"""Forms: the editor's optimistic-locking form and query-string validation."""

from django import forms
from django.core.exceptions import ValidationError


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over a newer version than the one it was opened at."""

    # Not named `version`: a non-editable model field cannot be a model form field.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            opened_at = cleaned.get("opened_version")
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if opened_at != current:
                raise ValidationError(
                    "Someone else saved this %(what)s after you opened it (you opened version "
                    "%(opened)s, it is now version %(current)s). Nothing was saved: your text is "
                    "still in the form; reload the page in another tab to see theirs, then "
                    "reconcile and save again.",
                    code="stale",
                    params={
                        "what": self.instance._meta.verbose_name,
                        "opened": opened_at,
                        "current": current,
                    },
                )
            # The model re-checks this version in one conditional UPDATE when it saves.
            self.instance.version = opened_at
        return cleaned
