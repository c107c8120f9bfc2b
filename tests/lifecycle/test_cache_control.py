"""`Cache-Control: private, no-store` on what signed-in users get (pages and API), nothing added
for anonymous callers and static files, stricter headers kept, and ETag revalidation and the
server-side page cache working as before."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils.cache import patch_cache_control
from rest_framework.test import APIClient

from lifecycle import services
from tests.helpers import count_queries

PRIVATE = {"private", "no-store"}


def directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def token_client(user) -> APIClient:
    _, raw = services.token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_signed_in_pages_are_private_and_not_stored(client: Client, alice, project):
    client.force_login(alice)
    for url in (reverse("lifecycle:account"), reverse("lifecycle:project-detail", args=[project.pk]), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200
        assert directives(response) >= PRIVATE, url
    # Redirects and form errors too: whatever a signed-in user is sent.
    assert directives(client.post(reverse("lifecycle:account"), {"name": "ci", "expires_in_days": "1"})) >= PRIVATE


def test_api_responses_to_a_token_or_a_session_are_private(alice, project):
    response = token_client(alice).get("/api/v1/projects/")
    assert response.status_code == 200
    assert directives(response) >= PRIVATE
    session = APIClient()
    session.force_login(alice)
    assert directives(session.get("/api/v1/inbox/")) >= PRIVATE
    # Error bodies too, including those the API's error middleware puts in place of Django's.
    assert directives(token_client(alice).get(f"/api/v1/projects/{alice.pk}/")) >= PRIVATE
    session_missing = session.get("/api/v1/no-such-endpoint/")
    assert session_missing.status_code == 404 and session_missing["Content-Type"].startswith("application/json")
    assert directives(session_missing) >= PRIVATE


def test_anonymous_responses_are_left_alone(db):
    client = Client()
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "Cache-Control" not in response
    health = client.get(reverse("healthz"))
    assert directives(health) == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}  # never_cache's own
    refused = APIClient().get("/api/v1/projects/")
    assert refused.status_code == 401 and "Cache-Control" not in refused


def test_static_files_keep_their_caching_even_for_a_signed_in_browser(client: Client, alice):
    client.force_login(alice)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)


def test_a_stricter_header_of_the_response_is_kept(client: Client, alice, rf):
    client.force_login(alice)
    response = client.get(reverse("healthz"))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

    from lifecycle.infrastructure.middleware import PrivateCacheControlMiddleware

    def view(request):
        from django.http import HttpResponse

        response = HttpResponse("report")
        response["Cache-Control"] = "no-store"
        return response

    request = rf.get("/")
    request.user = alice
    assert PrivateCacheControlMiddleware(view)(request)["Cache-Control"] == "no-store"

    def public_view(request):
        from django.http import HttpResponse

        response = HttpResponse("x")
        patch_cache_control(response, public=True, max_age=600)
        return response

    # A laxer one on a signed-in response loses `public`.
    assert directives(PrivateCacheControlMiddleware(public_view)(request)) == {"max-age=600", "private", "no-store"}


def test_etag_revalidation_still_answers_304(alice, project):
    client = token_client(alice)
    url = f"/api/v1/projects/{project.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert directives(again) >= PRIVATE  # a 304 repeats the 200's caching headers
    # Compressed, the tag stays strong and revalidates the same way.
    gzipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip" and gzipped["ETag"].endswith('-gzip"')
    assert client.get(url, HTTP_IF_NONE_MATCH=gzipped["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    assert directives(gzipped) >= PRIVATE


def test_the_page_cache_still_serves_pages_and_they_carry_the_header(alice, project, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client = Client()
    client.force_login(alice)
    client.get(reverse("lifecycle:project-list"))  # the browser receives its CSRF cookie
    url = reverse("lifecycle:project-detail", args=[project.pk])
    first_queries, first = count_queries(lambda: client.get(url))
    again_queries, again = count_queries(lambda: client.get(url))
    assert again.content == first.content
    assert again_queries < 6 < first_queries  # served from the cache
    assert directives(first) >= PRIVATE and directives(again) >= PRIVATE

    api = token_client(alice)
    api.get("/api/v1/projects/")
    listed = api.get("/api/v1/projects/")
    assert listed.status_code == 200 and directives(listed) >= PRIVATE
