"""A coder's default systems ("My systems"): saved from the search page, used when the address
names no system, shown in the filter and the result count, switched off with `system=`."""

import re

import pytest
from django.test import Client

from codes.roles import CODERS
from tests.conftest import _user


def result_codes(html: str) -> list[str]:
    return re.findall(r'<li class="result[^"]*">.*?<span class="code">([^<]+)</span>', html, re.S)


def selected_system(html: str) -> str:
    """The option the filter shows chosen (the first, "All systems", when none is marked)."""
    select = html.split('<select id="id_system"')[1].split("</select>")[0]
    marked = re.search(r'<option value="([^"]*)" selected>', select)
    return marked.group(1) if marked else re.search(r'<option value="([^"]*)"', select).group(1)


def search(client: Client, **params: str) -> str:
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def coder_only_cpt(coder_client, sample):
    response = coder_client.post("/me/search-systems/", {"systems": ["cpt"], "q": "csf leak"})
    assert response.status_code == 302
    assert response["Location"] == "/?q=csf+leak"  # back to the search, now with them
    return coder_client


def test_a_coder_without_defaults_searches_every_system(coder_client, sample):
    html = search(coder_client, q="csf leak")
    assert {"G96.00", "63707"} <= set(result_codes(html))
    assert selected_system(html) == ""
    assert "My systems: all" in html


def test_saved_systems_are_searched_when_the_address_names_none(coder_only_cpt):
    html = search(coder_only_cpt, q="csf leak")
    codes = result_codes(html)
    assert codes and "G96.00" not in codes and codes[0] in {"63707", "63709"}
    assert selected_system(html) == "mine"
    assert "My systems: CPT" in html  # the filter's option and the panel
    assert re.search(r"results? in my systems \(CPT\)", html)
    # Switched off for one search by choosing all systems (an empty `system=`), or one system.
    html = search(coder_only_cpt, q="csf leak", system="")
    assert "G96.00" in result_codes(html) and selected_system(html) == ""
    codes = result_codes(search(coder_only_cpt, q="csf leak", system="icd10cm"))
    assert codes[0] == "G96.00" and not {"63707", "63709"} & set(codes)


def test_the_defaults_are_the_coders_own_and_leave_the_api_alone(coder_only_cpt, django_user_model):
    other = Client()
    other.force_login(_user(django_user_model, "second-coder", CODERS))
    assert "G96.00" in result_codes(search(other, q="csf leak"))
    found = coder_only_cpt.get("/api/search", {"q": "csf leak"}).json()["results"]
    assert "G96.00" in [hit["code"] for hit in found]  # the API's contract: no system, every one


def test_no_box_ticked_searches_every_system_again(coder_only_cpt):
    assert coder_only_cpt.post("/me/search-systems/", {}).status_code == 302
    html = search(coder_only_cpt, q="csf leak")
    assert "G96.00" in result_codes(html) and "My systems: all" in html


def test_an_unknown_system_is_refused_and_nothing_is_saved(coder_client, sample):
    response = coder_client.post("/me/search-systems/", {"systems": ["cpt", "nosuch"]})
    assert response.status_code == 400
    assert "nosuch" in response.content.decode()
    assert "G96.00" in result_codes(search(coder_client, q="csf leak"))


def test_saving_needs_a_signed_in_coder(client, nobody, sample):
    response = client.post("/me/search-systems/", {"systems": ["cpt"]})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(nobody)
    assert client.post("/me/search-systems/", {"systems": ["cpt"]}).status_code == 403
