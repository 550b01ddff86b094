"""manage.py import_codes on small real files: each format, bad files, what an import may change."""

import csv
import importlib
import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from codes.models import BASELINE_REASON, Code, CodeSystem

ROOT = Path(__file__).resolve().parent.parent
HCPCS_SLICE = ROOT / "fixtures" / "hcpcs-2019-slice.txt"
DATA = Path(__file__).resolve().parent / "data"
ICD10CM_XML = DATA / "icd10cm" / "icd10cm-tabular-2026-small.xml"
PCS_CODES = DATA / "icd10pcs-codes-2024-small.txt"
CM_CODES = DATA / "icd10cm-codes-2024-small.txt"
CM_ORDER = DATA / "icd10cm_order_2024-small.txt"
PCS_ORDER = DATA / "icd10pcs_order_2024-small.txt"


def run(path, system, **options) -> str:
    out = StringIO()
    call_command("import_codes", str(path), system=system, stdout=out, **options)
    return out.getvalue()


def refused(path, system, **options) -> str:
    with pytest.raises(CommandError) as caught:
        run(path, system, **options)
    return str(caught.value)


def codes(system: str) -> dict[str, Code]:
    return {code.code: code for code in Code.objects.filter(system__slug=system)}


def history_count() -> int:
    return Code.history.count()


# --- the systems -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_made_the_four_systems_as_the_sample_fixture_has_them():
    fixture = json.loads((ROOT / "fixtures" / "sample.json").read_text())
    expected = {
        row["fields"]["slug"]: row["fields"]
        for row in fixture
        if row["model"] == "codes.codesystem"
    }
    migration = importlib.import_module("codes.migrations.0006_import_code_systems")
    assert {system["slug"]: system for system in migration.STANDARD_SYSTEMS} == {
        slug: {"slug": slug, **fields} for slug, fields in expected.items()
    }
    stored = {
        system.slug: (system.pk, system.name, system.code_pattern)
        for system in CodeSystem.objects.all()
    }
    assert stored == {
        "cpt": (1, "CPT", r"\d{4}[0-9FT]"),
        "hcpcs": (2, "HCPCS Level II", r"[A-CEGHJ-MP-V]\d{4}"),
        "icd10cm": (3, "ICD-10-CM", r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?"),
        "icd10pcs": (4, "ICD-10-PCS", r"[0-9A-HJ-NP-Z]{7}"),
    }


def test_sample_fixture_loads_over_the_migrated_systems(sample):
    assert CodeSystem.objects.count() == 4
    assert Code.objects.get(code="E0601").system.slug == "hcpcs"


# --- CMS HCPCS fixed width ---------------------------------------------------------------------


@pytest.mark.django_db
def test_hcpcs_text_file_imports_procedures_and_skips_modifiers():
    output = run(HCPCS_SLICE, "hcpcs")
    assert output.strip().endswith(
        "HCPCS Level II 2019: 327 added, 0 changed, 0 deleted, "
        "0 unchanged in " + output.split(" in ")[-1].strip()
    )
    imported = codes("hcpcs")
    assert len(imported) == 327
    assert all(len(code) == 5 for code in imported)  # modifiers (GT, A1 ...) are not codes
    cpap = imported["E0601"]
    assert cpap.title == "Continuous positive airway pressure (cpap) device"
    assert cpap.inclusion_terms == "Cont airway pressure device"
    assert cpap.section_path == "Durable medical equipment (E0100-E8002)"
    assert cpap.status == Code.Status.ACTIVE
    assert cpap.effective_date == date(1988, 1, 1)
    # A description that continues over a second record is joined into one title.
    assert imported["E0105"].title == (
        "Cane, quad or three prong, includes canes of all materials, adjustable or fixed, with tips"
    )
    # A code the file terminates is imported as deleted, ending on its termination date.
    garment = imported["A4466"]
    assert (garment.status, garment.end_date) == (Code.Status.DELETED, date(2016, 12, 31))
    assert garment.history.get().history_change_reason == "release 2019"


@pytest.mark.django_db
def test_hcpcs_xlsx_gives_the_same_codes_as_the_text_file(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["***Disclaimers"])
    sheet.append([])
    header = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "PRICE1"]
    sheet.append([*header, "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"])
    sheet.append(["   GT", "0010", "7", "Via interactive audio and video", "Interactive telecom"])
    sheet.append(
        [
            "E0105",
            "0010",
            "3",
            "Cane, quad or three prong, includes canes of all materials,",
            "Cane adjust/fixed quad/3 pro",
            "00",
            "19860101",
            "20030101",
            None,
            "N",
        ]
    )
    sheet.append(["E0105", "0020", "4", "adjustable or fixed, with tips"])
    sheet.append(
        [
            "A4466",
            "0010",
            "3",
            "Garment, belt, sleeve or other covering, elastic or similar "
            "stretchable material, any type, each",
            "Elastic garment/covering",
            "00",
            "20100101",
            "20170101",
            "20161231",
            "N",
        ]
    )
    path = tmp_path / "HCPC2019_CONTR_ANWEB.xlsx"
    workbook.save(path)
    run(path, "hcpcs")
    from_xlsx = {
        code: (c.title, c.inclusion_terms, c.status, c.effective_date, c.end_date)
        for code, c in codes("hcpcs").items()
    }
    Code.objects.all().delete()
    run(HCPCS_SLICE, "hcpcs")
    from_text = codes("hcpcs")
    assert set(from_xlsx) == {"E0105", "A4466"}
    for code, values in from_xlsx.items():
        c = from_text[code]
        assert values == (c.title, c.inclusion_terms, c.status, c.effective_date, c.end_date)


