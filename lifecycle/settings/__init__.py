"""The product's settings. `lifecycle.settings` is what production runs (base.py, read from the
environment); `lifecycle.settings.test` is the test suite's and `lifecycle.settings.bench` the
HTTP benchmark's, each the base plus its own changes."""

from lifecycle.settings.base import *  # noqa: F403
