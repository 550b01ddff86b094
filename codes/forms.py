"""Forms: the editor's change-reason and optimistic-locking forms, and query-string validation."""

from collections.abc import Iterable
from datetime import date
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from codes import selectors
from codes.exports import FORMATS, PAPER_SIZES
from codes.models import CodeSystem, Differentiator
from codes.search import MAX_OFFSET
from codes.selectors.releases import KINDS as RELEASE_KINDS

DATE_FORMAT_MESSAGE = "Write the date as YYYY-MM-DD, for example 2026-01-31."


class ChangeReasonForm(forms.ModelForm):
    """A model form whose save can carry a short "why", stored with the revision."""

    change_reason = forms.CharField(
        label="Why (optional)",
        max_length=200,
        required=False,
        help_text="A short reason kept with this revision, e.g. “typo” or “2026 code set update”.",
    )


class VersionedForm(ChangeReasonForm):
    """A model form that refuses to save over a newer version than the one it was opened at.

    A refused form keeps the editor's text, carries `conflict` (who saved since and what they
    changed) for the page to show, and now holds the current version: saving it again, once
    reconciled, is a deliberate choice made after seeing the other changes.
    """

    # Not named `version`: a non-editable model field cannot be a model form field.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    conflict: selectors.EditConflict | None = None
    # Set when the save could not be made (the database busy): why, shown instead of saving.
    refusal: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if self.refusal:
            raise ValidationError(self.refusal, code="refused")
        if self.instance.pk:
            opened_at = cleaned.get("opened_version")
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if opened_at != current:
                self.conflict = conflict = selectors.edit_conflict(
                    obj=self.instance, opened_version=opened_at
                )
                data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
                data[self.add_prefix("opened_version")] = conflict.current_version
                self.data = data
                raise ValidationError(
                    "Someone else saved this %(what)s after you opened it: %(who)s saved "
                    "version %(current)s (you opened version %(opened)s). Nothing was saved. "
                    "Their changes are shown above; your text is still in the form. Reconcile "
                    "the two and save again.",
                    code="stale",
                    params={
                        "what": self.instance._meta.verbose_name,
                        "who": conflict.editors,
                        "opened": opened_at,
                        "current": conflict.current_version,
                    },
                )
            # The model re-checks this version in one conditional UPDATE when it saves.
            self.instance.version = opened_at
        return cleaned


class QueryForm(forms.Form):
    """A form over query-string parameters whose errors are answered in one line of text."""

    def error_message(self) -> str:
        """Every error, each after the name of its parameter, in one line."""
        return " ".join(
            str(error) if name == "__all__" else f"{name}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        )


class AsOfForm(QueryForm):
    """`as_of`: show texts as they were at the end of that day (UTC); today at the latest."""

    as_of = forms.DateField(
        required=False,
        label="Texts as of",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
    )

    def clean_as_of(self) -> date | None:
        day = self.cleaned_data["as_of"]
        today = timezone.now().date()
        if day and day > today:
            raise ValidationError(
                f"{day.isoformat()} is in the future: texts are known up to today "
                f"({today.isoformat()}, UTC). Leave the date out to see the current texts."
            )
        return day


FORMAT_MESSAGE = f"Choose a format: {', '.join(FORMATS)}."


class ExportFormatForm(QueryForm):
    """What an export is made as: a format, and for PDFs a paper size (A4 unless asked)."""

    format = forms.ChoiceField(
        choices=[(name, name) for name in FORMATS],
        error_messages={"required": FORMAT_MESSAGE, "invalid_choice": FORMAT_MESSAGE},
    )
    paper = forms.ChoiceField(
        choices=[(name, name) for name in PAPER_SIZES],
        required=False,
        error_messages={"invalid_choice": "Choose a paper size for PDFs: a4 or letter."},
    )

    def export_options(self) -> "ExportOptions":
        """`fmt` and `paper` for `services.comparisons_export`."""
        return {"fmt": self.cleaned_data["format"], "paper": self.cleaned_data["paper"] or "a4"}


class ExportOptions(TypedDict):
    fmt: str
    paper: str


class CompareExportForm(ExportFormatForm, AsOfForm):
    """The export of one comparison: format, paper, as-of date (the codes are read apart)."""


class ComparisonFilterForm(QueryForm):
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


class DifferentiatorForm(forms.ModelForm):
    class Meta:
        model = Differentiator
        fields = ["position", "label", "value_a", "value_b"]
        error_messages = {
            "label": {
                "required": "Give this row a label saying what differs (e.g. “Laminectomy”), "
                "or clear its values to drop it."
            }
        }


class RevertForm(forms.Form):
    reason = forms.CharField(label="Why (optional)", max_length=200, required=False)
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MarkDeletedForm(forms.Form):
    end_date = forms.DateField(
        label="End date",
        input_formats=["%Y-%m-%d"],
        help_text="The last date the codes could be reported (YYYY-MM-DD).",
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label="Why (optional)", max_length=200, required=False)


class ChangesFilterForm(forms.Form):
    """The /changes/ date filter: whole days, both included."""

    since = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_FORMAT_MESSAGE}
    )
    until = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_FORMAT_MESSAGE}
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise ValidationError("“Until” is before “since”: swap the two dates.")
        return cleaned