@pytest.mark.django_db
def test_hcpcs_in_utf8_is_refused_as_wrong_encoding(tmp_path):
    path = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    path.write_bytes(HCPCS_SLICE.read_bytes().decode("iso-8859-1").encode("utf-8"))
    message = refused(path, "hcpcs")
    assert "HCPC2019_CONTR_ANWEB.txt, line 3: wrong encoding" in message
    assert "ISO-8859-1" in message
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_hcpcs_line_with_a_broken_layout_is_named(tmp_path):
    lines = HCPCS_SLICE.read_bytes().split(b"\r\n")
    lines[200] = lines[200][:10] + b"X" + lines[200][11:]
    path = tmp_path / "hcpcs.txt"
    path.write_bytes(b"\r\n".join(lines))
    message = refused(path, "hcpcs", file_format="cms-hcpcs")
    assert "hcpcs.txt, line 201: wrong layout: not a CMS HCPCS record" in message
    assert not Code.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "kind"), [(b"99213", "is a CPT code"), (b"D0120", "is a CDT (dental, ADA) code")]
)
def test_cpt_and_cdt_codes_do_not_belong_in_an_hcpcs_import(tmp_path, code, kind):
    lines = HCPCS_SLICE.read_bytes().split(b"\r\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(b"E0601"))
    lines[number] = code + lines[number][5:]
    path = tmp_path / "hcpcs.txt"
    path.write_bytes(b"\r\n".join(lines))
    message = refused(path, "hcpcs")
    assert f"line {number + 1}: code {code.decode()} {kind}" in message
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_a_csv_file_is_not_taken_for_an_hcpcs_file(tmp_path):
    path = tmp_path / "codes.txt"
    path.write_text("code,title\nE0601,CPAP device\n")
    assert "wrong layout: no CMS HCPCS fixed-width record" in refused(
        path, "hcpcs", file_format="cms-hcpcs"
    )


# --- CDC ICD-10-CM XML -------------------------------------------------------------------------


@pytest.mark.django_db
def test_icd10cm_xml_imports_categories_terms_notes_and_seventh_characters():
    output = run(ICD10CM_XML, "icd10cm")
    assert "note: valid codes from code-list-2026-small.txt" in output
    assert "ICD-10-CM FY2026: 80 added, 0 changed, 0 deleted, 0 unchanged" in output
    imported = codes("icd10cm")
    copd = imported["J44.9"]
    assert copd.title == "Chronic obstructive pulmonary disease, unspecified"
    assert copd.section_path == (
        "Diseases of the respiratory system (J00-J99) > Chronic lower respiratory diseases "
        "(J40-J4A) > J44 Other chronic obstructive pulmonary disease"
    )
    assert copd.inclusion_terms.splitlines() == [
        "Chronic obstructive airway disease NOS",
        "Chronic obstructive lung disease NOS",
    ]
    assert imported["J45.909"].inclusion_terms == "Asthma NOS"
    assert "Congestive heart failure NOS" in imported["I50.9"].inclusion_terms.splitlines()
    category = imported["J44"]
    assert category.section_path == (
        "Diseases of the respiratory system (J00-J99) > Chronic lower respiratory diseases "
        "(J40-J4A)"
    )
    assert "chronic obstructive bronchitis" in category.inclusion_terms.splitlines()
    assert "Excludes2: bronchiectasis (J47.-)" in category.instructional_notes.splitlines()
    assert "Code also: type of asthma, if applicable (J45.-)" in category.instructional_notes
    # 7th characters come from the category's sevenChrDef.
    hip = imported["S72.001A"]
    assert hip.title == (
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    )
    assert hip.section_path.endswith("> S72 Fracture of femur")
    assert "S72.001S" in imported and "S72.001" in imported
    # The valid-code list beside the XML leaves S72.009S out: it is not imported.
    assert "S72.009S" not in imported
    # FY2026's first category with a letter in second place.
    assert imported["QA0.0101"].title == "SCN2A-related neurodevelopmental disorder"


@pytest.mark.django_db
def test_icd10cm_xml_without_a_code_list_keeps_every_combination(tmp_path):
    path = tmp_path / "tabular.xml"
    path.write_bytes(ICD10CM_XML.read_bytes())
    output = run(path, "icd10cm")
    assert "no single code-list*.txt beside tabular.xml" in output
    assert Code.objects.filter(code="S72.009S").exists()


@pytest.mark.django_db
def test_icd10cm_xml_in_latin1_is_refused_as_wrong_encoding(tmp_path):
    text = ICD10CM_XML.read_text().replace("Swyer", "Sw\u00e9yer", 1)
    text = text.replace("Asthma NOS", "Asthma NOS \u00e9", 1)
    path = tmp_path / "icd.xml"
    path.write_bytes(text.encode("latin-1"))
    line = text.splitlines().index(next(x for x in text.splitlines() if "\u00e9" in x)) + 1
    message = refused(path, "icd10cm")
    assert f"icd.xml, line {line}: wrong encoding: byte 0xe9 is not utf-8 text" in message
    assert not Code.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("ICD10CM.tabular>", "ClaML>"), "line 2: wrong layout: root element <ClaML>"),
        (("<desc>Asthma</desc>", ""), "wrong layout: <diag> without <desc>"),
        (("</section>", "</sections>"), "not well-formed XML: mismatched tag"),
    ],
)
def test_icd10cm_xml_with_a_wrong_layout_is_refused(tmp_path, change, reason):
    path = tmp_path / "icd.xml"
    path.write_text(ICD10CM_XML.read_text().replace(*change))
    assert reason in refused(path, "icd10cm")
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_icd10cm_xml_into_hcpcs_is_refused_by_the_code_pattern():
    message = refused(ICD10CM_XML, "hcpcs")
    assert "code 'J44' does not fit the HCPCS Level II pattern" in message


