"""Imports that cannot wipe a code set, and the same line errors on SQLite and PostgreSQL."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from codes.models import Code

ROOT = Path(__file__).resolve().parent.parent
HCPCS_SLICE = ROOT / "fixtures" / "hcpcs-2019-slice.txt"
ICD10CM_XML = (
    Path(__file__).resolve().parent / "data" / "icd10cm" / "icd10cm-tabular-2026-small.xml"
)


def run(path: Path, system: str, **options: object) -> str:
    out = StringIO()
    call_command("import_codes", str(path), system=system, stdout=out, **options)
    return out.getvalue()


def refused(path: Path, system: str, **options: object) -> str:
    with pytest.raises(CommandError) as caught:
        run(path, system, **options)
    return str(caught.value)


def state(system: str) -> dict[str, tuple[str, str, int]]:
    """Every code of the system with its title, status and version: what an import may change."""
    return {
        code.code: (code.title, code.status, code.version)
        for code in Code.objects.filter(system__slug=system)
    }


def hcpcs_records() -> list[bytes]:
    """The HCPCS slice's lines, preamble and records."""
    return HCPCS_SLICE.read_bytes().split(b"\r\n")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cpt.csv", "code,title,descriptor\n"),
        ("cpt.csv", ""),
        ("cpt.jsonl", ""),
        ("cpt.jsonl", "\n\n"),
    ],
)
def test_a_file_with_no_records_is_refused_and_deletes_nothing(sample, tmp_path, name, text):
    before = state("cpt")
    path = tmp_path / name
    path.write_text(text)
    message = refused(path, "cpt")
    assert name in message
    assert "lists no codes" in message or "empty" in message
    assert state("cpt") == before


def test_an_hcpcs_file_cut_in_half_is_refused_at_the_cut(sample, tmp_path):
    data = HCPCS_SLICE.read_bytes()
    path = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    cut = len(data) // 2
    path.write_bytes(data[:cut])
    before = state("hcpcs")
    message = refused(path, "hcpcs")
    line = data[:cut].count(b"\n") + 1
    assert f"HCPC2019_CONTR_ANWEB.txt, line {line}:" in message
    assert "an HCPCS record has 320" in message and "cut short" in message
    assert state("hcpcs") == before


def test_an_hcpcs_record_without_its_trailing_blanks_is_refused(sample, tmp_path):
    lines = hcpcs_records()
    first = next(i for i, line in enumerate(lines) if len(line) == 320)
    lines[first] = lines[first].rstrip()
    path = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    path.write_bytes(b"\r\n".join(lines))
    message = refused(path, "hcpcs")
    assert f"line {first + 1}:" in message and "320" in message


def test_a_release_that_would_delete_many_codes_needs_allow_deletions(sample, tmp_path):
    run(HCPCS_SLICE, "hcpcs")
    lines = hcpcs_records()
    # Keep the preamble and the first hundred records: a release that lost two thirds of its
    # codes, cut cleanly at a record boundary, so only the count can tell.
    records = [i for i, line in enumerate(lines) if len(line) == 320 and line[10:11] == b"3"]
    shortened = lines[: records[100]]
    path = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    path.write_bytes(b"\r\n".join(shortened) + b"\r\n")
    before = state("hcpcs")
    active = sum(1 for _, status, _ in before.values() if status == Code.Status.ACTIVE)

    kept = {lines[i][:5].decode().strip() for i in records[:100]}
    deleted = sum(
        1 for code, (_, status, _) in before.items() if status == "active" and code not in kept
    )

    message = refused(path, "hcpcs")
    assert f"would mark {deleted:,} of the {active:,} active" in message
    assert f"--allow-deletions {deleted}" in message
    assert state("hcpcs") == before

    message = refused(path, "hcpcs", allow_deletions=deleted - 1)
    assert f"more than the {deleted - 1:,} --allow-deletions allows" in message
    assert state("hcpcs") == before

    output = run(path, "hcpcs", allow_deletions=deleted)
    assert f"{deleted:,} deleted" in output
    assert Code.objects.filter(system__slug="hcpcs", status=Code.Status.ACTIVE).count() == (
        active - deleted
    )


def test_a_few_deletions_need_no_flag(sample, tmp_path):
    run(HCPCS_SLICE, "hcpcs")
    lines = hcpcs_records()
    last = max(i for i, line in enumerate(lines) if len(line) == 320 and line[10:11] == b"3")
    path = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    path.write_bytes(b"\r\n".join(lines[:last]) + b"\r\n")  # the last code left out
    assert "1 deleted" in run(path, "hcpcs")


def jsonl(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "cpt.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


GOOD = {"code": "63707", "title": "Repair of a dural leak without laminectomy"}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            {"code": "63709", "title": "Repair\u0000 with laminectomy"},
            "title of code 63709 holds a NUL",
        ),
        (
            {"code": "63709", "title": "Repair", "descriptor": "a\u0000b"},
            "descriptor of code 63709",
        ),
        (
            {"code": "63709", "title": "Repair", "section": "Spine > " + "x" * 600},
            "section_path of code 63709 is 608 characters long, at most 500 fit",
        ),
        (
            {"code": "63709", "title": "Repair", "status": "deleted"},
            "code 63709 is deleted without an end date",
        ),
    ],
)
def test_text_either_database_would_refuse_is_a_line_error_on_both(sample, tmp_path, row, reason):
    before = state("cpt")
    message = refused(jsonl(tmp_path, GOOD, row), "cpt", partial=True)
    assert f"cpt.jsonl, line 2: {reason}" in message
    assert state("cpt") == before


def xml_with(tmp_path: Path, old: str, new: str) -> Path:
    text = ICD10CM_XML.read_text()
    assert old in text
    path = tmp_path / "icd10cm-tabular-2026.xml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("version", ["2026-draft", "99999", "", "1999"])
def test_an_unexpected_version_is_a_one_line_error(sample, tmp_path, version):
    path = xml_with(tmp_path, "<version>2026</version>", f"<version>{version}</version>")
    message = refused(path, "icd10cm", partial=True)
    assert message.startswith("icd10cm-tabular-2026.xml, line 3: wrong layout: <version> is")
    assert "\n" not in message


def test_absurd_nesting_is_a_one_line_error_not_a_recursion_error(sample, tmp_path):
    deep = "<diag><name>J44</name><desc>x</desc>" * 5000 + "</diag>" * 5000
    path = xml_with(tmp_path, "<diag>", deep + "<diag>")
    message = refused(path, "icd10cm", partial=True)
    assert "icd10cm-tabular-2026.xml, line" in message
    assert "nested more than 32 deep" in message
    assert "\n" not in message
