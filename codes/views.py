"""Thin views: validate input, call a selector or the search, render."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from codes import selectors, services
from codes.codebook.pages import claim_for, codebook_for
from codes.forms import (
    AsOfForm,
    ChangesFilterForm,
    CompareExportForm,
    ComparisonFilterForm,
    ComparisonListExportForm,
    SearchForm,
)
from codes.models import CodeSystem
from codes.roles import EXPORT_PERMISSION, VIEW_PERMISSION
from codes.search import MAX_OFFSET, Hit, record_zero_result
from codes.search import search as search_codes

coder_required = permission_required(VIEW_PERMISSION, raise_exception=True)
export_required = permission_required(EXPORT_PERMISSION, raise_exception=True)

SEARCH_PAGE_SIZE = 20
SEARCH_EXAMPLES = [
    "63709",
    "e1165",
    "6370*",
    "63700-63710",
    "G96.0-G96.1",
    "csf lami",
    "hcpcs: crutches",
    "63707 vs 63709",
]


@require_GET
@coder_required
@vary_on_headers("HX-Request")
def search(request):
    form = SearchForm(request.GET, systems=CodeSystem.objects.all())
    template = "codes/search.html"
    if request.htmx and not request.htmx.history_restore_request:
        target = "more-results" if request.htmx.target == "more-results" else "search-results"
        template += f"#{target}"
    context = {
        "form": form,
        "query": request.GET.get("q", "")[: SearchForm.MAX_QUERY_CHARACTERS],
        "examples": SEARCH_EXAMPLES,
    }
    if not form.is_valid():
        context["message"] = form.error_message()
        return render(request, template, context, status=400)
    arguments = form.search_arguments()
    result = search_codes(form.cleaned_data["q"], limit=SEARCH_PAGE_SIZE, **arguments)
    if result.compare_codes:
        codes = urlencode({"codes": ",".join(result.compare_codes)}, safe=",:")
        url = f"{reverse('codes:compare')}?{codes}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    record_zero_result(result)
    next_offset = arguments["offset"] + len(result.hits)
    context.update(
        query=result.query,
        result=result,
        message=result.error,
        next_offset=next_offset if next_offset < min(result.count, MAX_OFFSET) else None,
        # Shown with the results, not in the footer: htmx swaps the results in without the footer.
        result_notices=selectors.notices_for([hit.code for hit in result.hits]),
    )
    return render(request, template, context, status=400 if result.error else 200)


@require_GET
@coder_required
def code_detail(request, system, code):
    code = selectors.code_get(system_slug=system, code=code)
    previous, following = selectors.code_neighbours(code=code)
    notes = [(note, note.other_code(code)) for note in selectors.notes_naming(code=code)]
    codebook = codebook_for(code)
    return render(
        request,
        "codes/code_detail.html",
        {
            "code": code,
            "previous": previous,
            "following": following,
            "notes": notes,
            "notice_systems": selectors.notices_for([code]),
            "codebook": codebook,
            "claim": claim_for(code, codebook),
        },
    )


@require_GET
@coder_required
@vary_on_headers("HX-Request", "HX-Target")
def compare(request):
    requested = request.GET.getlist("codes")
    as_of_form = AsOfForm(request.GET)
    if not as_of_form.is_valid():
        return _compare_error(request, requested, as_of_form.error_message())
    try:
        codes = selectors.codes_for_tokens(",".join(requested))
        comparison = selectors.comparison_for(codes, as_of=as_of_form.cleaned_data["as_of"])
    except selectors.CodeLookupError as exc:
        return _compare_error(request, requested, str(exc))
    canonical = ",".join(comparison.tokens)
    if requested != [canonical] and not request.htmx:
        # One address per comparison: repeated `codes=` from forms, odd spellings, needless
        # `system:` prefixes all land on the same URL.
        params = request.GET.copy()
        params.setlist("codes", [canonical])
        return redirect(f"{request.path}?{params.urlencode(safe=',:')}")
    marks = request.GET.get("marks") != "off"
    adding = request.GET.get("add", "").strip()[:200]
    context = {
        "comparison": comparison,
        "columns": comparison.columns(marks=marks),
        "marks": marks,
        "marks_toggle_url": comparison.page_url(marks=not marks),
        "adding": adding,
        "suggestions": _suggestions(comparison, adding),
        # Not on a past day's texts: the note may exist by now.
        "can_add_notes": request.user.has_perm("codes.add_comparisonnote")
        and comparison.as_of is None,
        "notice_systems": comparison.notice_systems,
        "export_links": _export_links(
            "codes:compare-export", codes=",".join(comparison.tokens), as_of=comparison.as_of
        ),
    }
    if not request.htmx or request.htmx.history_restore_request:
        return render(request, "codes/compare.html", context)
    if request.htmx.target == "add-results":
        return render(request, "codes/compare.html#add-results", context)
    response = render(request, "codes/compare.html#comparison", context)
    return push_url(response, comparison.page_url(marks=marks))


def _compare_error(request, requested: list[str], message: str) -> HttpResponse:
    """The 400 page of a comparison that cannot be shown; when a date was the trouble, it
    links to the same codes with their current texts."""
    requested_codes = ",".join(requested)[:200]
    current = selectors.compare_url([requested_codes]) if "as_of" in request.GET else None
    return render(
        request,
        "codes/compare_error.html",
        {"message": message, "requested": requested_codes, "current_url": current},
        status=400,
    )


def _suggestions(comparison: selectors.Comparison, text: str) -> list[tuple[Hit, str]]:
    """Search hits for the add box that are not shown yet, each with its comparison link."""
    if not text or comparison.is_full:
        return []
    shown = {code.pk for code in comparison.codes}
    hits = search_codes(text, limit=10).hits
    return [(hit, comparison.url_adding(hit.code)) for hit in hits if hit.code.pk not in shown]


@require_GET
@coder_required
def comparison_list(request):
    form = ComparisonFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "codes/comparison_list.html", {"form": form}, status=400)
    notes = list(selectors.comparison_notes_filtered(**form.filters()))
    codes = [code for note in notes for code in (note.code_a, note.code_b)]
    return render(
        request,
        "codes/comparison_list.html",
        {
            "form": form,
            "notes": notes,
            "filtered": any(form.filters().values()),
            "notice_systems": selectors.notices_for(codes),
            "export_links": _export_links("codes:comparison-list-export", **form.filters()),
        },
    )


EXPORT_LINKS = [
    ("CSV", {"format": "csv"}),
    ("Excel (XLSX)", {"format": "xlsx"}),
    ("PDF (A4)", {"format": "pdf"}),
    ("PDF (Letter)", {"format": "pdf", "paper": "letter"}),
    ("JSON", {"format": "json"}),
]


def _export_links(url_name: str, **params) -> list[tuple[str, str]]:
    """(label, URL) of each export format, carrying `params` (empty ones left out)."""
    kept = {name: str(value) for name, value in params.items() if value}
    path = reverse(url_name)
    return [
        (label, f"{path}?{urlencode({**kept, **extra}, safe=',:')}")
        for label, extra in EXPORT_LINKS
    ]


def _export_refused(message: str) -> HttpResponse:
    return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")


def _attachment(exported: services.ExportedFile) -> HttpResponse:
    response = HttpResponse(exported.data, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    response["Cache-Control"] = "no-store"
    response["X-Export-Id"] = str(exported.record.export_id)
    return response


@require_GET
@coder_required
@export_required
def compare_export(request):
    form = CompareExportForm(request.GET)
    if not form.is_valid():
        return _export_refused(form.error_message())
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
        comparison = selectors.comparison_for(codes, as_of=form.cleaned_data["as_of"])
    except selectors.CodeLookupError as exc:
        return _export_refused(str(exc))
    exported = services.comparisons_export(
        comparisons=[comparison], user=request.user, **form.export_options()
    )
    return _attachment(exported)


@require_GET
@coder_required
@export_required
def comparison_list_export(request):
    form = ComparisonListExportForm(request.GET)
    if not form.is_valid():
        return _export_refused(form.error_message())
    notes = selectors.comparison_notes_filtered(**form.filters())
    exported = services.comparisons_export(
        comparisons=selectors.comparisons_for_notes(notes),
        user=request.user,
        filters=form.filters(),
        **form.export_options(),
    )
    return _attachment(exported)


@require_GET
@coder_required
def changes(request):
    form = ChangesFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "codes/changes.html", {"form": form}, status=400)
    page = selectors.recent_changes(
        since=form.cleaned_data["since"],
        until=form.cleaned_data["until"],
        page_number=request.GET.get("page"),
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request, "codes/changes.html", {"form": form, "page": page, "filters": filters.urlencode()}
    )


@require_GET
@coder_required
def change_detail(request, kind, history_id):
    revision = selectors.change_get(kind=kind, history_id=history_id)
    return render(request, "codes/change_detail.html", {"revision": revision})


@never_cache
@login_not_required
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
