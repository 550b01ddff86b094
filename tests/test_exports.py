"""Exports of comparisons: each format read back with a real reader, the stamp, the log,
verify_export, the list export, permissions and bad input."""

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime
from importlib import metadata
from uuid import uuid4

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from codes import exports
from codes.exports import cells, verify, xlsx
from codes.exports import pdf as pdf_format
from codes.models import Code, ComparisonNote, Differentiator, ExportRecord

# `any_database`: a file's layout and who may download it do not depend on the database (the
# SQLite run has those tests); what reads the export log back (verification, the records) runs
# on both, since PostgreSQL keeps the log's JSON as jsonb.
TITLE_63707 = "Repair of dural or cerebrospinal fluid leak, without laminectomy"
TITLE_63709 = "Repair of dural or cerebrospinal fluid leak or pseudomeningocele, with laminectomy"
DESCRIPTOR_63709 = "where a laminectomy is done to reach it"
AMA = "American Medical Association"
PAIR = "/compare/export/?codes=63707,63709"
TODAY = timezone.now().date().isoformat()


@pytest.fixture
def auditor_client(client, auditor, sample):
    client.force_login(auditor)
    return client


def finished_export(client, url):
    """Start the background export `url` (a list export) and follow it, as a browser without
    JavaScript does, to its page and on to the download: the download's response."""
    started = client.get(url)
    assert started.status_code == 302, started.content[:300]
    page = client.get(started["Location"])
    assert page.status_code == 200
    link = re.search(r'href="(/exports/[0-9a-f-]+/download/)"', page.content.decode())
    assert link, page.content.decode()
    return client.get(link[1])


@pytest.fixture
def download(auditor_client):
    """GET an export URL as an auditor (a list export through its background job): the
    response, its bytes and the record it wrote."""

    def _download(url):
        if url.startswith("/comparisons/export/"):
            response = finished_export(auditor_client, url)
        else:
            response = auditor_client.get(url)
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Disposition"].startswith("attachment; filename=")
        record = ExportRecord.objects.get(export_id=response["X-Export-Id"])
        return response, response.content, record

    return _download


def squeezed(text: str) -> str:
    """Extracted PDF text with line breaks and runs of spaces as single spaces."""
    return re.sub(r"\s+", " ", text)


