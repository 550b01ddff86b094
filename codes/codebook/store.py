"""Writing the codebook's reference data: each import replaces its table(s) in one transaction,
so a failed import leaves the previous data as it was. Rows that others point to are deleted
after those others, each with one DELETE (Django's cascade would load them all first)."""

from django.db import transaction

from codes.codebook.models import (
    HccMapping,
    HcpcsFacts,
    MsDrgDiagnosis,
    MsDrgPdxCollection,
    MsDrgProcedure,
    MsDrgVersion,
    PcsValue,
    SeventhCharacter,
    TabularLevel,
    TabularNote,
)
from codes.importers import hcpcs_facts
from codes.importers.cms_hcc import Mapping
from codes.importers.icd10cm_tabular import Tabular
from codes.importers.icd10pcs_definitions import Value
from codes.importers.msdrg import Version

BATCH_SIZE = 2000


@transaction.atomic
def replace_tabular(tabular: Tabular) -> dict[str, int]:
    """Replace the Tabular levels, notes and 7th characters with those of `tabular`."""
    TabularNote.objects.all().delete()
    SeventhCharacter.objects.all().delete()
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


@transaction.atomic
def replace_msdrg(version: Version) -> dict[str, int]:
    """Add one MS-DRG version, or replace it when it was imported before."""
    stored = MsDrgVersion.objects.filter(label=version.label).first()
    if stored is not None:
        for model in (MsDrgDiagnosis, MsDrgPdxCollection, MsDrgProcedure):
            model.objects.filter(version=stored).delete()
        stored.effective = version.effective
        stored.save()
    else:
        stored = MsDrgVersion.objects.create(label=version.label, effective=version.effective)
    diagnoses = MsDrgDiagnosis.objects.bulk_create(
        [
            MsDrgDiagnosis(
                version=stored,
                code=diagnosis.code,
                level=diagnosis.level,
                pdx_collection=diagnosis.pdx_collection,
                hac=diagnosis.hac,
            )
            for diagnosis in version.diagnoses
        ],
        batch_size=BATCH_SIZE,
    )
    collections = MsDrgPdxCollection.objects.bulk_create(
        [
            MsDrgPdxCollection(
                version=stored, collection=collection, codes="\n".join(sorted(codes))
            )
            for collection, codes in version.exclusions.items()
        ],
        batch_size=BATCH_SIZE,
    )
    procedures = MsDrgProcedure.objects.bulk_create(
        (
            MsDrgProcedure(version=stored, code=code, operating_room=operating_room)
            for code, operating_room in version.procedures.items()
        ),
        batch_size=BATCH_SIZE,
    )
    return {
        f"{version.label} CC/MCC codes": len(diagnoses),
        "PDX collections": len(collections),
        "procedures": len(procedures),
    }


@transaction.atomic
def replace_hcc(year: int, mappings: list[Mapping]) -> dict[str, int]:
    """Replace the CMS-HCC mappings of one payment year."""
    HccMapping.objects.filter(year=year).delete()
    rows = HccMapping.objects.bulk_create(
        (
            HccMapping(
                year=year,
                model=mapping.model,
                code=mapping.code,
                hcc=mapping.hcc,
                label=mapping.label,
            )
            for mapping in mappings
        ),
        batch_size=BATCH_SIZE,
    )
    return {f"{year} HCC mappings": len(rows)}


@transaction.atomic
def replace_hcpcs_facts(read: hcpcs_facts.HcpcsFacts, release: str) -> dict[str, int]:
    """Replace the HCPCS Level II facts with those of one CMS file."""
    HcpcsFacts.objects.all().delete()
    rows = HcpcsFacts.objects.bulk_create(
        [
            HcpcsFacts(
                release=release,
                code=facts.code,
                pricing=[list(pair) for pair in facts.pricing],
                multiple_pricing=facts.multiple_pricing[0],
                multiple_pricing_meaning=facts.multiple_pricing[1],
                coverage=facts.coverage[0],
                coverage_meaning=facts.coverage[1],
                betos=facts.betos,
                action=facts.action[0],
                action_meaning=facts.action[1],
                added=facts.added,
                action_effective=facts.action_effective,
                terminated=facts.terminated,
            )
            for facts in read.facts
        ],
        batch_size=BATCH_SIZE,
    )
    return {"HCPCS codes' facts": len(rows)}
