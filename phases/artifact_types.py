"""The artifact type keys (model choices) and the phase each type belongs to, derived from the
type definitions in phases/artifacts/types.py so there is one list."""

from __future__ import annotations

from django.db import models

from phases.artifacts.types import ARTIFACT_TYPES

ArtifactTypeKey = models.TextChoices(  # type: ignore[call-overload]  # the stubs type only the class syntax
    "ArtifactTypeKey", {key.upper(): (key, artifact_type.label) for key, artifact_type in ARTIFACT_TYPES.items()}
)

PHASE_OF_TYPE = {key: artifact_type.phase for key, artifact_type in ARTIFACT_TYPES.items()}