def pdf_text(data: bytes) -> str:
    return squeezed(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def verify_file(path) -> tuple[int, str]:
    """manage.py verify_export PATH: its exit status and what it printed (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_export", str(path), stdout=out, stderr=err)
    except SystemExit as exited:
        return exited.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def export_of(*codes: str, as_of: date | None = None) -> exports.Export:
    """An export of one comparison of `codes`, as far as its file name needs one."""
    stamp = exports.Stamp(
        export_id=uuid4(),
        generated_at=timezone.now(),
        generated_by="a",
        app_version="1",
        as_of=as_of,
        scope="",
    )
    document = {"codes": [{"code": code} for code in codes], "notices": []}
    return exports.Export(stamp=stamp, comparisons=[document])


def assert_logged(record, data, *, fmt, user="auditor", rows=2):
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert (record.format, record.username, record.user.username) == (fmt, user, user)
    assert record.row_count == rows
    assert record.app_version == metadata.version("coderef")


# --- One comparison, each format ------------------------------------------------------------


@pytest.mark.any_database
def test_csv_has_a_row_per_code_with_texts_differences_stamp_and_notice(download):
    response, data, record = download(f"{PAIR}&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="coderef-63707-vs-63709-{TODAY}.csv"'
    )
    first, second = csv_rows(data)
    assert (first["code"], second["code"]) == ("63707", "63709")
    assert first["title"] == TITLE_63707
    assert second["title"] == TITLE_63709
    assert DESCRIPTOR_63709 in second["descriptor"]
    assert "Laminectomy: Not done" in first["differences"].splitlines()
    assert "Laminectomy: Done to reach the leak, included" in second["differences"].splitlines()
    assert first["note_summary"] == "Same condition; 63709 adds a laminectomy to reach the leak."
    assert (first["code_version"], first["note_version"]) == ("1", "1")
    assert first["code_updated_at"] == "2026-01-01 00:00:00 UTC"
    assert first["note_needs_review"] == "no"
    assert AMA in first["copyright_notice"]
    assert first["export_id"] == second["export_id"] == str(record.export_id)
    assert first["generated_by"] == "auditor"
    assert first["app_version"] == metadata.version("coderef")
    assert first["generated_at"] == record.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert first["as_of"] == ""
    assert_logged(record, data, fmt="csv")
    assert (record.codes, record.filters, record.as_of) == ("63707,63709", "", None)


@pytest.mark.any_database
def test_xlsx_has_the_codes_side_by_side_the_differences_table_and_an_about_sheet(download):
    response, data, record = download(f"{PAIR}&format=xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["About this export", "63707 vs 63709"]
    about = {row[0]: row[1] for row in workbook["About this export"].iter_rows(values_only=True)}
    assert about["Export id"] == str(record.export_id)
    assert about["Generated by"] == "auditor"
    assert about["coderef version"] == metadata.version("coderef")
    assert about["Texts as of"] == "the time of export (current texts)"
    assert AMA in about["Copyright"]

    sheet = workbook["63707 vs 63709"]
    assert sheet.freeze_panes == "B2"
    assert [cell.value for cell in sheet[1]] == [None, "63707 (cpt)", "63709 (cpt)"]
    assert all(cell.font.bold for cell in sheet[1][1:])
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert [cell.value for cell in rows["Title"][1:]] == [TITLE_63707, TITLE_63709]
    assert rows["Title"][1].alignment.wrap_text
    assert [cell.value for cell in rows["Version"][1:]] == [1, 1]
    assert rows["Updated at (UTC)"][1].value == "2026-01-01 00:00:00 UTC"
    # The differences are a table of their own, under a bold header naming the codes.
    assert [cell.value for cell in rows["What differs"]] == ["What differs", "63707", "63709"]
    assert rows["What differs"][1].font.bold
    assert [cell.value for cell in rows["Laminectomy"]] == [
        "Laminectomy",
        "Not done",
        "Done to reach the leak, included",
    ]
    assert rows["Note version"][1].value == 1
    assert rows["Needs review"][1].value == "no"
    assert AMA in rows["Copyright"][1].value
    assert sheet.column_dimensions["B"].width > 40
    assert_logged(record, data, fmt="xlsx")


@pytest.mark.any_database
def test_json_is_the_api_document_with_the_stamp(download, auditor_client):
    response, data, record = download(f"{PAIR}&format=json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(data)
    stamp = document.pop("export")
    assert document == auditor_client.get("/api/compare?codes=63707,63709").json()
    signature = stamp.pop("signature")
    assert re.fullmatch("[0-9a-f]{64}", signature)
    assert stamp == {
        "export_id": str(record.export_id),
        "generated_at": record.created_at.isoformat(),
        "generated_by": "auditor",
        "app_version": metadata.version("coderef"),
        "as_of": None,
        "scope": "The comparison of 63707, 63709",
        "releases": [],  # today's texts
        "notices": document["notices"],
    }
    assert AMA in stamp["notices"][0]["notice"]
    assert_logged(record, data, fmt="json")


@pytest.mark.any_database
def test_pdf_shows_the_comparison_the_differences_the_stamp_and_page_numbers(download):
    response, data, record = download(f"{PAIR}&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'-{TODAY}-a4.pdf"')
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert [round(float(size)) for size in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    text = pdf_text(data)
    assert TITLE_63707 in text
    # 63709's title with the words it drops from 63707's struck through in place.
    assert "or pseudomeningocele, without with laminectomy" in text
    assert "Word marks compare each code with 63707" in text
    assert "Laminectomy Not done Done to reach the leak, included" in text
    assert "Same condition; 63709 adds a laminectomy to reach the leak." in text
    assert "version 1, updated 2026-01-01 00:00:00 UTC" in text
    assert f"coderef export {record.export_id}" in text  # the header of every page
    assert "Generated by auditor" in text
    assert AMA in text
    assert "Page 1 of 1" in text
    assert reader.metadata.title == f"coderef export {record.export_id}"
    assert_logged(record, data, fmt="pdf")
    # Read from the PDF's metadata, for verify_export to name the export an altered copy is.
    assert verify.seal_of(data).export_id == record.export_id


@pytest.mark.any_database
def test_pdf_on_letter_paper_and_texts_with_markup_shown_as_text(download):
    Code.objects.filter(code="63707").update(
        title='<script>alert("x")</script> <b>Bold</b> & =HYPERLINK("http://evil.example")'
    )
    response, data, record = download(f"{PAIR}&format=pdf&paper=letter")
    reader = PdfReader(io.BytesIO(data))
    assert [round(float(size)) for size in reader.pages[0].mediabox[2:]] == [612, 792]
    assert response["Content-Disposition"].endswith('-letter.pdf"')
    assert record.filename.endswith("-letter.pdf")
    assert '<script>alert("x")</script> <b>Bold</b> & =HYPERLINK' in pdf_text(data)


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ],
)
@pytest.mark.any_database
def test_cells_that_would_be_formulas_get_an_apostrophe(value):
    assert cells.neutralised(value) == "'" + value
    assert cells.neutralised("Not done") == "Not done"
    assert cells.neutralised(3) == 3


@pytest.mark.any_database
def test_a_text_starting_like_a_formula_stays_text_in_csv_and_xlsx(download):
    formula = '=HYPERLINK("http://evil.example","click")'
    Code.objects.filter(code="63707").update(title=formula)
    Differentiator.objects.filter(label="Laminectomy").update(value_a="-1 level")
    _, data, _ = download(f"{PAIR}&format=csv")
    first, _ = csv_rows(data)
    assert first["title"] == "'" + formula
    assert "Laminectomy: -1 level" in first["differences"]  # inside a cell: harmless
    _, data, _ = download(f"{PAIR}&format=xlsx")
    sheet = load_workbook(io.BytesIO(data))["63707 vs 63709"]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert rows["Title"][1].value == "'" + formula
    assert rows["Title"][1].data_type == "s"
    assert rows["Laminectomy"][1].value == "'-1 level"


@pytest.mark.any_database
def test_the_columns_follow_the_order_asked_for(download):
    _, data, _ = download("/compare/export/?codes=63709,63707&format=csv")
    first, second = csv_rows(data)
    assert (first["code"], second["code"]) == ("63709", "63707")
    assert "Laminectomy: Done to reach the leak, included" in first["differences"]


@pytest.mark.any_database
def test_three_codes_and_two_notes_in_one_csv(download):
    myelo, dural = Code.objects.get(code="63706"), Code.objects.get(code="63707")
    note = ComparisonNote.objects.create(code_a=myelo, code_b=dural, summary="Not the same sac.")
    Differentiator.objects.create(note=note, label="Sac", value_a="Open sac", value_b="No sac")
    _, data, record = download("/compare/export/?codes=63704,63706,63707&format=csv")
    rows = {row["code"]: row for row in csv_rows(data)}
    assert record.row_count == 3
    # 63706 is in both notes: each value is prefixed with its pair.
    assert rows["63706"]["note_summary"].splitlines() == [
        "[63704 vs 63706] Same repair; the code turns on the width of the defect: "
        "under 5 cm vs over 5 cm.",
        "[63706 vs 63707] Not the same sac.",
    ]
    assert rows["63706"]["differences"].splitlines() == [
        "[63704 vs 63706] Defect width: Larger than 5 cm",
        "[63704 vs 63706] Exactly 5 cm: Ambiguous: the descriptor wording does not cover it",
        "[63704 vs 63706] Typical closure: Flaps of skin, muscle or fascia often needed",
        "[63706 vs 63707] Sac: Open sac",
    ]
    assert rows["63707"]["note"] == "63706 vs 63707"


# --- The log and verify_export ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "pdf"])
def test_verify_export_accepts_the_file_and_refuses_one_changed_byte(download, tmp_path, fmt):
    _, data, record = download(f"{PAIR}&format={fmt}")
    exported = tmp_path / record.filename
    exported.write_bytes(data)
    status, said = verify_file(exported)
    assert status == 0
    assert said.startswith(f"VERIFIED: {exported} is byte-identical to export ")
    assert str(record.export_id) in said
    assert "made by auditor" in said

    changed = bytearray(data)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256
    exported.write_bytes(bytes(changed))
    status, said = verify_file(exported)
    assert status == 1
    assert said.startswith(f"NOT VERIFIED: {exported} ")
    assert hashlib.sha256(changed).hexdigest() in said


def test_verify_export_says_which_export_an_altered_file_claims_to_be(download, tmp_path):
    _, data, record = download(f"{PAIR}&format=csv")
    altered = tmp_path / "altered.csv"
    altered.write_bytes(data.replace(b"Not done", b"Not dune"))
    status, message = verify_file(altered)
    assert status == 1
    assert message.startswith("NOT VERIFIED:")
    assert f"names export {record.export_id}" in message
    assert "it was changed after export" in message


def test_verify_export_refuses_a_file_it_never_made_or_cannot_read(db, tmp_path):
    stranger = tmp_path / "stranger.pdf"
    stranger.write_bytes(b"%PDF-1.7 not ours")
    status, said = verify_file(stranger)
    assert status == 1
    assert "names no logged export" in said
    status, said = verify_file(tmp_path / "missing.csv")
    assert status == 1
    assert "Cannot read" in said


def test_every_export_is_a_new_record_with_its_own_id(download):
    _, first, one = download(f"{PAIR}&format=json")
    _, second, other = download(f"{PAIR}&format=json")
    assert one.export_id != other.export_id
    assert hashlib.sha256(first).hexdigest() != hashlib.sha256(second).hexdigest()


FORMATS = ["csv", "xlsx", "json", "pdf"]
NOT_IN_LOG = (
    "export id not in this database's log (restored or another instance's database?) — "
    "signature valid: the file is unaltered."
)


def rezipped(data: bytes, old: bytes = b"", new: bytes = b"") -> bytes:
    """The workbook `data` zipped again, with `old` replaced by `new` in its members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, content.replace(old, new) if old else content, compresslevel=1)
    return out.getvalue()


