"""Each role end to end: what it can open and change (HTTP codes), on both databases."""

import pytest

from codes.models import Code, CodeSystem, ComparisonNote
from tests.admin_forms import code_form_data

ROLES = ("coder", "editor", "auditor", "nobody")


def _url(template: str) -> str:
    ids = {
        "code": Code.objects.get(code="63709").pk,
        "note": ComparisonNote.objects.get(code_a__code="63707").pk,
        "system": CodeSystem.objects.get(slug="cpt").pk,
    }
    return template.format(**ids)


# path: expected status for coder, editor, auditor, nobody
READS = {
    "/codes/cpt/63709/": (200, 200, 200, 403),
    "/changes/": (200, 200, 200, 403),
    "/admin/": (403, 200, 200, 403),
    "/admin/codes/code/": (403, 200, 200, 403),
    "/admin/codes/code/add/": (403, 200, 403, 403),
    "/admin/codes/code/{code}/change/": (403, 200, 200, 403),
    "/admin/codes/code/{code}/history/": (403, 200, 200, 403),
    "/admin/codes/code/{code}/delete/": (403, 200, 403, 403),
    "/admin/codes/comparisonnote/{note}/change/": (403, 200, 200, 403),
    "/admin/codes/comparisonnote/{note}/history/": (403, 200, 200, 403),
    "/admin/codes/synonym/": (403, 200, 200, 403),
    "/admin/codes/codesystem/{system}/change/": (403, 200, 200, 403),
    "/admin/codes/exportrecord/": (403, 403, 200, 403),
    "/admin/auth/user/": (403, 403, 403, 403),
    "/admin/auth/group/": (403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_can_open(client, request, sample, role):
    client.force_login(request.getfixturevalue(role))
    expected = {path: statuses[ROLES.index(role)] for path, statuses in READS.items()}
    got = {path: client.get(_url(path)).status_code for path in READS}
    assert got == expected


@pytest.mark.parametrize(("role", "status"), [("coder", 403), ("editor", 302), ("auditor", 403)])
def test_only_editors_save_codes(client, request, sample, role, status):
    client.force_login(request.getfixturevalue(role))
    code = Code.objects.get(code="63709")
    data = code_form_data(code, title="Changed title")
    assert client.post(f"/admin/codes/code/{code.pk}/change/", data).status_code == status
    code.refresh_from_db()
    assert (code.title == "Changed title") == (role == "editor")


@pytest.mark.parametrize("role", ["editor", "auditor"])
def test_nobody_but_a_superuser_changes_code_systems_or_users(client, request, sample, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    system = CodeSystem.objects.get(slug="cpt")
    response = client.post(
        f"/admin/codes/codesystem/{system.pk}/change/",
        {"slug": "cpt", "name": "x", "code_pattern": ".*", "position": 0},
    )
    assert response.status_code == 403
    assert (
        client.post(f"/admin/auth/user/{user.pk}/change/", {"is_superuser": "on"}).status_code
        == 403
    )
    assert CodeSystem.objects.get(slug="cpt").name != "x"


def test_auditors_cannot_mark_reviewed_or_bulk_delete(client, auditor, sample):
    client.force_login(auditor)
    note = ComparisonNote.objects.get(code_a__code="63707")
    code = Code.objects.get(code="63709")
    actions = client.get("/admin/codes/code/").content.decode()
    assert "mark_deleted" not in actions
    assert "mark_reviewed" not in client.get("/admin/codes/comparisonnote/").content.decode()
    response = client.post(
        "/admin/codes/code/",
        {
            "action": "mark_deleted",
            "_selected_action": [code.pk],
            "apply": "1",
            "end_date": "2026-12-31",
        },
    )
    assert response.status_code in (200, 302)  # the admin ignores an action it does not offer
    assert Code.objects.get(pk=code.pk).status == "active"
    assert client.post(f"/admin/codes/comparisonnote/{note.pk}/mark-reviewed/").status_code == 403


@pytest.mark.parametrize(
    ("role", "sees_admin", "sees_edit"),
    [("coder", False, False), ("auditor", True, False), ("editor", True, True)],
)
def test_admin_and_edit_links_follow_the_role(client, request, sample, role, sees_admin, sees_edit):
    client.force_login(request.getfixturevalue(role))
    code = Code.objects.get(code="63709")
    note = ComparisonNote.objects.get(code_a__code="63707")
    page = client.get("/codes/cpt/63709/").content.decode()
    assert ('href="/admin/"' in page) == sees_admin
    assert (f'href="/admin/codes/code/{code.pk}/change/"' in page) == sees_edit
    compare = client.get("/compare/?codes=63707,63709").content.decode()
    assert (f'href="/admin/codes/comparisonnote/{note.pk}/change/"' in compare) == sees_edit


def test_a_user_s_permissions_are_their_groups_and_their_own_read_in_one_statement(
    client, coder, nobody, sample, django_assert_num_queries
):
    from django.contrib.auth.models import Permission

    # Through a group (Coders), then given to a user directly, then taken away by deactivating.
    with django_assert_num_queries(1):
        assert coder.has_perm("codes.view_code")
        assert not coder.has_perm("codes.change_code")
    assert not nobody.has_perm("codes.view_code")
    nobody.user_permissions.add(Permission.objects.get(codename="view_code"))
    nobody = type(nobody).objects.get(pk=nobody.pk)  # a new request's user
    assert nobody.get_all_permissions() == {"codes.view_code"}
    client.force_login(nobody)
    assert client.get("/codes/cpt/63709/").status_code == 200
    nobody.is_active = False
    assert nobody.get_all_permissions() == set()


def test_a_session_signed_in_through_modelbackend_stays_signed_in_and_costs_no_more_queries(
    client, coder, sample, django_assert_max_num_queries
):
    client.force_login(coder, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_max_num_queries(1):
        assert not coder.has_perm("codes.change_code")  # both backends asked, one statement
    assert client.get("/codes/cpt/63709/").status_code == 200
    assert client.get("/api/search", {"q": "63709"}).json()["results"][0]["code"] == "63709"
