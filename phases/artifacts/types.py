"""The artifact types of the five phases, their fields, rules and computed values."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from phases.artifacts.fields import ArtifactType, Errors, Field, Rows

DAYS_PER_MONTH = 30  # monthly cost = daily cost × 30, stated on the page next to the figure
SEVERITIES = (("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical"))
DIRECTIONS = (("higher", "Higher is better"), ("lower", "Lower is better"))


def _t(key: str, label: str, **kw) -> Field:
    return Field(key, label, "text", **kw)


def _long(key: str, label: str, **kw) -> Field:
    return Field(key, label, "longtext", **kw)


def _money(key: str, label: str, **kw) -> Field:
    return Field(key, label, "decimal", minimum=0, **kw)


def _d(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _q(value: Decimal, places: str = "0.01") -> str:
    # Inputs stay below 10^15 (fields.py); products of two of them need more than the default
    # 28 digits to be quantized exactly.
    with localcontext() as context:
        context.prec = 80
        return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


# --- Scope --------------------------------------------------------------------------------------

STAKEHOLDER_WORKSHOP = ArtifactType(
    "stakeholder_workshop",
    "Stakeholder workshop",
    "scope",
    (
        Field("date", "Date", "date", required=True),
        Rows(
            "participants",
            "Participants",
            (_t("name", "Name", required=True), _t("role", "Role", required=True), _t("organisation", "Team or organisation")),
            min_rows=1,
            title_field="name",
        ),
        _long("agenda", "Agenda"),
        _long("input_gathered", "Input gathered", required=True),
        _long("concerns", "Concerns"),
        _long("constraints", "Constraints"),
        _long("decisions", "Decisions"),
        Rows(
            "follow_ups",
            "Follow-ups",
            (_t("action", "Action", required=True), _t("owner", "Owner"), Field("due", "Due", "date")),
            title_field="action",
        ),
    ),
    "Who took part, what they asked for, what worries them and what limits the project.",
)

VERDICTS = (("feasible", "Feasible"), ("feasible_with_conditions", "Feasible with conditions"), ("not_feasible", "Not feasible"))


def _feasibility_rules(data: dict, errors: Errors) -> None:
    if data["verdict"] == "feasible_with_conditions" and not data["conditions"]:
        errors.setdefault("conditions", []).append("Say which conditions make it feasible.")


def _feasibility_compute(data: dict) -> dict:
    estimate, constraint = _d(data["budget_estimate"]), _d(data["budget_constraint"])
    return {"within_budget": estimate <= constraint, "budget_headroom": _q(constraint - estimate)}


FEASIBILITY_STUDY = ArtifactType(
    "feasibility_study",
    "Feasibility study",
    "scope",
    (
        _long("technology_requirements", "Technology requirements", required=True),
        _long("data_availability", "Data availability", required=True),
        _long("legal_ethical", "Legal and ethical considerations", required=True),
        _money("budget_estimate", "Budget estimate", required=True, help="Total estimated cost, in your budget currency."),
        _money("budget_constraint", "Budget constraint", required=True, help="The most the project may spend."),
        Field("verdict", "Verdict", "choice", required=True, choices=VERDICTS),
        _long("conditions", "Conditions", help="Required when the verdict is 'feasible with conditions'."),
    ),
    "Can it be done with the technology, data, law and money available?",
    rules=_feasibility_rules,
    compute=_feasibility_compute,
)

SCOPE_DOCUMENT = ArtifactType(
    "scope_document",
    "Scope document",
    "scope",
    (
        _long("goals", "Goals", required=True),
        Rows(
            "deliverables",
            "Deliverables",
            (_t("name", "Deliverable", required=True), _long("description", "Description")),
            min_rows=1,
        ),
        Rows(
            "milestones",
            "Milestones",
            (_t("name", "Milestone", required=True), Field("date", "Date", "date", required=True)),
            min_rows=1,
        ),
        Rows(
            "success_criteria",
            "Success criteria",
            (
                _t("criterion", "Criterion", required=True),
                _t("metric", "Metric", required=True),
                _t("target", "Measurable target", required=True),
            ),
            min_rows=1,
        ),
        _long("out_of_scope", "Out of scope"),
    ),
    "Goals, deliverables, timeline and measurable success criteria, shared with every stakeholder.",
)

# --- Select -------------------------------------------------------------------------------------

SELECTION_CRITERIA = (
    ("specificity", "Specificity and complexity"),
    ("resources", "Resource availability (data, compute, expertise)"),
    ("time_to_market", "Time to market"),
    ("performance", "Performance and scalability"),
    ("cost", "Cost-effectiveness"),
)
SOURCES = (("open", "Open source"), ("closed", "Closed source"))
HOSTING = (("api", "Vendor API"), ("cloud_managed", "Managed cloud"), ("self_hosted", "Self-hosted"))
BUILD_OR_ADOPT = (("adopt", "Adopt an existing model"), ("adapt", "Adopt and fine-tune"), ("build", "Build from scratch"))


def _selection_rules(data: dict, errors: Errors) -> None:
    weights = [_d(data[f"weight_{key}"]) for key, _ in SELECTION_CRITERIA]
    if sum(weights) <= 0:
        errors.setdefault("weight_specificity", []).append("Give at least one criterion a weight above zero.")
    names = [row["name"] for row in data["candidates"]]
    if len(set(names)) != len(names):
        errors.setdefault("candidates", []).append("Give each candidate a different name.")
    if data["choice"] and data["choice"] not in names:
        errors.setdefault("choice", []).append("Choose one of the candidates by its name.")


def _selection_compute(data: dict) -> dict:
    """Weighted total per candidate = Σ(weight × score) ÷ Σ(weight), on the 1–5 score scale;
    ranking by total (ties by name)."""
    weights = {key: _d(data[f"weight_{key}"]) for key, _ in SELECTION_CRITERIA}
    total_weight = sum(weights.values())
    totals = []
    for row in data["candidates"]:
        weighted = sum(weights[key] * _d(row.get(f"score_{key}")) for key, _ in SELECTION_CRITERIA)
        total = weighted / total_weight if total_weight else Decimal(0)
        totals.append({"name": row["name"], "total": _q(total)})
    ranking = sorted(totals, key=lambda t: (-Decimal(t["total"]), t["name"]))
    for rank, entry in enumerate(ranking, start=1):
        entry["rank"] = rank
    return {"ranking": ranking, "leader": ranking[0]["name"] if ranking else None}


MODEL_SELECTION = ArtifactType(
    "model_selection",
    "Model selection decision",
    "select",
    (
        Field("build_or_adopt", "Build or adopt", "choice", required=True, choices=BUILD_OR_ADOPT),
        *(
            Field(f"weight_{key}", f"Weight: {label}", "decimal", required=True, minimum=0, maximum=100)
            for key, label in SELECTION_CRITERIA
        ),
        Rows(
            "candidates",
            "Candidate models",
            (
                _t("name", "Model", required=True),
                _t("provider", "Provider", required=True),
                Field("source", "Open or closed", "choice", required=True, choices=SOURCES),
                _t("licence", "Licence"),
                Field("context_size", "Context size (tokens)", "int", minimum=0, maximum=100_000_000),
                Field("hosting", "Hosting", "choice", choices=HOSTING),
                *(
                    Field(f"score_{key}", f"Score: {label} (1–5)", "int", required=True, minimum=1, maximum=5)
                    for key, label in SELECTION_CRITERIA
                ),
            ),
            min_rows=1,
            max_rows=20,
            title_field="name",
        ),
        _t("choice", "Chosen model", required=True, help="The name of one candidate."),
        Field("open_or_closed", "Open- or closed-source decision", "choice", required=True, choices=SOURCES),
        _long("rationale", "Rationale", required=True),
    ),
    "Candidates scored against the weighted criteria, with the choice and why.",
    rules=_selection_rules,
    compute=_selection_compute,
)

PRICING = (("per_token", "Per million tokens"), ("per_gpu_hour", "Per GPU-hour"))


def _cost_rules(data: dict, errors: Errors) -> None:
    for i, row in enumerate(data["candidates"]):
        needed = (
            ("requests_per_day", "input_tokens", "output_tokens", "price_input_per_million", "price_output_per_million")
            if row["pricing"] == "per_token"
            else ("gpu_hours_per_day", "price_per_gpu_hour")
        )
        for name in needed:
            if row.get(name) in (None, ""):
                errors.setdefault(f"candidates[{i}].{name}", []).append("Required for this pricing.")


def monthly_cost(row: dict) -> Decimal:
    """Per token: requests/day × 30 × (input tokens × input price + output tokens × output price)
    ÷ 1,000,000. Per GPU-hour: GPU-hours/day × 30 × price per GPU-hour."""
    if row["pricing"] == "per_token":
        per_request = _d(row["input_tokens"]) * _d(row["price_input_per_million"]) + _d(row["output_tokens"]) * _d(
            row["price_output_per_million"]
        )
        return _d(row["requests_per_day"]) * DAYS_PER_MONTH * per_request / Decimal(1_000_000)
    return _d(row["gpu_hours_per_day"]) * DAYS_PER_MONTH * _d(row["price_per_gpu_hour"])


def _cost_compute(data: dict) -> dict:
    costs = [{"model": row["model"], "monthly_cost": _q(monthly_cost(row))} for row in data["candidates"]]
    cheapest = min(costs, key=lambda c: Decimal(c["monthly_cost"]))["model"] if costs else None
    return {"monthly_costs": costs, "cheapest": cheapest, "days_per_month": DAYS_PER_MONTH}


INFERENCE_COST_ESTIMATE = ArtifactType(
    "inference_cost_estimate",
    "Inference-cost estimate",
    "select",
    (
        Rows(
            "candidates",
            "Candidates",
            (
                _t("model", "Model", required=True),
                Field("pricing", "Pricing", "choice", required=True, choices=PRICING),
                Field("requests_per_day", "Requests per day", "int", minimum=0, maximum=10**12),
                Field("input_tokens", "Input tokens per request", "int", minimum=0, maximum=10**9),
                Field("output_tokens", "Output tokens per request", "int", minimum=0, maximum=10**9),
                _money("price_input_per_million", "Price per million input tokens"),
                _money("price_output_per_million", "Price per million output tokens"),
                _money("gpu_hours_per_day", "GPU-hours per day"),
                _money("price_per_gpu_hour", "Price per GPU-hour"),
            ),
            min_rows=1,
            max_rows=20,
            title_field="model",
        ),
        _t("currency", "Currency", max_length=10, help="e.g. EUR, USD"),
        _long("assumptions", "Assumptions"),
    ),
    "Monthly inference cost per candidate from traffic and prices.",
    rules=_cost_rules,
    compute=_cost_compute,
)

# --- Adapt/Align --------------------------------------------------------------------------------


def _experiment_rules(data: dict, errors: Errors) -> None:
    names = [row["name"] for row in data["variants"]]
    if len(set(names)) != len(names):
        errors.setdefault("variants", []).append("Give each prompt version a different name.")
    if data["winner"] and data["winner"] not in names:
        errors.setdefault("winner", []).append("The winner must be one of the prompt versions.")


def _experiment_compute(data: dict) -> dict:
    scored = [row for row in data["variants"] if row.get("result") not in (None, "")]
    if not scored:
        return {"best": None}
    higher = data.get("direction", "higher") != "lower"
    best = (max if higher else min)(scored, key=lambda r: _d(r["result"]))
    return {"best": best["name"]}


PROMPT_EXPERIMENT = ArtifactType(
    "prompt_experiment",
    "Prompt experiment",
    "adapt_align",
    (
        _long("objective", "Objective", required=True),
        _t("metric", "Evaluation metric", required=True),
        Field("direction", "Direction", "choice", required=True, choices=DIRECTIONS),
        Rows(
            "variants",
            "Prompt versions",
            (
                _t("name", "Version", required=True),
                _long("prompt", "Prompt text", required=True, max_length=20000),
                _long("what_changed", "What changed"),
                Field("result", "Result", "decimal"),
            ),
            min_rows=1,
            max_rows=30,
            title_field="name",
        ),
        _t("winner", "Winner", help="The name of the winning version."),
        _long("notes", "Notes (contextual relevance, clarity and specificity)"),
    ),
    "Prompt versions tried, what changed, how each scored, and the winner.",
    rules=_experiment_rules,
    compute=_experiment_compute,
)

FINE_TUNING_RUN = ArtifactType(
    "fine_tuning_run",
    "Fine-tuning run",
    "adapt_align",
    (
        Field(
            "method",
            "Method",
            "choice",
            required=True,
            choices=(("lora", "LoRA"), ("prompt_tuning", "Prompt tuning"), ("full", "Full fine-tuning")),
        ),
        _t("base_model", "Base model", required=True),
        _t("dataset", "Dataset", required=True),
        Field("dataset_size", "Dataset size (examples)", "int", required=True, minimum=0, maximum=10**12),
        Rows("hyperparameters", "Hyper-parameters", (_t("name", "Name", required=True), _t("value", "Value", required=True))),
        _t("compute_used", "Compute used", help="e.g. 8 × A100 for 6 hours"),
        _money("gpu_hours", "GPU-hours"),
        Rows(
            "results",
            "Result metrics",
            (_t("metric", "Metric", required=True), Field("value", "Value", "decimal", required=True)),
        ),
        _long("outcome", "Outcome", required=True),
    ),
    "What was tuned, on which data, with which settings and compute, and what came out.",
)

FEEDBACK_LOOP = ArtifactType(
    "feedback_loop",
    "Human-feedback loop",
    "adapt_align",
    (
        _t("source", "Source of feedback", required=True),
        Field("volume_per_month", "Volume per month", "int", minimum=0, maximum=10**9),
        Field(
            "cadence",
            "Cadence",
            "choice",
            required=True,
            choices=(("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly"), ("per_release", "Each release")),
        ),
        _long("changes_made", "Changes made", required=True),
        _long("ethical_adjustments", "Ethical adjustments"),
    ),
    "How human feedback flows back into the model and what it changed.",
)

# --- Evaluate -----------------------------------------------------------------------------------


def metric_passes(row: dict) -> bool:
    """A metric passes when its result meets the target in its direction (equal passes)."""
    result, target = _d(row["result"]), _d(row["target"])
    return result >= target if row["direction"] == "higher" else result <= target


def _evaluation_compute(data: dict) -> dict:
    metrics = [{"name": row["name"], "passed": metric_passes(row)} for row in data["metrics"]]
    return {
        "metrics": metrics,
        "passed": sum(m["passed"] for m in metrics),
        "total": len(metrics),
        "all_passed": all(m["passed"] for m in metrics),
    }


EVALUATION_REPORT = ArtifactType(
    "evaluation_report",
    "Evaluation report",
    "evaluate",
    (
        Rows(
            "metrics",
            "Metrics",
            (
                _t("name", "Metric", required=True),
                Field("target", "Target", "decimal", required=True),
                Field("direction", "Direction", "choice", required=True, choices=DIRECTIONS),
                Field("result", "Result", "decimal", required=True),
            ),
            min_rows=1,
            title_field="name",
        ),
        _long("benchmarks", "Benchmarks used"),
        _long("summary", "Summary", required=True),
    ),
    "Metrics with targets and results; each passes or fails in its direction.",
    compute=_evaluation_compute,
)

USER_TESTING_SESSION = ArtifactType(
    "user_testing_session",
    "User-testing session",
    "evaluate",
    (
        Field("date", "Date", "date", required=True),
        Rows(
            "participants",
            "Participants",
            (_t("profile", "Profile", required=True), Field("count", "Count", "int", required=True, minimum=1, maximum=100000)),
            min_rows=1,
        ),
        Rows("tasks", "Tasks", (_t("task", "Task", required=True),), min_rows=1),
        Rows(
            "findings",
            "Findings",
            (
                _long("finding", "Finding", required=True),
                Field("severity", "Severity", "choice", required=True, choices=SEVERITIES),
            ),
        ),
        _long("summary", "Summary"),
    ),
    "Who tested, what they tried and what they found, by severity.",
    compute=lambda data: {"participants": sum(row["count"] or 0 for row in data["participants"])},
)

IMPROVEMENT_LOG = ArtifactType(
    "improvement_log",
    "Improvement log",
    "evaluate",
    (
        Rows(
            "entries",
            "Entries",
            (
                Field("date", "Date", "date", required=True),
                _long("change", "Change", required=True),
                _long("reason", "Reason"),
                _long("effect", "Effect"),
            ),
            min_rows=1,
            max_rows=200,
        ),
    ),
    "Each improvement made from evaluation insights, why, and its effect.",
)

# --- Integrate ----------------------------------------------------------------------------------

TECHNIQUES = (
    ("quantisation", "Quantisation"),
    ("pruning", "Pruning"),
    ("distillation", "Distillation"),
    ("hardware", "Hardware-specific"),
)


def _optimisation_compute(data: dict) -> dict:
    changes = []
    for row in data["techniques"]:
        change = {"technique": row["technique"]}
        for measure in ("latency_ms", "cost", "quality"):
            before, after = row.get(f"{measure}_before"), row.get(f"{measure}_after")
            if before not in (None, "") and after not in (None, "") and _d(before) != 0:
                change[f"{measure}_change_percent"] = _q((_d(after) - _d(before)) * 100 / _d(before), "0.1")
        changes.append(change)
    return {"changes": changes}


OPTIMISATION_PLAN = ArtifactType(
    "optimisation_plan",
    "Optimisation plan",
    "integrate",
    (
        Rows(
            "techniques",
            "Techniques",
            (
                Field("technique", "Technique", "choice", required=True, choices=TECHNIQUES),
                _long("description", "Description"),
                _money("latency_ms_before", "Latency before (ms)"),
                _money("latency_ms_after", "Latency after (ms)"),
                _money("cost_before", "Cost before"),
                _money("cost_after", "Cost after"),
                Field("quality_before", "Quality before", "decimal"),
                Field("quality_after", "Quality after", "decimal"),
            ),
            min_rows=1,
        ),
    ),
    "Inference optimisations with latency, cost and quality before and after.",
    compute=_optimisation_compute,
)

REVIEW_VERDICTS = (("approved", "Approved"), ("changes_required", "Changes required"))

API_DESIGN_REVIEW = ArtifactType(
    "api_design_review",
    "API design review",
    "integrate",
    (
        _long("overview", "Endpoints and contracts", required=True),
        _long("security", "Security", required=True),
        _long("scalability", "Scalability", required=True),
        _long("maintainability", "Maintainability", required=True),
        Field("verdict", "Verdict", "choice", required=True, choices=REVIEW_VERDICTS),
        Rows("actions", "Actions", (_t("action", "Action", required=True), _t("owner", "Owner"))),
    ),
    "Is the API secure, scalable and maintainable?",
)

DATA_PIPELINE_PLAN = ArtifactType(
    "data_pipeline_plan",
    "Data-pipeline plan",
    "integrate",
    (
        Rows(
            "sources",
            "Data sources",
            (
                _t("name", "Source", required=True),
                Field("mode", "Mode", "choice", required=True, choices=(("batch", "Batch"), ("stream", "Real-time stream"))),
                _t("volume", "Volume"),
            ),
            min_rows=1,
        ),
        Field("latency_target_ms", "Latency target (ms)", "int", minimum=0, maximum=10**9),
        _long("scaling", "Large-scale handling", required=True),
        _long("quality_checks", "Data-quality checks"),
    ),
    "How the model's data flows connect to the application's data systems.",
)

MONITORING_PLAN = ArtifactType(
    "monitoring_plan",
    "Monitoring plan",
    "integrate",
    (
        Rows(
            "metrics",
            "Monitored metrics",
            (
                _t("name", "Metric", required=True),
                Field("threshold", "Alert threshold", "decimal", required=True),
                Field(
                    "alert_when",
                    "Alert when",
                    "choice",
                    required=True,
                    choices=(("above", "Above the threshold"), ("below", "Below the threshold")),
                ),
                _t("route", "Alert route", required=True, help="e.g. #ml-oncall, pager, e-mail"),
            ),
            min_rows=1,
        ),
        _t("dashboard", "Dashboard"),
        _long("review_cadence", "Review cadence"),
    ),
    "Which metrics are watched, their thresholds and who is alerted.",
)

UI_REVIEW = ArtifactType(
    "ui_review",
    "UI and accessibility review",
    "integrate",
    (
        _long("user_centred", "User-centred design", required=True),
        _long("feedback_mechanism", "Feedback mechanism", required=True),
        _long("accessibility", "Accessibility", required=True),
        _long("inclusivity", "Inclusivity"),
        Field("wcag_level", "WCAG level met", "choice", choices=(("A", "A"), ("AA", "AA"), ("AAA", "AAA"))),
        Rows(
            "issues",
            "Issues",
            (_t("issue", "Issue", required=True), Field("severity", "Severity", "choice", required=True, choices=SEVERITIES)),
        ),
    ),
    "Is the interface intuitive, open to feedback, accessible and inclusive?",
)


def _rollout_rules(data: dict, errors: Errors) -> None:
    shares = [_d(row["audience_share"]) for row in data["stages"]]
    if shares != sorted(shares):
        errors.setdefault("stages", []).append("Stages should widen the audience: each share at least the one before.")


ROLLOUT_PLAN = ArtifactType(
    "rollout_plan",
    "Rollout plan",
    "integrate",
    (
        Rows(
            "stages",
            "Stages",
            (
                _t("name", "Stage", required=True),
                Field("audience_share", "Audience share (%)", "decimal", required=True, minimum=0, maximum=100),
                Field("start", "Start", "date"),
                _t("exit_criteria", "Exit criteria"),
            ),
            min_rows=1,
        ),
        Rows("ab_variants", "A/B test variants", (_t("name", "Variant", required=True), _long("description", "Description"))),
        _t("ab_metric", "A/B metric"),
        Field("ab_sample_size", "A/B sample size", "int", minimum=0, maximum=10**12),
        _long("ab_result", "A/B result"),
    ),
    "A gradual rollout by audience share, and the A/B test plan and result.",
    rules=_rollout_rules,
)

MODEL_CARD = ArtifactType(
    "model_card",
    "Transparency note / model card",
    "integrate",
    (
        _long("intended_use", "Intended use", required=True),
        _long("out_of_scope", "Out-of-scope uses"),
        _long("how_it_decides", "How the model decides", required=True),
        _long("limits", "Limits", required=True),
        _long("evaluation_summary", "Evaluation summary", required=True),
        _t("contact", "Contact"),
    ),
    "What the system is for, how it decides, its limits and how it was evaluated.",
)

ARTIFACT_TYPES: dict[str, ArtifactType] = {
    t.key: t
    for t in (
        STAKEHOLDER_WORKSHOP,
        FEASIBILITY_STUDY,
        SCOPE_DOCUMENT,
        MODEL_SELECTION,
        INFERENCE_COST_ESTIMATE,
        PROMPT_EXPERIMENT,
        FINE_TUNING_RUN,
        FEEDBACK_LOOP,
        EVALUATION_REPORT,
        USER_TESTING_SESSION,
        IMPROVEMENT_LOG,
        OPTIMISATION_PLAN,
        API_DESIGN_REVIEW,
        DATA_PIPELINE_PLAN,
        MONITORING_PLAN,
        UI_REVIEW,
        ROLLOUT_PLAN,
        MODEL_CARD,
    )
}
