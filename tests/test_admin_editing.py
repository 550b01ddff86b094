from codes.models import Code


def _form_data(code, **changes):
    data = {
        "system": code.system_id,
        "code": code.code,
        "title": code.title,
        "status": code.status,
        "opened_version": code.version,
        "descriptor": code.descriptor,
        "lay_description": code.lay_description,
        "inclusion_terms": code.inclusion_terms,
        "section_path": code.section_path,
        "effective_date": "",
        "end_date": "",
    }
    data.update(changes)
    return data


def test_an_editor_changes_a_code_and_history_records_who(editor_client, editor, sample):
    code = Code.objects.get(code="63709")
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        _form_data(code, lay_description="A clearer lay description."),
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
    opened = _form_data(code, lay_description="second editor's text")
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