# --- CMS code-title and order files ------------------------------------------------------------


@pytest.mark.django_db
def test_icd10pcs_code_title_file():
    output = run(PCS_CODES, "icd10pcs")
    assert "ICD-10-PCS FY2024: 20 added" in output
    repair = codes("icd10pcs")["00Q20ZZ"]
    assert repair.title == "Repair Dura Mater, Open Approach"
    assert repair.section_path == "Medical and Surgical > Central Nervous System and Cranial Nerves"
    assert codes("icd10pcs")["B2111ZZ"].section_path == "Imaging"


@pytest.mark.django_db
def test_icd10cm_code_title_file_gets_its_dots_back():
    run(CM_CODES, "icd10cm")
    assert set(codes("icd10cm")) >= {"A00.0", "J44.9", "J45.909", "E11.65"}


@pytest.mark.django_db
def test_code_title_file_with_a_malformed_line_or_a_foreign_code_is_refused(tmp_path):
    lines = PCS_CODES.read_text().splitlines()
    path = tmp_path / "icd10pcs-codes-2024.txt"
    path.write_text("\n".join([*lines[:5], "0016070Bypass without a space", *lines[5:]]))
    assert "line 6: wrong layout: expected a code" in refused(path, "icd10pcs")
    path.write_text("\n".join([*lines[:5], "0016O70 Bypass with a letter O", *lines[5:]]))
    message = refused(path, "icd10pcs")
    assert "line 6: code '0016O70' does not fit the ICD-10-PCS pattern" in message
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_icd10cm_order_file_imports_headers_as_codes():
    output = run(CM_ORDER, "icd10cm")
    assert "ICD-10-CM FY2024: 6 added" in output
    imported = codes("icd10cm")
    assert imported["A00"].title == "Cholera"
    assert imported["J44.9"].title == "Chronic obstructive pulmonary disease, unspecified"


