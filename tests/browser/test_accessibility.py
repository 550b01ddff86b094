"""axe-core over every page a user sees: no serious or critical violation.

A test signs one user in once and checks that user's pages in turn; it reports every page with a
violation, by its path."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from codes.models import Code
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/",
    "/?q=csf+leak",
    "/codes/cpt/63709/",
    "/codes/icd10cm/G96.00/",
    "/compare/?codes=63707,63709",
    "/compare/?codes=63707",
    "/comparisons/",
    "/codes/cpt/63708/",
    "/compare/?codes=63707,63709&as_of=2025-06-30",  # before the codes were in coderef
    "/changes/",
    "/releases/",
]
EDITOR_PAGES = [
    "/admin/",
    "/admin/codes/code/",
    "/admin/codes/code/{pk}/change/",
    "/admin/codes/code/{pk}/history/",
]
# Pages with what only auditors see: export buttons, texts as of a past day, a list export's page.
AUDITOR_PAGES = [
    f"/compare/?codes=63707,63709&as_of={timezone.now().date().isoformat()}",
    "/comparisons/",
    "/comparisons/export/?format=csv",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script tag; the app's own CSP is proven by every other browser test.
    return {**browser_context_args, "bypass_csp": True}


def _serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _violations_by_page(page, live_server, paths) -> dict[str, list[dict]]:
    """{path: its serious violations} for each page opened in turn."""
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found[path] = _serious_violations(page)
    return found


def test_the_login_page_and_every_page_are_accessible(page, live_server, coder, sample):
    page.goto(f"{live_server.url}/accounts/login/")
    found = {"/accounts/login/": _serious_violations(page)}
    sign_in(page.context, live_server, coder)
    found |= _violations_by_page(page, live_server, PAGES)
    assert found == dict.fromkeys(["/accounts/login/", *PAGES], [])


def test_a_change_and_its_diff_are_accessible(page, live_server, login, coder, sample):
    code = Code.objects.get(code="63709")
    code.lay_description += " The wound is closed in layers."
    code.save()
    login(coder, "/changes/")
    assert _serious_violations(page) == []
    page.get_by_role("link", name="63709").first.click()
    page.wait_for_url("**/changes/code/*/")
    assert _serious_violations(page) == []


def test_the_release_pages_are_accessible(page, live_server, auditor):
    from tests.test_releases import load

    load(2022, 2023, 2024, 2025)
    sign_in(page.context, live_server, auditor)
    paths = [
        "/releases/",
        "/releases/icd10cm/FY2023/",
        "/releases/icd10cm/FY2024/?kind=revised&code=I71.6",
        "/codes/icd10cm/I71.51/",
        "/codes/icd10cm/I71.51/?as_of=2023-06-01",
        "/compare/?codes=I71.61@FY2023,I71.61",
        "/?q=I71.5&as_of=2024-06-01",
    ]
    assert _violations_by_page(page, live_server, paths) == dict.fromkeys(paths, [])


def test_the_editors_admin_pages_are_accessible(page, live_server, editor, sample):
    sign_in(page.context, live_server, editor)
    paths = [path.format(pk=Code.objects.get(code="63709").pk) for path in EDITOR_PAGES]
    assert _violations_by_page(page, live_server, paths) == dict.fromkeys(paths, [])


def test_every_auditor_page_is_accessible(page, live_server, auditor, sample):
    sign_in(page.context, live_server, auditor)
    assert _violations_by_page(page, live_server, AUDITOR_PAGES) == dict.fromkeys(AUDITOR_PAGES, [])


def test_every_control_is_reachable_by_keyboard(page, live_server, coder, sample):
    sign_in(page.context, live_server, coder)
    paths = ["/", "/codes/cpt/63709/", "/compare/?codes=63707,63709"]
    unreached = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        count = page.evaluate(
            """() => {
                const selector = "a[href], button, input, select, textarea, summary";
                // What a closed <details> holds is reached by opening it from its summary.
                const folded = e => {
                    const closed = e.closest("details:not([open])");
                    return closed && !closed.querySelector(":scope > summary").contains(e);
                };
                const controls = [...document.querySelectorAll(selector)]
                    .filter(e => e.offsetParent !== null && !e.disabled && e.type !== "hidden")
                    .filter(e => !folded(e));
                controls.forEach((e, i) => e.dataset.kb = i);
                return controls.length;
            }"""
        )
        reached = set()
        for _ in range(count + 5):
            page.keyboard.press("Tab")
            reached.add(page.evaluate("document.activeElement.dataset.kb"))
        unreached[path] = {str(i) for i in range(count)} - reached
    assert unreached == dict.fromkeys(paths, set())


def test_the_search_page_states_typed_in_place_are_accessible(
    page, live_server, login, coder, sample
):
    login(coder)
    box = page.locator("#q")
    box.fill("63707 vs 63709")
    expect(page.get_by_role("link", name="Compare 63707 with 63709")).to_be_visible()
    assert _serious_violations(page) == []
    page.get_by_role("checkbox", name="compare").first.check()  # the disabled button and hint
    assert _serious_violations(page) == []
    box.fill("63710-63700")
    expect(page.get_by_role("alert")).to_contain_text("ends before it starts")
    assert _serious_violations(page) == []
    box.fill("c")
    expect(page.get_by_text("Keep typing")).to_be_visible()
    assert _serious_violations(page) == []
    page.locator(".search-systems summary").click()  # "My systems" open
    expect(page.get_by_role("button", name="Save my systems")).to_be_visible()
    assert _serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    box.fill("6370")
    expect(page.locator(".result-count")).to_be_visible()
    assert _serious_violations(page) == []
    page.goto(f"{live_server.url}/compare/?codes=63707,63709")
    assert _serious_violations(page) == []
