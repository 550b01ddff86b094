"""Code-set releases: each import records one; older ones only with --historical; what a release
did to each code, to the notes naming it and to editors' lay descriptions.

The slices in tests/data/releases are the ICD-10-CM aortic aneurysm codes (I71) of FY2022 to
FY2025 as CMS published them (FY2023 split I71.1-I71.6, FY2024 renamed four of the new codes'
"abdominal aorta" to "thoracoabdominal aorta"); the FY2025 slice leaves I71.51 out, so in these
tests FY2025 deletes it.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from codes.models import Code, ComparisonNote, Release, ReleaseCode

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
