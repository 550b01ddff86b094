"""A comparison as of a past day, rebuilt from history: on the page, in the API, in exports."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from codes import selectors
from codes.models import BASELINE_REASON, Code, ComparisonNote, Differentiator, ExportRecord
from codes.services import revision_save

TODAY = timezone.now().date()
YESTERDAY = TODAY - timedelta(days=1)
OLD_TITLE = "Repair of dural or cerebrospinal fluid leak or pseudomeningocele, with laminectomy"
NEW_TITLE = "Repair of a dural tear, CSF leak or pseudomeningocele through a laminectomy"
PAIR = "codes=63707,63709"


@pytest.fixture
def auditor_client(client, auditor, sample):
    client.force_login(auditor)
    return client


def edit(obj, **fields):
    """Save `obj` with these fields as an editor would (a new revision, now)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    return revision_save(obj=obj, user=None)


def export_csv(client, query: str) -> tuple[list[dict[str, str]], ExportRecord]:
    response = client.get(f"/compare/export/?{query}&format=csv")
    assert response.status_code == 200, response.content
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return rows, ExportRecord.objects.get(export_id=response["X-Export-Id"])


def api(client, query: str):
    response = client.get(f"/api/compare?{query}")
    return response.status_code, response.json()


def test_an_edited_code_exports_with_its_old_text_as_of_yesterday(auditor_client):
    edit(Code.objects.get(code="63709"), title=NEW_TITLE)
    (_, before), record = export_csv(auditor_client, f"{PAIR}&as_of={YESTERDAY}")
    assert (before["title"], before["code_version"]) == (OLD_TITLE, "1")
    assert before["as_of"] == YESTERDAY.isoformat()
    assert record.as_of == YESTERDAY
    assert record.filename == f"coderef-63707-vs-63709-as-of-{YESTERDAY}.csv"
    (_, after), record = export_csv(auditor_client, f"{PAIR}&as_of={TODAY}")
    assert (after["title"], after["code_version"]) == (NEW_TITLE, "2")
    assert record.as_of == TODAY
    (_, current), _ = export_csv(auditor_client, PAIR)
    assert (current["title"], current["as_of"]) == (NEW_TITLE, "")


def test_each_day_shows_the_revision_in_force_at_its_end(auditor_client):
    code = edit(Code.objects.get(code="63709"), title="Second wording")
    code.history.filter(version=2).update(history_date=timezone.now() - timedelta(days=3))
    edit(code, title="Third wording")
    titles = {
        days: api(auditor_client, f"{PAIR}&as_of={TODAY - timedelta(days=days)}")[1]["codes"][1]
        for days in (4, 3, 1, 0)
    }
    assert {days: (code["title"], code["version"]) for days, code in titles.items()} == {
        4: (OLD_TITLE, 1),  # the baseline, dated when the fixture row was written
        3: ("Second wording", 2),
        1: ("Second wording", 2),
        0: ("Third wording", 3),
    }
    baseline = code.history.get(version=1)
    assert baseline.history_change_reason == BASELINE_REASON
    assert titles[4]["updated_at"] == baseline.updated_at.isoformat()


def test_notes_and_their_difference_rows_as_they_were(auditor_client):
    note = ComparisonNote.objects.get(code_a__code="63707")
    edit(note, summary="Rewritten summary.")
    laminectomy = Differentiator.objects.get(note=note, label="Laminectomy")
    edit(laminectomy, value_b="Done, part of 63709")
    Differentiator.objects.get(note=note, label="Access").delete()
    Differentiator.objects.create(
        note=note, label="Added today", value_a="x", value_b="y", position=9
    )

    _, old = api(auditor_client, f"{PAIR}&as_of={YESTERDAY}")
    [old_note] = old["notes"]
    assert old_note["summary"] == "Same condition; 63709 adds a laminectomy to reach the leak."
    assert old_note["version"] == 1
    assert old_note["differentiators"] == [
        {
            "label": "Condition repaired",
            "values": ["Dural tear, CSF leak or pseudomeningocele"] * 2,
        },
        {"label": "Laminectomy", "values": ["Not done", "Done to reach the leak, included"]},
        {
            "label": "Access",
            "values": ["Existing opening or previous field", "Bone removed (lamina)"],
        },
    ]
    _, new = api(auditor_client, f"{PAIR}&as_of={TODAY}")
    [new_note] = new["notes"]
    assert (new_note["summary"], new_note["version"]) == ("Rewritten summary.", 2)
    assert [row["label"] for row in new_note["differentiators"]] == [
        "Condition repaired",
        "Laminectomy",
        "Added today",
    ]
    assert new_note["differentiators"][1]["values"] == ["Not done", "Done, part of 63709"]
    assert new == api(auditor_client, PAIR)[1] | {"as_of": TODAY.isoformat(), "url": new["url"]}


