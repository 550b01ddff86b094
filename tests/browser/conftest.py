import os

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import CHROMIUM, PASSWORD


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


def sign_in(context, live_server, user):
    """Give a browser context the session of `user`, as the login form would."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def log_in_through_the_form(page, live_server, user):
    """Log in as a user does: the login form, which leads to the search page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def login(page, live_server):
    """Sign a user in and open a page: by default the search page, where the login form leads;
    returns a function that takes a user and a path. The form itself is driven by
    `log_in_through_the_form`, in test_login.py."""

    def _login(user, path="/"):
        sign_in(page.context, live_server, user)
        page.goto(f"{live_server.url}{path}")

    return _login


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test also proves the page works under the strict Content-Security-Policy."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert not violations, violations
