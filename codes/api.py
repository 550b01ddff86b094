"""The JSON API: plain functions, one per endpoint, under /api/ (DESIGN.md "URLs and JSON")."""

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from codes import selectors
from codes.codebook.pages import claim_for, codebook_for
from codes.forms import AsOfForm, SearchForm
from codes.models import CodeSystem
from codes.search import record_zero_result
from codes.search import search as search_codes
from codes.views import coder_required

API_DEFAULT_LIMIT = 20


@require_GET
@coder_required
def search(request):
    """`/api/search?q=&system=&limit=&offset=` -> {"query", "count", "results": [...]}."""
    form = SearchForm(request.GET, systems=CodeSystem.objects.all())
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    arguments = form.search_arguments()
    result = search_codes(
        form.cleaned_data["q"], limit=form.cleaned_data["limit"] or API_DEFAULT_LIMIT, **arguments
    )
    if result.error:
        return JsonResponse({"error": result.error}, status=400)
    record_zero_result(result)
    return JsonResponse(
        {
            "query": result.query,
            "count": result.count,
            "results": [
                {
                    "system": hit.code.system.slug,
                    "code": hit.code.code,
                    "title": hit.code.title,
                    "url": request.build_absolute_uri(hit.code.get_absolute_url()),
                    "match": hit.match,
                    "score": hit.score,
                    "highlight": hit.highlight,
                }
                for hit in result.hits
            ],
        }
    )


@require_GET
@coder_required
def compare(request):
    """`/api/compare?codes=...&as_of=` -> the comparison document the page and the exports show."""
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
        comparison = selectors.comparison_for(codes, as_of=form.cleaned_data["as_of"])
    except selectors.CodeLookupError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(comparison.as_document())


@require_GET
@coder_required
def code(request, system, code):
    """`/api/codes/<system>/<code>` -> the code's fields, `url`, `version`, `updated_at` and the
    comparison notes that name it."""
    try:
        found = selectors.code_get(system_slug=system, code=code)
    except Http404:
        return JsonResponse({"error": f"No code {code!r} in system {system!r}."}, status=404)
    notes = selectors.notes_naming(code=found).with_review_flag()
    codebook = codebook_for(found)
    return JsonResponse(
        {
            **selectors.code_document(found),
            "url": request.build_absolute_uri(found.get_absolute_url()),
            "codebook": codebook.as_json() if codebook else None,
            "claim": claim_for(found, codebook).as_json(),
            "comparisons": [
                {
                    "other": {"system": other.system.slug, "code": other.code},
                    "summary": note.summary,
                    "version": note.version,
                    "needs_review": note.needs_review,
                    "url": request.build_absolute_uri(note.get_absolute_url()),
                }
                for note, other in ((note, note.other_code(found)) for note in notes)
            ],
        }
    )
