from collections.abc import Sequence
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.db.models import Model, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from codes import favourites, selectors, services
from codes.forms import (
    ChangeReasonForm,
    DifferentiatorForm,
    MarkDeletedForm,
    RevertForm,
    VersionedForm,
)
from codes.history import Revision
from codes.models import (
    Code,
    CodeSystem,
    ComparisonNote,
    Differentiator,
    ExportRecord,
    StaleEditError,
    Synonym,
    ZeroResultQuery,
)
from codes.services.search_log import zero_results_answered

# An editor's write that gave up waiting for the database (see services.lock_wait_timed_out).
BUSY_SAVE = (
    "An import or another save is holding the database, so nothing was saved. Your text is "
    "still in the form: save again in a moment."
)
BUSY_REVERT = (
    "An import or another save is holding the database, so nothing was reverted. Revert "
    "again in a moment."
)

admin.site.site_header = "coderef editing"
admin.site.site_title = "coderef"
admin.site.index_title = "Codes, comparison notes and synonyms"


def change_reason(form: forms.Form) -> str:
    """The change reason the editor wrote beside the save buttons (may be empty)."""
    return form.cleaned_data.get("change_reason", "")


class HistoryAdmin(SimpleHistoryAdmin):
    """A change reason on every save, a timeline of revisions with their field diffs, and
    revert to any revision (saved as a new revision)."""

    form = ChangeReasonForm
    object_history_template = "admin/codes/object_history.html"
    revision_template = "admin/codes/revision.html"

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Sequence[Any]:
        # The change reason sits beside the save buttons, not among the fields.
        return [name for name in super().get_fields(request, obj) if name != "change_reason"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.row_save(row=obj, user=request.user, reason=change_reason(form))

    def _object_or_redirect(self, request: HttpRequest, object_id: str) -> Model | HttpResponse:
        """The object the history pages are about, or the redirect when it does not exist."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self._object_or_redirect(request, object_id)
        if isinstance(obj, HttpResponse):
            return obj
        revisions = selectors.object_revisions(obj)
        page = Paginator(revisions, self.history_list_per_page).get_page(request.GET.get(PAGE_VAR))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {obj}",
            "module_name": capfirst(self.opts.verbose_name_plural),
            "object": obj,
            "opts": self.opts,
            "page_obj": page,
            "page_var": PAGE_VAR,
            "current_history_id": next(
                (rev.record.history_id for rev in revisions if not rev.title), None
            ),
            "can_revert": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One revision: what it changed, how it differs from now, and the revert button."""
        obj = self._object_or_redirect(request, object_id)
        if isinstance(obj, HttpResponse):
            return obj
        if not version_id.isdigit():
            raise Http404("No such revision.")
        revision = selectors.revision_get(obj=obj, history_id=int(version_id))
        can_revert = (
            self.has_change_permission(request, obj) and revision.record.history_type != "-"
        )
        form = RevertForm(
            initial={
                "reason": services.revert_reason(revision.record),
                "opened_version": getattr(obj, "version", None),
            }
        )
        if request.method == "POST":
            if not can_revert:
                raise PermissionDenied
            form = RevertForm(request.POST)
            if form.is_valid() and (response := self._revert(request, obj, revision, form)):
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj}: {revision.label}",
            "object": obj,
            "opts": self.opts,
            "revision": revision,
            "revert_changes": selectors.changes_between(obj, revision.record),
            "form": form,
            "can_revert": can_revert,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.revision_template, context)

    def _revert(
        self, request: HttpRequest, obj: Model, revision: Revision, form: RevertForm
    ) -> HttpResponse | None:
        """Revert as the form asks: a redirect, or None with the form saying why not."""
        try:
            reverted = services.revision_revert(
                record=revision.record,
                user=request.user,
                opened_version=form.cleaned_data["opened_version"],
                reason=form.cleaned_data["reason"],
            )
        except StaleEditError:
            self.message_user(
                request,
                f"Someone saved {obj} while you were looking at this revision. Nothing was "
                "reverted. The differences below are now against their text: check them "
                "and revert again.",
                messages.ERROR,
            )
            return redirect(request.path)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return None
        except OperationalError as exc:
            if not services.lock_wait_timed_out(exc):
                raise
            form.add_error(None, BUSY_REVERT)
            return None
        self.log_change(request, reverted, f"Reverted to {revision.label}.")
        saved_as = getattr(reverted, "version", None)
        self.message_user(
            request,
            f"{reverted} is back to {revision.label}"
            + (f"; the revert is saved as version {saved_as}." if saved_as else "."),
        )
        return redirect(self._admin_url("history", obj.pk))

    def _admin_url(self, view: str, *args: object) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)


