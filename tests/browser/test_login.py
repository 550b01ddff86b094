import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in_through_the_form

pytestmark = pytest.mark.browser


def test_the_login_form_signs_a_coder_in(page, live_server, coder):
    log_in_through_the_form(page, live_server, coder)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