def test_a_note_written_today_is_not_there_yesterday(auditor_client):
    myelo, dural = Code.objects.get(code="63706"), Code.objects.get(code="63707")
    ComparisonNote.objects.create(code_a=myelo, code_b=dural, summary="Written today.")
    _, old = api(auditor_client, f"codes=63706,63707&as_of={YESTERDAY}")
    assert old["notes"] == []
    assert old["pairs_without_note"] == [
        [{"system": "cpt", "code": "63706"}, {"system": "cpt", "code": "63707"}]
    ]
    _, new = api(auditor_client, f"codes=63706,63707&as_of={TODAY}")
    assert [note["summary"] for note in new["notes"]] == ["Written today."]


def test_the_review_flag_as_it_was(auditor_client):
    edit(Code.objects.get(code="63709"), title=NEW_TITLE)
    assert api(auditor_client, PAIR)[1]["notes"][0]["needs_review"] is True
    assert api(auditor_client, f"{PAIR}&as_of={TODAY}")[1]["notes"][0]["needs_review"] is True
    assert api(auditor_client, f"{PAIR}&as_of={YESTERDAY}")[1]["notes"][0]["needs_review"] is False


def test_a_day_before_a_code_was_in_coderef_is_refused_clearly(auditor_client):
    status, data = api(auditor_client, f"{PAIR}&as_of=2025-12-31")
    assert status == 400
    assert data["error"] == (
        "63707 was not in coderef yet at the end of 2025-12-31 (UTC): its first recorded "
        "state is from 2026-01-01 00:00 UTC. Choose that day or a later one."
    )
    cpt = Code.objects.get(code="63707").system
    Code.objects.create(system=cpt, code="63711", title="A code added today")
    status, data = api(auditor_client, f"codes=63707,63711&as_of={YESTERDAY}")
    assert status == 400
    assert data["error"].startswith(f"63711 was not in coderef yet at the end of {YESTERDAY}")
    assert api(auditor_client, f"codes=63707,63711&as_of={TODAY}")[0] == 200


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-1-5x", "as_of: Write the date as YYYY-MM-DD, for example 2026-01-31."),
        ("x" * 5000, "as_of: Write the date as YYYY-MM-DD"),
        ("2999-12-31", "as_of: 2999-12-31 is in the future"),
    ],
)
def test_a_bad_date_is_a_400_with_a_message(auditor_client, as_of, message):
    status, data = api(auditor_client, f"{PAIR}&as_of={as_of}")
    assert status == 400
    assert data["error"].startswith(message)
    response = auditor_client.get(f"/compare/?{PAIR}&as_of={as_of}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_page_as_of_yesterday_has_a_banner_and_keeps_the_date(auditor_client):
    edit(Code.objects.get(code="63709"), title=NEW_TITLE)
    response = auditor_client.get(f"/compare/?{PAIR}&as_of={YESTERDAY}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<strong>Texts as of {YESTERDAY}:</strong>" in html
    assert '<a href="/compare/?codes=63707,63709">Show the current texts</a>' in html
    unmarked = auditor_client.get(f"/compare/?{PAIR}&marks=off&as_of={YESTERDAY}")
    assert OLD_TITLE in unmarked.content.decode()
    assert NEW_TITLE not in unmarked.content.decode()
    assert f"/compare/?codes=63707,63709&amp;marks=off&amp;as_of={YESTERDAY}" in html
    assert f"/compare/export/?codes=63707,63709&amp;as_of={YESTERDAY}&amp;format=pdf" in html
    assert f'name="as_of" value="{YESTERDAY}"' in html
    assert "Also often confused" not in html  # today's notes are not mixed in
    current = auditor_client.get(f"/compare/?{PAIR}&marks=off").content.decode()
    assert "Texts as of" not in current.split('class="compare-tools"')[0]
    assert NEW_TITLE in current


def test_the_page_for_a_day_before_the_codes_links_to_the_current_texts(auditor_client):
    response = auditor_client.get(f"/compare/?{PAIR}&as_of=2025-06-30")
    assert response.status_code == 400
    html = response.content.decode()
    assert "63707 was not in coderef yet at the end of 2025-06-30 (UTC)" in html
    assert '<a href="/compare/?codes=63707,63709">Compare these codes with their' in html


def test_the_json_export_as_of_carries_the_date_twice(auditor_client):
    edit(Code.objects.get(code="63709"), title=NEW_TITLE)
    response = auditor_client.get(f"/compare/export/?{PAIR}&as_of={YESTERDAY}&format=json")
    document = json.loads(response.content)
    assert document["as_of"] == document["export"]["as_of"] == YESTERDAY.isoformat()
    assert document["codes"][1]["title"] == OLD_TITLE
    assert document["url"] == f"/compare/?codes=63707,63709&as_of={YESTERDAY}"


def test_rebuilding_a_comparison_takes_the_same_queries_however_long_the_history(
    sample, django_assert_num_queries
):
    code = Code.objects.get(code="63709")
    codes = selectors.codes_for_tokens("63707,63709")
    # 2 of them: the release in force that day in each system, the codes' release changes.
    with django_assert_num_queries(10) as counted:
        selectors.comparison_for(codes, as_of=TODAY)
    for number in range(5):
        edit(code, title=f"Wording {number}")
    with django_assert_num_queries(len(counted)):
        assert selectors.comparison_for(codes, as_of=TODAY).codes[1].title == "Wording 4"