@pytest.mark.django_db
def test_icd10pcs_order_file_skips_table_headers():
    run(PCS_ORDER, "icd10pcs")
    assert set(codes("icd10pcs")) == {"0016070", "0016071", "00Q20ZZ"}


@pytest.mark.django_db
def test_order_file_with_a_shifted_column_is_refused(tmp_path):
    path = tmp_path / "order.txt"
    lines = CM_ORDER.read_text().splitlines()
    lines[3] = lines[3].replace("A009    1", "A009   1 ")
    path.write_text("\n".join(lines))
    assert "order.txt, line 4: wrong layout" in refused(path, "icd10cm", file_format="cms-order")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "file_format"),
    [
        (HCPCS_SLICE, "cms-hcpcs"),
        (ICD10CM_XML, "cdc-icd10cm-xml"),
        (PCS_CODES, "cms-codes"),
        (CM_ORDER, "cms-order"),
    ],
)
def test_format_is_told_from_the_file(path, file_format):
    from codes.importers import detect_format

    assert detect_format(path) == file_format


# --- CSV and JSON Lines ------------------------------------------------------------------------

CSV = (
    "code,title,descriptor,lay_description,section,synonyms,status,effective_date,end_date\n"
    '63707,Repair of a dural leak without laminectomy,,Our own words.,"Surgery > Spine",'
    '"dural leak|CSF leak",,2020-01-01,\n'
    "63709,Repair of a dural leak with laminectomy,,,Surgery > Spine,,active,,\n"
)


@pytest.mark.django_db
def test_csv_loads_a_licensed_cpt_file(tmp_path):
    path = tmp_path / "cpt-2026.csv"
    path.write_text(CSV)
    assert "CPT cpt-2026: 2 added" in run(path, "cpt")
    leak = codes("cpt")["63707"]
    assert leak.lay_description == "Our own words."
    assert leak.section_path == "Surgery > Spine"
    assert leak.inclusion_terms == "dural leak\nCSF leak"
    assert leak.effective_date == date(2020, 1, 1)


@pytest.mark.django_db
def test_jsonl_loads_lists_and_strings(tmp_path):
    path = tmp_path / "custom.jsonl"
    rows = [
        {
            "code": "63707",
            "title": "Dural leak repair",
            "section": ["Surgery", "Spine"],
            "synonyms": ["CSF leak", "dural tear"],
        },
        {
            "code": "63709",
            "title": "Dural leak repair with laminectomy",
            "status": "deleted",
            "end_date": "2025-12-31",
        },
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    run(path, "cpt")
    imported = codes("cpt")
    assert imported["63707"].section_path == "Surgery > Spine"
    assert imported["63707"].inclusion_terms == "CSF leak\ndural tear"
    assert (imported["63709"].status, imported["63709"].end_date) == ("deleted", date(2025, 12, 31))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("code,name\n63707,x\n", "line 1: wrong layout: unknown column 'name'; no title column"),
        (CSV + "63710,Dural graft,,,,,,2020-13-01,\n", "line 4: effective_date '2020-13-01'"),
        (CSV + "6371,Too short\n", "line 4: wrong layout: 2 cells, the header has 9"),
        (CSV + "6371,Too short,,,,,,,\n", "line 4: code '6371' does not fit the CPT pattern"),
        (CSV + "63707,Again,,,,,,,\n", "line 4: code 63707 is listed twice (first on line 2)"),
        (CSV + "63710,Graft,,,,,gone,,\n", "line 4: status 'gone' is not one of active, deleted"),
    ],
)
def test_csv_errors_name_the_line_and_write_nothing(tmp_path, content, reason):
    path = tmp_path / "cpt.csv"
    path.write_text(content)
    assert reason in refused(path, "cpt")
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_csv_in_latin1_is_refused(tmp_path):
    path = tmp_path / "cpt.csv"
    path.write_bytes(CSV.replace("Our own words.", "Caf\u00e9 words.").encode("latin-1"))
    assert "cpt.csv, line 2: wrong encoding: byte 0xe9 is not utf-8 text" in refused(path, "cpt")


