"""What pages, the API and exports show beside the data: every URL (one builder for
comparison URLs), the marked texts of comparison columns, and the JSON documents.

Reads only through `codes.selectors`; a list of notes or changes gets its links in a fixed
number of queries however long it is.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from codes.diff import word_diff, word_diff_html
from codes.models import Code, ComparisonNote, Release, ReleaseCode
from codes.selectors.changes import Change
from codes.selectors.codes import MIN_COMPARE, tokens_by_code
from codes.selectors.comparisons import Comparison, ComparisonHead
from codes.selectors.releases import TimelineEntry

# --- Comparison URLs ---------------------------------------------------------------------------


def compare_url(tokens: Sequence[str], **params: str) -> str:
    """The comparison page for these code tokens, in this order, with extra query parameters.

    Every link to a comparison is built here, from tokens as `compare_tokens` writes them (a
    bare code where it names one code, `system:code` where it exists in two systems).
    """
    query = urlencode({"codes": ",".join(tokens), **params}, safe=",:@")
    return f"{reverse('codes:compare')}?{query}"


def note_urls(notes: Iterable[Any]) -> dict[int, str]:
    """{note id: the comparison of its two codes} for notes (or their revisions: keyed by the
    note's id, not the revision's), in two queries however many there are."""
    notes = list(notes)
    token_of = tokens_by_code({code.pk: code for note in notes for code in _pair(note)}.values())
    return {note.id: compare_url([token_of[code.pk] for code in _pair(note)]) for note in notes}


def note_url(note: ComparisonNote) -> str:
    """The comparison of a note's two codes."""
    return note_urls([note])[note.id]


def _pair(note: Any) -> tuple[Code, Code]:
    return note.code_a, note.code_b


@dataclass
class NoteLink:
    """A note as a list shows it: its link, and the code it pairs with the page's code."""

    note: ComparisonNote
    url: str
    other: Code | None = None


def note_links(notes: Iterable[ComparisonNote], *, seen_from: Code | None = None) -> list[NoteLink]:
    """Each note with its comparison link; with `seen_from`, with the code on its other side."""
    notes = list(notes)
    url_of = note_urls(notes)
    return [
        NoteLink(note, url_of[note.id], note.other_code(seen_from) if seen_from else None)
        for note in notes
    ]


def _params(comparison: ComparisonHead, *, marks: bool = True) -> dict[str, str]:
    """The query parameters every link within a comparison keeps: marks off, its day."""
    return {
        **({} if marks else {"marks": "off"}),
        **({"as_of": comparison.as_of.isoformat()} if comparison.as_of else {}),
    }


def comparison_url(comparison: ComparisonHead, *, marks: bool = True) -> str:
    """The page of this comparison, on its day, with or without word marks."""
    return compare_url(comparison.tokens, **_params(comparison, marks=marks))


def current_url(comparison: ComparisonHead) -> str:
    """The same comparison with today's texts."""
    return compare_url(comparison.tokens)


def url_adding(comparison: ComparisonHead, code: Code) -> str:
    """The comparison with `code` added as its last column."""
    token = f"{code.system.slug}:{code.code}"
    return compare_url([*comparison.tokens, token], **_params(comparison))


@dataclass
class RelatedLink:
    """A note leading from a shown code to one not shown: its link, and the comparison with
    the other code added (None when the comparison is full)."""

    note: ComparisonNote
    shown: Code
    other: Code
    url: str
    add_url: str | None


def related_links(comparison: Comparison) -> list[RelatedLink]:
    """The comparison's related notes with their links."""
    url_of = note_urls(related.note for related in comparison.related)
    return [
        RelatedLink(
            related.note,
            related.shown,
            related.other,
            url_of[related.note.id],
            None if comparison.is_full else url_adding(comparison, related.other),
        )
        for related in comparison.related
    ]


# --- Columns: texts marked word by word, and each column's moves --------------------------------

DIFFERED_FIELDS = ("title", "descriptor", "lay_description")
# Look-alike titles and descriptors share well over half their words; independently written
# lay descriptions share under a third, and marking those would stripe the whole text.
MIN_SIMILARITY = 0.4


@dataclass
class ColumnText:
    html: SafeString
    too_different: bool = False  # from the first column's text to be marked word by word


def marked_text(base: str, text: str, *, cues: bool = True) -> ColumnText:
    """`text` with the words it adds to or drops from `base` marked (escaped HTML), unless
    either is blank or they are worded too differently for word marks to help. `cues`: see
    `word_diff`."""
    if base.strip() and text.strip():
        marked = word_diff(base, text, min_similarity=MIN_SIMILARITY, cues=cues)
        return ColumnText(marked) if marked else ColumnText(escape(text), too_different=True)
    return ColumnText(escape(text))


