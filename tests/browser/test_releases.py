import pytest
from playwright.sync_api import expect

from tests.test_releases import load

pytestmark = pytest.mark.browser


def test_what_changed_filter_to_a_category_open_a_revised_code_and_see_its_diff(
    page, live_server, login, coder
):
    load(2022, 2023, 2024)
    login(coder, "/releases/")
    page.get_by_role("link", name="FY2024").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed in ICD-10-CM FY2024")
    page.get_by_label("Codes starting with").fill("I71.6")
    page.get_by_label("Change").select_option("revised")
    page.get_by_role("button", name="Show").click()
    changes = page.locator(".release-changes tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_contain_text("I71.61")
    expect(changes.nth(0).locator("ins")).to_have_text("inserted: thoracoabdominal")
    page.get_by_role("link", name="I71.61", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("I71.61")
    timeline = page.locator("section.timeline")
    expect(timeline).to_contain_text("Revised in FY2024")
    expect(timeline.locator("del")).to_have_text("removed: abdominal")
    expect(timeline.locator("ins")).to_have_text("inserted: thoracoabdominal")


def test_compare_as_of_a_day_shows_the_release_in_force_then(page, live_server, login, coder):
    load(2022, 2023, 2024)
    login(coder, "/compare/?codes=I71.61,I71.62")
    columns = page.locator("article.column")
    expect(columns.nth(0)).to_contain_text("thoracoabdominal aorta")
    page.get_by_label("Texts as of").fill("2023-06-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator(".as-of-banner")).to_contain_text(
        "Texts as of 2023-06-01: the official texts of ICD-10-CM FY2023"
    )
    expect(columns.nth(0)).to_contain_text("as in FY2023")
    expect(columns.nth(0)).to_contain_text("Supraceliac aneurysm of the abdominal aorta")
    expect(columns.nth(0)).not_to_contain_text("thoracoabdominal")
