"""/changes/: what changed, who changed it and when, with a date filter and diffs."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from codes.models import Code, ComparisonNote
from codes.services import code_save, note_save, row_save
from tests.marks import plain_marks


@pytest.fixture
def edits(sample, editor):
    """An edit of 63709 today and one of the 63707 vs 63709 note ten days ago."""
    code = Code.objects.get(code="63709")
    code.lay_description = code.lay_description.replace("sutures", "stitches")
    code_save(code=code, user=editor, reason="plainer word")
    note = ComparisonNote.objects.get(code_a__code="63707")
    note.summary = "63709 adds a laminectomy."
    note_save(note=note, user=editor)
    note.history.filter(version=2).update(history_date=timezone.now() - timedelta(days=10))
    return code, note


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


def test_a_coder_sees_recent_edits_with_who_and_which_fields(coder_client, edits):
    response = coder_client.get("/changes/")
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert len(rows) == 2  # the states recorded before the first edits are not changes
    assert "editor 63709 (CPT) changed Lay description plainer word" in rows[0]
    assert "63707 vs 63709 changed Summary" in rows[1]
    assert "admin history" not in response.content.decode()  # coders cannot open the admin


def test_the_date_filter_keeps_whole_days(coder_client, edits):
    today = timezone.now().date()
    recent = _rows(
        coder_client.get("/changes/", {"since": today - timedelta(days=7)}).content.decode()
    )
    assert len(recent) == 1 and "63709 (CPT)" in recent[0]
    older = coder_client.get("/changes/", {"until": today - timedelta(days=10)})
    assert [row for row in _rows(older.content.decode()) if "63707 vs 63709" in row]
    assert len(_rows(older.content.decode())) == 1
    day = coder_client.get("/changes/", {"since": today, "until": today}).content.decode()
    assert len(_rows(day)) == 1
    # The first and last days a date can be bound nothing (the fuzzer's 9999-12-31 was a 500).
    ever = coder_client.get("/changes/", {"since": "0001-01-01", "until": "9999-12-31"})
    assert ever.status_code == 200
    assert len(_rows(ever.content.decode())) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "last week"}, "Write the date as YYYY-MM-DD"),
        ({"until": "2026-02-30"}, "Write the date as YYYY-MM-DD"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "“Until” is before “since”"),
    ],
)
def test_a_bad_date_is_a_400_with_a_message(coder_client, sample, params, message):
    response = coder_client.get("/changes/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_each_entry_links_to_its_diff(coder_client, edits):
    code, _ = edits
    record = code.history.get(version=2)
    html = coder_client.get("/changes/").content.decode()
    link = f"/changes/code/{record.history_id}/"
    assert f'href="{link}"' in html
    detail = coder_client.get(link)
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "<h1>63709 (CPT)</h1>" in page
    assert "<del>sutures</del><ins>stitches</ins>" in plain_marks(page)
    assert "plainer word" in page and "by editor" in page
    assert 'href="/codes/cpt/63709/"' in page


def test_staff_also_get_the_admin_history_link(editor_client, edits):
    code, note = edits
    html = editor_client.get("/changes/").content.decode()
    assert f'href="/admin/codes/code/{code.pk}/history/"' in html
    assert f'href="/admin/codes/comparisonnote/{note.pk}/history/"' in html


def test_difference_row_edits_are_listed_with_their_note(editor_client, sample):
    note = ComparisonNote.objects.get(code_a__code="63707")
    row = note.differentiators.get(label="Access")
    row.value_a = "An earlier opening"
    row_save(row=row, user=None)
    html = editor_client.get("/changes/").content.decode()
    assert "63707 vs 63709, difference row “Access”" in html
    record = row.history.first()
    detail = editor_client.get(f"/changes/row/{record.history_id}/").content.decode()
    assert (
        "<del>Existing opening or previous field</del><ins>An earlier opening</ins>"
        in plain_marks(detail)
    )
    assert 'href="/compare/?codes=63707,63709"' in detail


def test_unknown_changes_are_404(coder_client, sample):
    assert coder_client.get("/changes/code/999999/").status_code == 404
    assert coder_client.get("/changes/synonym/1/").status_code == 404


def test_changes_are_paginated(coder_client, sample):
    code = Code.objects.get(code="63709")
    for number in range(52):
        code.title = f"Title {number}"
        code_save(code=code, user=None)
    first = coder_client.get("/changes/", {"since": "2020-01-01"}).content.decode()
    assert len(_rows(first)) == 50 and "Page 1 of 2" in first
    assert 'href="?since=2020-01-01&amp;page=2"' in first
    second = coder_client.get("/changes/", {"since": "2020-01-01", "page": 2}).content.decode()
    assert len(_rows(second)) == 2
    oldest = f"/changes/code/{code.history.get(version=2).history_id}/"
    newest = f"/changes/code/{code.history.get(version=53).history_id}/"
    assert newest in first and oldest not in first
    assert oldest in second and newest not in second


def test_a_user_without_a_role_cannot_read_changes(client, nobody, edits):
    client.force_login(nobody)
    assert client.get("/changes/").status_code == 403


def test_changes_with_nothing_yet_says_so(coder_client, sample):
    html = coder_client.get("/changes/").content.decode()
    assert "Nothing has been changed in coderef yet" in html
    assert "0 revisions" not in html
    html = coder_client.get("/changes/", {"since": "2026-01-01"}).content.decode()
    assert "Nothing changed in that period." in html


def test_date_inputs_show_and_take_yyyy_mm_dd(coder_client, sample):
    html = coder_client.get("/changes/", {"since": "2026-01-31"}).content.decode()
    since = r'<input type="text"[^>]*placeholder="YYYY-MM-DD"[^>]*value="2026-01-31"'
    assert re.search(since, html)
    assert 'type="date"' not in html
    html = coder_client.get("/compare/", {"codes": "63707,63709"}).content.decode()
    assert re.search(r'<input id="as-of" type="text"[^>]*placeholder="YYYY-MM-DD"', html)
