"""Settings of the HTTP benchmark: the product's settings, plus a baseline view in the URLconf.

The baseline goes through everything a real endpoint does (every middleware, the API's
authentication, permission and throttle classes, the same gunicorn workers); only the view's own
work differs. Nothing else changes, so the figures are the product's.
"""

from lifecycle.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