def altered(fmt: str, data: bytes) -> bytes:
    """The export changed as someone might change it, the file still readable: a difference
    value edited in the text, the workbook's shared strings, or a page added to the PDF."""
    if fmt in ("csv", "json"):
        return data.replace(b"Not done", b"Not dune")
    if fmt == "xlsx":
        return rezipped(data, b"Not done", b"Not dune")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_whose_export_is_not_in_the_log_verifies_by_its_signature(download, tmp_path, fmt):
    # As after a database restore: the file is genuine, the log no longer has it.
    _, data, record = download(f"{PAIR}&format={fmt}")
    exported = tmp_path / record.filename
    exported.write_bytes(data)
    ExportRecord.objects.all().delete()
    status, said = verify_file(exported)
    assert status == 0
    assert said.startswith(f"VERIFIED: {exported} is export {record.export_id}")
    assert NOT_IN_LOG in said
    assert "not an unaltered coderef export" not in said


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_altered_file_is_not_verified_with_or_without_its_log_record(download, tmp_path, fmt):
    _, data, record = download(f"{PAIR}&format={fmt}")
    exported = tmp_path / record.filename
    exported.write_bytes(altered(fmt, data))
    status, said = verify_file(exported)
    assert status == 1
    assert said.startswith(f"NOT VERIFIED: {exported} names export {record.export_id}")
    assert "it was changed after export" in said
    ExportRecord.objects.all().delete()
    status, said = verify_file(exported)
    assert status == 1
    assert said.startswith(f"NOT VERIFIED: {exported} names export {record.export_id}, which is")
    assert "not in this database's log, and its signature does not match its content" in said


