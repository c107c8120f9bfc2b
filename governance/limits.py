"""The length limits of governance's free texts, one constant per text (the helpers that apply
them, and the rule they share, are in `lifecycle.limits`)."""

from __future__ import annotations

# A comment on a decision: a vote in a gate review, a sign-off's approval or rejection.
COMMENT_MAX_LENGTH = 5000
# Why a review is requested although the gate is not ready (Review.justification).
JUSTIFICATION_MAX_LENGTH = 5000
# Why a risk is acceptable (its acceptance).
ACCEPTANCE_COMMENT_MAX_LENGTH = 2000
# What a post-launch audit or review found (PostLaunchTask.notes).
NOTES_MAX_LENGTH = 5000
# A project's own risk category's description.
CATEGORY_DESCRIPTION_MAX_LENGTH = 2000
# A risk's description and mitigation plan; an incident's description and the actions taken.
REGISTER_TEXT_MAX_LENGTH = 5000
# A sign-off's evidence links as typed in one box, one per line.
SIGNOFF_LINKS_TEXT_MAX_LENGTH = 5000
# Why a control of ISO/IEC 42001 Annex A applies to a project or not (its Statement of Applicability).
SOA_JUSTIFICATION_MAX_LENGTH = 2000
