"""The ICD-10-CM Tabular List's structure, notes and 7th characters, from the CDC tabular XML
(the same file `cdc_icd10cm_xml` imports the codes from).

Every chapter, section and `<diag>` becomes a `Level` with the notes the Tabular prints under
it and the 7th characters it defines (`sevenChrDef`); the notes inside a `sevenChrDef` belong
to the character before them ("initial encounter for open fracture NOS" under B).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from codes.importers.base import ImportFileError
from codes.importers.cdc_icd10cm_xml import _Element, _required_text, tabular_root

NOTE_KINDS = (
    "includes",
    "inclusionTerm",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "notes",
    "sevenChrNote",
)
# A chapter's title ends with the categories it covers: "... diseases (E00-E89)".
_CHAPTER_RANGE = re.compile(r"\(([A-Z][0-9A-Z]{2})-([A-Z][0-9A-Z]{2})\)\s*$")


@dataclass
class Seventh:
    character: str
    meaning: str
    note: str = ""


@dataclass
class Level:
    key: str
    kind: str  # a TabularLevel.Kind value
    title: str
    line: int
    parent: str = ""
    first: str = ""
    last: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    seventh: list[Seventh] = field(default_factory=list)


@dataclass
class Tabular:
    path: Path
    release: str
    levels: list[Level]


def read(path: Path) -> Tabular:
    """Every level of the Tabular in document order, with its notes and 7th characters."""
    root = tabular_root(path)
    levels: list[Level] = []
    for chapter in root.all("chapter"):
        title = _required_text(path, chapter, "desc")
        covered = _CHAPTER_RANGE.search(title)
        if covered is None:
            raise ImportFileError(
                path, chapter.line, f"chapter title without its range (A00-B99): {title!r}"
            )
        key = _required_text(path, chapter, "name")
        levels.append(
            _level(chapter, key, "chapter", title, "", covered.group(1), covered.group(2))
        )
        for section in chapter.all("section"):
            section_key = section.attrs.get("id", "")
            if not section_key:
                raise ImportFileError(path, section.line, "wrong layout: <section> without id")
            first, _, last = section_key.partition("-")
            levels.append(
                _level(
                    section,
                    section_key,
                    "section",
                    _required_text(path, section, "desc"),
                    key,
                    first,
                    last or first,
                )
            )
            for category in section.all("diag"):
                _add_diag(path, category, section_key, levels)
    if not levels:
        raise ImportFileError(path, None, "wrong layout: no <chapter> in the file")
    seen: set[tuple[str, str]] = set()
    for level in levels:
        if (level.kind, level.key) in seen:
            raise ImportFileError(path, level.line, f"{level.kind} {level.key} appears twice")
        seen.add((level.kind, level.key))
    year = root.child_text("version")
    return Tabular(path=path, release=f"FY{year}" if year.isdigit() else path.stem, levels=levels)


def _level(
    element: _Element, key: str, kind: str, title: str, parent: str, first: str, last: str
) -> Level:
    return Level(
        key=key,
        kind=kind,
        title=title,
        line=element.line,
        parent=parent,
        first=first,
        last=last,
        notes=[(kind, note) for kind in NOTE_KINDS for note in element.notes(kind)],
    )


def _add_diag(path: Path, diag: _Element, parent: str, levels: list[Level]) -> None:
    key = _required_text(path, diag, "name")
    kind = "subcategory" if "." in key else "category"
    level = _level(diag, key, kind, _required_text(path, diag, "desc"), parent, "", "")
    definition = diag.child("sevenChrDef")
    if definition is not None:
        for child in definition.children:
            text = " ".join(child.text.split())
            if child.tag == "extension":
                character = child.attrs.get("char", "")
                if len(character) != 1:
                    raise ImportFileError(
                        path, child.line, f"7th character {character!r} is not one character"
                    )
                level.seventh.append(Seventh(character, text))
            elif child.tag == "note" and text and level.seventh:
                previous = level.seventh[-1]
                previous.note = f"{previous.note}; {text}" if previous.note else text
    levels.append(level)
    for child in diag.all("diag"):
        _add_diag(path, child, key, levels)
