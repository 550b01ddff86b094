"""manage.py load_synonyms [FILE] [--release R]: add a terminology list (by default the first
starter synonym list) to the terminology entries."""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import CharField, Q

from codes.models import Synonym
from codes.search.query import words_of
from codes.services import Entry, entry_key, synonyms_add_missing, synonyms_follow_list

FIXTURES = settings.BASE_DIR / "fixtures"
STARTER_LIST = FIXTURES / "synonyms.csv"
# The starter lexicon of the three kinds; `make run` and load_public_codes load it.
TERMINOLOGY_STARTER = FIXTURES / "terminology" / "starter.csv"
# The starter list is both files: an entry either holds is in it.
STARTER_FILES = (STARTER_LIST, TERMINOLOGY_STARTER)
REASON = "load_synonyms {name}"
REASON_OFF = "load_synonyms: no longer in {listed}"
REASON_ON = "load_synonyms: in {listed} again"
HEADERS = {("term", "meaning"): False, ("kind", "term", "target", "note"): True}
KINDS = frozenset(Synonym.Kind.values)


class Command(BaseCommand):
    help = (
        "Add the terminology entries of a CSV file that the table lacks: columns term,meaning "
        "(synonyms; by default the starter list in fixtures/synonyms.csv) or kind,term,target,note "
        "(kind synonym, translation or index, as in fixtures/terminology/starter.csv). Never "
        "adds back an entry already there, even one an editor changed or switched off. An "
        "entry the list wrote that it no longer holds is switched off (and on again when it "
        "holds it again), unless an editor has changed or switched it. A file in fixtures/ is "
        "the starter list (both starter files); any other is an imported file (with --release), "
        "whose entries follow the file of that name. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=STARTER_LIST)
        parser.add_argument("--release", default="", help="the release of an imported file")

    @transaction.atomic
    def handle(self, *args: object, file: Path, release: str, **options: object) -> None:
        entries = read_synonyms(file)
        starter = file.resolve().is_relative_to(FIXTURES.resolve())
        added = synonyms_add_missing(
            entries=entries,
            source=Synonym.Source.STARTER if starter else Synonym.Source.IMPORT,
            source_file="" if starter else file.name,
            release=release[:50],
            reason=REASON.format(name=file.name),
        )
        if starter:
            # Before migration 0018 the starter list's rows were recorded as imported from it.
            listed = [*entries, *(e for path in STARTER_FILES for e in read_synonyms(path))]
            written_by = Q(source=Synonym.Source.STARTER) | Q(
                source=Synonym.Source.IMPORT, source_file__in=[p.name for p in STARTER_FILES]
            )
        else:
            listed, written_by = entries, Q(source=Synonym.Source.IMPORT, source_file=file.name)
        name = "the starter list" if starter else file.name
        off, on = synonyms_follow_list(
            keys={entry_key(entry.term, entry.meaning) for entry in listed},
            written_by=written_by,
            reason_off=REASON_OFF.format(listed=name),
            reason_on=REASON_ON.format(listed=name),
        )
        followed = f" {off} switched off: no longer in the list." if off else ""
        followed += f" {on} switched on again: in the list again." if on else ""
        self.stdout.write(
            f"Synonyms: {added} added from {file.name}, {len(entries) - added} already there."
            + followed
        )


def _max_length(name: str) -> int:
    field = Synonym._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None  # all are CharFields
    return field.max_length


def read_synonyms(path: Path) -> list[Entry]:
    """The entries of a terminology CSV file; CommandError naming the line when a row is not
    usable (nothing is written then)."""
    limits = {name: _max_length(name) for name in ("term", "meaning", "note")}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    header = tuple(cell.strip().lower() for cell in rows[0]) if rows else ()
    if header not in HEADERS:
        raise CommandError(
            f"{path}: the first line must be the header `term,meaning` or `kind,term,target,note`"
        )
    with_kind = HEADERS[header]
    entries = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CommandError(
                f"{path}, line {line}: expected {len(header)} columns, found {len(row)}"
            )
        cells = [cell.strip() for cell in row]
        kind, term, meaning, note = cells if with_kind else [Synonym.Kind.SYNONYM, *cells, ""]
        if kind not in KINDS:
            raise CommandError(
                f"{path}, line {line}: the kind must be one of {', '.join(sorted(KINDS))}"
            )
        for name, value in (("term", term), ("meaning", meaning), ("note", note)):
            if name != "note" and not words_of(value):
                raise CommandError(f"{path}, line {line}: the {name} has no words")
            if len(value) > limits[name]:
                raise CommandError(
                    f"{path}, line {line}: the {name} is longer than {limits[name]} characters"
                )
        if words_of(term) == words_of(meaning):
            raise CommandError(f"{path}, line {line}: {term!r} would mean itself")
        entries.append(Entry(kind, term, meaning, note))
    return entries
