"""The editors' list of searches that found nothing (ZeroResultQuery), written by the views after
a search, never by the search itself.

The list is a statistic on a read request's path: when the database is busy (an import holding
the write lock, a row locked by a save), the count is skipped after a brief wait rather than
holding up, or failing, the search that asked.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from codes.models import ZeroResultQuery
from codes.search import SearchResult, search
from codes.search.query import normalize_text
from codes.services.read_path import unless_busy

# How many entries, most asked first, the editors' list checks again when it is shown.
RECHECKED_ENTRIES = 200


def zero_results_answered(entries: list[ZeroResultQuery]) -> dict[int, int]:
    """{entry id: how many codes its query finds now} for the entries that a search answers now
    (a synonym, a term or a text added since): they are no longer searches that find nothing."""
    answered = {}
    for entry in entries[:RECHECKED_ENTRIES]:
        found = search(entry.query, limit=0).count
        if found:
            answered[entry.pk] = found
    return answered


def record_zero_result(result: SearchResult) -> None:
    """If the search found nothing, count its query for the editors' list. Stores no user and no
    address; a comparison or a malformed query is not a search that found nothing.

    Words typed on the way to this query (`mammogr` before `mammography`) were logged a moment ago
    by search-as-you-type; they are dropped so the list shows what coders meant.
    """
    if result.count or result.error or result.compare_codes:
        return
    # Lower case, no accents, single spaces: `Ménière` and `meniere` are one entry.
    query = " ".join(normalize_text(result.query).split())
    query = query[: ZeroResultQuery._meta.get_field("query").max_length]
    if not any(ch.isalnum() for ch in query):
        return
    unless_busy("a search that found nothing", lambda: _count(query))


def _count(query: str) -> None:
    now = timezone.now()
    ZeroResultQuery.objects.filter(
        query__in=[query[:n] for n in range(1, len(query))],
        count=1,
        last_seen__gte=now - timedelta(seconds=30),
    ).delete()
    entry = ZeroResultQuery.objects.filter(query=query)
    if entry.update(count=F("count") + 1, last_seen=now):
        return
    try:
        with transaction.atomic():
            ZeroResultQuery.objects.create(query=query, last_seen=now)
    except IntegrityError:  # another request logged it first
        entry.update(count=F("count") + 1, last_seen=now)
