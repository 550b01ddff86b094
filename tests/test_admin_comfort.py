"""Admin validation messages, filters, search, view on site, bulk actions, change reasons."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from codes.models import Code, CodeSystem, ComparisonNote, Synonym
from tests.admin_forms import post_code_change, synonym_form_data
from tests.marks import plain_marks


def test_a_code_must_match_its_systems_format(editor_client, sample):
    code = Code.objects.get(code="63709")
    html = post_code_change(editor_client, code, code="6370X").content.decode()
    assert "&#x27;6370X&#x27; is not a valid CPT code." in html


def test_a_deleted_code_needs_an_end_date(editor_client, sample):
    code = Code.objects.get(code="63709")
    html = post_code_change(editor_client, code, status="deleted").content.decode()
    assert "A deleted code needs an end date: the last date it could be reported." in html
    assert (
        post_code_change(editor_client, code, status="deleted", end_date="2026-12-31").status_code
        == 302
    )
    code.refresh_from_db()
    assert (code.status, code.end_date) == ("deleted", date(2026, 12, 31))


def test_every_code_and_note_has_view_on_site(editor_client, sample):
    code = Code.objects.get(code="63709")
    note = ComparisonNote.objects.get(code_a__code="63707")
    for url, target in [
        (f"/admin/codes/code/{code.pk}/change/", "/codes/cpt/63709/"),
        (f"/admin/codes/comparisonnote/{note.pk}/change/", "/compare/?codes=63707,63709"),
    ]:
        html = editor_client.get(url).content.decode()
        view_on_site = html.split('class="viewsitelink"')[0].rsplit('href="', 1)[1].split('"')[0]
        response = editor_client.get(view_on_site)
        assert response.status_code == 302 and response["Location"].endswith(target)


def _listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def test_codes_filter_by_system_status_and_recent_change(editor_client, sample):
    cpt = CodeSystem.objects.get(slug="cpt")
    listed = _listed(editor_client, "/admin/codes/code/", system__id__exact=cpt.pk)
    assert listed == sorted(Code.objects.filter(system=cpt).values_list("code", flat=True))
    assert "63700" in listed and "E0601" not in listed
    deleted = list(Code.objects.filter(status="deleted").values_list("code", flat=True))
    Code.objects.filter(code="63709").update(status="deleted", end_date=date(2025, 12, 31))
    listed = _listed(editor_client, "/admin/codes/code/", status__exact="deleted")
    assert listed == sorted(["63709", *deleted])
    assert _listed(editor_client, "/admin/codes/code/", changed_within="7") == []
    code = Code.objects.get(code="63704")
    code.title += "."
    code.save()
    Code.objects.filter(code="63700").update(updated_at=timezone.now() - timedelta(days=20))
    assert _listed(editor_client, "/admin/codes/code/", changed_within="7") == ["63704"]
    assert _listed(editor_client, "/admin/codes/code/", changed_within="30") == ["63700", "63704"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("63709", "63709"), ("pseudomeningocele, with laminectomy", "63709"), ("back arch", "63709")],
)
def test_admin_search_finds_codes_by_code_title_and_text(editor_client, sample, query, expected):
    assert expected in _listed(editor_client, "/admin/codes/code/", q=query)


def test_notes_filter_by_recent_change(editor_client, sample):
    assert _listed(editor_client, "/admin/codes/comparisonnote/", changed_within="30") == []
    note = ComparisonNote.objects.get(code_a__code="63707")
    note.body += " More."
    note.save()
    listed = _listed(editor_client, "/admin/codes/comparisonnote/", changed_within="30")
    assert listed == ["63707 vs 63709"]


def test_bulk_mark_deleted_asks_for_the_end_date(editor_client, editor, sample):
    codes = Code.objects.filter(code__in=["63700", "63702"])
    selected = {"action": "mark_deleted", "_selected_action": [code.pk for code in codes]}
    page = editor_client.post("/admin/codes/code/", selected)
    assert page.status_code == 200
    html = page.content.decode()
    assert "These codes will be marked deleted" in html and "63702" in html
    assert not codes.filter(status="deleted").exists()

    bad = editor_client.post("/admin/codes/code/", {**selected, "apply": "1", "end_date": "soon"})
    assert "Write the date as YYYY-MM-DD" in bad.content.decode()

    done = editor_client.post(
        "/admin/codes/code/",
        {**selected, "apply": "1", "end_date": "2026-12-31", "reason": "2027 code set"},
        follow=True,
    )
    assert "2 marked deleted with end date 2026-12-31." in done.content.decode()
    for code in Code.objects.filter(code__in=["63700", "63702"]):
        assert (code.status, code.end_date) == ("deleted", date(2026, 12, 31))
        latest = code.history.first()
        assert (latest.history_user, latest.history_change_reason) == (editor, "2027 code set")


def test_bulk_mark_deleted_refuses_an_end_date_before_the_effective_date(editor_client, sample):
    Code.objects.filter(code="63700").update(effective_date=date(2027, 1, 1))
    codes = Code.objects.filter(code__in=["63700", "63702"])
    response = editor_client.post(
        "/admin/codes/code/",
        {
            "action": "mark_deleted",
            "_selected_action": [code.pk for code in codes],
            "apply": "1",
            "end_date": "2026-12-31",
        },
    )
    assert "63700: The end date is before the effective date." in response.content.decode()
    assert not codes.filter(status="deleted").exists()  # all or nothing


def test_synonyms_and_code_systems_keep_a_change_reason(editor_client, admin_client, sample):
    synonym = Synonym.objects.get(term="CHF")
    page = editor_client.get(f"/admin/codes/synonym/{synonym.pk}/change/").content.decode()
    assert page.count('name="change_reason"') == 1
    response = editor_client.post(
        f"/admin/codes/synonym/{synonym.pk}/change/",
        synonym_form_data(synonym, meaning=synonym.meaning + "s", change_reason="plural"),
    )
    assert response.status_code == 302
    assert synonym.history.first().history_change_reason == "plural"
    history = editor_client.get(f"/admin/codes/synonym/{synonym.pk}/history/").content.decode()
    assert "plural" in history
    assert "congestive heart <del>failure</del><ins>failures</ins>" in plain_marks(history)

    system = CodeSystem.objects.get(slug="hcpcs")
    response = admin_client.post(
        f"/admin/codes/codesystem/{system.pk}/change/",
        {
            "slug": system.slug,
            "name": "HCPCS Level II",
            "code_pattern": system.code_pattern,
            "copyright_notice": system.copyright_notice,
            "position": system.position,
            "change_reason": "full name",
        },
    )
    assert response.status_code == 302
    assert system.history.first().history_change_reason == "full name"


def test_a_synonym_reverts_like_any_other_revision(editor_client, editor, sample):
    synonym = Synonym.objects.get(term="CHF")
    url = f"/admin/codes/synonym/{synonym.pk}/change/"
    editor_client.post(url, synonym_form_data(synonym, meaning="chronic heart failure"))
    first = synonym.history.last()
    revision_url = f"/admin/codes/synonym/{synonym.pk}/history/{first.history_id}/"
    label = "version 1"  # versioned like codes and notes
    assert f'value="Revert to {label}"' in editor_client.get(revision_url).content.decode()
    assert editor_client.post(revision_url, {"reason": "", "opened_version": 2}).status_code == 302
    synonym.refresh_from_db()
    assert (synonym.meaning, synonym.version) == ("congestive heart failure", 3)
    latest = synonym.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, f"Revert to {label}")
    assert synonym.history.count() == 3
