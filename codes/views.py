"""Thin views: validate input, call a selector or the search, render."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, user_passes_test
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from codes import favourites, preferences, presenters, selectors, services
from codes.cache import ContentCache
from codes.codebook.pages import claim_for, codebook_for
from codes.forms import (
    AsOfForm,
    ChangesFilterForm,
    CompareExportForm,
    ComparisonFilterForm,
    ComparisonListExportForm,
    FavouriteForm,
    ReleaseExportForm,
    ReleaseFilterForm,
    SearchForm,
    SearchSystemsForm,
)
from codes.models import Code, ExportJob
from codes.roles import EXPORT_PERMISSION, VIEW_PERMISSION
from codes.search import MAX_OFFSET, Hit
from codes.search import search as search_codes
from codes.services.search_log import record_zero_result


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it."""

    htmx: HtmxDetails


def role_required(permission: str, needs: str) -> Callable[[Callable], Callable]:
    """Like permission_required(raise_exception=True), with a 403 page that says what the page
    needs (`needs`), not merely that some role is missing."""

    def check(user: User | AnonymousUser) -> bool:
        if not user.is_authenticated:
            return False  # to the login page
        if user.has_perm(permission):
            return True
        raise PermissionDenied(f"{needs} Ask an administrator to add you to it.")

    return user_passes_test(check)


coder_required = role_required(
    VIEW_PERMISSION, "coderef needs the Coders role (Editors and Auditors include it)."
)
export_required = role_required(EXPORT_PERMISSION, "Exports need the Auditors role.")

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


# Sent by coderef.js when the search form is submitted (Enter, the button) rather than typed in:
# only then may an `A vs B` query leave the page for the comparison.
SEARCH_SUBMIT_HEADER = "X-Search-Submit"
# Sent by the page for a query that found nothing and then stood for a moment (coderef.js).
SEARCH_SETTLED_HEADER = "X-Search-Settled"


@require_GET
@coder_required
@vary_on_headers("HX-Request", SEARCH_SUBMIT_HEADER)
def search(request: HtmxHttpRequest) -> HttpResponse:
    systems = selectors.code_systems()
    mine = preferences.search_systems(user=request.user)
    query_string: QueryDict = request.GET.copy()
    if mine and "system" not in query_string:  # `system=` (empty) asks for every system
        query_string["system"] = SearchForm.MINE
    form = SearchForm(query_string, systems=systems, mine=mine)
    template = "codes/search.html"
    if request.htmx and not request.htmx.history_restore_request:
        target = "more-results" if request.htmx.target == "more-results" else "search-results"
        template += f"#{target}"
    context = {
        "form": form,
        "query": request.GET.get("q", "")[: SearchForm.MAX_QUERY_CHARACTERS],
        "examples": SEARCH_EXAMPLES,
        "systems": systems,
        "mine_systems": mine,
    }
    if not form.is_valid():
        context["message"] = form.error_message()
        return render(request, template, context, status=400)
    arguments = form.search_arguments()
    result = search_codes(form.cleaned_data["q"], limit=SEARCH_PAGE_SIZE, **arguments)
    compare_link = None
    if result.compare_codes:
        url = presenters.compare_url(result.compare_codes)
        if not request.htmx:
            return redirect(url)
        if request.headers.get(SEARCH_SUBMIT_HEADER) == "true":
            return HttpResponseClientRedirect(url)
        # Typed, not submitted: offer the comparison once every code named exists.
        try:
            compare_link = (selectors.codes_for_tokens(",".join(result.compare_codes)), url)
        except selectors.CodeLookupError:
            compare_link = None
    if _settled(request):
        record_zero_result(result)
    next_offset = arguments["offset"] + len(result.hits)
    as_of = form.cleaned_data["as_of"]
    in_force = selectors.releases_in_force(as_of) if as_of else []
    release_of = {system.pk: release for system, release in in_force}
    context.update(
        as_of=as_of,
        in_force=in_force,
        # (hit, the release in force on `as_of` whose texts it carries, or None)
        hit_rows=[(hit, release_of.get(hit.code.system_id)) for hit in result.hits],
        query=result.query,
        result=result,
        message=result.error,
        compare_link=compare_link,
        # What the coder keeps at hand, on the page before anything is typed.
        mine=None if result.query else favourites.my_codes(user=request.user),
        next_offset=next_offset if next_offset < min(result.count, MAX_OFFSET) else None,
        # Shown with the results, not in the footer: htmx swaps the results in without the footer.
        result_notices=selectors.notices_for([hit.code for hit in result.hits]),
    )
    return render(request, template, context, status=400 if result.error else 200)


