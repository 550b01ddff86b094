"""Forms: the editor's optimistic-locking form and query-string validation."""

from django import forms
from django.core.exceptions import ValidationError

from codes.models import CodeSystem


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


class ComparisonFilterForm(forms.Form):
    """The filters of the comparison list: a system, a code, words."""

    system = forms.ModelChoiceField(
        queryset=CodeSystem.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any system",
    )
    code = forms.CharField(required=False, max_length=20)
    text = forms.CharField(required=False, max_length=200, label="Words")

    def filters(self) -> dict[str, str | None]:
        """The valid filters as keyword arguments for `comparison_notes_filtered`."""
        system = self.cleaned_data["system"]
        return {
            "system": system.slug if system else None,
            "code": self.cleaned_data["code"] or None,
            "text": self.cleaned_data["text"] or None,
        }
