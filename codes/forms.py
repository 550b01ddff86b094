"""Forms: the editor's optimistic-locking form and query-string validation."""

from django import forms
from django.core.exceptions import ValidationError

from codes.search import MAX_OFFSET


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


class SearchForm(forms.Form):
    """The query string of the search page and /api/search: `q`, `system`, `status`, paging."""

    MAX_QUERY_CHARACTERS = 500
    MAX_LIMIT = 100

    # Not stripped: a query ending in a space tells that its last word is complete.
    q = forms.CharField(required=False, strip=False, max_length=MAX_QUERY_CHARACTERS)
    system = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Active codes"), ("all", "Include deleted codes")]
    )
    limit = forms.IntegerField(required=False, min_value=1)
    offset = forms.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)

    def __init__(self, *args, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].choices = [("", "All systems")] + [
            (system.slug, system.name) for system in systems
        ]

    def clean_limit(self) -> int | None:
        limit = self.cleaned_data["limit"]
        return None if limit is None else min(limit, self.MAX_LIMIT)

    def error_message(self) -> str:
        """Every error in one sentence a person can act on."""
        return " ".join(
            f"{name}: {message}" for name, messages in self.errors.items() for message in messages
        )

    def search_arguments(self) -> dict:
        """Keyword arguments for codes.search.search()."""
        data = self.cleaned_data
        return {
            "systems": [data["system"]] if data["system"] else None,
            "include_deleted": data["status"] == "all",
            "offset": data["offset"] or 0,
        }