def test_a_workbook_zipped_again_unchanged_verifies_by_its_content(download, tmp_path):
    _, data, record = download(f"{PAIR}&format=xlsx")
    exported = tmp_path / record.filename
    exported.write_bytes(rezipped(data))
    assert exported.read_bytes() != data
    status, said = verify_file(exported)
    assert status == 0
    assert said.startswith(f"VERIFIED: {exported} has the content of export {record.export_id}")
    assert "(signature valid), though not its bytes" in said and "repacked, not altered" in said


def test_a_file_signed_with_another_key_does_not_verify_without_the_log(download, tmp_path):
    _, data, record = download(f"{PAIR}&format=json")
    exported = tmp_path / record.filename
    exported.write_bytes(data)
    ExportRecord.objects.all().delete()
    with override_settings(EXPORT_SIGNING_KEY="another instance's key"):
        status, said = verify_file(exported)
    assert status == 1
    assert "signed with another CODEREF_EXPORT_SIGNING_KEY" in said


def test_verify_export_on_the_command_line_prints_one_line_and_exits_1(
    db, tmp_path, capsys, monkeypatch
):
    # The command's own connection handling would close the test's database connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    stranger = tmp_path / "stranger.csv"
    stranger.write_bytes(b"code,title\n63707,Repair\n")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_export", str(stranger)]).execute()
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith(f"NOT VERIFIED: {stranger} names no logged export")
    assert len(printed.err.strip().splitlines()) == 1
    assert "CommandError" not in printed.err and "Traceback" not in printed.err


