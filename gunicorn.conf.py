"""Gunicorn settings, read from the working directory by every `gunicorn` command of the
Procfiles, the Dockerfile and docker-compose.yml.

The request line limit is lifted here (gunicorn then caps it at 1 MiB) so that the application
answers an over-long line itself, with the JSON error body `too_large` under /api/
(lifecycle.infrastructure.middleware.RequestLimitsMiddleware, REQUEST_LINE_MAX_BYTES), not with the server's
plain-text 400.
"""

limit_request_line = 0
