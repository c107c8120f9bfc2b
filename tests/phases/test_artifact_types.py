"""Every artifact type validates its fields and computes its derived values exactly."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from phases.artifacts.types import ARTIFACT_TYPES, metric_passes, monthly_cost
from sample_data.artifacts import SAMPLES


@pytest.mark.parametrize("key", sorted(ARTIFACT_TYPES))
def test_every_sample_is_valid(key):
    _, data = SAMPLES[key]
    cleaned, errors = ARTIFACT_TYPES[key].clean(data)
    assert errors == {}
    ARTIFACT_TYPES[key].computed(cleaned)


def test_every_type_has_a_sample():
    assert set(SAMPLES) == set(ARTIFACT_TYPES)


def _errors(key: str, **changes) -> dict:
    data = copy.deepcopy(SAMPLES[key][1])
    data.update(changes)
    return ARTIFACT_TYPES[key].clean(data)[1]


def test_the_weighted_ranking_is_exact():
    data = copy.deepcopy(SAMPLES["model_selection"][1])
    cleaned, _ = ARTIFACT_TYPES["model_selection"].clean(data)
    computed = ARTIFACT_TYPES["model_selection"].computed(cleaned)
    # A: (20*4 + 15*5 + 25*5 + 25*4 + 15*3) / 100 = 4.25; B: (60 + 30 + 75 + 75 + 60) / 100 = 3.00
    assert computed["ranking"] == [
        {"name": "Vendor model A", "total": "4.25", "rank": 1},
        {"name": "Open model B 70B", "total": "3.00", "rank": 2},
    ]
    assert computed["leader"] == "Vendor model A"


def test_the_ranking_breaks_ties_by_name():
    data = copy.deepcopy(SAMPLES["model_selection"][1])
    for row in data["candidates"]:
        for key in ("specificity", "resources", "time_to_market", "performance", "cost"):
            row[f"score_{key}"] = 3
    cleaned, _ = ARTIFACT_TYPES["model_selection"].clean(data)
    ranking = ARTIFACT_TYPES["model_selection"].computed(cleaned)["ranking"]
    assert [r["name"] for r in ranking] == ["Open model B 70B", "Vendor model A"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {f"weight_{k}": "0" for k in ("specificity", "resources", "time_to_market", "performance", "cost")},
            "weight_specificity",
            "above zero",
        ),
        ({"weight_cost": "-5"}, "weight_cost", "Must not be negative."),
        ({"weight_cost": "lots"}, "weight_cost", "Enter a number."),
        ({"choice": "Some other model"}, "choice", "Choose one of the candidates"),
        ({"candidates": []}, "candidates", "Add at least 1 row."),
    ],
)
def test_model_selection_refuses_meaningless_input(changes, field, message):
    errors = _errors("model_selection", **changes)
    assert field in errors and message in errors[field][0], errors


def test_candidate_scores_outside_one_to_five_are_refused():
    data = copy.deepcopy(SAMPLES["model_selection"][1])
    data["candidates"][1]["score_cost"] = 9
    errors = ARTIFACT_TYPES["model_selection"].clean(data)[1]
    assert errors == {"candidates[1].score_cost": ["Must be at most 5."]}


def test_the_monthly_cost_per_token_is_exact():
    row = SAMPLES["inference_cost_estimate"][1]["candidates"][0]
    # 4000 requests × 30 days × (2500 × 2.50 + 400 × 10) / 1e6 = 120000 × 10250 / 1e6 = 1230.00
    assert monthly_cost(row) == Decimal("1230")
    cleaned, _ = ARTIFACT_TYPES["inference_cost_estimate"].clean(SAMPLES["inference_cost_estimate"][1])
    computed = ARTIFACT_TYPES["inference_cost_estimate"].computed(cleaned)
    assert computed["monthly_costs"] == [
        {"model": "Vendor model A", "monthly_cost": "1230.00"},
        # 48 GPU-hours × 30 days × 2.20 = 3168.00
        {"model": "Open model B 70B", "monthly_cost": "3168.00"},
    ]
    assert computed["cheapest"] == "Vendor model A"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"requests_per_day": -1}, "candidates[0].requests_per_day", "Must not be negative."),
        ({"price_input_per_million": "-0.01"}, "candidates[0].price_input_per_million", "Must not be negative."),
        ({"input_tokens": None}, "candidates[0].input_tokens", "Required for this pricing."),
        ({"input_tokens": "2.5"}, "candidates[0].input_tokens", "Enter a whole number."),
    ],
)
def test_cost_estimates_refuse_negative_or_missing_figures(row, field, message):
    data = copy.deepcopy(SAMPLES["inference_cost_estimate"][1])
    data["candidates"][0].update(row)
    errors = ARTIFACT_TYPES["inference_cost_estimate"].clean(data)[1]
    assert errors.get(field) == [message], errors


@pytest.mark.parametrize(
    ("direction", "target", "result", "passes"),
    [
        ("higher", "0.90", "0.92", True),
        ("higher", "0.90", "0.90", True),
        ("higher", "0.90", "0.89", False),
        ("lower", "3", "2.4", True),
        ("lower", "3", "3", True),
        ("lower", "3", "3.01", False),
    ],
)
def test_a_metric_passes_in_its_direction(direction, target, result, passes):
    assert metric_passes({"direction": direction, "target": target, "result": result}) is passes


def test_the_evaluation_report_counts_passes():
    data = copy.deepcopy(SAMPLES["evaluation_report"][1])
    data["metrics"][0]["result"] = "0.85"
    cleaned, _ = ARTIFACT_TYPES["evaluation_report"].clean(data)
    computed = ARTIFACT_TYPES["evaluation_report"].computed(cleaned)
    assert (computed["passed"], computed["total"], computed["all_passed"]) == (2, 3, False)
    assert computed["metrics"][0] == {"name": "accuracy", "passed": False}


def test_feasibility_needs_conditions_and_reports_the_budget():
    assert _errors("feasibility_study", conditions="") == {"conditions": ["Say which conditions make it feasible."]}
    cleaned, _ = ARTIFACT_TYPES["feasibility_study"].clean(SAMPLES["feasibility_study"][1])
    assert ARTIFACT_TYPES["feasibility_study"].computed(cleaned) == {"within_budget": True, "budget_headroom": "35000.00"}


def test_rollout_stages_must_widen_the_audience():
    data = copy.deepcopy(SAMPLES["rollout_plan"][1])
    data["stages"][1]["audience_share"] = "2"
    assert "widen the audience" in ARTIFACT_TYPES["rollout_plan"].clean(data)[1]["stages"][0]
    data["stages"][1]["audience_share"] = "150"
    assert ARTIFACT_TYPES["rollout_plan"].clean(data)[1] == {"stages[1].audience_share": ["Must be at most 100."]}


def test_unknown_and_wrongly_typed_fields_are_refused():
    errors = _errors("model_card", colour="blue", intended_use=["a", "list"])
    assert errors == {"colour": ["This field is not known."], "intended_use": ["Enter text."]}


def test_required_fields_are_required():
    errors = ARTIFACT_TYPES["model_card"].clean({})[1]
    assert set(errors) == {"intended_use", "how_it_decides", "limits", "evaluation_summary"}


def test_the_prompt_experiment_finds_the_best_variant_in_its_direction():
    data = copy.deepcopy(SAMPLES["prompt_experiment"][1])
    cleaned, _ = ARTIFACT_TYPES["prompt_experiment"].clean(data)
    assert ARTIFACT_TYPES["prompt_experiment"].computed(cleaned) == {"best": "v2 cite"}
    cleaned["direction"] = "lower"
    assert ARTIFACT_TYPES["prompt_experiment"].computed(cleaned) == {"best": "v1 plain"}


@pytest.mark.parametrize("type_key", sorted(ARTIFACT_TYPES))
@pytest.mark.parametrize("number", ["999999999999999.9999999999", "0.0000000001", "0"])
def test_extreme_numbers_give_results_or_field_errors_never_a_crash(type_key, number):
    """Every number field at its extremes: the type cleans and computes without an exception
    (a field error is fine: weights must add up, shares must widen...)."""
    artifact_type = ARTIFACT_TYPES[type_key]
    data = copy.deepcopy(SAMPLES[type_key][1])
    for f in artifact_type.fields:
        if getattr(f, "is_rows", False):
            for row in data.get(f.key, []):
                for sub in f.fields:
                    if sub.kind in ("int", "decimal"):
                        row[sub.key] = number if sub.kind == "decimal" or "." not in number else number.split(".")[0]
        elif f.kind in ("int", "decimal"):
            data[f.key] = number if f.kind == "decimal" or "." not in number else number.split(".")[0]
    cleaned, errors = artifact_type.clean(data)
    if not errors:
        artifact_type.computed(cleaned)


@pytest.mark.parametrize("raw", ["sNaN", "NaN", "-Infinity", "1e99999999", "1e40", "12e-30", True])
def test_numbers_that_cannot_be_stored_are_field_errors(raw):
    from phases.artifacts.fields import Field

    errors: dict = {}
    Field("budget", "Budget", "decimal").clean(raw, "budget", errors)
    assert errors["budget"]
