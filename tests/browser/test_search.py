import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from codes.management.commands.load_synonyms import TERMINOLOGY_STARTER
from codes.models import Code, ZeroResultQuery
from tests.browser.conftest import log_in_through_the_form

pytestmark = pytest.mark.browser

FIRST_RESULT = "#search-results .result a.code-ref >> nth=0"


def test_typing_csf_lami_letter_by_letter_puts_63709_first(page, live_server, login, coder, sample):
    login(coder)
    page.locator("#q").press_sequentially("csf lami", delay=40)
    expect(page.locator(FIRST_RESULT)).to_contain_text("63709")
    expect(page.locator(".result-count")).to_have_text("8 results")
    expect(page).to_have_url(re.compile(r"\?q=csf(\+|%20)lami"))  # shareable
    page.reload()
    expect(page.locator("#q")).to_have_value("csf lami")
    expect(page.locator(FIRST_RESULT)).to_contain_text("63709")


def test_slash_focuses_the_search_box_from_anywhere(page, live_server, login, coder, sample):
    login(coder)
    page.locator("h1, label[for=q]").first.click()
    page.locator("#q").evaluate("box => box.blur()")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.goto(f"{live_server.url}/codes/cpt/63709/")
    page.keyboard.press("/")
    expect(page.locator("#header-q")).to_be_focused()


