"""The CDC ICD-10-CM tabular list as XML (`icd10cm-tabular-*.xml`, as in simple-icd-10-cm).

Every `<diag>` becomes a code: categories (J44), subcategories (J44.8) and the codes under them.
- section_path: "Chapter (range) > Section (range) > CAT title" (a category sits under its section);
- inclusion_terms: the `inclusionTerm` and `includes` notes (where "Asthma NOS" lives);
- instructional_notes: Excludes1, Excludes2, Code first, Use additional code, Code also and
  general notes, one per line with their kind in front;
- 7th characters: a `sevenChrDef` applies to every code below the diag that carries it; each
  leaf code is expanded with each character (padded with X to six characters first), the title
  gets the character's meaning ("..., initial encounter for closed fracture"), and the expanded
  codes keep their base code's terms and notes. Not every combination is valid: when a code
  list (`code-list-*.txt`, one code a line, no dots, as simple-icd-10-cm ships it) lies beside
  the XML, only the codes it lists are imported.
"""

from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from codes.importers.base import (
    CodeRecord,
    ImportFileError,
    Release,
    decode_text,
    fiscal_year_start,
)
from codes.models import Code

ROOT = "ICD10CM.tabular"
# The tabular nests chapter > section > diag (category > subcategory > ... ), about 8 deep; a
# deeper file is not a CDC tabular (and would exhaust the stack of the recursive reader).
MAX_DEPTH = 32
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2014, 2099
INCLUSION_KINDS = ("inclusionTerm", "includes")
INSTRUCTION_KINDS = {
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "codeFirst": "Code first",
    "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also",
    "notes": "Note",
}


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list["_Element"] = field(default_factory=list)

    def child(self, tag: str) -> "_Element | None":
        return next((child for child in self.children if child.tag == tag), None)

    def all(self, tag: str) -> list["_Element"]:
        return [child for child in self.children if child.tag == tag]

    def child_text(self, tag: str) -> str:
        found = self.child(tag)
        return " ".join(found.text.split()) if found is not None else ""

    def notes(self, tag: str) -> list[str]:
        return [
            text
            for group in self.all(tag)
            for note in group.all("note")
            if (text := " ".join(note.text.split()))
        ]


def read(path: Path) -> Release:
    """Read the tabular XML (and the valid-code list beside it, when there is one)."""
    root = tabular_root(path)
    valid, notes = _valid_codes(path)
    records: list[CodeRecord] = []
    for chapter in root.all("chapter"):
        chapter_title = _required_text(path, chapter, "desc")
        for section in chapter.all("section"):
            section_path = Code.SECTION_SEPARATOR.join(
                (chapter_title, _required_text(path, section, "desc"))
            )
            for category in section.all("diag"):
                _add_diag(path, category, section_path, None, [], records)
    if not records:
        raise ImportFileError(path, None, "wrong layout: no <diag> codes in the file")
    if valid is not None:
        records = [record for record in records if record.code.replace(".", "") in valid]
    year = _fiscal_year(path, root)
    return Release(
        path=path,
        records=records,
        version=f"FY{year}" if year else path.stem,
        starts=fiscal_year_start(year),
        notes=notes,
    )


def _fiscal_year(path: Path, root: _Element) -> int | None:
    """The release's fiscal year from `<version>`; None when the file has no version."""
    version = root.child("version")
    if version is None:
        return None
    text = " ".join(version.text.split())
    if not (text.isdigit() and FIRST_FISCAL_YEAR <= int(text) <= LAST_FISCAL_YEAR):
        raise ImportFileError(
            path,
            version.line,
            f"wrong layout: <version> is {text[:40]!r}, a CDC tabular names its fiscal year "
            "there (2026, say)",
        )
    return int(text)


def tabular_root(path: Path) -> _Element:
    """The tabular XML's root element, checked to be one."""
    root = _parse(path)
    if root.tag != ROOT:
        raise ImportFileError(
            path,
            root.line,
            f"wrong layout: root element <{root.tag}>, a CDC ICD-10-CM tabular file has <{ROOT}>",
        )
    return root


def _parse(path: Path) -> _Element:
    """The document as a light tree that remembers line numbers."""
    data = path.read_bytes()
    decode_text(path, data, "utf-8")  # a precise "wrong encoding" error before expat's own
    stack: list[_Element] = []
    root: list[_Element] = []
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise ImportFileError(
                path,
                parser.CurrentLineNumber,
                f"wrong layout: elements nested more than {MAX_DEPTH} deep; a CDC tabular "
                "nests chapter > section > codes a few levels deep",
            )
        element = _Element(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ImportFileError(
            path, exc.lineno, f"not well-formed XML: {expat.ErrorString(exc.code)}"
        ) from None
    return root[0]


def _valid_codes(path: Path) -> tuple[set[str] | None, list[str]]:
    lists = sorted(path.parent.glob("code-list*.txt"))
    if len(lists) != 1:
        return None, [
            f"no single code-list*.txt beside {path.name}: every 7th-character combination "
            "the XML defines is imported, including the few that are not valid codes"
        ]
    text = decode_text(lists[0], lists[0].read_bytes(), "utf-8")
    return {line.strip().upper() for line in text.splitlines() if line.strip()}, [
        f"valid codes from {lists[0].name}"
    ]


def _required_text(path: Path, element: _Element, tag: str) -> str:
    text = element.child_text(tag)
    if not text:
        raise ImportFileError(path, element.line, f"wrong layout: <{element.tag}> without <{tag}>")
    return text


def _add_diag(
    path: Path,
    diag: _Element,
    section_path: str,
    category: str | None,
    seventh: list[tuple[str, str]],
    records: list[CodeRecord],
) -> None:
    code = _required_text(path, diag, "name")
    title = _required_text(path, diag, "desc")
    definition = diag.child("sevenChrDef")
    if definition is not None:
        seventh = [
            (extension.attrs.get("char", ""), " ".join(extension.text.split()))
            for extension in definition.all("extension")
        ]
    inclusion_terms = "\n".join(note for kind in INCLUSION_KINDS for note in diag.notes(kind))
    instructions = "\n".join(
        f"{label}: {note}" for kind, label in INSTRUCTION_KINDS.items() for note in diag.notes(kind)
    )
    record = CodeRecord(
        code=code,
        title=title,
        line=diag.line,
        section_path=(
            section_path
            if category is None
            else Code.SECTION_SEPARATOR.join((section_path, category))
        ),
        inclusion_terms=inclusion_terms,
        instructional_notes=instructions,
    )
    records.append(record)
    children = diag.all("diag")
    category = category or f"{code} {title}"
    for child in children:
        _add_diag(path, child, section_path, category, seventh, records)
    if not children and seventh:
        base = code.replace(".", "").ljust(6, "X")
        for char, meaning in seventh:
            full = base + char
            records.append(
                CodeRecord(
                    code=f"{full[:3]}.{full[3:]}",
                    title=f"{title}, {meaning}",
                    line=diag.line,
                    section_path=record.section_path,
                    inclusion_terms=inclusion_terms,
                    instructional_notes=instructions,
                )
            )
