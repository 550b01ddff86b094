"""/api/compare: the comparison page's data as JSON."""

from datetime import datetime

import pytest

from codes.models import Code
from tests.test_compare import BAD_INPUT


@pytest.fixture
def api(coder_client, sample):
    def _get(query):
        response = coder_client.get(f"/api/compare?{query}")
        assert response["Content-Type"] == "application/json"
        return response, response.json()

    return _get


def test_the_comparison_as_json(api):
    response, data = api("codes=63709,63707")
    assert response.status_code == 200
    assert set(data) == {"url", "as_of", "codes", "notes", "pairs_without_note", "notices", "claim"}
    assert data["url"] == "/compare/?codes=63709,63707"
    assert data["as_of"] is None  # the current texts
    first, second = data["codes"]
    assert (first["system"], first["code"], second["code"]) == ("cpt", "63709", "63707")
    assert first["title"].startswith("Repair of dural or cerebrospinal fluid leak or pseudo")
    assert "laminectomy is done to reach it" in first["descriptor"]
    assert "removes the lamina" in first["lay_description"]
    assert first["sections"][-1] == "Repairs of the spinal canal and its coverings"
    assert first["status"] == "active"
    assert first["version"] == 1
    assert datetime.fromisoformat(first["updated_at"]).year == 2026
    assert first["url"] == "/codes/cpt/63709/"
    [note] = data["notes"]
    assert note["summary"] == "Same condition; 63709 adds a laminectomy to reach the leak."
    assert note["body"].startswith("Both codes repair a dural tear")
    assert note["source"].startswith("CPT descriptors 63707 and 63709")
    assert note["version"] == 1
    assert datetime.fromisoformat(note["updated_at"])
    assert note["needs_review"] is False
    assert note["codes"] == [{"system": "cpt", "code": "63707"}, {"system": "cpt", "code": "63709"}]
    # Values follow the order of `codes` (63709 first here), not the note's stored order.
    assert {"label": "Laminectomy", "values": ["Done to reach the leak, included", "Not done"]} in (
        note["differentiators"]
    )
    assert data["pairs_without_note"] == []
    assert data["notices"][0]["system"] == "cpt"
    assert "American Medical Association" in data["notices"][0]["notice"]


def test_codes_a_note_skips_are_null_and_uncovered_pairs_listed(api):
    Code.objects.filter(code="63707").update(version=3)
    _, data = api("codes=63704,63706,63707")
    assert [code["code"] for code in data["codes"]] == ["63704", "63706", "63707"]
    assert data["codes"][2]["version"] == 3
    [note] = data["notes"]
    assert note["differentiators"][0] == {
        "label": "Defect width",
        "values": ["Less than 5 cm", "Larger than 5 cm", None],
    }
    assert data["pairs_without_note"] == [
        [{"system": "cpt", "code": "63704"}, {"system": "cpt", "code": "63707"}],
        [{"system": "cpt", "code": "63706"}, {"system": "cpt", "code": "63707"}],
    ]


@pytest.mark.parametrize(("codes", "message"), BAD_INPUT)
def test_bad_input_is_a_400_with_the_message(api, codes, message):
    response, data = api(f"codes={codes}")
    assert response.status_code == 400
    assert set(data) == {"error"}
    assert message in data["error"]


def test_a_user_without_a_role_gets_403(client, nobody, sample):
    client.force_login(nobody)
    assert client.get("/api/compare?codes=63707,63709").status_code == 403
