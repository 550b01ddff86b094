"""manage.py load_synonyms [FILE]: add the starter synonym list (or another) to the synonyms."""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import CharField

from codes.models import Synonym
from codes.search.query import words_of
from codes.services import synonyms_add_missing

STARTER_LIST = settings.BASE_DIR / "fixtures" / "synonyms.csv"
REASON = "load_synonyms {name}"


class Command(BaseCommand):
    help = (
        "Add the synonyms of a CSV file (columns term,meaning; by default the starter list of "
        "clinical abbreviations and ICD-10-PCS translations in fixtures/synonyms.csv) that the "
        "synonym table lacks. Never changes or deletes a synonym already there. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=STARTER_LIST)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        pairs = read_synonyms(file)
        added = synonyms_add_missing(pairs=pairs, reason=REASON.format(name=file.name))
        self.stdout.write(
            f"Synonyms: {added} added from {file.name}, {len(pairs) - added} already there."
        )


def _max_length(name: str) -> int:
    field = Synonym._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None  # both are CharFields
    return field.max_length


def read_synonyms(path: Path) -> list[tuple[str, str]]:
    """The (term, meaning) rows of a synonym CSV file; CommandError naming the line when a row is
    not usable (nothing is written then)."""
    limits = {name: _max_length(name) for name in ("term", "meaning")}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["term", "meaning"]:
        raise CommandError(f"{path}: the first line must be the header `term,meaning`")
    pairs = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise CommandError(f"{path}, line {line}: expected 2 columns, found {len(row)}")
        term, meaning = (cell.strip() for cell in row)
        for name, value in (("term", term), ("meaning", meaning)):
            if not words_of(value):
                raise CommandError(f"{path}, line {line}: the {name} has no words")
            if len(value) > limits[name]:
                raise CommandError(
                    f"{path}, line {line}: the {name} is longer than {limits[name]} characters"
                )
        if words_of(term) == words_of(meaning):
            raise CommandError(f"{path}, line {line}: {term!r} would mean itself")
        pairs.append((term, meaning))
    return pairs
