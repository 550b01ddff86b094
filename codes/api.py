"""The JSON API: plain functions, one per endpoint, under /api/ (DESIGN.md "URLs and JSON")."""

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from codes import favourites as my_favourites
from codes import presenters, selectors
from codes.cache import ContentCache
from codes.codebook.pages import claim_for, codebook_for
from codes.forms import AsOfForm, ReleaseFilterForm, SearchForm
from codes.models import Code, Release
from codes.search import Hit
from codes.search import search as search_codes
from codes.services.search_log import record_zero_result
from codes.views import coder_required

API_DEFAULT_LIMIT = 20


@require_GET
@coder_required
def search(request: HttpRequest) -> JsonResponse:
    """`/api/search?q=&system=&limit=&offset=&as_of=` -> {"query", "count", "results": [...]};
    as of a day, `as_of` and each result's `in_force` too."""
    form = SearchForm(request.GET, systems=selectors.code_systems())
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    arguments = form.search_arguments()
    result = search_codes(
        form.cleaned_data["q"], limit=form.cleaned_data["limit"] or API_DEFAULT_LIMIT, **arguments
    )
    if result.error:
        return JsonResponse({"error": result.error}, status=400)
    record_zero_result(result)
    as_of = form.cleaned_data["as_of"]
    in_force = selectors.releases_in_force(as_of) if as_of else []
    release_of = {system.pk: release for system, release in in_force}
    return JsonResponse(
        {
            "query": result.query,
            "count": result.count,
            **({"as_of": as_of.isoformat()} if as_of else {}),
            "results": [
                {
                    **(
                        {"in_force": _in_force(hit, release_of[hit.code.system_id])}
                        if as_of
                        else {}
                    ),
                    "system": hit.code.system.slug,
                    "code": hit.code.code,
                    "title": hit.code.title,
                    "url": request.build_absolute_uri(hit.code.get_absolute_url()),
                    "match": hit.match,
                    "score": hit.score,
                    "highlight": hit.highlight,
                    "matched_via": hit.why,
                }
                for hit in result.hits
            ],
        }
    )


def _in_force(hit: Hit, release: Release | None) -> dict[str, str] | None:
    """The release in force on the search's day whose texts the hit carries, and its title
    then (the hit's `title`); null when its system had no release in force yet (today's
    texts)."""
    if release is None:
        return None
    return {"release": release.label, "title": hit.code.title}


@require_GET
@coder_required
def compare(request: HttpRequest) -> JsonResponse:
    """`/api/compare?codes=...&as_of=` -> the comparison document the page and the exports show."""
    pages = ContentCache("pages")  # first: see ContentCache
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    as_of = form.cleaned_data["as_of"]
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
        document = pages.get_or_compute(
            "compare-api",
            # The claim facts depend on the day (the MS-DRG version in force).
            # A code may be shown twice, with a release's texts (`I71.51@FY2023`) and today's.
            (tuple((code.pk, code.release_label) for code in codes), as_of, timezone.localdate()),
            lambda: presenters.comparison_document(selectors.comparison_for(codes, as_of=as_of)),
        )
    except selectors.CodeLookupError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(document)


@require_GET
@coder_required
def code(request: HttpRequest, system: str, code: str) -> JsonResponse:
    """`/api/codes/<system>/<code>` -> the code's fields, `url`, `version`, `updated_at` and the
    comparison notes that name it."""
    pages = ContentCache("pages")  # first: see ContentCache
    try:
        found = selectors.code_get(system_slug=system, code=code)
    except Http404:
        return JsonResponse({"error": f"No code {code!r} in system {system!r}."}, status=404)
    # The URLs are absolute (the host is the request's); the claim facts depend on the day.
    return JsonResponse(
        pages.get_or_compute(
            "code-api",
            (found.pk, request.build_absolute_uri("/"), timezone.localdate()),
            lambda: _code_document(request, found),
        )
    )


def _code_document(request: HttpRequest, found: Code) -> dict[str, Any]:
    notes = list(selectors.notes_naming(code=found).with_review_flag())
    url_of = presenters.note_urls(notes)
    codebook = codebook_for(found)
    return {
        **presenters.code_document(found),
        "url": request.build_absolute_uri(found.get_absolute_url()),
        "codebook": codebook.as_json() if codebook else None,
        "claim": claim_for(found, codebook).as_json(),
        "comparisons": [
            {
                "other": {"system": other.system.slug, "code": other.code},
                "summary": note.summary,
                "version": note.version,
                "needs_review": note.needs_review,
                "url": request.build_absolute_uri(url_of[note.id]),
            }
            for note, other in ((note, note.other_code(found)) for note in notes)
        ],
    }


@require_GET
@coder_required
def release(request: HttpRequest, system: str, label: str) -> JsonResponse:
    """`/api/releases/<system>/<label>?kind=&prefix=` -> the release, its counts, the changes
    (filtered) with their old and new official texts, and the notes it flagged."""
    try:
        found = selectors.release_get(system_slug=system, label=label)
    except Http404 as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    form = ReleaseFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    filters = form.filters()
    document = presenters.release_document(
        found,
        selectors.release_changes(found, **filters),
        selectors.release_flagged_notes(found),
        **filters,
    )
    return JsonResponse(document)


@require_GET
@coder_required
def favourites(request):
    """`/api/me/favourites` -> the signed-in user's own {"codes", "comparisons", "recent"}."""
    mine = my_favourites.my_codes(user=request.user)
    return JsonResponse(my_favourites.favourites_document(mine, request.build_absolute_uri))
