"""Code-set releases: each import records one; older ones only with --historical; what a release
did to each code, to the notes naming it and to editors' lay descriptions.

The slices in tests/data/releases are the ICD-10-CM aortic aneurysm codes (I71) of FY2022 to
FY2025 as CMS published them (FY2023 split I71.1-I71.6, FY2024 renamed four of the new codes'
"abdominal aorta" to "thoracoabdominal aorta"); the FY2025 slice leaves I71.51 out, so in these
tests FY2025 deletes it.
"""

import csv
import hashlib
import importlib
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape
from openpyxl import load_workbook

from codes.models import Code, CodeSystem, ComparisonNote, ExportRecord, Release, ReleaseCode

DATA = Path(__file__).resolve().parent / "data" / "releases"


def slice_of(year: int) -> Path:
    return DATA / f"icd10cm-codes-{year}-small.txt"


def run(year: int | Path, **options) -> str:
    path = year if isinstance(year, Path) else slice_of(year)
    out = StringIO()
    call_command("import_codes", str(path), system="icd10cm", stdout=out, **options)
    return out.getvalue()


def refused(year: int | Path, **options) -> str:
    with pytest.raises(CommandError) as caught:
        run(year, **options)
    return str(caught.value)


def load(*years: int) -> None:
    """Import these years' slices in turn (into the code systems the migrations make, made
    again where a transactional test's flush took them)."""
    for system in importlib.import_module(
        "codes.migrations.0006_import_code_systems"
    ).STANDARD_SYSTEMS:
        defaults = {key: value for key, value in system.items() if key != "slug"}
        CodeSystem.objects.get_or_create(slug=system["slug"], defaults=defaults)
    for year in years:
        run(year, allow_deletions=10)


def changes(label: str) -> dict[str, str]:
    return dict(ReleaseCode.objects.filter(release__label=label).values_list("code__code", "kind"))


def state() -> dict[str, tuple[str, str, int]]:
    return {c.code: (c.title, c.status, c.version) for c in Code.objects.all()}


@pytest.mark.django_db
def test_every_import_records_its_release_with_counts_and_changes():
    output = run(2022)
    assert "release FY2022 recorded (the first one recorded, effective 2021-10-01)" in output
    load(2023, 2024)
    fy2023 = Release.objects.get(label="FY2023")
    assert (fy2023.effective_date.isoformat(), fy2023.source_name) == (
        "2022-10-01",
        "icd10cm-codes-2023-small.txt",
    )
    assert len(fy2023.source_sha256) == 64
    assert (fy2023.added, fy2023.revised, fy2023.deleted) == (26, 0, 0)
    fy2024 = Release.objects.get(label="FY2024")
    assert (fy2024.added, fy2024.revised, fy2024.deleted, fy2024.unchanged) == (0, 4, 0, 36)
    assert changes("FY2024") == dict.fromkeys(("I71.51", "I71.52", "I71.61", "I71.62"), "revised")
    revised = ReleaseCode.objects.get(release=fy2024, code__code="I71.51")
    assert revised.old_title == "Supraceliac aneurysm of the abdominal aorta, ruptured"
    assert revised.new_title == "Supraceliac aneurysm of the thoracoabdominal aorta, ruptured"
    code = Code.objects.get(code="I71.51")
    assert code.title == revised.new_title
    assert code.history.first().history_change_reason == "release FY2024"
    load(2025)
    assert changes("FY2025") == {"I71.51": "deleted"}


@pytest.mark.django_db
def test_a_release_older_than_the_newest_is_refused_and_writes_nothing():
    load(2022, 2024)
    before, releases = state(), list(Release.objects.values_list("label", flat=True))
    message = refused(2023)
    assert message.startswith("icd10cm-codes-2023-small.txt: ICD-10-CM FY2023")
    assert "is older than FY2024 (from 2023-10-01), the newest release recorded" in message
    assert "--historical" in message and "nothing was imported" in message
    assert state() == before
    assert list(Release.objects.values_list("label", flat=True)) == releases