class VersionedAdmin(HistoryAdmin):
    form = VersionedForm

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if self.has_change_permission(request, obj):
            return super().get_fieldsets(request, obj)
        # Read-only viewers (auditors) have no version to keep.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "opened_version"]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The change form, which never loses what an editor typed: a save that lost a race is
        shown again with the conflict, and one that could not get the database in time (an
        import holding it) with a message to save again."""
        if request.method in ("GET", "HEAD"):
            # Opening a form writes nothing: outside a transaction it takes no write lock, which
            # on SQLite (IMMEDIATE transactions) would keep an editor waiting for an import.
            return self._changeform_view(request, object_id, form_url, extra_context)
        try:
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except StaleEditError:
                # Lost the race between the form's check and the save (nothing was written):
                # checked again, the form shows the winner's changes beside the editor's text.
                return super().changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as exc:
            if not services.lock_wait_timed_out(exc):
                raise
            # Shown again, refused, outside a transaction that would wait for the lock again.
            request.write_refusal = BUSY_SAVE  # type: ignore[attr-defined]  # read by get_form
            return self._changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "write_refusal", None)
        return type(form.__name__, (form,), {"refusal": refusal}) if refusal else form


class RecentlyChangedFilter(admin.SimpleListFilter):
    title = "recently changed"
    parameter_name = "changed_within"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("7", "In the last 7 days"), ("30", "In the last 30 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        days = {"7": 7, "30": 30}.get(self.value() or "")
        if days:
            return queryset.filter(updated_at__gte=timezone.now() - timedelta(days=days))
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "needs_review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Needs review"), ("no", "Up to date")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(review_flag=self.value() == "yes")
        return queryset


@admin.register(CodeSystem)
class CodeSystemAdmin(HistoryAdmin):
    list_display = ["slug", "name", "code_pattern", "position"]
    ordering = ["position", "slug"]


@admin.register(Code)
class CodeAdmin(VersionedAdmin):
    list_display = ["code", "system", "title", "status", "end_date", "updated_at", "version"]
    list_filter = ["system", "status", RecentlyChangedFilter]
    search_fields = ["code", "title", "descriptor", "lay_description", "inclusion_terms"]
    list_select_related = ["system"]
    readonly_fields = ["updated_at", "kept_by"]
    actions = ["mark_deleted"]
    fieldsets = [
        (None, {"fields": ["system", "code", "title", "status", "opened_version"]}),
        (
            "Texts",
            {
                "fields": [
                    "descriptor",
                    "descriptor_kind",
                    "lay_description",
                    "lay_review",
                    "inclusion_terms",
                    "instructional_notes",
                ]
            },
        ),
        (
            "Place and dates",
            {"fields": ["section_path", "effective_date", "end_date", "updated_at"]},
        ),
        ("Coders", {"fields": ["kept_by"]}),
    ]

    def get_actions(self, request):
        # Codes are never removed, only marked deleted: no "Delete selected codes".
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "title":  # one line, as coders read it
            kwargs["widget"] = forms.TextInput(attrs={"class": "vTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="kept at hand by")
    def kept_by(self, code):
        # Counts only: whose favourites these are stays with each coder.
        if code.pk is None:
            return "-"
        starred, recent = favourites.favourite_counts(code=code)
        return (
            f"starred by {starred} user{'s' if starred != 1 else ''}; among the recent codes "
            f"of {recent} user{'s' if recent != 1 else ''}"
        )

    def save_model(self, request: HttpRequest, obj: Code, form: Any, change: bool) -> None:
        services.code_save(code=obj, user=request.user, reason=change_reason(form))

    @admin.action(
        description="Mark selected codes deleted (asks for the end date)", permissions=["change"]
    )
    def mark_deleted(
        self, request: HttpRequest, queryset: QuerySet[Code]
    ) -> TemplateResponse | None:
        form = MarkDeletedForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            selected = queryset.count()
            end_date = form.cleaned_data["end_date"]
            try:
                changed = services.codes_mark_deleted(
                    codes=queryset,
                    end_date=end_date,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                for code in changed:
                    self.log_change(request, code, f"Marked deleted, end date {end_date}.")
                skipped = selected - len(changed)
                kept = f" {skipped} already deleted kept their end date." if skipped else ""
                self.message_user(
                    request, f"{len(changed)} marked deleted with end date {end_date}.{kept}"
                )
                return None
        return TemplateResponse(
            request,
            "admin/codes/code/mark_deleted.html",
            {
                **self.admin_site.each_context(request),
                "title": "Mark codes deleted",
                "opts": self.opts,
                "codes": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class DifferentiatorInline(admin.TabularInline):
    model = Differentiator
    form = DifferentiatorForm
    extra = 1
    fields = ["position", "label", "value_a", "value_b"]


@admin.register(ComparisonNote)
class ComparisonNoteAdmin(VersionedAdmin):
    list_display = [
        "__str__",
        "summary",
        "needs_review",
        "reviewed_at",
        "reviewed_by",
        "updated_at",
        "version",
    ]
    list_filter = [NeedsReviewFilter, RecentlyChangedFilter]
    list_select_related = ["code_a", "code_b", "reviewed_by"]
    search_fields = ["code_a__code", "code_b__code", "summary", "body"]
    autocomplete_fields = ["code_a", "code_b"]
    inlines = [DifferentiatorInline]
    fields = ["code_a", "code_b", "summary", "body", "source", "review", "opened_version"]
    readonly_fields = ["review"]
    actions = ["mark_reviewed"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComparisonNote]:
        return super().get_queryset(request).with_review_flag()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("code_a", "code_b"):
            # The wrapper's red cross would delete the code itself, not unset it here.
            formfield.widget.can_delete_related = False
        return formfield

    def get_urls(self) -> list[URLPattern]:
        mark_reviewed = path(
            "<path:object_id>/mark-reviewed/",
            self.admin_site.admin_view(self.mark_reviewed_view),
            name="codes_comparisonnote_mark_reviewed",
        )
        return [mark_reviewed, *super().get_urls()]

    @admin.display(description="review", ordering="-review_flag")
    def needs_review(self, note: ComparisonNote) -> str:
        # Text, not a tick: a green tick would read as "all good".
        return format_html("<strong>{}</strong>", "Needs review") if note.needs_review else "-"

    @admin.display(description="review")
    def review(self, note: ComparisonNote) -> str:
        if note.pk is None:
            return "-"
        reviewed = (
            f"Last reviewed {note.reviewed_at:%Y-%m-%d %H:%M} UTC by {note.reviewed_by or '?'}"
            if note.reviewed_at
            else "Never reviewed"
        )
        changed = ", ".join(
            f"{code} {code.texts_changed_at:%Y-%m-%d %H:%M} UTC"
            for code in (note.code_a, note.code_b)
            if code.texts_changed_at
        )
        flag = "NEEDS REVIEW. " if note.needs_review else ""
        return f"{flag}{reviewed}. Code texts last changed: {changed or 'not since loading'}."

    def _mark_reviewed(self, request: HttpRequest, notes: list[ComparisonNote]) -> None:
        services.notes_mark_reviewed(notes=notes, user=request.user)
        for note in notes:
            self.log_change(request, note, "Marked reviewed.")

    @admin.action(description="Mark selected notes reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[ComparisonNote]) -> None:
        notes = list(queryset)
        self._mark_reviewed(request, notes)
        self.message_user(request, f"{len(notes)} marked reviewed by {request.user}.")

    def mark_reviewed_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        note = self.get_object(request, unquote(object_id))
        if note is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, note):
            raise PermissionDenied
        self._mark_reviewed(request, [note])
        self.message_user(request, f"{note} marked reviewed by {request.user}.")
        return redirect(self._admin_url("change", note.pk))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ComparisonNote | None = None,
    ) -> HttpResponse:
        context["can_mark_reviewed"] = bool(obj and self.has_change_permission(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(
        self, request: HttpRequest, obj: ComparisonNote, form: Any, change: bool
    ) -> None:
        services.note_save(note=obj, user=request.user, reason=change_reason(form))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        services.note_rows_save(
            note=form.instance,
            saved=formset.save(commit=False),
            deleted=formset.deleted_objects,
            user=request.user,
            reason=change_reason(form),
            # The pair is stored in code order; keep each value with the code it was typed for.
            swap_values=getattr(form.instance, "pair_was_swapped", False),
        )
        formset.save_m2m()


@admin.register(Synonym)
class SynonymAdmin(VersionedAdmin):
    """Terminology entries: synonyms, lay terms and index entries, each with where it came from.
    An editor may change or switch off an imported entry; importing its list again leaves it so."""

    list_display = ["term", "meaning", "kind", "enabled", "source", "source_file", "release"]
    list_filter = ["kind", "enabled", "source"]
    search_fields = ["term", "meaning", "note"]
    actions = ["switch_off", "switch_on"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # Where it came from is a fact; its kind is chosen once; it is switched off or on by
        # the list's actions, each a revision.
        fixed = ["source", "source_file", "release"]
        return fixed if obj is None else ["kind", "enabled", *fixed]

    @admin.action(description="Switch off the selected entries (search ignores them)")
    def switch_off(self, request: HttpRequest, queryset: QuerySet[Synonym]) -> None:
        self._switch(request, queryset, enabled=False)

    @admin.action(description="Switch on the selected entries")
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Synonym]) -> None:
        self._switch(request, queryset, enabled=True)

    def _switch(self, request: HttpRequest, queryset: QuerySet[Synonym], *, enabled: bool) -> None:
        reason = "Switched on" if enabled else "Switched off"
        changed = 0
        for entry in queryset.exclude(enabled=enabled):
            entry.enabled = enabled
            services.row_save(row=entry, user=request.user, reason=reason, fields=["enabled"])
            changed += 1
        self.message_user(request, f"{reason}: {changed} entries.")


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """The export log: read-only for everyone (`manage.py verify_export FILE` checks a file)."""

    list_display = [
        "export_id",
        "created_at",
        "username",
        "format",
        "codes",
        "filters",
        "as_of",
        "row_count",
        "sha256",
    ]
    list_filter = ["format", "created_at"]
    search_fields = ["export_id", "sha256", "codes", "filters", "username", "filename"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# The searches the editors' list found answered now, for the request being shown (set by the
# filter, read by the "now" column while the list renders).
_answered_now: ContextVar[dict[int, int] | None] = ContextVar("answered_now", default=None)


class AnsweredFilter(admin.SimpleListFilter):
    """By default the list shows only the searches that still find nothing: one a synonym, a
    term or a text now answers drops out (and is listed under "Answered now")."""

    title = "answered"
    parameter_name = "answered"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Still finding nothing"), ("yes", "Answered now"), ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice["query_string"] != changelist.get_query_string(remove=[self.parameter_name]):
                yield choice  # not Django's own "All": the default here is "still nothing"

    def value(self) -> str:
        return super().value() or "no"

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        answered = zero_results_answered(list(queryset))
        _answered_now.set(answered)
        if self.value() == "all":
            return queryset
        if self.value() == "yes":
            return queryset.filter(pk__in=list(answered))
        return queryset.exclude(pk__in=list(answered))


@admin.register(ZeroResultQuery)
class ZeroResultQueryAdmin(admin.ModelAdmin):
    """Searches that found nothing, most asked first: where a synonym or a text is missing."""

    list_display = ["query", "count", "last_seen", "first_seen", "now", "add_synonym"]
    list_filter = [AnsweredFilter]
    search_fields = ["query"]
    date_hierarchy = "last_seen"

    @admin.display(description="now")
    def now(self, obj: ZeroResultQuery) -> str:
        found = (_answered_now.get() or {}).get(obj.pk)
        if found:
            return f"Answered now: finds {found} code{'s' if found != 1 else ''}"
        return "Still finds nothing"

    @admin.display(description="")
    def add_synonym(self, obj: ZeroResultQuery) -> str:
        url = reverse("admin:codes_synonym_add") + "?" + urlencode({"term": obj.query})
        return format_html('<a href="{}">Add a synonym</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
