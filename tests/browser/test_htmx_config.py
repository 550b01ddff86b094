import pytest

from tests.test_htmx_config import HTMX_CONFIG

pytestmark = pytest.mark.browser


def test_htmx_runs_with_the_configured_settings(page, live_server, login, coder):
    login(coder)
    settings = page.evaluate(
        "names => Object.fromEntries(names.map(name => [name, htmx.config[name]]))",
        list(HTMX_CONFIG),
    )
    assert settings == HTMX_CONFIG
