"""/api/codes/<system>/<code>: one code as JSON for integrators."""

import pytest

from codes.models import Code


def test_a_code_as_json(coder_client, sample):
    response = coder_client.get("/api/codes/cpt/63709")
    assert response.status_code == 200
    data = response.json()
    code = Code.objects.get(code="63709")
    assert data["system"] == "cpt" and data["code"] == "63709"
    assert data["title"] == code.title
    assert data["lay_description"] == code.lay_description
    assert data["version"] == code.version
    assert data["updated_at"] == code.updated_at.isoformat()
    assert data["url"] == "http://testserver/codes/cpt/63709/"
    assert data["comparisons"] == [
        {
            "other": {"system": "cpt", "code": "63707"},
            "summary": "Same condition; 63709 adds a laminectomy to reach the leak.",
            "version": 1,
            "needs_review": False,
            "url": "http://testserver/compare/?codes=63707,63709",
        }
    ]


def test_any_spelling_of_an_icd_code_works(coder_client, sample):
    data = coder_client.get("/api/codes/icd10cm/g9600").json()
    assert data["code"] == "G96.00" and data["comparisons"] == []


@pytest.mark.parametrize("path", ["/api/codes/cpt/63708", "/api/codes/nosuch/63709"])
def test_an_unknown_code_is_a_json_404(coder_client, sample, path):
    response = coder_client.get(path)
    assert response.status_code == 404
    assert "No code" in response.json()["error"]


def test_the_code_api_needs_a_role(client, nobody, sample):
    client.force_login(nobody)
    assert client.get("/api/codes/cpt/63709").status_code == 403