@pytest.mark.django_db
def test_a_historical_release_joins_the_timeline_and_keeps_todays_texts():
    load(2022, 2024)
    assert changes("FY2024")["I71.51"] == "added"  # against FY2022, before FY2023 is known
    before = state()
    output = run(2023, historical=True)
    assert "historical release FY2023 recorded" in output
    assert state() == before  # today's texts and versions: untouched
    assert Release.objects.get(label="FY2023").historical
    # FY2023 added the split codes; FY2024, now compared with FY2023, only renamed four.
    assert changes("FY2023")["I71.51"] == "added"
    assert changes("FY2024") == dict.fromkeys(("I71.51", "I71.52", "I71.61", "I71.62"), "revised")
    fy2024 = Release.objects.get(label="FY2024")
    assert (fy2024.added, fy2024.revised, fy2024.deleted) == (0, 4, 0)


@pytest.mark.django_db
def test_importing_a_release_again_records_no_second_one():
    load(2022, 2023)
    revisions = Code.history.count()
    output = run(2023)
    assert "release FY2023 is recorded already from this file: no second one" in output
    assert "0 added, 0 changed, 0 deleted, 40 unchanged" in output
    assert Release.objects.filter(label="FY2023").count() == 1
    assert Code.history.count() == revisions
    # An older release recorded from this very file: nothing to do, not an error.
    load(2024)
    assert "recorded already from this file: nothing to do" in run(2023)
    assert Code.history.count() == revisions + 4


@pytest.mark.django_db
def test_a_change_of_punctuation_or_spacing_is_no_revision(tmp_path):
    load(2022, 2023)
    path = tmp_path / "icd10cm-codes-2024.txt"
    path.write_text(
        slice_of(2023)
        .read_text()
        .replace(
            "Supraceliac aneurysm of the abdominal aorta, ruptured",
            "Supraceliac aneurysm of the abdominal aorta ruptured",
        )
    )
    output = run(path)
    assert "0 added, 0 revised, 0 deleted, 40 unchanged" in output
    assert Code.objects.get(code="I71.51").title == (
        "Supraceliac aneurysm of the abdominal aorta, ruptured"
    )


@pytest.mark.django_db
def test_a_revision_flags_the_notes_naming_the_code_and_the_lay_text_beside_it(editor):
    load(2022, 2023)
    ruptured, intact = Code.objects.get(code="I71.51"), Code.objects.get(code="I71.61")
    note = ComparisonNote.objects.create(code_a=ruptured, code_b=intact, summary="Ruptured or not")
    Code.objects.filter(pk=intact.pk).update(lay_description="A bulge of the aorta near the gut.")
    assert not note.needs_review
    load(2024)
    assert ComparisonNote.objects.get(pk=note.pk).needs_review
    intact.refresh_from_db()
    assert intact.lay_description == "A bulge of the aorta near the gut."
    assert intact.lay_review == ("The official text changed in FY2024: check the lay description.")
    assert Code.objects.get(code="I71.51").lay_review == ""  # no lay text to check


# --- what coders see ---------------------------------------------------------------------------


@pytest.fixture
def releases_loaded(db):
    load(2022, 2023)
    ruptured, intact = Code.objects.get(code="I71.51"), Code.objects.get(code="I71.61")
    ComparisonNote.objects.create(code_a=ruptured, code_b=intact, summary="Ruptured or not")
    load(2024, 2025)


def test_the_code_page_shows_the_codes_timeline_with_the_word_diff(releases_loaded, coder_client):
    page = coder_client.get("/codes/icd10cm/I71.51/").content.decode()
    timeline = page.split('<section class="timeline">')[1].split("</section>")[0]
    assert timeline.index("FY2023") < timeline.index("FY2024") < timeline.index("FY2025")
    assert "Added in FY2023" in timeline
    assert "Revised in FY2024" in timeline
    assert (
        'Supraceliac aneurysm of the <del><span class="visually-hidden">removed: </span>'
        'abdominal</del> <ins><span class="visually-hidden">inserted: </span>'
        "thoracoabdominal</ins> aorta, ruptured"
    ) in timeline
    assert "Deleted in FY2025" in timeline
    # A code of the first release recorded says so.
    page = coder_client.get("/codes/icd10cm/I71.9/").content.decode()
    assert "In the code set since FY2022, the first release recorded" in page


