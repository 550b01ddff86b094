import pytest
from playwright.sync_api import expect

from tests.codebook import tabular  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_open_e11_65_follow_an_excludes1_link_and_climb_the_breadcrumb_to_e11(
    page,
    live_server,
    login,
    coder,
    sample,  # the code systems: a live server's database starts empty
    tabular,  # noqa: F811
):
    login(coder, "/codes/icd10cm/E11.65/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("E11.65")
    from_e11 = page.locator("h3.note-level", has_text="from E11 ").locator(
        "xpath=following-sibling::ul[1]"
    )
    excludes1 = from_e11.locator("li", has_text="Excludes1: type 1 diabetes mellitus")
    excludes1.get_by_role("link", name="E10.-").click()
    page.wait_for_url("**/?q=E10.&system=icd10cm")
    expect(page.locator("main")).to_contain_text("E10.9")
    page.go_back()
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    breadcrumb.get_by_role("link", name="E11.6", exact=True).click()
    page.wait_for_url("**/codes/icd10cm/E11.6/")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="E11", exact=True
    ).click()
    page.wait_for_url("**/codes/icd10cm/E11/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Type 2 diabetes mellitus")
    expect(page.locator(".codebook")).to_contain_text("Not billable: a header.")
