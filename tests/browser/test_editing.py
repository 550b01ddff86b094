import re

import pytest
from playwright.sync_api import expect

from codes.models import Code, ComparisonNote

pytestmark = pytest.mark.browser


def test_an_editor_edits_63707_views_it_on_the_site_and_sees_the_diff(
    page, live_server, login, editor, sample
):
    code = Code.objects.get(code="63707")
    login(editor, f"/admin/codes/code/{code.pk}/change/")
    lay = page.get_by_label("Lay description:")
    lay.fill(lay.input_value().replace("sutures", "fine stitches"))
    page.get_by_label("Why (optional):").fill("plainer words for coders")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="View on site").click()
    page.wait_for_url("**/codes/cpt/63707/")
    expect(page.locator(".lay")).to_contain_text("closes it with fine stitches, a patch")

    page.go_back()
    page.get_by_role("link", name="History").click()
    latest = page.locator("#change-history tbody tr").first
    expect(latest).to_contain_text("Version 2 (current)")
    expect(latest.locator(".user")).to_have_text("editor")
    expect(latest.locator(".reason")).to_have_text("plainer words for coders")
    expect(latest.locator(".diff del")).to_have_text("removed: sutures")
    expect(latest.locator(".diff ins")).to_have_text("inserted: fine stitches")


def test_the_admin_forms_fit_1280_px_and_show_whole_lines(page, live_server, login, editor, sample):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(editor)
    note = ComparisonNote.objects.get(code_a__code="63704")
    page.goto(f"{live_server.url}/admin/codes/comparisonnote/{note.pk}/change/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    summary = page.locator("#id_summary")
    assert summary.evaluate("box => box.scrollWidth <= box.clientWidth")  # the whole line shows
    expect(page.locator("#id_code_a")).to_have_class(re.compile("admin-autocomplete"))
    expect(page.locator("#delete_id_code_a")).to_have_count(0)
    expect(page.locator("#delete_id_code_b")).to_have_count(0)
    code = Code.objects.get(code="63709")
    page.goto(f"{live_server.url}/admin/codes/code/{code.pk}/change/")
    expect(page.locator("input#id_title")).to_have_count(1)  # one line, not a textarea
    assert page.locator("#id_section_path").evaluate("box => box.clientWidth") > 600
    page.goto(f"{live_server.url}/admin/codes/code/")
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert "Mark selected codes deleted (asks for the end date)" in actions
    assert "Delete selected codes" not in actions