@pytest.mark.django_db
def test_jsonl_with_a_broken_line_is_refused(tmp_path):
    path = tmp_path / "cpt.jsonl"
    path.write_text('{"code": "63707", "title": "x"}\n{"code": "63709", "title": \n')
    assert "cpt.jsonl, line 2: not valid JSON" in refused(path, "cpt")


@pytest.mark.django_db
def test_unknown_system_and_missing_file_are_clear(tmp_path):
    assert "No code system 'icd9'" in refused(HCPCS_SLICE, "icd9")
    assert "nope.csv: no such file" in refused(tmp_path / "nope.csv", "cpt")


# --- what an import may change -----------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_of_the_same_file_changes_nothing():
    run(ICD10CM_XML, "icd10cm")
    before = {c.code: (c.version, c.updated_at) for c in Code.objects.all()}
    revisions = history_count()
    output = run(ICD10CM_XML, "icd10cm", release="FY2026 again")
    assert "0 added, 0 changed, 0 deleted, 80 unchanged" in output
    assert {c.code: (c.version, c.updated_at) for c in Code.objects.all()} == before
    assert history_count() == revisions


@pytest.mark.django_db
def test_changed_code_gets_a_revision_with_the_import_reason(tmp_path):
    run(PCS_CODES, "icd10pcs")
    path = tmp_path / "icd10pcs-codes-2025.txt"
    path.write_text(
        PCS_CODES.read_text().replace("Repair Dura Mater, Open Approach", "Repair Dura, Open")
    )
    output = run(path, "icd10pcs")
    assert "ICD-10-PCS FY2025: 0 added, 1 changed, 0 deleted, 19 unchanged" in output
    repair = Code.objects.get(code="00Q20ZZ")
    assert (repair.title, repair.version) == ("Repair Dura, Open", 2)
    latest = repair.history.first()
    assert latest.history_change_reason == "release FY2025"
    assert latest.history_user is None
    assert latest.title == "Repair Dura, Open"
    assert repair.history.count() == 2


@pytest.mark.django_db
def test_codes_missing_from_a_full_release_are_deleted_not_removed(tmp_path):
    run(PCS_CODES, "icd10pcs")
    path = tmp_path / "icd10pcs-codes-2025.txt"
    path.write_text(
        "".join(
            line
            for line in PCS_CODES.read_text().splitlines(True)
            if not line.startswith("00Q20ZZ")
        )
    )
    assert "0 added, 0 changed, 1 deleted, 19 unchanged" in run(path, "icd10pcs")
    gone = Code.objects.get(code="00Q20ZZ")
    # FY2025 starts on 1 October 2024: the code ended the day before.
    assert (gone.status, gone.end_date) == (Code.Status.DELETED, date(2024, 9, 30))
    assert gone.history.first().history_change_reason == "release FY2025"
    # Back in a later release: active again, without an end date.
    run(PCS_CODES, "icd10pcs", release="FY2026")
    back = Code.objects.get(code="00Q20ZZ")
    assert (back.status, back.end_date, back.version) == (Code.Status.ACTIVE, None, 3)


