"""Production settings, headers, login throttling and optional single sign-on."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3v9-Qz8#pL2_wX7!mN4*bR6^tY1(uH5)jG0@cF3+dS8=aE2-Vb7&Wn1",
    "DJANGO_ALLOWED_HOSTS": "coderef.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://coderef.example.org",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_HSTS_PRELOAD": "true",
}


@pytest.mark.any_database  # the settings' checks, which read no database
def test_check_deploy_passes_with_the_documented_production_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_the_security_headers(coder_client, sample):
    response = coder_client.get("/codes/cpt/63709/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client, coder):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "coder", "password": "wrong"})
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "coder", "password": "wrong"})
    assert response.status_code == 429
    # Locked: even the right password is refused now.
    response = client.post("/accounts/login/", {"username": "coder", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_resets_the_failure_count(client, coder):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "coder", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "coder", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"username": "coder", "password": "wrong"})
    assert response.status_code == 200


def test_every_page_offers_logout(coder_client, sample):
    for path in ["/", "/codes/cpt/63709/", "/comparisons/", "/compare/?codes=63707,63709"]:
        html = coder_client.get(path).content.decode()
        assert 'action="/accounts/logout/"' in html, path


def test_the_trusted_header_is_ignored_unless_configured(client, sample):
    response = client.get("/codes/cpt/63709/", HTTP_X_REMOTE_USER="sso.user")
    assert response.status_code == 302


@pytest.mark.django_db
def test_single_sign_on_through_a_trusted_header(client, sample):
    with override_settings(
        REMOTE_USER_HEADER="HTTP_X_REMOTE_USER",
        MIDDLEWARE=[
            *settings.MIDDLEWARE[:6],
            "coderef.auth.TrustedHeaderMiddleware",
            *settings.MIDDLEWARE[6:],
        ],
        AUTHENTICATION_BACKENDS=[
            *settings.AUTHENTICATION_BACKENDS,
            "coderef.auth.TrustedHeaderBackend",
        ],
    ):
        response = client.get("/codes/cpt/63709/", HTTP_X_REMOTE_USER="sso.user")
    assert response.status_code == 200
    assert "sso.user" in response.content.decode()


def test_a_session_signs_its_user_in_until_it_expires_or_the_user_is_deactivated(
    client, coder, sample
):
    client.force_login(coder)
    assert client.get("/api/search", {"q": "63709"}).status_code == 200
    coder.is_active = False
    coder.save()
    assert client.get("/api/search", {"q": "63709"}).status_code == 302  # to the login page
    coder.is_active = True
    coder.save()
    assert client.get("/api/search", {"q": "63709"}).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/search", {"q": "63709"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