@require_POST
@coder_required
def search_systems(request: HttpRequest) -> HttpResponse:
    """Save the systems the signed-in coder searches by default, then search with them."""
    form = SearchSystemsForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f"{form.error_message()}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    assert isinstance(request.user, User)  # signed in (coder_required)
    preferences.search_systems_set(user=request.user, systems=form.cleaned_data["systems"])
    query = request.POST.get("q", "")[: SearchForm.MAX_QUERY_CHARACTERS]
    search_page = reverse("codes:search")
    return redirect(f"{search_page}?{urlencode({'q': query})}" if query else search_page)


def _settled(request: HtmxHttpRequest) -> bool:
    """Whether the query is one the coder settled on, not typing on the way to one: a page
    loaded whole (no JavaScript, a shared link), a submit, or a query that stood for a moment."""
    return not request.htmx or any(
        request.headers.get(header) == "true"
        for header in (SEARCH_SUBMIT_HEADER, SEARCH_SETTLED_HEADER)
    )


@require_GET
@coder_required
def code_detail(request: HttpRequest, system: str, code: str) -> HttpResponse:
    pages = ContentCache("pages")  # first: see ContentCache
    try:
        found = selectors.code_get(system_slug=system, code=code)
    except Http404:
        # Rendered here, not by Django's handler: under DEBUG that would be its technical page.
        message = f"No code “{code[:20]}” in the system “{system[:32]}”."
        return render(request, "404.html", {"message": message}, status=404)
    as_of_form = AsOfForm(request.GET)
    as_of_valid = as_of_form.is_valid()
    as_of = as_of_form.cleaned_data["as_of"] if as_of_valid else None
    favourites.recent_code_record(user=request.user, code=found)
    can_edit = request.user.is_staff and request.user.has_perm("codes.change_code")
    # The claim facts depend on the day (the MS-DRG version in force).
    parts = pages.get_or_compute(
        "code-page",
        (found.pk, can_edit, as_of, timezone.localdate()),
        lambda: _code_page_parts(found, can_edit=can_edit, as_of=as_of),
    )
    mine = favourites.my_codes(user=request.user)
    return render(
        request,
        "codes/code_detail.html",
        {
            "code": found,
            "parts": parts,
            "notice_systems": selectors.notices_for([found]),
            "star": _star(request, code=found, starred=mine.starred(found)),
            "mine": mine,
            "as_of_error": "" if as_of_valid else as_of_form.error_message(),
        },
        status=200 if as_of_valid else 400,
    )


CODE_PAGE_PARTS = ("breadcrumb", "banner", "heading", "sections", "neighbours")


def _code_page_parts(code: Code, *, can_edit: bool, as_of: date | None) -> dict[str, SafeString]:
    """The parts of a code page that every coder sees alike (with `can_edit`: the admin link;
    with `as_of`: the release in force that day), rendered without the request, so that no part
    can show one user's data to another."""
    previous, following = selectors.code_neighbours(code=code)
    codebook = codebook_for(code)
    context = {
        "code": code,
        "can_edit": can_edit,
        "previous": previous,
        "following": following,
        "notes": presenters.note_links(selectors.notes_naming(code=code), seen_from=code),
        "codebook": codebook,
        "claim": claim_for(code, codebook),
        "timeline": presenters.timeline_rows(code, selectors.code_timeline(code)),
        "as_of": as_of,
        "in_force": selectors.code_in_force(code, as_of) if as_of else None,
    }
    return {
        name: SafeString(render_to_string(f"codes/code_detail.html#{name}", context))
        for name in CODE_PAGE_PARTS
    }


