"""The search page's rows and every code reference, written in Python: a search page shows 20
rows, and as an include each cost about as much as its search's ranking (context pushes, a
dozen variable look-ups a row)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from codes.models import Code, Release
from codes.search import Hit

register = template.Library()


@register.simple_tag
def code_ref(code: Code) -> SafeString:
    """A code and its system, linking to its page."""
    return format_html(
        '<a href="{}" class="code-ref"><span class="code">{}</span> '
        '<span class="system-tag">{}</span></a>',
        code.get_absolute_url(),
        code.code,
        code.system.slug,
    )


@register.simple_tag
def result_row(hit: Hit, release: Release | None) -> SafeString:
    """One search result: the code, its title with the matched words marked (as of `release`,
    the release in force on a past day, where the search asked for one), a box to pick it for
    the comparison, the best other fragment and why it matched."""
    code = hit.code
    deleted = code.is_deleted
    status = "Deleted since" if release else "Deleted"
    return format_html(
        '<li class="result{}">\n'
        '  <div class="result-head">\n'
        "    {}\n"
        '    <span class="result-title">{}</span>{}\n'
        "    {}\n"
        '    <label class="compare-label"><input type="checkbox" name="codes" value="{}:{}"'
        ' class="compare-box"> compare<span class="visually-hidden"> {}</span></label>\n'
        "  </div>\n"
        "  {}\n"
        "  {}\n"
        "</li>",
        " deleted" if deleted else "",
        code_ref(code),
        mark_safe(hit.title_highlight),  # escaped by the search (highlights)
        format_html(' <span class="muted">({})</span>', release.label) if release else "",
        format_html('<span class="status deleted">{}</span>', status) if deleted else "",
        code.system.slug,
        code.code,
        code.code,
        format_html('<p class="fragment">{}</p>', mark_safe(hit.highlight))
        if hit.highlight != hit.title_highlight
        else "",
        format_html('<p class="matched-via">Matched via {}</p>', hit.why)
        if hit.matched_via
        else "",
    )
