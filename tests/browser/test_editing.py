import pytest
from playwright.sync_api import expect

from codes.models import Code

pytestmark = pytest.mark.browser


def test_an_editor_edits_63707_views_it_on_the_site_and_sees_the_diff(
    page, live_server, login, editor, sample
):
    code = Code.objects.get(code="63707")
    login(editor)
    page.goto(f"{live_server.url}/admin/codes/code/{code.pk}/change/")
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
