"""Code pages, comparison pages and their API documents are cached per process under the content
token (codes.cache): a change to anything they show, saved by whoever through whichever process,
shows on the next request, and a cached part never shows one user's own data or rights to
another. Run with real commits: nothing is cached inside a transaction."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from codes.models import Code, ComparisonNote, Differentiator, SearchToken
from tests.admin_forms import code_form_data
from tests.codebook import TABULAR

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def raw_update(sql: str, params: list) -> None:
    """A write by another connection, as another app process, an import or psql would make."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
        if not other.get_autocommit():
            other.commit()
    finally:
        other.close()


def test_a_code_page_is_answered_from_the_cache_until_its_code_changes(coder, editor, sample):
    coder_client = signed_in(coder)
    assert "Repair of dural or cerebrospinal fluid leak" in page(coder_client, "/codes/cpt/63709/")
    # Again: the session, user and rights, the token, the code, the recent-code record and the
    # user's own codes; nothing of its neighbours, notes, codebook or claim.
    with CaptureQueriesContext(connection) as again:
        page(coder_client, "/codes/cpt/63709/")
    read = " ".join(query["sql"] for query in again.captured_queries)
    assert "codes_comparisonnote" not in read and "codes_msdrg" not in read
    assert '"codes_code"."code" <' not in read  # the previous code in its section
    assert len(again.captured_queries) <= 16
    code = Code.objects.get(code="63709")
    response = signed_in(editor).post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, lay_description="Now explained with a xenograft patch."),
    )
    assert response.status_code == 302
    assert "Now explained with a xenograft patch." in page(coder_client, "/codes/cpt/63709/")


def test_a_note_edited_elsewhere_shows_on_the_code_page_the_comparison_and_the_api(coder, sample):
    client = signed_in(coder)
    note = ComparisonNote.objects.get(code_a__code="63707", code_b__code="63709")
    row = note.differentiators.get(label="Laminectomy")
    assert note.summary in page(client, "/codes/cpt/63709/")
    assert note.summary in page(client, "/compare/?codes=63707,63709")
    assert client.get("/api/compare?codes=63707,63709").json()["notes"][0]["summary"] == (
        note.summary
    )
    assert client.get("/api/codes/cpt/63709").json()["comparisons"][0]["summary"] == note.summary

    raw_update(
        "UPDATE codes_comparisonnote SET summary = %s WHERE id = %s", ["Now reworded.", note.pk]
    )
    assert '<span class="summary">Now reworded.</span>' in page(client, "/codes/cpt/63709/")
    assert "Now reworded." in page(client, "/compare/?codes=63707,63709")
    assert client.get("/api/compare?codes=63707,63709").json()["notes"][0]["summary"] == (
        "Now reworded."
    )
    assert client.get("/api/codes/cpt/63709").json()["comparisons"][0]["summary"] == (
        "Now reworded."
    )

    raw_update("UPDATE codes_differentiator SET value_b = %s WHERE id = %s", ["Two levels", row.pk])
    html = page(client, "/compare/?codes=63707,63709")
    assert re.search(r'<td data-code="63709">\s*Two levels\s*</td>', html)
    values = [
        entry["values"]
        for note_json in client.get("/api/compare?codes=63707,63709").json()["notes"]
        for entry in note_json["differentiators"]
        if entry["label"] == "Laminectomy"
    ]
    assert values[0][1] == "Two levels"


def test_a_codebook_import_shows_on_the_next_code_page(coder, sample):
    client = signed_in(coder)
    out = io.StringIO()
    call_command("import_codes", str(TABULAR), system="icd10cm", partial=True, stdout=out)
    assert 'class="note-level"' not in page(client, "/codes/icd10cm/E11.65/")
    call_command("import_reference", "icd10cm-tabular", str(TABULAR), stdout=out)
    html = page(client, "/codes/icd10cm/E11.65/")
    assert re.search(r'class="note-level">from <a href="/codes/icd10cm/E11/">E11</a>', html)


