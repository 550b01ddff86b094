"""Thin views: validate input, call a selector or the search, render."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from codes import selectors
from codes.forms import SearchForm
from codes.models import CodeSystem, ComparisonNote
from codes.roles import VIEW_PERMISSION
from codes.search import MAX_OFFSET, record_zero_result
from codes.search import search as search_codes

coder_required = permission_required(VIEW_PERMISSION, raise_exception=True)

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
    return render(
        request,
        "codes/code_detail.html",
        {
            "code": code,
            "previous": previous,
            "following": following,
            "notes": notes,
            "notice_systems": selectors.notices_for([code]),
        },
    )


@require_GET
@coder_required
def compare(request):
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
    except selectors.CodeLookupError as exc:
        return render(request, "codes/compare_error.html", {"message": str(exc)}, status=400)
    return render(
        request,
        "codes/compare.html",
        {
            "codes": codes,
            "notes": selectors.notes_for_codes(codes=codes),
            "notice_systems": selectors.notices_for(codes),
        },
    )


@require_GET
@coder_required
def comparison_list(request):
    notes = ComparisonNote.objects.select_related("code_a__system", "code_b__system")
    codes = [code for note in notes for code in (note.code_a, note.code_b)]
    return render(
        request,
        "codes/comparison_list.html",
        {"notes": notes, "notice_systems": selectors.notices_for(codes)},
    )


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
