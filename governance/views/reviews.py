"""Gate reviews (requested, voted, decided): filled in with the reviews feature."""

from __future__ import annotations


def review_context(gate: object, user: object) -> dict:
    return {}
