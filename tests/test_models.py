import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse, set_script_prefix

from codes.models import Code, CodeSystem, ComparisonNote, StaleEditError, code_url
from codes.services import code_save


@pytest.mark.parametrize(
    ("system", "good", "bad"),
    [
        ("cpt", ["63709", "0001F", "0042T"], ["6370", "637099", "A6370", "0001X"]),
        ("hcpcs", ["E0114", "L0650"], ["63709", "E011", "EE114"]),
        ("icd10cm", ["G96.00", "E11.65", "S72.001A", "N39.0", "J44"], ["G9600X", "E11.", "11.65"]),
        ("icd10pcs", ["00Q20ZZ", "0DTJ4ZZ"], ["00Q20Z", "00Q20ZZZ", "00I20ZZ"]),
    ],
)
def test_codes_are_validated_against_their_system(sample, system, good, bad):
    system = CodeSystem.objects.get(slug=system)
    for value in good:
        Code(system=system, code=value, title="t").clean()
    for value in bad:
        with pytest.raises(ValidationError) as excinfo:
            Code(system=system, code=value, title="t").clean()
        assert "is not a valid" in str(excinfo.value)


def test_the_same_code_cannot_exist_twice_in_a_system(sample):
    system = CodeSystem.objects.get(slug="cpt")
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(system=system, code="63709", title="again")


def test_every_save_bumps_the_version(sample):
    code = Code.objects.get(code="63709")
    assert code.version == 1
    code.title = "changed"
    code.save()
    code.refresh_from_db()
    assert code.version == 2


def test_a_save_from_a_stale_version_is_refused_and_overwrites_nothing(sample):
    first = Code.objects.get(code="63709")
    second = Code.objects.get(code="63709")
    first.lay_description = "first editor's text"
    code_save(code=first, user=None)
    second.lay_description = "second editor's text"
    with pytest.raises(StaleEditError, match="changed by someone else"):
        code_save(code=second, user=None)
    stored = Code.objects.get(code="63709")
    assert stored.lay_description == "first editor's text"
    assert stored.version == 2
    # loaddata writes no history: the first save records the loaded state, then its own.
    assert [record.version for record in stored.history.all()] == [2, 1]


def test_a_note_pair_is_stored_in_code_order(sample):
    ComparisonNote.objects.all().delete()
    note = ComparisonNote.objects.create(
        code_a=Code.objects.get(code="63709"), code_b=Code.objects.get(code="63707"), summary="s"
    )
    assert (note.code_a.code, note.code_b.code) == ("63707", "63709")


def test_a_reversed_duplicate_note_pair_is_refused(sample):
    duplicate = ComparisonNote(
        code_a=Code.objects.get(code="63709"), code_b=Code.objects.get(code="63707"), summary="s"
    )
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_note_needs_two_different_codes(sample):
    code = Code.objects.get(code="63709")
    with pytest.raises(ValidationError, match="two different codes"):
        ComparisonNote(code_a=code, code_b=code, summary="s").full_clean()


def test_a_deleted_code_needs_an_end_date(sample):
    code = Code.objects.get(code="63709")
    code.status = Code.Status.DELETED
    with pytest.raises(ValidationError, match="A deleted code needs an end date"):
        code.full_clean()


def test_only_text_changes_move_texts_changed_at(sample):
    code = Code.objects.get(code="63709")
    assert code.texts_changed_at is None
    code.section_path = "Surgery"
    code_save(code=code, user=None)
    code.refresh_from_db()
    assert code.texts_changed_at is None
    code.inclusion_terms = "Dural repair"
    code_save(code=code, user=None, fields=["inclusion_terms"])
    code.refresh_from_db()
    assert code.texts_changed_at is not None


def test_a_save_of_some_fields_keeps_the_version_with_its_history(sample):
    code = Code.objects.get(code="63709")
    code.lay_description = "Closed with stitches."
    code.save(update_fields=["lay_description"])
    stored = Code.objects.get(pk=code.pk)
    assert (stored.version, stored.updated_at) == (code.version, code.updated_at)
    assert code.history.first().version == stored.version == 2
    code.lay_description = "Closed with stitches again."
    code.save(update_fields=["lay_description"])  # the same instance saves again, not stale
    assert Code.objects.get(pk=code.pk).version == code.history.first().version == 3


def test_the_state_before_the_first_edit_is_recorded_once(sample):
    code = Code.objects.get(code="63709")
    original = code.title
    for title in ("second", "third"):
        code.title = title
        code_save(code=code, user=None)
    assert [(r.version, r.title) for r in code.history.all()] == [
        (3, "third"),
        (2, "second"),
        (1, original),
    ]
    baseline = code.history.last()
    assert baseline.history_user is None
    assert (baseline.history_date.year, baseline.history_date.month) == (2026, 1)  # loaded


@pytest.mark.parametrize("code", ["63709", "E11.65", "0DTJ4ZZ", "A B", "x%y", "é*", "a?b#c"])
@pytest.mark.parametrize("prefix", ["/", "/coderef/"])
def test_a_code_s_page_address_is_the_one_reverse_gives(code, prefix):
    set_script_prefix(prefix)
    try:
        assert code_url("icd10cm", code) == reverse("codes:code-detail", args=["icd10cm", code])
        assert code_url("icd10cm", code).startswith(f"{prefix}codes/icd10cm/")
    finally:
        set_script_prefix("/")