def test_the_release_page_shows_counts_changes_and_the_notes_it_flagged(
    releases_loaded, coder_client
):
    page = coder_client.get("/releases/icd10cm/FY2024/").content.decode()
    assert "What changed in ICD-10-CM FY2024" in page
    assert "<strong>4</strong> revised" in page and "<strong>36</strong> unchanged" in page
    flagged = page.split('<section class="flagged-notes">')[1].split("</section>")[0]
    assert "I71.51 vs I71.61" in flagged and "needs review" in flagged
    assert "<del>" in page and "thoracoabdominal</ins>" in page
    listed = coder_client.get("/releases/").content.decode()
    assert "/releases/icd10cm/FY2024/" in listed and "/releases/icd10cm/FY2022/" in listed


def test_the_release_page_filters_by_kind_and_code_prefix(releases_loaded, coder_client):
    page = coder_client.get("/releases/icd10cm/FY2023/?code=i71.1&kind=added").content.decode()
    shown = page.split('<section class="release-changes">')[1]
    assert "I71.10" in shown and "I71.13" in shown
    assert "I71.51" not in shown
    assert "<strong>4</strong> added" in page  # counted under the prefix
    assert "/releases/icd10cm/FY2023/?kind=revised&amp;code=i71.1" in page
    nothing = coder_client.get("/releases/icd10cm/FY2023/?kind=deleted&code=Z").content.decode()
    assert "No change matches these filters." in nothing


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=renamed", "kind: Choose a change: added, revised or deleted."),
        ("code=%3Cscript%3E", "code: Type the start of a code"),
    ],
)
def test_bad_release_filters_are_a_400_saying_why(releases_loaded, coder_client, query, message):
    response = coder_client.get(f"/releases/icd10cm/FY2024/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    api = coder_client.get(f"/api/releases/icd10cm/FY2024?{query}")
    assert api.status_code == 400 and message in api.json()["error"]


def test_an_unknown_release_is_a_404_naming_it(releases_loaded, coder_client):
    response = coder_client.get("/releases/icd10cm/FY1999/")
    assert response.status_code == 404
    assert "No release “FY1999” of the system “icd10cm”." in response.content.decode()
    assert coder_client.get("/api/releases/icd10cm/FY1999").status_code == 404


def test_the_release_api_has_the_changes_and_flagged_notes(releases_loaded, coder_client):
    document = coder_client.get("/api/releases/icd10cm/fy2024?kind=revised").json()
    assert (document["label"], document["effective_date"]) == ("FY2024", "2023-10-01")
    assert document["counts"] == {"added": 0, "revised": 4, "deleted": 0, "unchanged": 36}
    first = document["changes"][0]
    assert first == {
        "code": "I71.51",
        "kind": "revised",
        "old_title": "Supraceliac aneurysm of the abdominal aorta, ruptured",
        "new_title": "Supraceliac aneurysm of the thoracoabdominal aorta, ruptured",
        "old_descriptor": None,
        "new_descriptor": None,
        "url": "/codes/icd10cm/I71.51/",
    }
    (note,) = document["flagged_notes"]
    assert note["needs_review"] and note["summary"] == "Ruptured or not"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_release_page_exports_are_logged_like_the_others(
    releases_loaded, client, auditor, fmt, tmp_path
):
    client.force_login(auditor)
    response = client.get(f"/releases/icd10cm/FY2024/export/?format={fmt}&kind=revised")
    assert response.status_code == 200
    record = ExportRecord.objects.get(export_id=response["X-Export-Id"])
    assert record.sha256 == hashlib.sha256(response.content).hexdigest()
    assert record.filters == "release=icd10cm+FY2024&kind=revised"
    assert record.row_count == 4
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert 'I71.51,revised,"Supraceliac aneurysm of the abdominal aorta, ruptured"' in text
    else:
        workbook = load_workbook(io.BytesIO(response.content))
        rows = list(workbook["Changes"].iter_rows(values_only=True))
        assert rows[1][3:5] == ("I71.51", "revised")
        assert workbook["Notes to review"]["A2"].value == "icd10cm:I71.51 vs icd10cm:I71.61"
    verify = StringIO()
    path = tmp_path / record.filename
    path.write_bytes(response.content)
    call_command("verify_export", str(path), stdout=verify)
    assert verify.getvalue().startswith(f"VERIFIED: {path} is byte-identical to export")
    assert f"{fmt.upper()} of the changes of release icd10cm FY2024 matching kind=revised" in (
        verify.getvalue()
    )


def test_a_coder_without_the_auditor_role_cannot_export(releases_loaded, coder_client):
    response = coder_client.get("/releases/icd10cm/FY2024/export/?format=csv")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_database_loaded_before_releases_gets_its_timeline_from_historical_releases():
    load(2024)
    Release.objects.all().delete()  # as a database loaded before releases were recorded
    load(2025)  # the newest first: recorded over today's codes
    before = state()
    for year in (2022, 2023, 2024):  # then the older ones, oldest first
        run(year, historical=True)
    assert state() == before
    timeline = list(
        ReleaseCode.objects.filter(code__code="I71.51")
        .order_by("release__effective_date")
        .values_list("release__label", "kind")
    )
    assert timeline == [("FY2023", "added"), ("FY2024", "revised"), ("FY2025", "deleted")]
    assert Release.objects.get(label="FY2022").baseline


@pytest.mark.any_database
def test_load_public_takes_a_systems_newest_release_first_when_its_codes_predate_releases():
    from codes.importers.public import PublicSet, import_order

    sets = [
        PublicSet("icd10cm", Path(f"cm-{year}"), "cms-codes", f"FY{year}")
        for year in (2024, 2025, 2026)
    ] + [PublicSet("hcpcs", Path("hcpcs"), "cms-hcpcs", "2019")]
    order = [
        (item.system, item.version, historical)
        for item, historical in import_order(sets, {"icd10cm"})
    ]
    assert order == [
        ("icd10cm", "FY2026", False),
        ("icd10cm", "FY2024", True),
        ("icd10cm", "FY2025", True),
        ("hcpcs", "2019", False),
    ]
    assert [historical for _, historical in import_order(sets, set())] == [False] * 4


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        ("2021-06-01", "no ICD-10-CM release recorded was in force yet"),
        ("2022-06-01", "ICD-10-CM FY2022</a> was in force (effective 2021-10-01)"),
        (
            "2023-06-01",
            '<q class="title-then">Supraceliac aneurysm of the abdominal aorta, ruptured',
        ),
        ("2024-06-01", '<q class="title-then">Supraceliac aneurysm of the thoracoabdominal aorta'),
        ("2025-06-01", "I71.51 was not a valid code then."),
    ],
)
def test_the_code_page_as_of_a_day_names_the_release_in_force_and_its_title(
    releases_loaded, coder_client, day, shown
):
    page = coder_client.get(f"/codes/icd10cm/I71.51/?as_of={day}").content.decode()
    banner = page.split('<section class="as-of-banner" role="status">')[1].split("</section>")[0]
    assert shown in banner
    if day == "2022-06-01":
        assert "I71.51 was not a valid code then." in banner  # FY2023 added it


