"""An ICD-10-CM code as the Tabular List presents it: the notes of every level above it, its
7th characters, whether it can be reported, its children and its place in the hierarchy."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from codes.codebook.links import Segment, codes_named, existing_codes, linked, search_url
from codes.codebook.models import SeventhCharacter, TabularLevel, TabularNote
from codes.models import Code, code_url

FIRST_CHILDREN = 10
# Each level's children are of the next kind down.
CHILD_KIND: dict[str, str] = {
    TabularLevel.Kind.CHAPTER: TabularLevel.Kind.SECTION,
    TabularLevel.Kind.SECTION: TabularLevel.Kind.CATEGORY,
    TabularLevel.Kind.CATEGORY: TabularLevel.Kind.SUBCATEGORY,
    TabularLevel.Kind.SUBCATEGORY: TabularLevel.Kind.SUBCATEGORY,
}


@dataclass(frozen=True)
class Crumb:
    label: str
    title: str
    url: str


@dataclass(frozen=True)
class Note:
    kind: str
    segments: list[Segment]


@dataclass(frozen=True)
class NoteGroup:
    """The notes one level above the code prints, labelled with that level."""

    level: Crumb
    notes: list[Note]


@dataclass(frozen=True)
class Child:
    code: str
    title: str
    url: str


@dataclass
class Codebook:
    release: str
    breadcrumb: list[Crumb]
    parent: Crumb | None
    note_groups: list[NoteGroup]
    billable: bool
    children: list[Child] = field(default_factory=list)
    children_count: int = 0
    children_url: str = ""
    seventh: list[SeventhCharacter] = field(default_factory=list)
    seventh_from: str = ""
    seventh_character: str = ""  # the code's own 7th character, when it has one
    missing_seventh: bool = False
    placeholder: bool = False

    @property
    def is_header(self) -> bool:
        return self.children_count > 0 and not self.missing_seventh

    def as_json(self) -> dict[str, Any]:
        """The facts for /api/codes: notes as plain text, each with the level it comes from."""
        return {
            "release": self.release,
            "billable": self.billable,
            "header": self.is_header,
            "missing_seventh_character": self.missing_seventh,
            "children_count": self.children_count,
            "children": [asdict(child) for child in self.children],
            "parent": asdict(self.parent) if self.parent else None,
            "breadcrumb": [asdict(crumb) for crumb in self.breadcrumb],
            "notes": [
                {
                    "level": group.level.label,
                    "kind": note.kind,
                    "text": "".join(segment.text for segment in note.segments),
                }
                for group in self.note_groups
                for note in group.notes
            ],
            "seventh_characters": [
                {"character": row.character, "meaning": row.meaning, "note": row.note}
                for row in self.seventh
            ],
            "seventh_characters_from": self.seventh_from or None,
            "placeholder_x": self.placeholder,
        }


def _ancestor_keys(code: str) -> list[str]:
    """The diag keys a code may sit under, itself included: E11.65 -> E11, E11.6, E11.65."""
    return [code[:3], *(code[:end] for end in range(5, len(code) + 1))]


def _crumb(level: TabularLevel, code: Code) -> Crumb:
    if level.is_range:
        url = search_url(f"{level.first}-{level.last}", code.system)
    else:
        url = code_url(code.system.slug, level.key)
    return Crumb(level.label, level.title, url)


def codebook(code: Code) -> Codebook | None:
    """What the Tabular says about `code`; None when no Tabular is loaded for it."""
    category = code.code[:3]
    levels = list(
        TabularLevel.objects.filter(
            Q(
                kind__in=[TabularLevel.Kind.CATEGORY, TabularLevel.Kind.SUBCATEGORY],
                key__in=_ancestor_keys(code.code),
            )
            | Q(
                kind__in=[TabularLevel.Kind.CHAPTER, TabularLevel.Kind.SECTION],
                first__lte=category,
                last__gte=category,
            )
        )
        .prefetch_related(
            Prefetch("notes", queryset=TabularNote.objects.order_by("position")),
            Prefetch("seventh_characters", queryset=SeventhCharacter.objects.order_by("position")),
        )
        .order_by("position")
    )
    if not levels or levels[-1].is_range:
        return None
    own = levels[-1] if levels[-1].key == code.code else None
    above = [level for level in levels if level is not own]
    notes_above = [note for level in above for note in level.notes.all()]
    existing = existing_codes(code.system, codes_named(note.text for note in notes_above))
    groups = [
        NoteGroup(
            _crumb(level, code),
            [
                Note(note.get_kind_display(), linked(note.text, code.system, existing))
                for note in level.notes.all()
            ],
        )
        for level in above
        if level.notes.all()
    ]
    defining = next((level for level in reversed(levels) if level.seventh_characters.all()), None)
    breadcrumb = [_crumb(level, code) for level in above]
    book = Codebook(
        release=levels[-1].release,
        breadcrumb=breadcrumb,
        parent=breadcrumb[-1] if breadcrumb else None,
        note_groups=groups,
        billable=False,
    )
    if defining is not None:
        book.seventh = list(defining.seventh_characters.all())
        book.seventh_from = defining.key
        if own is None:
            book.seventh_character = code.code[-1]
            book.placeholder = "X" in code.code[4:-1]
    if own is not None:
        _add_children(book, own, code, defining is not None)
    book.billable = not book.is_header and not book.missing_seventh
    return book


def _add_children(book: Codebook, own: TabularLevel, code: Code, has_seventh: bool) -> None:
    children = TabularLevel.objects.filter(parent=own.key, kind=CHILD_KIND[own.kind])
    book.children_count = children.count()
    if book.children_count:
        book.children = [
            Child(
                child.key,
                child.title,
                code_url(code.system.slug, child.key),
            )
            for child in children.order_by("position")[:FIRST_CHILDREN]
        ]
        book.children_url = search_url(
            f"{own.key}." if "." not in own.key else f"{own.key}*", code.system
        )
    elif has_seventh:
        # A leaf under a sevenChrDef is not a code yet: its completions are.
        base = own.key.replace(".", "").ljust(6, "X")
        candidates = [f"{base[:3]}.{base[3:]}{seventh.character}" for seventh in book.seventh]
        completions = Code.objects.filter(system=code.system, code__in=candidates).order_by("code")
        book.missing_seventh = True
        book.placeholder = len(own.key.replace(".", "")) < 6
        book.children = [
            Child(
                completion.code,
                completion.title,
                code_url(code.system.slug, completion.code),
            )
            for completion in completions
        ]
        book.children_count = len(book.children)
        book.children_url = search_url(f"{base[:3]}.{base[3:]}*", code.system)
