"""The search page's rows and every code reference, written in Python: a search page shows 20
rows, and as an include each cost about as much as its search's ranking (context pushes, a
dozen variable look-ups a row). Every value is escaped here (the highlights come escaped from the
search, codes.search.highlights)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from codes.models import Code, Release
from codes.search import Hit

register = template.Library()


@register.simple_tag
def code_ref(code: Code) -> SafeString:
    """A code and its system, linking to its page."""
    return mark_safe(
        f'<a href="{escape(code.get_absolute_url())}" class="code-ref">'
        f'<span class="code">{escape(code.code)}</span> '
        f'<span class="system-tag">{escape(code.system.slug)}</span></a>'
    )


@register.simple_tag
def result_row(hit: Hit, release: Release | None) -> SafeString:
    """One search result: the code, its title with the matched words marked (as of `release`,
    the release in force on a past day, where the search asked for one), a box to pick it for
    the comparison, the best other fragment and why it matched."""
    code = hit.code
    deleted = code.is_deleted
    slug, name = escape(code.system.slug), escape(code.code)
    label = f' <span class="muted">({escape(release.label)})</span>' if release else ""
    status = ""
    if deleted:
        status = f'<span class="status deleted">{"Deleted since" if release else "Deleted"}</span>'
    fragment = ""
    if hit.highlight != hit.title_highlight:
        fragment = f'<p class="fragment">{hit.highlight}</p>'
    why = f'<p class="matched-via">Matched via {escape(hit.why)}</p>' if hit.matched_via else ""
    return mark_safe(
        f'<li class="result{" deleted" if deleted else ""}">\n'
        '  <div class="result-head">\n'
        f"    {code_ref(code)}\n"
        f'    <span class="result-title">{hit.title_highlight}</span>{label}\n'
        f"    {status}\n"
        f'    <label class="compare-label"><input type="checkbox" name="codes" value="{slug}:'
        f'{name}" class="compare-box"> compare<span class="visually-hidden"> {name}</span>'
        "</label>\n"
        "  </div>\n"
        f"  {fragment}\n"
        f"  {why}\n"
        "</li>"
    )
