"""The artifact types of each phase (their structured fields live in phases/artifacts)."""

from __future__ import annotations

from django.db import models


class ArtifactTypeKey(models.TextChoices):
    STAKEHOLDER_WORKSHOP = "stakeholder_workshop", "Stakeholder workshop"
    FEASIBILITY_STUDY = "feasibility_study", "Feasibility study"
    SCOPE_DOCUMENT = "scope_document", "Scope document"
    MODEL_SELECTION = "model_selection", "Model selection decision"
    INFERENCE_COST_ESTIMATE = "inference_cost_estimate", "Inference-cost estimate"
    PROMPT_EXPERIMENT = "prompt_experiment", "Prompt experiment"
    FINE_TUNING_RUN = "fine_tuning_run", "Fine-tuning run"
    FEEDBACK_LOOP = "feedback_loop", "Human-feedback loop"
    EVALUATION_REPORT = "evaluation_report", "Evaluation report"
    USER_TESTING_SESSION = "user_testing_session", "User-testing session"
    IMPROVEMENT_LOG = "improvement_log", "Improvement log"
    OPTIMISATION_PLAN = "optimisation_plan", "Optimisation plan"
    API_DESIGN_REVIEW = "api_design_review", "API design review"
    DATA_PIPELINE_PLAN = "data_pipeline_plan", "Data-pipeline plan"
    MONITORING_PLAN = "monitoring_plan", "Monitoring plan"
    UI_REVIEW = "ui_review", "UI and accessibility review"
    ROLLOUT_PLAN = "rollout_plan", "Rollout plan"
    MODEL_CARD = "model_card", "Transparency note / model card"


PHASE_OF_TYPE = {
    "stakeholder_workshop": "scope",
    "feasibility_study": "scope",
    "scope_document": "scope",
    "model_selection": "select",
    "inference_cost_estimate": "select",
    "prompt_experiment": "adapt_align",
    "fine_tuning_run": "adapt_align",
    "feedback_loop": "adapt_align",
    "evaluation_report": "evaluate",
    "user_testing_session": "evaluate",
    "improvement_log": "evaluate",
    "optimisation_plan": "integrate",
    "api_design_review": "integrate",
    "data_pipeline_plan": "integrate",
    "monitoring_plan": "integrate",
    "ui_review": "integrate",
    "rollout_plan": "integrate",
    "model_card": "integrate",
}
