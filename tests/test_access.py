"""Who may open what: login everywhere but a few public views, 403 for missing roles."""

import re
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from codes.models import Code

# Which URL asks for a login is the URL configuration's and the views' decorators, not SQL.
pytestmark = pytest.mark.any_database

SAMPLE_VALUES = {
    "slug": "cpt",
    "str": "63709",
    "int": "1",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-000000000000",
}

# Views that are public by design; anything else must ask for a login.
PUBLIC_VIEWS = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def _pattern_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], str(pattern)
        )
    assert isinstance(pattern, RegexPattern)
    text = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<\w+>([\w|]+)\)", lambda m: m.group(1).split("|")[0], text)
    return re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)


def walk(patterns=None, prefix="/"):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + _pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, text)
        else:
            assert isinstance(entry, URLPattern)
            yield text, entry


ALL_URLS = list(walk())


def test_the_walk_finds_the_apps_pages():
    paths = {path for path, _ in ALL_URLS}
    assert {"/", "/codes/cpt/63709/", "/compare/", "/comparisons/", "/healthz"} <= paths
    assert len(ALL_URLS) > 30  # the admin's pages are walked too


@pytest.mark.parametrize(("path", "entry"), ALL_URLS, ids=[path for path, _ in ALL_URLS])
def test_every_page_asks_for_a_login(client, db, path, entry):
    if not getattr(entry.callback, "login_required", True):
        assert entry.name in PUBLIC_VIEWS, f"{path} is public but not meant to be"
        return
    response = client.get(path)
    assert response.status_code == 302, path
    assert re.match(r"^/(accounts|admin)/login/", response["Location"]), response["Location"]


def test_healthz_needs_no_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_says_503_when_the_database_is_down(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_a_user_without_a_role_gets_403_not_a_redirect(client, nobody, sample):
    client.force_login(nobody)
    assert client.get("/codes/cpt/63709/").status_code == 403
    assert client.get("/comparisons/").status_code == 403


def test_a_coder_cannot_open_admin_change_forms(coder_client, sample):
    code = Code.objects.get(code="63709")
    assert coder_client.get(f"/admin/codes/code/{code.pk}/change/").status_code == 403
    assert coder_client.get("/admin/").status_code == 403


def test_a_coder_sees_no_admin_link(coder_client, sample):
    page = coder_client.get("/codes/cpt/63709/").content.decode()
    assert 'href="/admin/"' not in page


def test_an_editor_sees_the_admin_link(editor_client, sample):
    page = editor_client.get("/codes/cpt/63709/").content.decode()
    assert 'href="/admin/"' in page


def test_the_403_page_names_the_role_the_page_needs(client, coder, nobody, sample):
    client.force_login(coder)
    response = client.get("/compare/export/?codes=63707,63709&format=csv")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Exports need the Auditors role." in html
    assert "Coders, Editors or Auditors" not in html  # not the role the coder already has
    client.force_login(nobody)
    html = client.get("/codes/cpt/63709/").content.decode()
    assert "coderef needs the Coders role (Editors and Auditors include it)." in html