@dataclass
class Column:
    """One code as the page shows it: texts marked against the first column, and its moves."""

    code: Code
    title: ColumnText
    descriptor: ColumnText
    lay_description: ColumnText
    remove_url: str | None
    move_left_url: str | None


def columns(comparison: Comparison, *, marks: bool = True) -> list[Column]:
    """The codes as columns; with `marks`, each text after the first column's marks the
    words it adds to or drops from the first column's text."""
    params = _params(comparison, marks=marks)
    tokens = comparison.tokens
    first = comparison.codes[0]
    shown = []
    for index, code in enumerate(comparison.codes):
        texts = {}
        for field in DIFFERED_FIELDS:
            base, text = getattr(first, field), getattr(code, field)
            marked = marks and index > 0
            texts[field] = marked_text(base, text) if marked else ColumnText(escape(text))
        others = tokens[:index] + tokens[index + 1 :]
        remove_url = compare_url(others, **params) if len(others) >= MIN_COMPARE else None
        move_left_url = None
        if index:
            moved = list(tokens)
            moved[index - 1], moved[index] = moved[index], moved[index - 1]
            move_left_url = compare_url(moved, **params)
        shown.append(Column(code, **texts, remove_url=remove_url, move_left_url=move_left_url))
    return shown


# --- Documents: the JSON API's and the exports' shape ---------------------------------------


def _code_key(code: Code) -> dict[str, str]:
    return {"system": code.system.slug, "code": code.code}