def test_a_bad_as_of_on_the_code_page_is_a_400_saying_why(releases_loaded, coder_client):
    response = coder_client.get("/codes/icd10cm/I71.51/?as_of=2022-13-01")
    assert response.status_code == 400
    assert "as_of: Write the date as YYYY-MM-DD" in response.content.decode()


def test_the_compare_page_shows_a_code_with_a_releases_text_beside_todays(
    releases_loaded, coder_client
):
    code = "I71.61"
    page = coder_client.get(f"/codes/icd10cm/{code}/").content.decode()
    link = f"/compare/?codes={code}@FY2023,{code}"
    assert f'href="{link}"' in page  # "compare its FY2023 text with today's"
    response = coder_client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "as in FY2023" in page
    assert "Paraviscer" not in page  # the other code is not shown
    columns = page.split('<article class="card column"')[1:]
    assert "Supraceliac aneurysm of the abdominal aorta, without rupture" in columns[0]
    assert (
        '<ins><span class="visually-hidden">inserted: </span>thoracoabdominal</ins>' in columns[1]
    )
    document = coder_client.get(f"/api/compare?codes={code}@fy2023,{code}").json()
    assert [(c["code"], c["release"]) for c in document["codes"]] == [
        (code, "FY2023"),
        (code, None),
    ]
    assert document["pairs_without_note"] == []


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("I71.61@FY1999,I71.61", "no ICD-10-CM release 'FY1999' is recorded (recorded: FY2022"),
        ("I71.61@FY2022,I71.61", "I71.61 was not a valid code in ICD-10-CM FY2022"),
        ("I71.61@FY2023,I71.61@FY2023", "I71.61 is named twice"),
    ],
)
def test_a_release_token_that_cannot_be_shown_is_a_400_saying_why(
    releases_loaded, coder_client, codes, message
):
    response = coder_client.get(f"/api/compare?codes={codes}")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert escape(message) in coder_client.get(f"/compare/?codes={codes}").content.decode()


