from phases.models.artifacts import (
    Artifact,
    ArtifactComment,
    ArtifactReview,
    ArtifactStatus,
    ArtifactVersion,
    Attachment,
    FeedbackRequest,
)
from phases.models.checklist import ArtifactTypeTemplate, ChecklistItem

__all__ = [
    "Artifact",
    "ArtifactComment",
    "ArtifactReview",
    "ArtifactStatus",
    "ArtifactTypeTemplate",
    "ArtifactVersion",
    "Attachment",
    "ChecklistItem",
    "FeedbackRequest",
]
