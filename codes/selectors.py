"""Reads that span models: a code, its neighbours, the comparison notes that name it."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from codes.models import Code, CodeSystem, ComparisonNote


def normalize_code(system: CodeSystem | None, raw: str) -> str:
    """A code as stored: trimmed, upper case, ICD-10-CM with its dot after the category."""
    code = raw.strip().upper()
    if system is not None and "." in system.code_pattern and "." not in code and len(code) > 3:
        dotted = f"{code[:3]}.{code[3:]}"
        if system.matches(dotted):
            return dotted
    return code


def code_get(*, system_slug: str, code: str) -> Code:
    """The code of that system, whatever the case or dot spelling; 404 if there is none."""
    system = get_object_or_404(CodeSystem, slug=system_slug.lower())
    return get_object_or_404(
        Code.objects.select_related("system"), system=system, code=normalize_code(system, code)
    )


def code_neighbours(*, code: Code) -> tuple[Code | None, Code | None]:
    """The previous and next code in the same section, in code order."""
    same_section = Code.objects.filter(system=code.system_id, section_path=code.section_path)
    previous = same_section.filter(code__lt=code.code).order_by("-code").first()
    following = same_section.filter(code__gt=code.code).order_by("code").first()
    return previous, following


def notes_for_codes(*, codes: Iterable[Code]) -> QuerySet[ComparisonNote]:
    """Every comparison note between two of the given codes."""
    ids = [code.pk for code in codes]
    return (
        ComparisonNote.objects.filter(code_a__in=ids, code_b__in=ids)
        .select_related("code_a__system", "code_b__system")
        .prefetch_related("differentiators")
    )


def notes_naming(*, code: Code) -> QuerySet[ComparisonNote]:
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


def codes_for_tokens(raw: str) -> list[Code]:
    """The codes named by `63707,63709` or `icd10cm:G96.00,...`, in the order given.

    Raises CodeLookupError with a message for a coder when a token is unknown or ambiguous,
    when a code is named twice, or when there are fewer than 2 or more than 4 codes.
    """
    tokens = [token.strip() for token in raw.replace(" ", ",").split(",") if token.strip()]
    if len(tokens) < MIN_COMPARE:
        raise CodeLookupError(
            "Name at least two codes to compare, separated by commas: ?codes=63707,63709"
        )
    if len(tokens) > MAX_COMPARE:
        raise CodeLookupError(
            f"A comparison shows at most {MAX_COMPARE} codes; you named {len(tokens)}."
        )
    systems = {system.slug: system for system in CodeSystem.objects.all()}
    found: list[Code] = []
    for token in tokens:
        found.append(_code_for_token(token, systems))
    seen: set[int] = set()
    for code in found:
        if code.pk in seen:
            raise CodeLookupError(f"{code.code} is named twice; name each code once.")
        seen.add(code.pk)
    return found


def _code_for_token(token: str, systems: dict[str, CodeSystem]) -> Code:
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
    spellings = Q(
        *[Q(system=system, code=normalize_code(system, value)) for system in candidates],
        _connector=Q.OR,
    )
    matches = list(Code.objects.select_related("system").filter(spellings))
    if not matches:
        raise CodeLookupError(f"No code {token!r} was found. Check the code and its system.")
    if len(matches) > 1:
        options = ", ".join(f"{code.system.slug}:{code.code}" for code in matches)
        raise CodeLookupError(
            f"{token!r} exists in more than one code system; write one of {options}."
        )
    return matches[0]
