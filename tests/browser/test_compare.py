import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def codes_in_url(page) -> str:
    return re.search(r"/compare/\?codes=([^&]*)", page.url).group(1)


def test_from_search_to_a_comparison_then_add_remove_and_move(
    page, live_server, login, coder, sample
):
    login(coder, "/?q=6370")
    # The search page's contract: compare boxes named `codes` with `system:code` values.
    page.locator("input.compare-box[value='cpt:63707']").check()
    page.locator("input.compare-box[value='cpt:63709']").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url("**/compare/?codes=63707,63709")
    columns = page.locator(".column")
    expect(columns).to_have_count(2)
    expect(page.get_by_role("row", name=re.compile("^Laminectomy"))).to_contain_text("Not done")

    # From here on htmx swaps the comparison in place: the page is never reloaded.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Add a code").fill("63704")
    page.get_by_role("link", name="Add 63704").click()
    expect(columns).to_have_count(3)
    assert codes_in_url(page) == "63707,63709,63704"
    expect(columns.nth(2)).to_contain_text("defect smaller than 5 cm across")
    expect(page).to_have_title(re.compile("^Compare 63707 vs 63709 vs 63704"))

    page.get_by_role("link", name="Remove 63704").click()
    expect(columns).to_have_count(2)
    assert codes_in_url(page) == "63707,63709"

    # Hidden word marks stay hidden across a swap, and the toggle still says so.
    page.get_by_role("button", name="Hide word marks").click()
    page.get_by_role("link", name="Move 63709 left").click()
    expect(columns.nth(0)).to_contain_text("63709")
    assert codes_in_url(page) == "63709,63707"
    expect(columns.nth(1).locator("del").first).to_be_hidden()
    expect(page.get_by_role("button", name="Show word marks")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.stillTheSamePage") is True


def test_word_marks_hide_and_show(page, live_server, login, coder, sample):
    login(coder, "/compare/?codes=63707,63709")
    removed = page.locator(".column del").first
    expect(removed).to_be_visible()
    toggle = page.get_by_role("button", name="Hide word marks")
    toggle.click()
    expect(removed).to_be_hidden()
    expect(page.get_by_role("button", name="Show word marks")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name="Show word marks").click()
    expect(removed).to_be_visible()


def test_compare_with_from_the_code_page(page, live_server, login, coder, sample):
    login(coder, "/codes/cpt/63709/")
    page.get_by_label("Compare 63709 with").fill("63710")
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url("**/compare/?codes=63709,63710")
    expect(page.locator(".column")).to_have_count(2)


@pytest.mark.parametrize("width", [703, 725], ids=["A4", "Letter"])
def test_print_hides_navigation_and_keeps_four_columns_side_by_side(
    page, live_server, login, coder, sample, width
):
    login(coder)
    # The printable width of A4 and Letter with the stylesheet's 12 mm margins, in CSS pixels.
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{live_server.url}/compare/?codes=63700,63702,63704,63706")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("search").first).to_be_hidden()
    expect(page.get_by_label("Add a code")).to_be_hidden()
    expect(page.get_by_role("link", name="Remove 63700")).to_be_hidden()
    tops = {round(box["y"]) for box in (c.bounding_box() for c in page.locator(".column").all())}
    assert len(tops) == 1, "the four columns print side by side"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator(".site-footer")).to_contain_text("American Medical Association")
