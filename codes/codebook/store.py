"""Writing the codebook's reference data: each import replaces its table(s) in one transaction,
so a failed import leaves the previous data as it was."""

from django.db import transaction

from codes.codebook.models import PcsValue, SeventhCharacter, TabularLevel, TabularNote
from codes.importers.icd10cm_tabular import Tabular
from codes.importers.icd10pcs_definitions import Value

BATCH_SIZE = 2000


@transaction.atomic
def replace_tabular(tabular: Tabular) -> dict[str, int]:
    """Replace the Tabular levels, notes and 7th characters with those of `tabular`."""
    TabularLevel.objects.all().delete()
    levels = TabularLevel.objects.bulk_create(
        [
            TabularLevel(
                release=tabular.release,
                key=level.key,
                kind=level.kind,
                title=level.title,
                parent=level.parent,
                first=level.first,
                last=level.last,
                position=position,
            )
            for position, level in enumerate(tabular.levels)
        ],
        batch_size=BATCH_SIZE,
    )
    notes = TabularNote.objects.bulk_create(
        [
            TabularNote(level=row, kind=kind, text=text, position=position)
            for row, level in zip(levels, tabular.levels, strict=True)
            for position, (kind, text) in enumerate(level.notes)
        ],
        batch_size=BATCH_SIZE,
    )
    sevenths = SeventhCharacter.objects.bulk_create(
        [
            SeventhCharacter(
                level=row,
                character=seventh.character,
                meaning=seventh.meaning,
                note=seventh.note,
                position=position,
            )
            for row, level in zip(levels, tabular.levels, strict=True)
            for position, seventh in enumerate(level.seventh)
        ],
        batch_size=BATCH_SIZE,
    )
    return {"levels": len(levels), "notes": len(notes), "7th characters": len(sevenths)}


@transaction.atomic
def replace_pcs_values(values: list[Value], release: str) -> dict[str, int]:
    """Replace the ICD-10-PCS character values and definitions with `values`."""
    PcsValue.objects.all().delete()
    rows = PcsValue.objects.bulk_create(
        [
            PcsValue(
                release=release,
                prefix=value.prefix,
                position=value.position,
                value=value.value,
                meaning=value.meaning,
                definition=value.definition,
                explanation=value.explanation,
                examples=value.examples,
                key_terms="\n".join(value.key_terms),
            )
            for value in values
        ],
        batch_size=BATCH_SIZE,
    )
    return {"character values": len(rows)}