def _star(
    request: HttpRequest,
    *,
    starred: bool,
    code: Code | None = None,
    tokens: Sequence[str] = (),
    next_url: str = "",
) -> dict:
    """What the star button of a code or a comparison needs to render."""
    label = code.code if code is not None else favourites.comparison_title(tokens)
    return {
        "code": code,
        "tokens": list(tokens),
        "starred": starred,
        "label": label,
        "next": next_url or request.get_full_path(),
    }


@require_POST
@coder_required
def favourite(request):
    """Star or unstar a code or a comparison for the signed-in user; without JavaScript, back to
    the page the star was on."""
    form = FavouriteForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f"{form.error_message()}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    code, tokens = form.cleaned_data.get("code"), form.cleaned_data.get("tokens", [])
    starred = form.cleaned_data["starred"]
    favourites.favourite_set(user=request.user, starred=starred, code=code or None, tokens=tokens)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = code.get_absolute_url() if code else presenters.compare_url(tokens)
    if request.htmx:
        star = _star(request, starred=starred, code=code or None, tokens=tokens, next_url=back)
        return render(request, "codes/_star.html", {"star": star})
    return redirect(back)


@require_GET
@coder_required
@vary_on_headers("HX-Request", "HX-Target")
def compare(request: HtmxHttpRequest) -> HttpResponse:
    pages = ContentCache("pages")  # first: see ContentCache
    requested = request.GET.getlist("codes")
    as_of_form = AsOfForm(request.GET)
    if not as_of_form.is_valid():
        return _compare_error(request, requested, as_of_form.error_message())
    as_of = as_of_form.cleaned_data["as_of"]
    try:
        head = selectors.comparison_head(
            selectors.codes_for_tokens(",".join(requested)), as_of=as_of
        )
    except selectors.CodeLookupError as exc:
        return _compare_error(request, requested, str(exc))
    canonical = ",".join(head.tokens)
    if requested != [canonical] and not request.htmx:
        # One address per comparison: repeated `codes=` from forms, odd spellings, needless
        # `system:` prefixes all land on the same URL.
        params = request.GET.copy()
        params.setlist("codes", [canonical])
        return redirect(f"{request.path}?{params.urlencode(safe=',:@')}")
    marks = request.GET.get("marks") != "off"
    rights = {
        "can_export": request.user.has_perm(EXPORT_PERMISSION),
        "can_edit_notes": request.user.is_staff
        and request.user.has_perm("codes.change_comparisonnote"),
        # Not on a past day's texts: the note may exist by now.
        "can_add_notes": request.user.has_perm("codes.add_comparisonnote") and as_of is None,
    }
    try:
        parts = pages.get_or_compute(
            "compare",
            # The claim facts depend on the day (the MS-DRG version in force).
            (tuple(head.tokens), as_of, marks, rights, timezone.localdate()),
            lambda: _comparison_parts(head, marks=marks, rights=rights),
        )
    except selectors.CodeLookupError as exc:  # a day before a code's first recorded state
        return _compare_error(request, requested, str(exc))
    adding = request.GET.get("add", "").strip()[:200]
    context = {
        "comparison": head,
        "parts": parts,
        "star": _star(
            request,
            tokens=head.tokens,
            starred=favourites.comparison_is_starred(user=request.user, tokens=head.tokens),
            next_url=presenters.comparison_url(head, marks=marks),
        ),
        "marks": marks,
        "marks_toggle_url": presenters.comparison_url(head, marks=not marks),
        "adding": adding,
        "suggestions": _suggestions(head, adding),
        "notice_systems": selectors.notices_for(head.codes),
    }
    if not request.htmx or request.htmx.history_restore_request:
        return render(request, "codes/compare.html", context)
    if request.htmx.target == "add-results":
        return render(request, "codes/compare.html#add-results", context)
    response = render(request, "codes/compare.html#comparison", context)
    return push_url(response, presenters.comparison_url(head, marks=marks))


COMPARISON_PARTS = ("notes", "columns")