def compare_columns(page: str) -> list[str]:
    return page.split('<article class="card column"')[1:]


def test_the_compare_page_as_of_a_day_shows_the_texts_of_the_release_in_force(
    releases_loaded, coder_client
):
    response = coder_client.get("/compare/?codes=I71.61,I71.62&as_of=2023-06-01&marks=off")
    assert response.status_code == 200
    page = response.content.decode()
    banner = page.split('<p class="as-of-banner" role="status">')[1].split("</p>")[0]
    assert "<strong>Texts as of 2023-06-01:</strong> the official texts of ICD-10-CM FY2023" in (
        banner
    )
    first, second = compare_columns(page)
    assert "Supraceliac aneurysm of the abdominal aorta, without rupture" in first
    assert "Paravisceral aneurysm of the abdominal aorta, without rupture" in second
    assert "thoracoabdominal" not in first + second
    assert '<span class="release-tag">as in FY2023</span>' in first
    # The address keeps the day, not the release: the next day may be another release's.
    assert 'name="as_of" value="2023-06-01"' in page
    assert '<a href="/compare/?codes=I71.61,I71.62">Show the current texts</a>' in banner
    document = coder_client.get("/api/compare?codes=I71.61,I71.62&as_of=2023-06-01").json()
    assert [(c["code"], c["release"], c["title"]) for c in document["codes"]] == [
        ("I71.61", "FY2023", "Supraceliac aneurysm of the abdominal aorta, without rupture"),
        ("I71.62", "FY2023", "Paravisceral aneurysm of the abdominal aorta, without rupture"),
    ]
    assert document["url"] == "/compare/?codes=I71.61,I71.62&as_of=2023-06-01"
    # Today's texts without the day.
    today = compare_columns(
        coder_client.get("/compare/?codes=I71.61,I71.62&marks=off").content.decode()
    )
    assert "Supraceliac aneurysm of the thoracoabdominal aorta, without rupture" in today[0]


def test_a_code_not_valid_on_the_day_is_a_400_naming_the_release_in_force(
    releases_loaded, coder_client
):
    response = coder_client.get("/api/compare?codes=I71.61,I71.9&as_of=2022-06-01")
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "I71.61 was not a valid code on 2022-06-01: ICD-10-CM FY2022 was in force then."
    )
    page = coder_client.get("/compare/?codes=I71.61,I71.9&as_of=2022-06-01")
    assert page.status_code == 400
    assert "ICD-10-CM FY2022 was in force then" in page.content.decode()


def test_a_release_token_keeps_its_release_beside_the_release_of_the_day(
    releases_loaded, coder_client
):
    document = coder_client.get("/api/compare?codes=I71.61@FY2023,I71.61&as_of=2024-06-01").json()
    assert [(c["release"], c["title"]) for c in document["codes"]] == [
        ("FY2023", "Supraceliac aneurysm of the abdominal aorta, without rupture"),
        ("FY2024", "Supraceliac aneurysm of the thoracoabdominal aorta, without rupture"),
    ]
    assert document["url"] == "/compare/?codes=I71.61@FY2023,I71.61&as_of=2024-06-01"
    page = coder_client.get(
        "/compare/?codes=I71.61@FY2023,I71.61&as_of=2024-06-01&marks=off"
    ).content.decode()
    assert "the official texts of ICD-10-CM FY2023, ICD-10-CM FY2024" in page


