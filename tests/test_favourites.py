"""Favourites and recent codes: each coder's own, starred by POST (CSRF, works without
JavaScript), shown on the empty search page and the code page, listed by /api/me/favourites."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from codes.favourites import RECENT_CODES_KEPT
from codes.models import Code, Favourite, RecentCode
from codes.roles import CODERS
from tests.conftest import PASSWORD


@pytest.fixture
def other_coder(db, django_user_model, coder):
    user = django_user_model.objects.create_user("other", password=PASSWORD)
    user.groups.add(Group.objects.get(name=CODERS))
    client = Client()
    client.force_login(user)
    return client


def _star(client, **data):
    return client.post("/me/favourites/", {"starred": "1", **data})


def test_a_starred_code_shows_on_the_code_page_the_search_page_and_the_api(coder_client, sample):
    response = _star(coder_client, code="cpt:63709", next="/codes/cpt/63709/")
    assert response.status_code == 302 and response["Location"] == "/codes/cpt/63709/"
    html = coder_client.get("/codes/cpt/63707/").content.decode()
    assert 'aria-labelledby="my-codes-heading"' in html
    assert '<a href="/codes/cpt/63709/" class="code-ref">' in html.split("my-codes-heading")[-1]
    assert 'aria-pressed="false"' in html  # 63707 itself is not starred
    html = coder_client.get("/codes/cpt/63709/").content.decode()
    assert 'aria-pressed="true"' in html
    html = coder_client.get("/").content.decode()
    assert "Your codes" in html and '<a href="/codes/cpt/63709/" class="code-ref">' in html
    body = coder_client.get("/api/me/favourites").json()
    assert [(c["system"], c["code"]) for c in body["codes"]] == [("cpt", "63709")]
    assert body["codes"][0]["url"] == "http://testserver/codes/cpt/63709/"
    assert "T" in body["codes"][0]["starred_at"]  # ISO 8601
    assert [c["code"] for c in body["recent"]] == ["63709", "63707"]
    assert body["comparisons"] == []


def test_unstarring_removes_it(coder_client, sample):
    _star(coder_client, code="cpt:63709")
    coder_client.post("/me/favourites/", {"code": "cpt:63709", "starred": "0"})
    assert coder_client.get("/api/me/favourites").json()["codes"] == []


def test_a_comparison_is_starred_in_place_with_htmx(coder_client, sample):
    response = coder_client.post(
        "/me/favourites/",
        {"comparison": "63709,cpt:63707", "starred": "1", "next": "/compare/?codes=63709,63707"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<form class="star"')
    assert 'aria-pressed="true"' in html and 'name="starred" value="0"' in html
    body = coder_client.get("/api/me/favourites").json()
    assert body["comparisons"][0]["codes"] == ["63709", "63707"]
    assert body["comparisons"][0]["title"] == "63709 vs 63707"
    assert body["comparisons"][0]["url"] == "http://testserver/compare/?codes=63709,63707"
    html = coder_client.get("/compare/?codes=63709,63707").content.decode()
    assert 'aria-pressed="true"' in html
    html = coder_client.get("/compare/?codes=63707,63709").content.decode()
    assert 'aria-pressed="false"' in html  # the other column order is another comparison


def test_nothing_is_shared_between_users(coder_client, other_coder, sample):
    _star(coder_client, code="cpt:63709")
    _star(coder_client, comparison="63707,63709")
    coder_client.get("/codes/cpt/63709/")
    assert other_coder.get("/api/me/favourites").json() == {
        "codes": [],
        "comparisons": [],
        "recent": [],
    }
    html = other_coder.get("/codes/cpt/63707/").content.decode()
    assert 'aria-pressed="false"' in html
    assert '<a href="/codes/cpt/63709/" class="code-ref">' not in html.split("</nav>")[-1]


def test_the_last_20_codes_opened_are_kept(coder_client, sample):
    codes = list(Code.objects.select_related("system")[: RECENT_CODES_KEPT + 2])
    for code in codes:
        coder_client.get(code.get_absolute_url())
    coder_client.get(codes[5].get_absolute_url())  # opened again: newest
    recent = [c["code"] for c in coder_client.get("/api/me/favourites").json()["recent"]]
    assert len(recent) == RECENT_CODES_KEPT == RecentCode.objects.count()
    assert recent[0] == codes[5].code
    assert codes[0].code not in recent and codes[1].code not in recent


def test_a_star_needs_a_post_with_csrf_and_a_real_code(coder, sample):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coder)
    assert client.post("/me/favourites/", {"code": "cpt:63709", "starred": "1"}).status_code == 403
    assert client.get("/me/favourites/").status_code == 405
    client = Client()
    client.force_login(coder)
    response = _star(client, code="cpt:99999")
    assert response.status_code == 400
    assert "No code 'cpt:99999'" in response.content.decode()
    assert _star(client).status_code == 400
    assert _star(client, code="cpt:63709", comparison="63707,63709").status_code == 400
    assert _star(client, comparison="63707").status_code == 400
    assert not Favourite.objects.exists()


def test_a_star_never_redirects_off_the_site(coder_client, sample):
    response = _star(coder_client, code="cpt:63709", next="https://evil.example/")
    assert response["Location"] == "/codes/cpt/63709/"


def test_the_admin_sees_counts_not_names(editor_client, other_coder, sample):
    _star(other_coder, code="cpt:63709")
    other_coder.get("/codes/cpt/63709/")
    code = Code.objects.get(code="63709")
    html = editor_client.get(f"/admin/codes/code/{code.pk}/change/").content.decode()
    assert "starred by 1 user; among the recent codes of 1 user" in html
    assert "other" not in html.split("field-kept_by")[-1].split("</fieldset>")[0]
    assert editor_client.get("/admin/codes/favourite/").status_code == 404
    assert editor_client.get("/admin/codes/recentcode/").status_code == 404