def _comparison_parts(
    head: selectors.ComparisonHead, *, marks: bool, rights: dict[str, bool]
) -> dict[str, SafeString]:
    """The parts of a comparison page that every coder with these rights sees alike, rendered
    without the request, so that no part can show one user's data to another."""
    comparison = selectors.comparison_for(head.codes, as_of=head.as_of)
    context = {
        "comparison": comparison,
        "columns": presenters.columns(comparison, marks=marks),
        "related_links": presenters.related_links(comparison),
        "current_url": presenters.current_url(comparison),
        "marks": marks,
        "export_links": presenters.export_links(
            "codes:compare-export", codes=",".join(comparison.tokens), as_of=comparison.as_of
        ),
        **rights,
    }
    return {
        name: SafeString(render_to_string(f"codes/compare.html#{name}", context))
        for name in COMPARISON_PARTS
    }


def _compare_error(request: HttpRequest, requested: list[str], message: str) -> HttpResponse:
    """The 400 page of a comparison that cannot be shown; when a date was the trouble, it
    links to the same codes with their current texts."""
    requested_codes = ",".join(requested)[:200]
    current = presenters.compare_url([requested_codes]) if "as_of" in request.GET else None
    return render(
        request,
        "codes/compare_error.html",
        {"message": message, "requested": requested_codes, "current_url": current},
        status=400,
    )


def _suggestions(comparison: selectors.ComparisonHead, text: str) -> list[tuple[Hit, str]]:
    """Search hits for the add box that are not shown yet, each with its comparison link."""
    if not text or comparison.is_full:
        return []
    shown = {code.pk for code in comparison.codes}
    hits = search_codes(text, limit=10).hits
    return [
        (hit, presenters.url_adding(comparison, hit.code))
        for hit in hits
        if hit.code.pk not in shown
    ]


@require_GET
@coder_required
def comparison_list(request: HttpRequest) -> HttpResponse:
    form = ComparisonFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "codes/comparison_list.html", {"form": form}, status=400)
    notes = presenters.note_links(selectors.comparison_notes_filtered(**form.filters()))
    codes = [code for link in notes for code in (link.note.code_a, link.note.code_b)]
    return render(
        request,
        "codes/comparison_list.html",
        {
            "form": form,
            "notes": notes,
            "filtered": any(form.filters().values()),
            "notice_systems": selectors.notices_for(codes),
            "export_links": presenters.export_links(
                "codes:comparison-list-export", **form.filters()
            ),
        },
    )


def _export_refused(message: str) -> HttpResponse:
    return HttpResponse(f"{message}\n", status=400, content_type="text/plain; charset=utf-8")


def _attachment(exported: services.ExportedFile) -> HttpResponse:
    response = HttpResponse(exported.data, content_type=exported.content_type)
    disposition = content_disposition_header(True, exported.filename)
    assert disposition is not None  # only None for an inline response without a filename
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    response["X-Export-Id"] = str(exported.record.export_id)
    return response


@require_GET
@coder_required
@export_required
def compare_export(request: HttpRequest) -> HttpResponse:
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
def comparison_list_export(request: HtmxHttpRequest) -> HttpResponse:
    """Start the list export in the background: its progress, swapped into the list page by
    htmx, or the page of the export (which reloads itself without JavaScript)."""
    form = ComparisonListExportForm(request.GET)
    if not form.is_valid():
        return _export_refused(form.error_message())
    job = services.export_job_start(
        user=request.user, filters=form.filters(), **form.export_options()
    )
    if request.htmx:
        # A boosted link would otherwise put the export URL in the address bar.
        progress = _export_progress(request, job, "codes/export_job.html#export-progress")
        return push_url(progress, False)
    return redirect("codes:export-job", job_id=job.pk)


def _export_progress(request: HttpRequest, job: ExportJob, template: str) -> HttpResponse:
    return render(request, template, {"job": job, "file_hours": settings.EXPORT_FILE_HOURS})


def _export_job_missing(request: HttpRequest) -> HttpResponse:
    # The same answer for an export of someone else's as for none: ids are not confirmed.
    context = {"file_hours": settings.EXPORT_FILE_HOURS}
    return render(request, "codes/export_job_missing.html", context, status=404)