def test_an_export_as_of_a_day_records_the_releases_it_shows(
    releases_loaded, client, auditor, tmp_path
):
    client.force_login(auditor)
    response = client.get("/compare/export/?codes=I71.61,I71.62&as_of=2023-06-01&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["code"], row["release"], row["title"], row["as_of"]) for row in rows] == [
        (
            "I71.61",
            "FY2023",
            "Supraceliac aneurysm of the abdominal aorta, without rupture",
            "2023-06-01",
        ),
        (
            "I71.62",
            "FY2023",
            "Paravisceral aneurysm of the abdominal aorta, without rupture",
            "2023-06-01",
        ),
    ]
    record = ExportRecord.objects.get(export_id=response["X-Export-Id"])
    assert (record.codes, record.as_of.isoformat(), record.releases) == (
        "I71.61,I71.62",
        "2023-06-01",
        "ICD-10-CM FY2023",
    )
    path = tmp_path / record.filename
    path.write_bytes(response.content)
    verify = StringIO()
    call_command("verify_export", str(path), stdout=verify)
    assert (
        "CSV of codes I71.61,I71.62, texts as of 2023-06-01, official texts of ICD-10-CM FY2023"
    ) in verify.getvalue()
    document = json.loads(
        client.get("/compare/export/?codes=I71.61,I71.62&as_of=2023-06-01&format=json").content
    )
    assert document["export"]["releases"] == ["ICD-10-CM FY2023"]
    workbook = load_workbook(
        io.BytesIO(
            client.get("/compare/export/?codes=I71.61,I71.62&as_of=2023-06-01&format=xlsx").content
        )
    )
    about = {row[0]: row[1] for row in workbook["About this export"].iter_rows(values_only=True)}
    assert about["Official texts of"] == "ICD-10-CM FY2023"


def search_hits(client, query: str, day: str = "") -> dict[str, dict]:
    """The /api/search hits of `query` (as of `day`), by code."""
    as_of = f"&as_of={day}" if day else ""
    response = client.get(f"/api/search?q={query}{as_of}")
    assert response.status_code == 200, response.content
    return {hit["code"]: hit for hit in response.json()["results"]}


@pytest.mark.parametrize(
    ("day", "release", "title"),
    [
        ("2023-06-01", "FY2023", "Supraceliac aneurysm of the abdominal aorta, ruptured"),
        ("2024-06-01", "FY2024", "Supraceliac aneurysm of the thoracoabdominal aorta, ruptured"),
    ],
)
def test_search_as_of_a_day_finds_a_code_by_its_code_with_its_title_then(
    releases_loaded, coder_client, day, release, title
):
    page = coder_client.get(f"/?q=I71.51&as_of={day}").content.decode()
    assert (
        f'<span class="result-title">{title}</span> <span class="muted">({release})</span>' in page
    )
    banner = page.split('<p class="as-of-banner" role="note">')[1].split("</p>")[0]
    assert banner.startswith(f"As of {day}: ")
    assert f'ICD-10-CM <a href="/releases/icd10cm/{release}/">{release}</a>' in banner
    assert "CPT (no release recorded yet: today's codes and texts)" in banner
    assert "Deleted since" in page  # FY2025 deleted it
    hit = search_hits(coder_client, "I71.51", day)["I71.51"]
    assert (hit["title"], hit["in_force"]) == (title, {"release": release, "title": title})
    # Today I71.51 is deleted: a search without a day leaves it out.
    assert "I71.51" not in search_hits(coder_client, "I71.51")


