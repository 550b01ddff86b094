"""The one search entry point: `search(text, ...)` -> SearchResult.

First cut: code prefix or title substring. The search issue replaces the internals (query parser,
FTS5 / PostgreSQL backends, ranking tiers, synonyms, typos) behind this same signature and shape.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.html import escape

from coderef.routers import replica_reads
from codes.models import Code


@dataclass
class Hit:
    code: Code
    match: str  # code / prefix / range / text / fuzzy
    score: float
    highlight: str  # escaped HTML with <mark> around matched words


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    corrected_query: str | None = None  # "showing results for ..."
    compare_codes: list[str] | None = None  # `A vs B` queries: the codes to compare


def search(
    text: str,
    *,
    systems: list[str] | None = None,
    include_deleted: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Find codes for what a coder typed, best first. Reads from the replica when there is one."""
    query = text.strip()
    result = SearchResult(query=query)
    if not query:
        return result
    with replica_reads():
        return _search(query, result, systems, include_deleted, limit, offset)


def _search(query, result, systems, include_deleted, limit, offset):
    codes = Code.objects.select_related("system").filter(
        Q(code__istartswith=query) | Q(title__icontains=query)
    )
    if systems:
        codes = codes.filter(system__slug__in=systems)
    if not include_deleted:
        codes = codes.exclude(status=Code.Status.DELETED)
    result.count = codes.count()
    result.hits = [
        Hit(code=code, match="prefix", score=0.0, highlight=escape(code.title))
        for code in codes[offset : offset + limit]
    ]
    return result