def test_verify_export_says_what_a_pdf_holds_pages_and_notes_not_rows(download, tmp_path):
    _, data, record = download(f"{PAIR}&format=pdf")
    exported = tmp_path / record.filename
    exported.write_bytes(data)
    status, said = verify_file(exported)
    assert status == 0
    assert "(coderef " in said and ", 1 page, 1 note, file coderef-63707-vs-63709-" in said
    assert "rows" not in said
    _, data, record = download(f"{PAIR}&format=csv")
    exported.write_bytes(data)
    assert ", 2 rows, file " in verify_file(exported)[1]


# --- Texts exports must survive ----------------------------------------------------------------


@pytest.mark.any_database
@pytest.mark.parametrize("url", [f"{PAIR}&format=xlsx", "/comparisons/export/?format=xlsx"])
def test_a_vertical_tab_pasted_from_word_does_not_break_the_workbooks(download, url):
    Code.objects.filter(code="63707").update(title="Repair of dural\x0bleak, without laminectomy")
    ComparisonNote.objects.filter(code_a__code="63707").update(
        summary="Same condition;\x0b63709 adds a laminectomy\x01."
    )
    _, data, _ = download(url)
    workbook = load_workbook(io.BytesIO(data))
    rows = {row[0].value: row for row in workbook["63707 vs 63709"].iter_rows() if row[0].value}
    assert rows["Title"][1].value == "Repair of dural\nleak, without laminectomy"
    assert rows["Note: 63707 vs 63709"][1].value == "Same condition;\n63709 adds a laminectomy."


@pytest.mark.any_database
@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_control_characters_are_taken_out_of_every_other_format(download, fmt):
    Code.objects.filter(code="63707").update(title="Repair of dural\x0bleak\x07, without")
    _, data, _ = download(f"{PAIR}&format={fmt}")
    text = pdf_text(data) if fmt == "pdf" else data.decode("utf-8-sig")
    assert "\x0b" not in text and "\\u000b" not in text and "\x07" not in text
    assert "Repair of dural" in text and ("leak, without" in text)


# --- What each format shows ---------------------------------------------------------------------


@pytest.mark.any_database
def test_the_pdf_file_name_carries_the_paper_size():
    export = export_of("63707", "63709")
    day = f"{export.stamp.generated_at:%Y-%m-%d}"
    assert exports.filename(export, "pdf", paper="letter") == (
        f"coderef-63707-vs-63709-{day}-letter.pdf"
    )
    assert exports.filename(export, "pdf") == f"coderef-63707-vs-63709-{day}-a4.pdf"
    assert exports.filename(export, "csv", paper="letter") == f"coderef-63707-vs-63709-{day}.csv"


