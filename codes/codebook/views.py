"""The page of one code's CC exclusions: the principal diagnoses with which it is no CC/MCC."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from codes import selectors
from codes.codebook.claim import excluding_pdx
from codes.models import Code
from codes.views import coder_required

MAX_LISTED = 500


@require_GET
@coder_required
def pdx_exclusions(request: HttpRequest, system: str, code: str) -> HttpResponse:
    """Every excluding PDX of the MS-DRG version in force today, filtered by `q` (code start or
    title words)."""
    found = selectors.code_get(system_slug=system, code=code)
    version, pdx = excluding_pdx(found, on=timezone.localdate())
    titles = dict(
        Code.objects.filter(system=found.system, code__in=pdx).values_list("code", "title")
    )
    query = request.GET.get("q", "").strip()[:100]
    words = query.lower().split()
    matching = [
        (code, titles.get(code, ""))
        for code in pdx
        if not words
        or code.replace(".", "").startswith(query.upper().replace(".", ""))
        or all(word in titles.get(code, "").lower() for word in words)
    ]
    return render(
        request,
        "codes/pdx_exclusions.html",
        {
            "code": found,
            "version": version,
            "total": len(pdx),
            "query": query,
            "matching": matching[:MAX_LISTED],
            "matching_count": len(matching),
            "notice_systems": selectors.notices_for([found]),
        },
    )
