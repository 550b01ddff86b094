import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}  # for axe's script tag


def test_star_codes_and_a_comparison_by_keyboard_and_find_them_again(
    page, live_server, login, coder, sample
):
    login(coder, "/codes/cpt/63707/")
    page.goto(f"{live_server.url}/codes/cpt/63709/")
    star = page.get_by_role("button", name="Star 63709")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.focus()
    page.keyboard.press("Enter")
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Star 63709")).to_be_focused()  # stays on the button
    assert _serious_violations(page) == []
    recent = page.locator(".my-codes .recent")
    expect(recent).to_contain_text("63707")
    page.goto(f"{live_server.url}/compare/?codes=63707,63709")
    page.get_by_role("button", name="Star 63707 vs 63709").press("Space")
    expect(page.get_by_role("button", name="Star 63707 vs 63709")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert _serious_violations(page) == []
    page.goto(f"{live_server.url}/")
    mine = page.get_by_role("region", name="Your codes")
    expect(mine.locator(".starred")).to_contain_text("63709")
    expect(mine.get_by_role("link", name="Compare 63707 vs 63709")).to_be_visible()
    expect(mine.locator(".recent li")).to_have_count(2)
    assert _serious_violations(page) == []
    page.screenshot(path="/tmp/favourites-search.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/favourites-search-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    # Keyboard reachable: Tab from the search box reaches the starred links.
    page.locator("#q").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.my-codes') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('.my-codes') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/codes/cpt/63709/")
    page.screenshot(path="/tmp/favourites-code.png", full_page=True)
    # Typing hides them, clearing the box brings them back.
    page.goto(f"{live_server.url}/")
    page.locator("#q").fill("6370")
    expect(page.locator(".my-codes")).to_have_count(0)
    page.locator("#q").fill("")
    expect(page.locator(".my-codes .starred")).to_contain_text("63709")


def test_a_star_works_without_javascript(browser, live_server, coder, sample):
    context = browser.new_context(java_script_enabled=False)
    sign_in(context, live_server, coder)
    page = context.new_page()
    page.goto(f"{live_server.url}/codes/cpt/63709/")
    page.get_by_role("button", name="Star 63709").click()
    page.wait_for_url("**/codes/cpt/63709/")
    expect(page.get_by_role("button", name="Star 63709")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Star 63709").click()
    expect(page.get_by_role("button", name="Star 63709")).to_have_attribute("aria-pressed", "false")
    context.close()
