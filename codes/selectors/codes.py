"""Codes and the tokens that name them: look-up by system and code, neighbours, the notes that
name a code, the notices a page carries, and `63707`/`system:code` tokens both ways."""

import re
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from codes.cache import kept
from codes.models import Code, CodeSystem, ComparisonNote, ComparisonNoteQuerySet, Release
from codes.selectors.releases import code_in_release, code_with_text

# What any code looks like, whatever its system: checked before a value reaches a query (a NUL
# byte, say, is an error in PostgreSQL, not a miss).
CODE_SHAPE = re.compile(r"[0-9A-Za-z.]{1,16}")


def code_systems() -> tuple[CodeSystem, ...]:
    """Every code system in display order, as every search and comparison reads them: kept in
    the process until the content changes (codes.cache.kept); shared, so never changed."""
    return kept("code systems", lambda: tuple(CodeSystem.objects.all()))


def code_get(*, system_slug: str, code: str) -> Code:
    """The code of that system, whatever the case or dot spelling; 404 if there is none."""
    if not CODE_SHAPE.fullmatch(code.strip()):
        raise Http404("Not a code.")
    system = get_object_or_404(CodeSystem, slug=system_slug.lower())
    return get_object_or_404(
        Code.objects.select_related("system"), system=system, code=system.normalize_code(code)
    )


def code_neighbours(*, code: Code) -> tuple[Code | None, Code | None]:
    """The previous and next code in the same section, in code order."""
    same_section = Code.objects.filter(system=code.system_id, section_path=code.section_path)
    previous = same_section.filter(code__lt=code.code).order_by("-code").first()
    following = same_section.filter(code__gt=code.code).order_by("code").first()
    return previous, following


def notes_for_codes(*, codes: Iterable[Code]) -> ComparisonNoteQuerySet:
    """Every comparison note between two of the given codes."""
    ids = [code.pk for code in codes]
    return (
        ComparisonNote.objects.filter(code_a__in=ids, code_b__in=ids)
        .with_review_flag()
        .select_related("code_a__system", "code_b__system")
        .prefetch_related("differentiators")
    )


def notes_naming(*, code: Code) -> ComparisonNoteQuerySet:
    """Every comparison note that names this code, on either side."""
    return ComparisonNote.objects.filter(Q(code_a=code) | Q(code_b=code)).select_related(
        "code_a__system", "code_b__system"
    )


def notices_for(codes: Iterable[Code]) -> list[CodeSystem]:
    """The code systems whose copyright notices a page showing these codes must carry."""
    systems = {code.system.pk: code.system for code in codes}
    return sorted(
        (system for system in systems.values() if system.copyright_notice),
        key=lambda system: (system.position, system.slug),
    )


class CodeLookupError(ValueError):
    """A comparison request that cannot be answered; the message says what to type instead."""


MIN_COMPARE, MAX_COMPARE = 2, 4
# Longer than any system slug, colon and code together: not worth a query, nor echoing in full.
MAX_TOKEN_LENGTH = 50


def codes_for_tokens(raw: str) -> list[Code]:
    """The codes named by `63707,63709` or `icd10cm:G96.00,...`, in the order given; a token
    `I71.51@FY2023` is the code with the official texts of that release (the same code may be
    shown with two releases' texts side by side).

    Raises CodeLookupError with a message for a coder when a token is unknown or ambiguous,
    when a code is named twice, or when there are fewer than 2 or more than 4 codes.
    """
    tokens = [token.strip() for token in raw.replace(" ", ",").split(",") if token.strip()]
    if len(tokens) < MIN_COMPARE:
        named = f"You named only {tokens[0]!r}. " if tokens else ""
        raise CodeLookupError(
            f"{named}Name at least two codes to compare, separated by commas, "
            "for example 63707,63709."
        )
    if len(tokens) > MAX_COMPARE:
        raise CodeLookupError(
            f"A comparison shows at most {MAX_COMPARE} codes; you named {len(tokens)}. "
            "Leave out the ones you do not need."
        )
    systems = {system.slug: system for system in code_systems()}
    found: list[Code] = []
    for token in tokens:
        code_token, at, label = token.partition("@")
        code = _code_for_token(code_token, systems)
        found.append(_in_release(code, label.strip(), token) if at else code)
    seen: set[tuple[int, str | None]] = set()
    for code in found:
        if (code.pk, code.release_label) in seen:
            raise CodeLookupError(
                f"{code.code} is named twice; name each code once, for example "
                f"?codes={code.code},<another code> (or {code.code}@FY2023 for its text in a "
                "release)."
            )
        seen.add((code.pk, code.release_label))
    return found


