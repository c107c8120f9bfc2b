"""Production settings pass `manage.py check --deploy`; every response carries the security headers
(HTML pages, API answers and API errors alike); templates and generated HTML hold no inline
script or style, so the Content-Security-Policy needs no 'unsafe-inline'; passwords are validated."""

from __future__ import annotations

import copy
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from governance.models import Gate
from lifecycle.infrastructure import charts
from phases.models import Artifact

ROOT = Path(__file__).resolve().parents[2]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _production_env(**extra: str) -> dict[str, str]:
    """A production-like environment: nothing of this machine's or the test run's settings."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 random characters
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="lifecycle.settings.base",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_production_safety_is_turned_off():
    # The check above can fail: turning off secure cookies and HSTS is reported.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(SESSION_COOKIE_SECURE="false", SECURE_HSTS_SECONDS="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr and "security.W004" in result.stderr


def _assert_security_headers(response, *, https: bool = True) -> None:
    assert response["Content-Security-Policy"] == CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    if https:
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_an_html_page_carries_the_security_headers(client_for, alice):
    response = client_for(alice).get("/projects/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)
    # HSTS only over HTTPS, as browsers ignore it on plain HTTP.
    plain = client_for(alice).get("/projects/")
    _assert_security_headers(plain, https=False)
    assert "Strict-Transport-Security" not in plain


@pytest.mark.parametrize(("url", "status"), [("/api/v1/projects/", 200), ("/api/v1/nothing-here/", 404)])
def test_api_answers_and_errors_carry_the_security_headers(api_for, alice, url, status):
    response = api_for(alice).get(url, secure=True)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    _assert_security_headers(response)


def test_cookies_are_secure_http_only_and_same_site_under_production_settings(settings, alice):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get("/accounts/login/", secure=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_except_the_health_check(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/projects/")
    assert response.status_code == 301
    assert response.url == "https://testserver/projects/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code != 301


def test_the_ssl_redirect_follows_secure_cookies_unless_told_otherwise():
    code = "import lifecycle.settings.base as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"

    def load(**env: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=_production_env(**env), capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert load() == ["True", "31536000"]
    assert load(SESSION_COOKIE_SECURE="false") == ["False", "31536000"]  # the local compose stack
    assert load(DEBUG="true") == ["False", "0"]


def test_api_docs_use_no_inline_script_or_style(client_for, alice):
    client = client_for(alice)
    page = client.get("/api/docs/", secure=True)
    assert page.status_code == 200
    _assert_security_headers(page)
    html = page.content.decode()
    assert not _inline_code(html), _inline_code(html)
    assert "/static/css/swagger.css" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


INLINE = [
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)),
    ("<style> block", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event handler attribute", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("hx-on attribute (needs eval)", re.compile(r"\shx-on", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def _inline_code(html: str) -> list[str]:
    return [f"{name}: {m.group(0)!r}" for name, pattern in INLINE for m in pattern.finditer(html)]


def test_no_template_has_inline_script_style_or_handlers():
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(), flags=re.S)
        if problems := _inline_code(text):
            found[str(path.relative_to(ROOT))] = problems
    assert not found, found


def test_the_checker_finds_inline_code():
    html = '<div style="color:red" onclick="x()"><script>alert(1)</script><style>p{}</style><a hx-on:click="y">'
    assert len(_inline_code(html)) == 5
    assert not _inline_code('<script src="/static/a.js" defer></script><script type="application/json" id="d">{}</script>')


def test_rendered_pages_have_no_inline_script_or_style(client_for, alice, project):
    """The pages as served, with the HTML that Python builds (SVG charts, form widgets)."""
    from phases import services as phases_services
    from sample_data.artifacts import SAMPLES

    title, data = SAMPLES["scope_document"]
    artifact = phases_services.artifact_create(project=project, actor=alice, type="scope_document", title=title, data=copy.deepcopy(data))
    gate = Gate.objects.get(project=project, phase__key="scope")
    phase = project.phases.get(key="scope")
    urls = [
        "/",
        "/projects/",
        project.get_absolute_url(),
        reverse("phases:phase-detail", args=[phase.pk]),
        gate.get_absolute_url(),
        reverse("phases:artifact-create", args=[project.pk]) + "?type=scope_document",
        reverse("phases:artifact-edit", args=[artifact.pk]),
        Artifact.objects.get(pk=artifact.pk).get_absolute_url(),
        reverse("lifecycle:account"),
        "/admin/",
    ]
    client = client_for(alice)
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if problems := _inline_code(response.content.decode()):
            found[url] = problems
    assert not found, found


def test_svg_charts_use_presentation_attributes_only():
    svg = charts.line_chart([("Jan", 40), ("Feb", 80)], threshold=70, title="Readiness")
    svg += charts.bar_chart([("Scope", 3)], title="Phases") + charts.funnel_chart([("Idea", 5), ("Live", 1)], title="Funnel")
    assert 'fill="' in svg
    assert not _inline_code(svg)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("73829104658", "entirely numeric"),
        ("alice-example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(alice, password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=alice)
    assert message in " ".join(error.value.messages)
    validate_password("plum-orbit-cascade-41", user=alice)
