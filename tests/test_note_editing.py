"""Comparison notes in the admin: rows in history, conflicts, revert, review flags."""

import pytest
from django.utils import timezone

from codes.models import Code, ComparisonNote
from codes.services import code_save
from tests.admin_forms import code_form_data, note_form_data
from tests.marks import plain_marks


@pytest.fixture
def note(sample):
    return ComparisonNote.objects.get(code_a__code="63707", code_b__code="63709")


def _change_url(note):
    return f"/admin/codes/comparisonnote/{note.pk}/change/"


def _rows(note):
    return [(row.label, row.value_a, row.value_b) for row in note.differentiators.all()]


def _edit_rows(note, **by_label):
    """Row dicts for note_form_data, with new (value_a, value_b) for the labels given."""
    rows = []
    for row in note.differentiators.all():
        value_a, value_b = by_label.get(row.label, (row.value_a, row.value_b))
        rows.append(
            {
                "id": row.pk,
                "label": row.label,
                "value_a": value_a,
                "value_b": value_b,
                "position": row.position,
            }
        )
    return rows


def test_a_note_edit_records_its_rows_in_the_history(editor_client, note):
    rows = _edit_rows(note, Access=("An earlier opening", "Bone removed (lamina)"))
    data = note_form_data(note, rows, summary="63709 adds a laminectomy.", change_reason="tighter")
    response = editor_client.post(_change_url(note), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = editor_client.get(f"/admin/codes/comparisonnote/{note.pk}/history/").content.decode()
    assert "Version 2</a> (current)" in page
    assert (
        "<del>Same condition; </del>63709 adds a laminectomy<del> to reach the leak</del>."
        in plain_marks(page)
    )
    assert "Difference row “Access”" in page
    assert "Value for the first code" in page
    assert (
        "<del>Existing opening or previous field</del><ins>An earlier opening</ins>"
        in plain_marks(page)
    )
    assert page.count('<td class="reason">tighter</td>') == 2  # the note and its row


def test_reverting_a_note_brings_back_its_rows(editor_client, editor, note):
    original_rows = _rows(note)
    rows = _edit_rows(note, Laminectomy=("No", "Yes"))
    rows[0]["DELETE"] = "on"
    rows.append({"label": "Extra", "value_a": "x", "value_b": "y", "position": 5})
    response = editor_client.post(_change_url(note), note_form_data(note, rows, body="Short."))
    assert response.status_code == 302, response.content.decode()[:3000]
    note.refresh_from_db()
    assert [label for label, *_ in _rows(note)] == ["Laminectomy", "Access", "Extra"]

    first = note.history.get(version=1)
    url = f"/admin/codes/comparisonnote/{note.pk}/history/{first.history_id}/"
    preview = editor_client.get(url).content.decode()
    assert "Row “Extra” removed" in preview and "Row “Condition repaired” added" in preview
    assert "Row “Laminectomy”: value for the second code" in preview
    response = editor_client.post(url, {"reason": "undo the rewrite", "opened_version": 2})
    assert response.status_code == 302
    note.refresh_from_db()
    assert _rows(note) == original_rows
    assert note.body.startswith("Both codes repair a dural tear")
    assert note.version == 3
    latest = note.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "undo the rewrite")


def test_a_stale_note_save_shows_the_first_editors_changes_and_keeps_the_second(
    editor_client, note
):
    opened_rows = _edit_rows(note, Laminectomy=("second: none", "second: yes"))
    opened = note_form_data(note, opened_rows, summary="second editor's summary")
    first = editor_client.post(
        _change_url(note),
        note_form_data(
            note,
            _edit_rows(note, Access=("first: via old route", "first: lamina off")),
            summary="first editor's summary",
            change_reason="first pass",
        ),
    )
    assert first.status_code == 302

    response = editor_client.post(_change_url(note), opened)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this comparison note after you opened it: editor saved" in html
    assert "<ins>first editor&#x27;s summary</ins>" in plain_marks(html)
    assert "Row “Access”: value for the first code" in html
    assert "<del>Existing opening or previous field</del><ins>first: via old route</ins>" in (
        plain_marks(html)
    )
    assert 'value="second editor&#x27;s summary"' in html  # kept for reconciling
    assert 'value="second: none"' in html
    note.refresh_from_db()
    assert note.summary == "first editor's summary" and note.version == 2
    assert ("Laminectomy", "Not done", "Done to reach the leak, included") in _rows(note)


def test_a_note_needs_two_different_codes_in_the_admin(editor_client, note):
    data = note_form_data(note, code_b=note.code_a_id)
    html = editor_client.post(_change_url(note), data).content.decode()
    assert "A comparison note needs two different codes." in html


