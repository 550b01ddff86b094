"""A code or note whose texts hold HTML and script is shown as text on every page that shows it."""

import pytest

from codes.models import Code, ComparisonNote

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(sample):
    code = Code.objects.get(code="63709")
    code.title = f"Dural repair {HOSTILE}"
    code.descriptor = f"Descriptor {HOSTILE}"
    code.lay_description = f"Lay words {HOSTILE} laminectomy"
    code.inclusion_terms = f"Term {HOSTILE}"
    code.save()
    note = ComparisonNote.objects.get(code_b=code)
    note.summary = f"Summary {HOSTILE}"
    note.body = f"Body {HOSTILE}"
    note.save()
    note.differentiators.update(value_b=f"Value {HOSTILE}")
    return code, note


def _pages(code, note):
    history = code.history.first().history_id
    return [
        f"/codes/cpt/{code.code}/",
        "/?q=dural+repair",
        "/?q=63709",
        "/compare/?codes=63707,63709",
        "/comparisons/",
        f"/changes/code/{history}/",
        f"/admin/codes/code/{code.pk}/change/",
        f"/admin/codes/code/{code.pk}/history/",
        f"/admin/codes/comparisonnote/{note.pk}/change/",
        "/admin/codes/code/?q=dural",
    ]


def test_hostile_texts_are_shown_as_text_on_every_page(client, editor, hostile):
    code, note = hostile
    client.force_login(editor)
    for path in _pages(code, note):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html or "&lt;script&gt;" in html, path


def test_hostile_texts_stay_text_in_the_json(client, editor, hostile):
    client.force_login(editor)
    data = client.get("/api/codes/cpt/63709").json()
    assert data["title"] == f"Dural repair {HOSTILE}"  # JSON carries the text as it is
    response = client.get("/api/search", {"q": "63709"})
    highlight = response.json()["results"][0]["highlight"]
    assert "<script" not in highlight and "&lt;script&gt;" in highlight