def _isoformat(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def code_document(code: Code) -> dict[str, Any]:
    """A code's fields as plain data: the API's and the exports' shape of a code."""
    return {
        **_code_key(code),
        "system_name": code.system.name,
        "title": code.title,
        "descriptor": code.descriptor,
        # Whether the descriptor is the official text or the organisation's paraphrase.
        "descriptor_kind": code.descriptor_kind,
        "lay_description": code.lay_description,
        "sections": code.sections,
        "inclusion_terms": [term for term in code.inclusion_terms.splitlines() if term.strip()],
        "status": code.status,
        "instructional_notes": [
            line for line in code.instructional_notes.splitlines() if line.strip()
        ],
        "effective_date": _isoformat(code.effective_date),
        "end_date": _isoformat(code.end_date),
        "version": code.version,
        "updated_at": code.updated_at.isoformat(),
        "url": code.get_absolute_url(),
    }


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain data (the JSON API; exports serialise the same document).

    Each differentiator's `values` has one entry per code in `codes`, in that order, and
    null where the note does not cover that code. `as_of` is the day the texts are from
    (null: the current texts); a code's `release` the release whose official texts it shows
    (`I71.51@FY2023`; null: today's).
    """
    return {
        "url": comparison_url(comparison),
        "as_of": _isoformat(comparison.as_of),
        "codes": [
            {**code_document(code), "release": code.release_label} for code in comparison.codes
        ],
        "notes": [
            {
                "codes": [_code_key(entry.note.code_a), _code_key(entry.note.code_b)],
                "summary": entry.note.summary,
                "body": entry.note.body,
                "source": entry.note.source,
                "version": entry.note.version,
                "updated_at": entry.note.updated_at.isoformat(),
                "needs_review": entry.note.needs_review,
                "reviewed_at": _isoformat(entry.note.reviewed_at),
                "differentiators": [
                    {"label": row.label, "values": row.values} for row in entry.rows
                ],
            }
            for entry in comparison.notes
        ],
        "pairs_without_note": [
            [_code_key(a), _code_key(b)] for a, b in comparison.pairs_without_note
        ],
        "claim": [row.as_json() for row in comparison.claim],
        "notices": [
            {"system": system.slug, "notice": system.copyright_notice}
            for system in comparison.notice_systems
        ],
    }


# --- /changes/ and export links ----------------------------------------------------------------


def link_changes(changes: Sequence[Change]) -> None:
    """Set each change's `url` (the page showing what it is about) and `admin_url` (its
    history in the admin), in a fixed number of queries for the whole list."""
    url_of = note_urls(change.note for change in changes if change.note is not None)
    for change in changes:
        record = change.record
        if change.kind == "code":
            change.url = reverse("codes:code-detail", args=[record.system.slug, record.code])
            change.admin_url = reverse("admin:codes_code_history", args=[record.id])
        elif change.note is not None:
            change.url = url_of[change.note.id]
            change.admin_url = reverse("admin:codes_comparisonnote_history", args=[change.note.id])


EXPORT_LINKS = [
    ("CSV", {"format": "csv"}),
    ("Excel (XLSX)", {"format": "xlsx"}),
    ("PDF (A4)", {"format": "pdf"}),
    ("PDF (Letter)", {"format": "pdf", "paper": "letter"}),
    ("JSON", {"format": "json"}),
]


def export_links(url_name: str, **params: object) -> list[tuple[str, str]]:
    """(label, URL) of each export format, carrying `params` (empty ones left out)."""
    kept = {name: str(value) for name, value in params.items() if value}
    path = reverse(url_name)
    return [
        (label, f"{path}?{urlencode({**kept, **extra}, safe=',:@')}")
        for label, extra in EXPORT_LINKS
    ]


# --- Releases ----------------------------------------------------------------------------------


@dataclass
class ReleaseChangeRow:
    """One code a release changed, as its page shows it: the title marked word by word for a
    revision (and the descriptor, when that changed)."""

    change: ReleaseCode
    title: SafeString | str
    descriptor: SafeString | str


def release_change_rows(changes: Iterable[ReleaseCode]) -> list[ReleaseChangeRow]:
    rows = []
    for change in changes:
        title: SafeString | str
        descriptor: SafeString | str
        if change.kind == ReleaseCode.Kind.REVISED:
            title = word_diff_html(change.old_title, change.new_title)
            descriptor = (
                word_diff_html(change.old_descriptor, change.new_descriptor)
                if change.old_descriptor != change.new_descriptor
                else ""
            )
        elif change.kind == ReleaseCode.Kind.ADDED:
            title, descriptor = change.new_title, change.new_descriptor
        else:
            title, descriptor = change.old_title, change.old_descriptor
        rows.append(ReleaseChangeRow(change, title, descriptor))
    return rows


def release_url(release: Release, **filters: str) -> str:
    """The release's page, with its filters (`kind`, `code`: empty ones left out)."""
    kept = {name: value for name, value in filters.items() if value}
    return release.get_absolute_url() + (f"?{urlencode(kept)}" if kept else "")


def release_export_links(release: Release, **filters: str) -> list[tuple[str, str]]:
    """(label, URL) of the CSV and XLSX exports of the release's page, with its filters."""
    path = reverse("codes:release-export", args=[release.system.slug, release.label])
    kept = {name: value for name, value in filters.items() if value}
    return [
        (label, f"{path}?{urlencode({**kept, 'format': fmt})}")
        for label, fmt in (("CSV", "csv"), ("Excel (XLSX)", "xlsx"))
    ]


@dataclass(frozen=True)
class TimelineRow:
    """A release in a code's timeline, with what it did to the code (None: the code was in
    the system's first recorded release) and the comparison of the code's text in that
    release with today's (None where the release deleted it)."""

    release: Release
    row: ReleaseChangeRow | None
    compare_url: str | None


def timeline_rows(code: Code, entries: Sequence[TimelineEntry]) -> list[TimelineRow]:
    changes = release_change_rows(entry.change for entry in entries if entry.change is not None)
    by_release = {row.change.release_id: row for row in changes}
    token = tokens_by_code([code])[code.pk] if entries else ""
    rows = []
    for entry in entries:
        row = by_release.get(entry.release.pk)
        deleted = row is not None and row.change.kind == ReleaseCode.Kind.DELETED
        url = None if deleted else compare_url([f"{token}@{entry.release.label}", token])
        rows.append(TimelineRow(entry.release, row, url))
    return rows


def release_document(
    release: Release,
    changes: Iterable[ReleaseCode],
    notes: Iterable[ComparisonNote],
    *,
    kind: str = "",
    prefix: str = "",
) -> dict[str, Any]:
    """A release as plain data (/api/releases/<system>/<label> and the exports): its record,
    the changes shown (filtered by `kind` and `prefix`) and the notes it flagged."""
    note_list = list(notes)
    url_of = note_urls(note_list)
    return {
        "system": release.system.slug,
        "system_name": release.system.name,
        "label": release.label,
        "effective_date": release.effective_date.isoformat(),
        "source": {"file": release.source_name, "sha256": release.source_sha256},
        "historical": release.historical,
        "first_recorded": release.baseline,
        "imported_at": release.imported_at.isoformat(),
        "counts": {
            "added": release.added,
            "revised": release.revised,
            "deleted": release.deleted,
            "unchanged": release.unchanged,
        },
        "filters": {"kind": kind or None, "prefix": prefix or None},
        "changes": [
            {
                "code": change.code.code,
                "kind": change.kind,
                "old_title": change.old_title or None,
                "new_title": change.new_title or None,
                "old_descriptor": change.old_descriptor or None,
                "new_descriptor": change.new_descriptor or None,
                "url": change.code.get_absolute_url(),
            }
            for change in changes
        ],
        "flagged_notes": [
            {
                "codes": [_code_key(note.code_a), _code_key(note.code_b)],
                "summary": note.summary,
                "needs_review": note.needs_review,
                "url": url_of[note.id],
            }
            for note in note_list
        ],
        "url": release.get_absolute_url(),
    }
