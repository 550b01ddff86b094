"""The editors' list of searches that found nothing (ZeroResultQuery), written by the views after
a search, never by the search itself."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from codes.models import ZeroResultQuery
from codes.search import SearchResult
from codes.search.query import normalize_text


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