@pytest.mark.any_database
def test_the_pdf_shows_each_notes_review_status(download):
    _, data, _ = download(f"{PAIR}&format=pdf")
    assert "Needs review: no." in pdf_text(data)
    Code.objects.filter(code="63709").update(texts_changed_at=timezone.now())
    _, data, _ = download(f"{PAIR}&format=pdf")
    text = pdf_text(data)
    assert "Needs review: yes, a text of 63707 vs 63709 changed after this note was last" in text
    assert "Needs review: no." not in text


@pytest.mark.any_database
def test_json_lists_instructional_notes_and_writes_times_in_iso_8601(download, auditor_client):
    Code.objects.filter(code="63707").update(
        instructional_notes="Code also: any graft\n\nExcludes1: spinal tap leak"
    )
    _, data, record = download(f"{PAIR}&format=json")
    document = json.loads(data)
    first = document["codes"][0]
    assert first["instructional_notes"] == ["Code also: any graft", "Excludes1: spinal tap leak"]
    assert isinstance(first["inclusion_terms"], list)
    api = auditor_client.get("/api/compare?codes=63707,63709").json()
    assert api["codes"][0]["instructional_notes"] == first["instructional_notes"]
    assert datetime.fromisoformat(document["export"]["generated_at"]) == record.created_at
    assert datetime.fromisoformat(first["updated_at"]).tzinfo is not None
    _, data, _ = download(f"{PAIR}&format=csv")
    assert csv_rows(data)[0]["instructional_notes"] == (
        "Code also: any graft\nExcludes1: spinal tap leak"
    )


@pytest.mark.any_database
def test_the_exports_say_whether_each_descriptor_is_official_or_a_paraphrase(
    download, auditor_client
):
    Code.objects.filter(code="63709").update(descriptor_kind="official")
    api = auditor_client.get("/api/codes/cpt/63707").json()
    assert api["descriptor_kind"] == "paraphrase"  # the sample's CPT texts are our own words
    _, data, _ = download(f"{PAIR}&format=csv")
    assert [row["descriptor_kind"] for row in csv_rows(data)] == ["paraphrase", "official"]
    _, data, _ = download(f"{PAIR}&format=xlsx")
    sheet = load_workbook(io.BytesIO(data))["63707 vs 63709"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Descriptor is")
    assert row[1:3] == ("paraphrase", "official")


# --- The list export --------------------------------------------------------------------------


@pytest.mark.any_database
def test_the_list_export_holds_every_note_in_one_file(download):
    response, data, record = download("/comparisons/export/?format=csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="coderef-comparisons-{TODAY}.csv"'
    )
    rows = csv_rows(data)
    assert [(row["comparison"], row["code"]) for row in rows] == [
        ("63704 vs 63706", "63704"),
        ("63704 vs 63706", "63706"),
        ("63707 vs 63709", "63707"),
        ("63707 vs 63709", "63709"),
    ]
    assert (record.row_count, record.codes, record.filters) == (4, "", "")


@pytest.mark.any_database
def test_the_list_export_keeps_the_filters_of_the_list(download):
    _, data, record = download("/comparisons/export/?format=json&system=cpt&code=63709")
    document = json.loads(data)
    assert document["export"]["scope"] == "Comparison notes matching system=cpt, code=63709"
    [comparison] = document["comparisons"]
    assert [code["code"] for code in comparison["codes"]] == ["63707", "63709"]
    assert record.filters == "system=cpt&code=63709"
    _, data, _ = download("/comparisons/export/?format=json&text=myelomeningocele")
    assert [c["url"] for c in json.loads(data)["comparisons"]] == ["/compare/?codes=63704,63706"]


@pytest.mark.any_database
def test_each_comparison_of_the_list_export_is_the_api_document(download, auditor_client):
    _, data, _ = download("/comparisons/export/?format=json")
    for comparison in json.loads(data)["comparisons"]:
        codes = ",".join(code["code"] for code in comparison["codes"])
        assert comparison == auditor_client.get(f"/api/compare?codes={codes}").json()


@pytest.mark.any_database
def test_the_list_workbook_has_an_index_and_a_sheet_per_comparison(download):
    _, data, _ = download("/comparisons/export/?format=xlsx")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        "About this export",
        "Comparisons",
        "63704 vs 63706",
        "63707 vs 63709",
    ]
    index = list(workbook["Comparisons"].iter_rows(values_only=True))
    assert index[0] == ("Sheet", "Codes", "The difference", "Needs review")
    assert index[2][:2] == ("63707 vs 63709", "cpt:63707, cpt:63709")
    assert workbook["Comparisons"].freeze_panes == "A2"


