"""Codes named in a note's text, as links: a code to its page, a family or range to its search."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from codes.models import Code, CodeSystem, code_url

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
# `(E08.-)` a family, `(O24.4-)` a family, `(N18.1-N18.6)` and `(E08-E13)` ranges, `(Z79.4)` a code.
_REFERENCE = re.compile(rf"\b({_CODE})(?:-({_CODE})\b|(\.?-))?")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Segment:
    """A piece of a note: plain text, or the text of a link and where it leads."""

    text: str
    url: str = ""


def search_url(query: str, system: CodeSystem) -> str:
    """The search page for `query` in one system."""
    return f"{reverse('codes:search')}?{urlencode({'q': query, 'system': system.slug})}"


def _references(text: str) -> Iterable[re.Match[str]]:
    # Only inside parentheses: the Tabular writes codes there, and a word such as "A1C" in the
    # running text is not a code.
    for group in _PARENTHESES.finditer(text):
        yield from _REFERENCE.finditer(text, group.start(1), group.end(1))


def codes_named(texts: Iterable[str]) -> set[str]:
    """Every single code the texts name (families and ranges left out)."""
    return {
        match.group(1)
        for text in texts
        for match in _references(text)
        if not match.group(2) and not match.group(3)
    }


def linked(text: str, system: CodeSystem, existing: set[str]) -> list[Segment]:
    """`text` cut into segments, each code it names a link: a code in `existing` to its page,
    any other code, family (`E08.-`) or range (`E08-E13`) to the search that lists it."""
    segments: list[Segment] = []
    done = 0
    for match in _references(text):
        first, last, family = match.groups()
        if last:
            url = search_url(f"{first}-{last}", system)
        elif family:
            url = search_url(f"{first}." if "." not in first else f"{first}*", system)
        elif first in existing:
            url = code_url(system.slug, first)
        else:
            url = search_url(first, system)
        if match.start() > done:
            segments.append(Segment(text[done : match.start()]))
        segments.append(Segment(match.group(0), url))
        done = match.end()
    if done < len(text):
        segments.append(Segment(text[done:]))
    return segments


def existing_codes(system: CodeSystem, codes: set[str]) -> set[str]:
    """Those of `codes` that the system has (one query)."""
    if not codes:
        return set()
    return set(Code.objects.filter(system=system, code__in=codes).values_list("code", flat=True))
