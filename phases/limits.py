"""The length limits of the phases' free texts, one constant per text (the helpers that apply
them, and the rule they share, are in `lifecycle.limits`)."""

from __future__ import annotations

# A checklist item's note (ChecklistItem.note).
CHECKLIST_NOTE_MAX_LENGTH = 2000
# A checklist item's evidence links as typed in one box, one per line.
EVIDENCE_LINKS_TEXT_MAX_LENGTH = 10_000
# A comment in an artifact's discussion (ArtifactComment.body).
ARTIFACT_COMMENT_MAX_LENGTH = 5000
# The comment of an artifact's approval or send-back (ArtifactReview.comment).
DECISION_COMMENT_MAX_LENGTH = 2000
# What the owner asks for when requesting feedback (FeedbackRequest.message).
FEEDBACK_MESSAGE_MAX_LENGTH = 2000
# A reviewer's feedback (FeedbackRequest.answer).
FEEDBACK_ANSWER_MAX_LENGTH = 5000