def _in_release(code: Code, label: str, token: str) -> Code:
    """The code with the official texts of its system's release `label` (`I71.51@FY2023`)."""
    release = Release.objects.filter(system=code.system, label__iexact=label[:32]).first()
    if release is None:
        recorded = ", ".join(
            Release.objects.filter(system=code.system)
            .order_by("effective_date")
            .values_list("label", flat=True)
        )
        raise CodeLookupError(
            f"{token!r}: no {code.system.name} release {label[:32]!r} is recorded "
            f"(recorded: {recorded or 'none'})."
        )
    text = code_in_release(code, release).text
    if text is None:
        raise CodeLookupError(
            f"{token!r}: {code.code} was not a valid code in {code.system.name} "
            f"{release.label}. Its page lists the releases that had it."
        )
    return code_with_text(code, release.label, text)


def _spellings(value: str, systems: Iterable[CodeSystem]) -> Q:
    """Matches the code `value` names in any of these systems, in each system's spelling."""
    return Q(
        *[Q(system=system, code=system.normalize_code(value)) for system in systems],
        _connector=Q.OR,
    )


def _code_for_token(token: str, systems: dict[str, CodeSystem]) -> Code:
    if len(token) > MAX_TOKEN_LENGTH:
        raise CodeLookupError(f"{token[:20]!r}... is too long to be a code.")
    slug, sep, value = token.partition(":")
    if sep:
        system = systems.get(slug.strip().lower())
        if system is None:
            known = ", ".join(sorted(systems))
            raise CodeLookupError(f"{token!r}: unknown code system {slug!r} (known: {known}).")
        candidates = [system]
    else:
        value = token
        candidates = list(systems.values())
    if not CODE_SHAPE.fullmatch(value.strip()):
        raise CodeLookupError(
            f"{token!r} is not a code: codes are letters, digits and dots, like 63709 or E11.65."
        )
    matches = list(Code.objects.select_related("system").filter(_spellings(value, candidates)))
    if not matches:
        raise CodeLookupError(f"No code {token!r} was found. Check the code and its system.")
    if len(matches) > 1:
        options = ", ".join(f"{code.system.slug}:{code.code}" for code in matches)
        raise CodeLookupError(
            f"{token!r} exists in more than one code system; write one of {options}."
        )
    return matches[0]


def compare_tokens(codes: Sequence[Code]) -> list[str]:
    """How each code is written in a comparison URL: the bare code where that names only this
    code, `system:code` where the bare code exists in another system too; `@FY2023` after it
    for a code shown with a release's texts."""
    token_of = tokens_by_code(codes)
    return [
        token_of[code.pk] + (f"@{code.release_label}" if code.release_label else "")
        for code in codes
    ]


def tokens_by_code(codes: Iterable[Code]) -> dict[int, str]:
    """`compare_tokens` for any number of codes, in two queries: {code id: token}.

    The inverse of `codes_for_tokens`: a bare code is enough exactly when, spelt as each
    system spells it, it names one code in all systems together.
    """
    codes = list(codes)
    systems = code_systems()
    named = {
        code.pk: {(system.pk, system.normalize_code(code.code)) for system in systems}
        for code in codes
    }
    spellings = {spelling for pairs in named.values() for _, spelling in pairs}
    # The system ids lead the unique (system, code) index, so this is one seek per pair.
    existing = set(
        Code.objects.filter(
            system_id__in=[system.pk for system in systems], code__in=spellings
        ).values_list("system_id", "code")
    )
    return {
        code.pk: code.code
        if len(named[code.pk] & existing) == 1
        else f"{code.system.slug}:{code.code}"
        for code in codes
    }