def test_a_difference_row_needs_a_label(editor_client, note):
    rows = _edit_rows(note)
    rows.append({"label": "", "value_a": "under 5 cm", "value_b": "", "position": 9})
    html = editor_client.post(_change_url(note), note_form_data(note, rows)).content.decode()
    assert "Give this row a label saying what differs" in html
    assert note.differentiators.count() == 3


def _flag_in_admin_list(client, **params):
    response = client.get("/admin/codes/comparisonnote/", params)
    assert response.status_code == 200
    return response


def test_a_code_text_change_flags_its_notes_until_reviewed(editor_client, editor, note, sample):
    other = ComparisonNote.objects.get(code_a__code="63704")
    assert not note.needs_review and not other.needs_review
    code = Code.objects.get(code="63709")
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, lay_description=code.lay_description + " Rewritten."),
    )
    assert response.status_code == 302
    note = ComparisonNote.objects.get(pk=note.pk)
    assert note.needs_review
    assert not ComparisonNote.objects.get(pk=other.pk).needs_review

    flagged = _flag_in_admin_list(editor_client, needs_review="yes").context["cl"].result_list
    assert [n.pk for n in flagged] == [note.pk]
    listing = _flag_in_admin_list(editor_client).content.decode()
    assert listing.count("<strong>Needs review</strong>") == 1  # the review column
    compare = editor_client.get("/compare/?codes=63707,63709").content.decode()
    assert "Needs review: a text of 63707 or 63709 changed" in compare
    api = editor_client.get("/api/compare?codes=63707,63709").json()
    assert [n["needs_review"] for n in api["notes"]] == [True]

    response = editor_client.post(
        "/admin/codes/comparisonnote/",
        {"action": "mark_reviewed", "_selected_action": [note.pk]},
    )
    assert response.status_code == 302
    note = ComparisonNote.objects.get(pk=note.pk)
    assert not note.needs_review
    assert note.reviewed_by == editor and note.reviewed_at is not None
    assert note.version == 1  # a review is not an edit
    assert not _flag_in_admin_list(editor_client, needs_review="yes").context["cl"].result_list
    compare = editor_client.get("/compare/?codes=63707,63709").content.decode()
    assert "Needs review" not in compare
    api = editor_client.get("/api/compare?codes=63707,63709").json()
    assert [n["needs_review"] for n in api["notes"]] == [False]
    assert api["notes"][0]["reviewed_at"] == note.reviewed_at.isoformat()


def test_changes_to_other_fields_do_not_flag_notes(editor_client, note):
    code = Code.objects.get(code="63709")
    data = code_form_data(code, section_path="Surgery > Spine", effective_date="2020-01-01")
    assert editor_client.post(f"/admin/codes/code/{code.pk}/change/", data).status_code == 302
    assert not ComparisonNote.objects.get(pk=note.pk).needs_review


def test_a_later_text_change_flags_a_reviewed_note_again(editor_client, editor, note):
    editor_client.post(f"/admin/codes/comparisonnote/{note.pk}/mark-reviewed/")
    assert not ComparisonNote.objects.get(pk=note.pk).needs_review
    code = Code.objects.get(code="63707")
    code.title = code.title + " (revised)"
    code_save(code=code, user=None)
    assert ComparisonNote.objects.get(pk=note.pk).needs_review


def test_the_mark_reviewed_button_on_the_change_form(editor_client, editor, auditor, note):
    Code.objects.filter(code="63709").update(texts_changed_at=timezone.now())
    page = editor_client.get(_change_url(note)).content.decode()
    assert "NEEDS REVIEW. Never reviewed." in page
    mark_reviewed = f"/admin/codes/comparisonnote/{note.pk}/mark-reviewed/"
    assert f'action="{mark_reviewed}"' in page
    assert editor_client.get(mark_reviewed).status_code == 405
    response = editor_client.post(mark_reviewed, follow=True)
    page = response.content.decode()
    assert "63707 vs 63709 marked reviewed by editor." in page
    assert "NEEDS REVIEW" not in page and "Last reviewed" in page
    assert ComparisonNote.objects.get(pk=note.pk).reviewed_by == editor

    editor_client.force_login(auditor)
    assert "mark-reviewed" not in editor_client.get(_change_url(note)).content.decode()
    assert editor_client.post(mark_reviewed).status_code == 403


def test_the_review_flag_is_one_query_for_a_list_of_notes(note, django_assert_num_queries):
    with django_assert_num_queries(1):
        flags = [n.needs_review for n in ComparisonNote.objects.with_review_flag()]
    assert flags == [False, False]