def test_search_as_of_a_day_finds_a_code_by_the_words_of_its_title_then(
    releases_loaded, coder_client
):
    # FY2024 renamed I71.61's "abdominal aorta" to "thoracoabdominal aorta".
    old = "Supraceliac aneurysm of the abdominal aorta, without rupture"
    hits = search_hits(coder_client, "supraceliac abdominal aorta", "2023-06-01")
    assert hits["I71.61"]["title"] == old
    assert hits["I71.61"]["matched_via"] == "title as of FY2023"
    assert "<mark>abdominal</mark> <mark>aorta</mark>" in hits["I71.61"]["highlight"]
    # Today's title lacks "abdominal": only codes holding some of the words, lower.
    today = search_hits(coder_client, "supraceliac abdominal aorta")["I71.61"]
    assert today["score"] < 0.4 < hits["I71.61"]["score"]
    page = coder_client.get("/?q=supraceliac+abdominal+aorta&as_of=2023-06-01").content.decode()
    assert "Matched via title as of FY2023" in page
    assert "<mark>Supraceliac</mark> aneurysm of the <mark>abdominal</mark>" in page
    # A code deleted since is found by its last title (FY2025 deleted I71.51).
    hits = search_hits(coder_client, "supraceliac thoracoabdominal ruptured", "2024-06-01")
    assert hits["I71.51"]["title"] == (
        "Supraceliac aneurysm of the thoracoabdominal aorta, ruptured"
    )


def test_a_word_only_todays_title_has_does_not_find_a_code_as_of_an_older_day(
    releases_loaded, coder_client
):
    today = search_hits(coder_client, "supraceliac thoracoabdominal")
    assert list(today)[0] == "I71.61"
    assert today["I71.61"]["score"] >= 0.6  # its title holds both words
    then = search_hits(coder_client, "supraceliac thoracoabdominal", "2023-06-01")
    # Then it said "abdominal aorta": only "supraceliac" finds it, among the codes holding one
    # of the words, below every code that held both words then (none did).
    assert then["I71.61"]["score"] < 0.4
    assert "thoracoabdominal" not in then["I71.61"]["highlight"]
    assert then["I71.61"]["matched_via"] == "texts as of FY2023"


def test_search_as_of_a_day_before_a_code_was_added_does_not_list_it(releases_loaded, coder_client):
    # FY2023 added I71.51 and I71.61; FY2022 was in force on 2022-06-01.
    for query in ("I71.51", "supraceliac", "I71.6"):
        assert not {"I71.51", "I71.61"} & set(search_hits(coder_client, query, "2022-06-01"))
    assert "I71.61" in search_hits(coder_client, "supraceliac")
    # I71.6 was a code of its own in FY2022 (a category since FY2023), with its FY2022 title.
    assert search_hits(coder_client, "I71.6", "2022-06-01")["I71.6"]["in_force"] == {
        "release": "FY2022",
        "title": "Thoracoabdominal aortic aneurysm, without rupture",
    }
    # Nor a code a release deleted by then (FY2025 deleted I71.51).
    assert "I71.51" not in search_hits(coder_client, "I71.51", "2025-06-01")
    page = coder_client.get("/?q=I71.51&as_of=2025-06-01").content.decode()
    assert "Nothing found for “I71.51”" in page


def test_search_as_of_a_day_in_the_future_is_a_400(releases_loaded, coder_client):
    response = coder_client.get("/api/search?q=I71.51&as_of=2999-01-01")
    assert response.status_code == 400
    assert "as_of: 2999-01-01 is in the future" in response.json()["error"]


def test_a_comparison_export_records_the_release_its_column_shows(
    releases_loaded, client, auditor, tmp_path
):
    client.force_login(auditor)
    response = client.get("/compare/export/?codes=I71.61@FY2023,I71.61&format=csv")
    assert response.status_code == 200
    assert "Supraceliac aneurysm of the abdominal aorta, without rupture" in (
        response.content.decode("utf-8-sig")
    )
    record = ExportRecord.objects.get(export_id=response["X-Export-Id"])
    path = tmp_path / record.filename
    path.write_bytes(response.content)
    verify = StringIO()
    call_command("verify_export", str(path), stdout=verify)
    assert "CSV of codes I71.61@FY2023,I71.61, official texts of ICD-10-CM FY2023" in (
        verify.getvalue()
    )