@require_GET
@coder_required
@export_required
@never_cache
def export_job(request: HtmxHttpRequest, job_id: UUID) -> HttpResponse:
    """How far a background export is: the page, or (htmx polling) its progress fragment."""
    job = selectors.export_job_for(request.user, job_id)
    if job is None:
        return _export_job_missing(request)
    template = "codes/export_job.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#export-progress"
    return _export_progress(request, job, template)


@require_GET
@coder_required
@export_required
def export_job_download(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The file of a finished background export, for the user who asked or a superuser."""
    job = selectors.export_job_for(request.user, job_id, with_file=True)
    if job is None:
        return _export_job_missing(request)
    if job.status != job.Status.DONE:
        return _export_refused("This export has no file: its page says how far it is, or why not.")
    return _attachment(services.export_job_file(job))


@require_GET
@coder_required
def changes(request: HttpRequest) -> HttpResponse:
    form = ChangesFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "codes/changes.html", {"form": form}, status=400)
    page = selectors.recent_changes(
        since=form.cleaned_data["since"],
        until=form.cleaned_data["until"],
        page_number=request.GET.get("page"),
    )
    presenters.link_changes(list(page.object_list))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request, "codes/changes.html", {"form": form, "page": page, "filters": filters.urlencode()}
    )


@require_GET
@coder_required
def change_detail(request: HttpRequest, kind: str, history_id: int) -> HttpResponse:
    revision = selectors.change_get(kind=kind, history_id=history_id)
    presenters.link_changes([revision])
    return render(request, "codes/change_detail.html", {"revision": revision})


RELEASE_PAGE_SIZE = 200


@require_GET
@coder_required
def release_list(request: HttpRequest) -> HttpResponse:
    return render(request, "codes/releases.html", {"systems": selectors.releases_by_system()})


def _release_or_404(request: HttpRequest, system: str, label: str) -> Any:
    """The release, or the 404 page saying which release is not there."""
    try:
        return selectors.release_get(system_slug=system, label=label)
    except Http404 as exc:
        return render(request, "404.html", {"message": str(exc)}, status=404)


@require_GET
@coder_required
def release_detail(request: HttpRequest, system: str, label: str) -> HttpResponse:
    """What changed in one release: its counts, the notes it flagged, and its changes filtered
    by kind and code prefix, 200 to a page."""
    release = _release_or_404(request, system, label)
    if isinstance(release, HttpResponse):
        return release
    form = ReleaseFilterForm(request.GET)
    context: dict[str, Any] = {"release": release, "form": form}
    if not form.is_valid():
        context["message"] = form.error_message()
        return render(request, "codes/release_detail.html", context, status=400)
    filters = form.filters()
    page = Paginator(selectors.release_changes(release, **filters), RELEASE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    counts = selectors.release_counts(release, prefix=filters["prefix"])
    context.update(
        filters=filters,
        filtered=any(filters.values()),
        # (kind, how many under the prefix, the page showing only those)
        kinds=[
            (kind, count, presenters.release_url(release, kind=kind, code=filters["prefix"]))
            for kind, count in counts.items()
        ],
        page=page,
        page_query=params.urlencode(),
        rows=presenters.release_change_rows(page.object_list),
        notes=presenters.note_links(selectors.release_flagged_notes(release)),
        export_links=presenters.release_export_links(
            release, kind=filters["kind"], code=filters["prefix"]
        ),
    )
    return render(request, "codes/release_detail.html", context)


@require_GET
@coder_required
@export_required
def release_export(request: HttpRequest, system: str, label: str) -> HttpResponse:
    """The release page's changes (as filtered) as CSV or XLSX, logged as an export."""
    release = _release_or_404(request, system, label)
    if isinstance(release, HttpResponse):
        return release
    form = ReleaseExportForm(request.GET)
    if not form.is_valid():
        return _export_refused(form.error_message())
    document = presenters.release_document(
        release,
        selectors.release_changes(release, **form.filters()),
        selectors.release_flagged_notes(release),
        **form.filters(),
    )
    exported = services.release_export(
        release=document, fmt=form.cleaned_data["format"], user=request.user
    )
    return _attachment(exported)


@never_cache
@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
