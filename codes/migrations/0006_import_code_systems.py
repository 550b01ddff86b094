from django.db import migrations

# The four public code systems, as in fixtures/sample.json (same order, so a fresh database gives
# them the fixture's primary keys 1-4 and `loaddata sample` updates them in place).
STANDARD_SYSTEMS = [
    {
        "slug": "cpt",
        "name": "CPT",
        "code_pattern": r"\d{4}[0-9FT]",
        "copyright_notice": (
            "CPT® is a registered trademark of the American Medical Association (AMA). CPT codes "
            "and descriptors are copyright AMA; all rights reserved. The CPT texts in this sample "
            "are coderef's own paraphrases, not AMA descriptors."
        ),
        "position": 1,
    },
    {
        "slug": "hcpcs",
        "name": "HCPCS Level II",
        "code_pattern": r"[A-CEGHJ-MP-V]\d{4}",
        "copyright_notice": (
            "HCPCS Level II codes and descriptors: public domain, Centers for Medicare & "
            "Medicaid Services (CMS)."
        ),
        "position": 2,
    },
    {
        "slug": "icd10cm",
        "name": "ICD-10-CM",
        # FY2026 brought categories with a letter in second place (QA0 genetic disorders).
        "code_pattern": r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?",
        "copyright_notice": (
            "ICD-10-CM: public domain, National Center for Health Statistics (CDC)."
        ),
        "position": 3,
    },
    {
        "slug": "icd10pcs",
        "name": "ICD-10-PCS",
        "code_pattern": r"[0-9A-HJ-NP-Z]{7}",
        "copyright_notice": (
            "ICD-10-PCS: public domain, Centers for Medicare & Medicaid Services (CMS)."
        ),
        "position": 4,
    },
]


# The ICD-10-CM pattern first shipped in the sample data, which refuses QA0.0101 and its kin.
OLD_ICD10CM_PATTERN = r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?"


def create_code_systems(apps, schema_editor):
    """Create the standard systems an import needs; leave any that exist as they are, except
    for widening the first ICD-10-CM pattern to the FY2026 code shape."""
    CodeSystem = apps.get_model("codes", "CodeSystem")
    manager = CodeSystem.objects.using(schema_editor.connection.alias)
    for system in STANDARD_SYSTEMS:
        defaults = {key: value for key, value in system.items() if key != "slug"}
        manager.get_or_create(slug=system["slug"], defaults=defaults)
    manager.filter(slug="icd10cm", code_pattern=OLD_ICD10CM_PATTERN).update(
        code_pattern=STANDARD_SYSTEMS[2]["code_pattern"]
    )


class Migration(migrations.Migration):
    dependencies = [("codes", "0002_roles")]

    operations = [migrations.RunPython(create_code_systems, migrations.RunPython.noop)]