def test_arrow_keys_and_enter_open_a_result(page, live_server, login, coder, sample):
    login(coder)
    page.locator("#q").fill("6370")
    expect(page.locator(FIRST_RESULT)).to_contain_text("63700")
    page.keyboard.press("ArrowDown")
    expect(page.locator(FIRST_RESULT)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/codes/cpt/63702/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("63702")


def test_a_vs_query_opens_the_comparison(page, live_server, login, coder, sample):
    login(coder)
    page.locator("#q").fill("63707 vs 63709")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/compare/?codes=63707,63709")


def test_typing_a_vs_query_letter_by_letter_never_navigates(
    page, live_server, login, coder, sample
):
    login(coder)
    page.locator("#q").press_sequentially("63707 vs 63709", delay=180)
    first_row = page.locator("#result-list > li").first
    expect(first_row).to_have_text(re.compile(r"Compare 63707 with 63709\s*- Enter"))
    expect(page).to_have_url(re.compile(r"/\?q=63707(\+|%20)vs(\+|%20)63709&"))
    expect(page.locator("#q")).to_have_value("63707 vs 63709")  # nothing of the typing lost
    page.get_by_role("link", name="Compare 63707 with 63709").click()
    page.wait_for_url("**/compare/?codes=63707,63709")


def test_the_caret_is_at_the_end_after_a_reload_and_slash_never_types(
    page, live_server, login, coder, sample
):
    login(coder, "/?q=6370")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("9")
    expect(page.locator("#q")).to_have_value("63709")
    expect(page).to_have_url(re.compile(r"q=63709"))
    page.reload()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_have_value("63709")
    page.keyboard.type("63707")  # `/` selected the query: typing replaces it
    expect(page.locator("#q")).to_have_value("63707")
    page.goto(f"{live_server.url}/codes/cpt/63709/")
    page.go_back()
    page.locator("#q").focus()
    page.keyboard.press("/")
    expect(page.locator("#q")).not_to_have_value(re.compile("/"))
    page.locator("#q").fill("dural")
    page.keyboard.type("/csf")  # inside a word it is text
    expect(page.locator("#q")).to_have_value("dural/csf")


def test_a_reversed_range_shows_one_message_linking_the_corrected_range(
    page, live_server, login, coder, sample
):
    login(coder)
    page.locator("#q").press_sequentially("63710-63700", delay=60)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("ends before it starts")
    expect(page.get_by_text("Nothing found")).to_have_count(0)
    alert.get_by_role("link", name="Search 63700-63710").click()
    expect(page.locator(FIRST_RESULT)).to_contain_text("63700")


def test_the_first_letter_does_not_flash_nothing_found(page, live_server, login, coder, sample):
    login(coder)
    page.locator("#q").press_sequentially("c")
    expect(page.get_by_text("Keep typing")).to_be_visible()
    expect(page.get_by_text("Nothing found")).to_have_count(0)


def test_compare_selected_waits_for_two_ticked_codes_and_sends_them(
    page, live_server, login, coder, sample
):
    login(coder)
    page.locator("#q").fill("6370")
    button = page.get_by_role("button", name="Compare selected")
    expect(button).to_be_disabled()
    hint = page.locator("#compare-hint")
    expect(hint).to_have_text("Tick 2 to 4 codes to compare them side by side.")
    page.get_by_role("checkbox", name="compare").nth(4).check()
    expect(button).to_be_disabled()
    expect(hint).to_have_text("Tick one more code to compare.")
    button.click(force=True)  # a disabled button does nothing: the results stay
    expect(page.locator(FIRST_RESULT)).to_contain_text("63700")
    page.get_by_role("checkbox", name="compare").nth(5).check()
    expect(button).to_be_enabled()
    button.click()
    page.wait_for_url("**/compare/?codes=63707,63709")


def test_without_javascript_the_form_still_searches(browser, live_server, coder, sample):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in_through_the_form(page, live_server, coder)
    page.locator("#q").fill("crutches")
    page.get_by_label("System").select_option("hcpcs")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=crutches&system=hcpcs"))
    expect(page.locator(FIRST_RESULT)).to_contain_text("E0110")
    context.close()


def test_filters_and_more_results_update_in_place(page, live_server, login, coder, sample):
    for n in range(23):
        Code.objects.create(system_id=2, code=f"E09{n:02d}", title=f"Walker model {n}")
    login(coder)
    page.locator("#q").fill("leak")
    expect(page.locator(".result-count")).to_have_text("8 results")
    page.get_by_label("System").select_option("cpt")
    expect(page.locator(".result-count")).to_have_text("2 results")
    expect(page).to_have_url(re.compile(r"system=cpt"))
    page.get_by_label("System").select_option("")
    page.locator("#q").fill("walker")
    expect(page.locator("#search-results .result")).to_have_count(20)
    page.get_by_role("link", name="More results").click()
    expect(page.locator("#search-results .result")).to_have_count(23)
    expect(page.get_by_role("link", name="More results")).to_have_count(0)


def test_on_a_phone_one_search_box_and_the_first_result_above_the_fold(
    page, live_server, login, coder, sample
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(coder)
    page.locator("#q").fill("6370")
    expect(page.locator(FIRST_RESULT)).to_contain_text("63700")
    expect(page.get_by_role("searchbox")).to_have_count(1)
    first = page.locator("#search-results .result").first.bounding_box()
    assert first["y"] + first["height"] <= 844
    log_out = page.get_by_role("button", name="Log out").bounding_box()
    assert log_out["height"] < 48  # one line
    page.screenshot(path="/tmp/search-390.png")
    page.goto(f"{live_server.url}/compare/?codes=63707,63709")
    expect(page.get_by_role("link", name="Move 63709 up")).to_be_visible()
    expect(page.get_by_role("link", name="Move 63709 left")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("link", name="Move 63709 left")).to_be_visible()


def test_only_the_query_a_coder_settles_on_is_counted_as_finding_nothing(
    page, live_server, login, coder, sample
):
    login(coder)
    with page.expect_response(lambda response: "x-search-settled" in response.request.headers):
        page.locator("#q").press_sequentially("xylophone", delay=60)
        expect(page.locator("#search-results .empty")).to_contain_text(
            "Nothing found for “xylophone”"
        )
    # The query stood for a moment and was asked again, saying so: it is counted once, none of
    # the letters on the way.
    assert dict(ZeroResultQuery.objects.values_list("query", "count")) == {"xylophone": 1}


def test_a_lay_query_is_answered_with_why_it_matched(page, live_server, login, coder, sample):
    call_command("load_synonyms", str(TERMINOLOGY_STARTER), stdout=io.StringIO())
    login(coder)
    page.locator("#q").fill("high blood sugar")
    expect(page.locator(FIRST_RESULT)).to_contain_text("E11.65")
    expect(page.locator("#search-results .result >> nth=0").locator(".matched-via")).to_have_text(
        "Matched via high blood sugar -> hyperglycemia (lay term, starter list)"
    )


def test_a_coder_saves_their_systems_searches_them_and_switches_to_all(
    page, live_server, login, coder, sample
):
    login(coder)
    page.locator(".search-systems summary").focus()
    page.keyboard.press("Enter")  # opens the panel from the keyboard
    page.get_by_label("CPT").check()
    page.get_by_role("button", name="Save my systems").click()
    expect(page.locator(".search-systems summary")).to_have_text("My systems: CPT")
    page.locator("#q").fill("csf leak")
    expect(page.locator(".result-count")).to_contain_text("in my systems (CPT)")
    codes = page.locator("#search-results .result .code")
    expect(codes.first).to_have_text(re.compile(r"^6370[79]$"))
    expect(page.locator("#id_system")).to_have_value("mine")
    page.get_by_role("link", name="Search all systems").click()
    expect(page.locator("#search-results")).to_contain_text("G96.00")
    expect(page.locator("#id_system")).to_have_value("")