def test_cached_parts_never_show_one_users_stars_recent_codes_or_rights_to_another(
    coder, editor, django_user_model, sample
):
    from tests.conftest import _user

    other_coder = _user(django_user_model, "second-coder", "Coders")
    editor_client, coder_client = signed_in(editor), signed_in(coder)
    # The editor opens (and so caches) both pages first, with an admin link and a star.
    html = page(editor_client, "/codes/cpt/63709/")
    assert "Edit in admin" in html
    response = editor_client.post("/me/favourites/", {"code": "cpt:63709", "starred": "1"})
    assert response.status_code == 302
    assert 'aria-pressed="true"' in page(editor_client, "/codes/cpt/63709/")
    html = page(editor_client, "/compare/?codes=63707,63704")
    assert "Write a note for" in html

    html = page(coder_client, "/codes/cpt/63709/")
    assert "Edit in admin" not in html
    assert 'aria-pressed="false"' in html  # not starred by this coder
    html = page(coder_client, "/compare/?codes=63707,63704")
    assert "No curated note compares" in html and "Write a note for" not in html

    # Recent codes are the user's own, beside a cached page.
    page(coder_client, "/codes/cpt/63707/")
    html = page(signed_in(other_coder), "/codes/cpt/63709/")
    recent = html.split('class="recent"')[1].split("</ol>")[0] if 'class="recent"' in html else ""
    assert "63707" not in recent


def test_no_part_is_cached_inside_a_transaction_or_before_the_token_exists(coder, sample):
    from django.db import transaction

    client = signed_in(coder)
    page(client, "/codes/cpt/63709/")
    with transaction.atomic():
        Code.objects.filter(code="63709").update(title="Seen only inside the transaction")
        assert "Seen only inside the transaction" in page(client, "/codes/cpt/63709/")
        transaction.set_rollback(True)
    assert "Seen only inside the transaction" not in page(client, "/codes/cpt/63709/")
    SearchToken.objects.all().delete()
    Differentiator.objects.filter(label="Laminectomy").update(label="Lamina removed")
    SearchToken.objects.all().delete()  # the trigger made a new token row: gone again
    assert "Lamina removed" in page(client, "/compare/?codes=63707,63709")


def test_days_and_releases_are_cached_apart_and_a_historical_release_shows_in_the_timeline(coder):
    from tests.test_releases import load, run

    client = signed_in(coder)
    load(2023, 2024)
    today = page(client, "/codes/icd10cm/I71.51/")
    assert "Revised in FY2024" in today and "FY2022" not in today
    # As of another day: another part, not today's from the cache.
    then = page(client, "/codes/icd10cm/I71.51/?as_of=2023-06-01")
    assert '<q class="title-then">Supraceliac aneurysm of the abdominal aorta' in then
    assert "title-then" not in page(client, "/codes/icd10cm/I71.51/")
    # A release's texts in a column are keyed by their release, not by the code alone.
    fy2023 = page(client, "/compare/?codes=I71.61@FY2023,I71.61")
    fy2024 = page(client, "/compare/?codes=I71.61@FY2024,I71.61")
    assert "as in FY2023" in fy2023 and "as in FY2024" in fy2024
    first_column = fy2024.split('<article class="card column"')[1]
    assert "thoracoabdominal" in first_column
    # An older release slotted in (its changes, the codes only it had) joins the timeline.
    run(2022, historical=True, allow_deletions=10)
    assert "FY2022" in page(client, "/codes/icd10cm/I71.9/")
    # A correction of a release alone (no code written) shows too.
    raw_update(
        "UPDATE codes_release SET effective_date = %s WHERE label = %s", ["2023-10-02", "FY2024"]
    )
    assert "2023-10-02" in page(client, "/codes/icd10cm/I71.51/")


def test_the_code_systems_are_kept_in_the_process_until_one_changes(coder, sample):
    client = signed_in(coder)
    assert client.get("/api/search", {"q": "63709"}).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get("/api/search", {"q": "dural leak", "system": "cpt"}).status_code == 200
    assert not any("codes_codesystem" in query["sql"] for query in again.captured_queries)
    # Renamed by another process: the next search's form and results name it anew.
    raw_update("UPDATE codes_codesystem SET name = %s WHERE slug = %s", ["CPT (AMA)", "cpt"])
    assert 'value="cpt">CPT (AMA)<' in page(client, "/?q=dural+leak")
    response = client.get("/api/search", {"q": "dural leak", "system": "cpt"})
    assert response.json()["results"][0]["system"] == "cpt"
