"""The real URLconf plus two views that fail, to see what users get from an unhandled error."""

from django.urls import path

from lifecycle.urls import handler404, handler500
from lifecycle.urls import urlpatterns as real_patterns


def fail(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("fail/", fail), path("api/fail/", fail), *real_patterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