@pytest.mark.django_db
def test_editor_lay_description_survives_an_import(sample, tmp_path):
    editor_text = Code.objects.get(code="63707").lay_description
    path = tmp_path / "cpt.csv"
    path.write_text(CSV)
    run(path, "cpt", allow_deletions=7)
    leak = Code.objects.get(code="63707")
    assert leak.lay_description == editor_text  # the file's "Our own words." is not taken
    assert leak.title == "Repair of a dural leak without laminectomy"
    # The sample's other CPT codes are not in this full release: deleted, still there.
    assert Code.objects.get(code="63700").status == Code.Status.DELETED


@pytest.mark.django_db
def test_hcpcs_import_over_the_sample_updates_in_place(sample):
    cpap = Code.objects.get(code="E0601")
    output = run(HCPCS_SLICE, "hcpcs")
    # The sample's 16 HCPCS codes are all in the slice; the file adds their effective dates.
    assert "311 added, 16 changed, 0 deleted, 0 unchanged" in output
    again = Code.objects.get(code="E0601")
    assert (again.pk, again.version) == (cpap.pk, cpap.version + 1)
    assert (again.title, again.inclusion_terms, again.section_path) == (
        cpap.title,
        cpap.inclusion_terms,
        cpap.section_path,
    )


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(sample):
    revisions = history_count()
    hcpcs_before = Code.objects.filter(system__slug="hcpcs").count()
    output = run(HCPCS_SLICE, "hcpcs", dry_run=True).strip().splitlines()[-1]
    assert output.startswith("HCPCS Level II 2019: ")
    assert "(dry run: nothing written)" in output
    added = int(output.split(": ")[1].split(" added")[0])
    assert added > 300
    assert history_count() == revisions
    assert Code.objects.filter(system__slug="hcpcs").count() == hcpcs_before