class SearchForm(AsOfForm):
    """The query string of the search page and /api/search: `q`, `system`, `status`, paging,
    and `as_of` (the codes valid that day, by their texts then: codes.search.then)."""

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

    # `system=mine`: the coder's default systems (codes.preferences), which the search page
    # uses when the address names no system.
    MINE = "mine"

    def __init__(
        self,
        *args: Any,
        systems: Iterable[CodeSystem],
        mine: Iterable[CodeSystem] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.mine = list(mine)
        system_field = self.fields["system"]
        assert isinstance(system_field, forms.ChoiceField)
        system_field.choices = [
            ("", "All systems"),
            *([(self.MINE, f"My systems: {self.mine_label}")] if self.mine else []),
            *((system.slug, system.name) for system in systems),
        ]

    @property
    def mine_label(self) -> str:
        return ", ".join(system.name for system in self.mine)

    def clean_limit(self) -> int | None:
        limit = self.cleaned_data["limit"]
        return None if limit is None else min(limit, self.MAX_LIMIT)

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for codes.search.search()."""
        data = self.cleaned_data
        systems: list[str] | None
        if data["system"] == self.MINE:
            systems = [system.slug for system in self.mine]
        else:
            systems = [data["system"]] if data["system"] else None
        return {
            "systems": systems,
            "include_deleted": data["status"] == "all",
            "as_of": data["as_of"],
            "offset": data["offset"] or 0,
        }


class SearchSystemsForm(QueryForm):
    """The code systems a coder searches by default (none ticked: every system)."""

    systems = forms.ModelMultipleChoiceField(
        queryset=CodeSystem.objects.all(), to_field_name="slug", required=False
    )


class ComparisonListExportForm(ComparisonFilterForm, ExportFormatForm):
    """The export of the comparison list: its filters, a format and a paper size."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if "as_of" in self.data:
            # Refused rather than ignored: a file of today's texts must not pass for an older one.
            raise ValidationError(
                "as_of works for one comparison (/compare/export/?codes=...&as_of=...); "
                "the list export shows the comparison notes as they are now."
            )
        return cleaned


class FavouriteForm(QueryForm):
    """A star or unstar: one code (`system:code`) or one comparison (its codes, as in its URL)."""

    code = forms.CharField(required=False, max_length=100)
    comparison = forms.CharField(required=False, max_length=300)
    starred = forms.TypedChoiceField(
        choices=[("1", "star"), ("0", "unstar")], coerce=lambda value: value == "1"
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        code, comparison = cleaned.get("code", ""), cleaned.get("comparison", "")
        if bool(code) == bool(comparison):
            raise ValidationError("Name one code or one comparison to star.")
        if code:
            slug, _, value = code.partition(":")
            try:
                cleaned["code"] = selectors.code_get(system_slug=slug, code=value)
            except Http404 as exc:
                raise ValidationError(f"No code {code!r}: write it as system:code.") from exc
        else:
            try:
                codes = selectors.codes_for_tokens(comparison)
            except selectors.CodeLookupError as exc:
                raise ValidationError(str(exc)) from exc
            cleaned["tokens"] = selectors.compare_tokens(codes)
        return cleaned


class ReleaseFilterForm(QueryForm):
    """The filters of a release's page: a kind of change, and the start of the codes (a
    chapter's letter, a category: S, S62, S62.9)."""

    kind = forms.ChoiceField(
        label="Change",
        choices=[("", "Every change"), *((kind, kind.capitalize()) for kind in RELEASE_KINDS)],
        required=False,
        error_messages={"invalid_choice": "Choose a change: added, revised or deleted."},
    )
    code = forms.RegexField(
        label="Codes starting with",
        regex=r"\A\s*[0-9A-Za-z.]{1,16}\s*\Z",
        required=False,
        max_length=20,
        error_messages={
            "invalid": "Type the start of a code: up to 16 letters, digits and dots (S62, S62.9)."
        },
    )

    def filters(self) -> dict[str, str]:
        """`kind` and `prefix` (the `code` asked for) for `selectors.release_changes`, empty
        when not given."""
        return {"kind": self.cleaned_data["kind"], "prefix": self.cleaned_data["code"].strip()}


RELEASE_FORMAT_MESSAGE = "Choose a format: csv or xlsx."


class ReleaseExportForm(ReleaseFilterForm):
    """The export of a release's page: its filters and a format."""

    format = forms.ChoiceField(
        choices=[("csv", "csv"), ("xlsx", "xlsx")],
        error_messages={
            "required": RELEASE_FORMAT_MESSAGE,
            "invalid_choice": RELEASE_FORMAT_MESSAGE,
        },
    )
