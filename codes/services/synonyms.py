"""Writes of synonyms beyond an editor's save (which is `rows.row_save`): a list added."""

from collections.abc import Iterable

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from codes.models import Synonym
from codes.search.query import words_of


def _synonym_key(term: str, meaning: str) -> frozenset[str]:
    return frozenset({" ".join(words_of(term)), " ".join(words_of(meaning))})


@transaction.atomic
def synonyms_add_missing(*, pairs: Iterable[tuple[str, str]], reason: str) -> int:
    """Add the (term, meaning) pairs the synonym table lacks; returns how many were added.

    A pair is already there when a synonym with the same words on its two sides exists, in either
    order and whatever the case or punctuation (`copd` -> `Chronic obstructive pulmonary
    disease` is `COPD` -> `chronic obstructive pulmonary disease`). Existing synonyms, editors'
    own included, are never changed or deleted. The new rows get a history revision `reason`.
    """
    existing = Synonym.objects.values_list("term", "meaning")
    known = {_synonym_key(term, meaning) for term, meaning in existing}
    new = []
    for term, meaning in pairs:
        key = _synonym_key(term, meaning)
        if key not in known:
            known.add(key)
            new.append(Synonym(term=term, meaning=meaning))
    bulk_create_with_history(new, Synonym, default_change_reason=reason)
    return len(new)
