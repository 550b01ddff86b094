from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from codes.forms import VersionedForm
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

admin.site.site_header = "coderef editing"
admin.site.site_title = "coderef"
admin.site.index_title = "Codes, comparison notes and synonyms"


class VersionedAdmin(SimpleHistoryAdmin):
    form = VersionedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as exc:
            # Lost the race between the form's check and the save: refuse, never overwrite.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)


@admin.register(CodeSystem)
class CodeSystemAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "name", "code_pattern", "position"]
    ordering = ["position", "slug"]


@admin.register(Code)
class CodeAdmin(VersionedAdmin):
    list_display = ["code", "system", "title", "status", "updated_at", "version"]
    list_filter = ["system", "status"]
    search_fields = ["code", "title"]
    list_select_related = ["system"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["system", "code", "title", "status", "opened_version"]}),
        ("Texts", {"fields": ["descriptor", "lay_description", "inclusion_terms"]}),
        (
            "Place and dates",
            {"fields": ["section_path", "effective_date", "end_date", "updated_at"]},
        ),
    ]


class DifferentiatorInline(admin.TabularInline):
    model = Differentiator
    extra = 1
    fields = ["position", "label", "value_a", "value_b"]


@admin.register(ComparisonNote)
class ComparisonNoteAdmin(VersionedAdmin):
    list_display = ["__str__", "summary", "updated_at", "version"]
    search_fields = ["code_a__code", "code_b__code", "summary", "body"]
    autocomplete_fields = ["code_a", "code_b"]
    inlines = [DifferentiatorInline]
    fields = ["code_a", "code_b", "summary", "body", "source", "opened_version"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(form.instance, "pair_was_swapped", False):
            # The pair is stored in code order; keep each value with the code it was typed for.
            for row in form.instance.differentiators.all():
                row.swap_values()
                row.save()


@admin.register(Synonym)
class SynonymAdmin(SimpleHistoryAdmin):
    list_display = ["term", "meaning"]
    search_fields = ["term", "meaning"]


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["export_id", "created_at", "user", "format", "codes", "row_count", "sha256"]
    list_filter = ["format"]
    search_fields = ["export_id", "sha256", "codes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ZeroResultQuery)
class ZeroResultQueryAdmin(admin.ModelAdmin):
    """Searches that found nothing, most asked first: where a synonym or a text is missing."""

    list_display = ["query", "count", "last_seen", "first_seen", "add_synonym"]
    search_fields = ["query"]
    date_hierarchy = "last_seen"

    @admin.display(description="")
    def add_synonym(self, obj):
        url = reverse("admin:codes_synonym_add") + "?" + urlencode({"term": obj.query})
        return format_html('<a href="{}">Add a synonym</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