@pytest.mark.any_database
def test_sheet_names_keep_to_excels_rules():
    comparisons = [
        {"codes": [{"code": "G96.00"}, {"code": "G97.41"}]},
        {"codes": [{"code": c} for c in ("63704", "63706", "63707", "63709")]},
        {"codes": [{"code": c} for c in ("63704", "63706", "63707", "63709")]},
        {"codes": [{"code": "A:B"}, {"code": "C/D"}]},
    ]
    titles = xlsx._sheet_titles(comparisons)
    assert titles == [
        "G96.00 vs G97.41",
        "63704, 63706, 63707, 63709",
        "63704, 63706, 63707, 63709 (2)",
        "A-B vs C-D",
    ]
    assert all(len(title) <= 31 for title in titles)


@pytest.mark.any_database
def test_the_list_pdf_numbers_the_pages_of_each_comparison(download, monkeypatch):
    # One comparison per part: the parts are laid out by worker processes and joined.
    monkeypatch.setattr(pdf_format, "PDF_PART_SIZE", 1)
    _, data, record = download("/comparisons/export/?format=pdf")
    pages = [squeezed(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    assert "Comparison notes" in pages[0] and "All comparison notes" in pages[0]
    assert "Comparison 1 of 2: 63704 vs 63706" in pages[1]
    assert "Comparison 2 of 2: 63707 vs 63709" in pages[-1]
    assert pages[-1].rstrip().endswith("Comparison 2 of 2: 63707 vs 63709, page 1")
    assert "Laminectomy Not done Done to reach the leak, included" in pages[-1]
    assert all(f"coderef export {record.export_id}" in page for page in pages)
    assert all(AMA in page for page in pages)
    assert PdfReader(io.BytesIO(data)).metadata.title == f"coderef export {record.export_id}"
    assert verify.seal_of(data).export_id == record.export_id


def test_the_list_export_makes_the_same_queries_for_many_notes(download):
    def queries(fmt):
        with CaptureQueriesContext(connection) as captured:
            download(f"/comparisons/export/?format={fmt}")
        return len(captured)

    few = queries("csv")
    system = Code.objects.get(code="63707").system
    codes = Code.objects.bulk_create(
        Code(system=system, code=f"{10000 + n}", title=f"Code {n}") for n in range(40)
    )
    notes = ComparisonNote.objects.bulk_create(
        ComparisonNote(code_a=codes[n], code_b=codes[n + 1], summary=f"Pair {n}")
        for n in range(0, 40, 2)
    )
    Differentiator.objects.bulk_create(
        Differentiator(note=note, label="Row", value_a="a", value_b="b") for note in notes
    )
    assert queries("csv") == few
    assert queries("xlsx") == few


# --- Who may export, and bad input -----------------------------------------------------------


@pytest.mark.any_database
@pytest.mark.parametrize("user", ["coder", "editor", "nobody"])
@pytest.mark.parametrize("url", [f"{PAIR}&format=csv", "/comparisons/export/?format=csv"])
def test_only_auditors_and_superusers_may_export(client, sample, request, user, url):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url).status_code == 403
    assert not ExportRecord.objects.exists()


@pytest.mark.any_database
def test_a_superuser_may_export(client, sample, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x" * 20))
    assert client.get(f"{PAIR}&format=json").status_code == 200
    assert ExportRecord.objects.get().username == "root"


@pytest.mark.any_database
def test_signed_out_users_are_sent_to_log_in(client, sample):
    response = client.get(f"{PAIR}&format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.any_database
def test_export_buttons_show_only_to_those_who_may_export(client, sample, coder, auditor):
    client.force_login(coder)
    assert 'class="exports"' not in client.get("/compare/?codes=63707,63709").content.decode()
    assert 'class="exports"' not in client.get("/comparisons/").content.decode()
    client.force_login(auditor)
    html = client.get("/compare/?codes=63707,63709").content.decode()
    links = re.findall(r'<a class="button" href="(/compare/export/[^"]+)">([^<]+)</a>', html)
    assert links == [
        ("/compare/export/?codes=63707,63709&amp;format=csv", "CSV"),
        ("/compare/export/?codes=63707,63709&amp;format=xlsx", "Excel (XLSX)"),
        ("/compare/export/?codes=63707,63709&amp;format=pdf", "PDF (A4)"),
        ("/compare/export/?codes=63707,63709&amp;format=pdf&amp;paper=letter", "PDF (Letter)"),
        ("/compare/export/?codes=63707,63709&amp;format=json", "JSON"),
    ]
    html = client.get("/comparisons/?system=cpt&code=637&text=").content.decode()
    assert (
        '<a class="button" href="/comparisons/export/?system=cpt&amp;code=637&amp;format=xlsx">'
        in html
    )
    assert "Export the notes matching the filter:" in html


@pytest.mark.any_database
def test_every_export_link_on_the_page_downloads(auditor_client):
    html = auditor_client.get("/compare/?codes=63709,63707").content.decode()
    for url in re.findall(r'href="(/compare/export/[^"]+)"', html):
        response = auditor_client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="coderef-63709')


BAD_EXPORTS = [
    (f"{PAIR}&format=doc", "format: Choose a format: csv, xlsx, pdf, json."),
    (PAIR, "format: Choose a format: csv, xlsx, pdf, json."),
    (f"{PAIR}&format=pdf&paper=a3", "paper: Choose a paper size for PDFs: a4 or letter."),
    (f"{PAIR}&format=csv&as_of=2026-02-30", "as_of: Write the date as YYYY-MM-DD"),
    (f"{PAIR}&format=csv&as_of=yesterday", "as_of: Write the date as YYYY-MM-DD"),
    (f"{PAIR}&format=csv&as_of=2999-01-01", "as_of: 2999-01-01 is in the future"),
    (
        f"{PAIR}&format=csv&as_of=2025-12-31",
        "63707 was not in coderef yet at the end of 2025-12-31 (UTC)",
    ),
    ("/compare/export/?codes=63707,99999&format=csv", "No code '99999' was found."),
    ("/compare/export/?codes=63707&format=csv", "Name at least two codes to compare"),
    ("/compare/export/?format=csv", "Name at least two codes to compare"),
    ("/comparisons/export/?format=docx", "format: Choose a format"),
    ("/comparisons/export/?format=csv&system=nope", "system: Select a valid choice."),
    ("/comparisons/export/?format=csv&as_of=2026-01-01", "as_of works for one comparison"),
]


@pytest.mark.parametrize(("url", "message"), BAD_EXPORTS)
def test_bad_input_is_a_400_with_a_message_and_no_record(auditor_client, url, message):
    response = auditor_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_an_empty_list_export_is_still_a_stamped_file(download):
    _, data, record = download("/comparisons/export/?format=json&code=E0601")
    document = json.loads(data)
    assert document["comparisons"] == []
    assert document["export"]["export_id"] == str(record.export_id)
    assert record.row_count == 0


def test_export_records_are_read_only_in_the_admin(client, auditor, download):
    _, _, record = download(f"{PAIR}&format=csv")
    client.force_login(auditor)
    listing = client.get("/admin/codes/exportrecord/")
    assert listing.status_code == 200
    assert str(record.export_id) in listing.content.decode()
    page = client.get(f"/admin/codes/exportrecord/{record.pk}/change/")
    assert page.status_code == 200
    assert record.sha256 in page.content.decode()
    assert 'name="sha256"' not in page.content.decode()  # shown, not editable
    assert client.get("/admin/codes/exportrecord/add/").status_code == 403


@pytest.mark.any_database
def test_the_filename_names_the_day_the_texts_are_from():
    export = export_of("G96.00", "63707", as_of=date(2026, 3, 1))
    assert exports.filename(export, "pdf") == "coderef-G96.00-vs-63707-as-of-2026-03-01-a4.pdf"
