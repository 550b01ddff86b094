"""Thin views: validate input, call a selector or the search, render."""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from codes import selectors
from codes.forms import ChangesFilterForm
from codes.models import ComparisonNote
from codes.roles import VIEW_PERMISSION
from codes.search import search as search_codes

coder_required = permission_required(VIEW_PERMISSION, raise_exception=True)


@require_GET
@coder_required
def search(request):
    query = request.GET.get("q", "")[:200]
    result = search_codes(query, limit=50)
    hits = result.hits
    return render(
        request,
        "codes/search.html",
        {
            "query": result.query,
            "result": result,
            "notice_systems": selectors.notices_for([hit.code for hit in hits]),
        },
    )


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
