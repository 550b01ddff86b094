import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_open_63709_and_follow_vs_63707(page, live_server, login, coder, sample):
    login(coder, "/codes/cpt/63709/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("63709")
    page.get_by_role("link", name="vs 63707").click()
    page.wait_for_url("**/compare/?codes=63707,63709")
    columns = page.locator(".column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0)).to_contain_text("63707")
    expect(columns.nth(1)).to_contain_text("63709")
    expect(page.get_by_role("table")).to_contain_text("Laminectomy")