@pytest.mark.django_db
def test_an_error_late_in_the_file_leaves_the_database_as_it_was(sample, tmp_path):
    before = {c.code: (c.version, c.title, c.status) for c in Code.objects.all()}
    lines = HCPCS_SLICE.read_bytes().split(b"\r\n")
    lines[-2] = b"99213" + lines[-2][5:]
    path = tmp_path / "hcpcs.txt"
    path.write_bytes(b"\r\n".join(lines))
    refused(path, "hcpcs")
    assert {c.code: (c.version, c.title, c.status) for c in Code.objects.all()} == before


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(sample, monkeypatch):
    before = {c.code: (c.version, c.title, c.status) for c in Code.objects.all()}

    def failing_update(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("codes.services.codes.bulk_update_with_history", failing_update)
    with pytest.raises(RuntimeError):
        run(HCPCS_SLICE, "hcpcs")  # new codes are written first, then the update fails
    assert {c.code: (c.version, c.title, c.status) for c in Code.objects.all()} == before


@pytest.mark.django_db
def test_an_editor_save_during_the_import_stops_it(sample, monkeypatch):
    from codes.services import codes as code_services

    real_create = code_services.rows_insert_with_history

    def create_while_an_editor_saves(*args, **kwargs):
        lathe = Code.objects.get(code="L0650")
        lathe.lay_description = "Saved by an editor while the import ran."
        lathe.save()
        return real_create(*args, **kwargs)

    monkeypatch.setattr(code_services, "rows_insert_with_history", create_while_an_editor_saves)
    message = refused(HCPCS_SLICE, "hcpcs")
    assert "code L0650 was edited while the import ran; nothing was written" in message


@pytest.mark.django_db
def test_code_page_shows_what_the_xml_import_brought(coder_client):
    run(ICD10CM_XML, "icd10cm")
    page = coder_client.get("/codes/icd10cm/J44/").content.decode()
    assert "Instructional notes" in page
    assert "Excludes2: bronchiectasis (J47.-)" in page
    assert "chronic obstructive bronchitis" in page  # an inclusion term
    assert "Chronic lower respiratory diseases (J40-J4A)" in page  # the breadcrumb


@pytest.mark.django_db
def test_a_partial_file_leaves_the_codes_it_does_not_list_alone(sample, tmp_path):
    path = tmp_path / "new-cpt.csv"
    path.write_text("code,title\n63711,A new code in our own words\n")
    output = run(path, "cpt", partial=True)
    assert "1 added, 0 changed, 0 deleted, 0 unchanged" in output
    assert not Code.objects.filter(system__slug="cpt", status=Code.Status.DELETED).exists()


# --- what an import over the sample does to history and to the notes -------------------------

REWORDED = "Repair of a dural tear, CSF leak or pseudomeningocele through a laminectomy"
FLAGGED = "Needs review: a text of 63707 or 63709 changed"


def import_63709(tmp_path, **columns: str) -> None:
    """A partial CPT release "2027" that gives 63709 these columns (its title by default)."""
    row = {"code": "63709", "title": Code.objects.get(code="63709").title, **columns}
    path = tmp_path / "cpt-2027.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    assert "0 added, 1 changed" in run(path, "cpt", partial=True, release="2027")


@pytest.mark.django_db
def test_an_import_over_a_code_without_history_can_be_reverted_to_its_first_state(
    sample, tmp_path, editor_client
):
    code = Code.objects.get(code="63709")
    old_title = code.title
    assert not code.history.exists()  # loaded from the fixture
    import_63709(tmp_path, title=REWORDED)
    revisions = code.history.order_by("history_date")
    assert [(r.version, r.history_change_reason, r.title) for r in revisions] == [
        (1, BASELINE_REASON, old_title),
        (2, "release 2027", REWORDED),
    ]
    url = f"/admin/codes/code/{code.pk}/history/{revisions[0].history_id}/"
    assert editor_client.post(url, {"reason": "", "opened_version": 2}).status_code == 302
    assert Code.objects.get(pk=code.pk).title == old_title
    page = editor_client.get("/codes/cpt/63709/").content.decode()
    assert old_title in page and REWORDED not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "columns",
    [
        {"title": REWORDED},
        {"descriptor": "A new long descriptor."},
        {"synonyms": "dural tear repair"},  # the inclusion terms
    ],
    ids=["title", "descriptor", "inclusion terms"],
)
def test_an_import_rewriting_a_code_text_flags_the_notes_naming_it(
    sample, tmp_path, coder_client, columns
):
    assert FLAGGED not in coder_client.get("/compare/?codes=63707,63709").content.decode()
    import_63709(tmp_path, **columns)
    assert FLAGGED in coder_client.get("/compare/?codes=63707,63709").content.decode()
    today = timezone.now().date()
    for query in ("", f"&as_of={today}"):
        notes = coder_client.get(f"/api/compare?codes=63707,63709{query}").json()["notes"]
        assert [note["needs_review"] for note in notes] == [True], query
    yesterday = today - timedelta(days=1)
    notes = coder_client.get(f"/api/compare?codes=63707,63709&as_of={yesterday}").json()["notes"]
    assert [note["needs_review"] for note in notes] == [False]


@pytest.mark.django_db
def test_an_import_changing_no_text_flags_no_note(sample, tmp_path, coder_client):
    import_63709(tmp_path, section="Surgery > Nervous system > Spine", effective_date="2027-01-01")
    assert FLAGGED not in coder_client.get("/compare/?codes=63707,63709").content.decode()
    notes = coder_client.get("/api/compare?codes=63707,63709").json()["notes"]
    assert [note["needs_review"] for note in notes] == [False]


@pytest.mark.django_db
def test_imported_codes_have_their_first_revision_and_leave_room_for_the_next_code(
    sample, tmp_path
):
    path = tmp_path / "new-cpt.csv"
    path.write_text("code,title\n63711,A new code in our own words\n63712,Another one\n")
    run(path, "cpt", partial=True)
    for spelling in ("63711", "63712"):
        code = Code.objects.get(system__slug="cpt", code=spelling)
        (first,) = code.history.all()
        assert (first.history_type, first.title, first.version) == ("+", code.title, 1)
        assert first.history_change_reason.startswith("release")
    # A code added by hand after the import gets a key of its own (no clash with the import's).
    added = Code.objects.create(system=CodeSystem.objects.get(slug="cpt"), code="63713", title="x")
    assert added.pk > Code.objects.get(code="63712").pk
