"""The product's URLconf plus `bench/baseline/`: constant JSON behind the API's own view class
(authentication, permissions and throttles of every API endpoint)."""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle.api.base import ApiView

BODY = {"status": "ok", "detail": "Constant body of the benchmark's baseline view."}


class BaselineApi(ApiView):
    def get(self, request: Request) -> Response:
        return Response(BODY)


urlpatterns = [
    path("bench/baseline/", BaselineApi.as_view(), name="bench-baseline"),
    path("", include("lifecycle.urls")),
]

handler404 = "lifecycle.views.errors.not_found"
handler500 = "lifecycle.views.errors.server_error"
