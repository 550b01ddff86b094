from codes.models import Code
from codes.services import code_save
from tests.admin_forms import code_form_data, post_code_change
from tests.marks import plain_marks


def test_an_editor_changes_a_code_and_history_records_who(editor_client, editor, sample):
    code = Code.objects.get(code="63709")
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, lay_description="A clearer lay description."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code.refresh_from_db()
    assert code.lay_description == "A clearer lay description."
    assert code.version == 2
    latest = code.history.first()
    assert latest.history_user == editor
    assert latest.lay_description == "A clearer lay description."
    history_page = editor_client.get(f"/admin/codes/code/{code.pk}/history/").content.decode()
    assert "editor" in history_page


def test_a_stale_admin_save_is_refused_with_a_message(editor_client, sample):
    code = Code.objects.get(code="63709")
    opened = code_form_data(code, lay_description="second editor's text")
    first = Code.objects.get(pk=code.pk)
    first.lay_description = "first editor's text"
    first.save()
    response = editor_client.post(f"/admin/codes/code/{code.pk}/change/", opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this code after you opened it" in html
    assert "second editor&#x27;s text" in html  # still in the form to reconcile
    code.refresh_from_db()
    assert code.lay_description == "first editor's text"


def test_the_history_shows_who_when_why_and_a_word_diff(editor_client, sample):
    code = Code.objects.get(code="63709")
    response = post_code_change(
        editor_client,
        code,
        lay_description=code.lay_description.replace("sutures", "stitches"),
        change_reason="plainer word",
    )
    assert response.status_code == 302
    page = editor_client.get(f"/admin/codes/code/{code.pk}/history/").content.decode()
    assert "Version 2</a> (current)" in page
    assert '<td class="user">editor</td>' in page
    assert '<td class="reason">plainer word</td>' in page
    assert "Lay description" in page
    assert "<del>sutures</del><ins>stitches</ins>" in plain_marks(page)
    # The loaded text is kept as the first recorded state, so the first edit can be undone.
    assert "Version 1</a>" in page
    assert "first recorded state" in page


def test_revert_restores_the_text_as_a_new_revision(editor_client, editor, sample):
    code = Code.objects.get(code="63709")
    original = code.lay_description
    post_code_change(editor_client, code, lay_description="A wrong text.", change_reason="oops")
    first_revision = code.history.get(version=1)
    url = f"/admin/codes/code/{code.pk}/history/{first_revision.history_id}/"

    page = editor_client.get(url).content.decode()
    assert "From the current text (version 2) to this revision" in page
    assert "<del>A wrong text.</del>" in plain_marks(page)
    assert 'value="Revert to version 1"' in page

    response = editor_client.post(url, {"reason": "", "opened_version": 2})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/codes/code/{code.pk}/history/"
    code.refresh_from_db()
    assert code.lay_description == original
    assert code.version == 3
    latest = code.history.first()
    assert (latest.version, latest.history_user, latest.history_change_reason) == (
        3,
        editor,
        "Revert to version 1",
    )
    assert [record.version for record in code.history.all()] == [3, 2, 1]
    history = editor_client.get(response["Location"]).content.decode()
    assert "is back to version 1; the revert is saved as version 3." in history
    assert "Revert to version 1" in history


def test_a_revert_from_a_stale_page_is_refused(editor_client, sample):
    code = Code.objects.get(code="63709")
    post_code_change(editor_client, code, lay_description="Second text.")
    first_revision = code.history.get(version=1)
    code.refresh_from_db()
    post_code_change(editor_client, code, lay_description="Third text, saved meanwhile.")
    url = f"/admin/codes/code/{code.pk}/history/{first_revision.history_id}/"
    response = editor_client.post(url, {"reason": "", "opened_version": 2}, follow=True)
    page = response.content.decode()
    assert "while you were looking at this revision. Nothing was reverted." in page
    assert "<del>Third text, saved meanwhile.</del>" in plain_marks(page)  # now against their text
    code.refresh_from_db()
    assert (code.lay_description, code.version) == ("Third text, saved meanwhile.", 3)


def test_a_revert_that_is_no_longer_valid_says_why(editor_client, sample):
    code = Code.objects.get(code="63709")
    post_code_change(editor_client, code, code="63711", change_reason="renumbered")
    first_revision = code.history.get(version=1)
    other = Code.objects.get(code="63707")
    code.refresh_from_db()
    Code.objects.filter(pk=other.pk).update(code="63709")  # its old number is taken now
    url = f"/admin/codes/code/{code.pk}/history/{first_revision.history_id}/"
    response = editor_client.post(url, {"reason": "", "opened_version": code.version})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    code.refresh_from_db()
    assert code.code == "63711"


def test_a_stale_admin_save_shows_what_the_first_editor_changed(editor_client, sample, client):
    code = Code.objects.get(code="63709")
    opened = code_form_data(code, lay_description="second editor's text")
    first = Code.objects.get(pk=code.pk)
    first.lay_description = first.lay_description.replace("sutures", "stitches")
    code_save(code=first, user=None, reason="first editor's reason")

    response = editor_client.post(f"/admin/codes/code/{code.pk}/change/", opened)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed by someone since you opened version 1" in html
    assert "first editor&#x27;s reason" in html
    assert "<del>sutures</del><ins>stitches</ins>" in plain_marks(html)  # what the first editor did
    assert "second editor&#x27;s text</textarea>" in html  # the second one's text, kept
    assert 'name="opened_version" value="2"' in html  # reconciled saves go through
    code.refresh_from_db()
    assert "stitches" in code.lay_description and code.version == 2

    reconciled = dict(opened, opened_version=2, lay_description="merged text")
    assert editor_client.post(f"/admin/codes/code/{code.pk}/change/", reconciled).status_code == 302
    code.refresh_from_db()
    assert (code.lay_description, code.version) == ("merged text", 3)


def test_auditors_read_history_but_cannot_revert(client, auditor, editor_client, sample):
    code = Code.objects.get(code="63709")
    post_code_change(editor_client, code, lay_description="Edited.")
    client.force_login(auditor)
    assert client.get(f"/admin/codes/code/{code.pk}/history/").status_code == 200
    revision = code.history.get(version=1)
    url = f"/admin/codes/code/{code.pk}/history/{revision.history_id}/"
    page = client.get(url).content.decode()
    assert "From the current text" in page and "Revert to" not in page
    assert client.post(url, {"opened_version": 2}).status_code == 403
    change_form = client.get(f"/admin/codes/code/{code.pk}/change/").content.decode()
    assert "Opened version" not in change_form and "Why (optional)" not in change_form
    code.refresh_from_db()
    assert code.lay_description == "Edited."


def test_an_unknown_revision_is_404(editor_client, sample):
    code = Code.objects.get(code="63709")
    assert editor_client.get(f"/admin/codes/code/{code.pk}/history/999999/").status_code == 404
    assert editor_client.get(f"/admin/codes/code/{code.pk}/history/abc/").status_code == 404


def test_a_vertical_tab_pasted_from_word_is_cleaned_on_save(editor, sample):
    code = Code.objects.get(code="63709")
    code.lay_description = "First line\x0bsecond line\x07"
    code_save(code=code, user=editor, reason="pasted from Word")
    code.refresh_from_db()
    assert code.lay_description == "First line\nsecond line"
    assert code.history.first().lay_description == "First line\nsecond line"


def test_an_editor_says_whether_the_descriptor_is_official(editor_client, sample):
    code = Code.objects.get(code="63709")
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, descriptor_kind="official", change_reason="licensed file loaded"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = editor_client.get("/codes/cpt/63709/").content.decode()
    assert "<h2>Official descriptor</h2>" in html
