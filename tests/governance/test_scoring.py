"""Readiness scoring is a pure function: exhaustive tables, including the edge cases the rules
settle (no should-meet criteria, no optional items, tiers, prohibited projects, expired
acceptances)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance.scoring import CriterionSpec, GateInputs, ItemInput, MetricInput, RiskInput, SignoffInput, fingerprint, score_gate


def C(key, kind, must=False, weight=1, tiers=(), **params):  # noqa: N802 - reads like a table row
    return CriterionSpec(key=key, kind=kind, must_meet=must, weight=weight, tiers=tuple(tiers), params=tuple(sorted(params.items())))


def I(title, required=False, done=False, weight=1):  # noqa: N802, E743
    return ItemInput(title, required, done, weight)


def inputs(**kw):
    return GateInputs(phase_name="Scope", tier=kw.pop("tier", None), **kw)


def result_of(readiness, key):
    return next(c for c in readiness.criteria if c.key == key)


def test_no_should_meet_criteria_scores_100():
    r = score_gate(inputs(), [C("req", "required_items", must=True)], 70)
    assert (r.score, r.ready, r.blocking) == (Decimal("100.0"), True, [])


@pytest.mark.parametrize(
    ("items", "met", "satisfaction"),
    [
        ((), True, 1.0),
        ((I("a", required=True, done=True),), True, 1.0),
        ((I("a", required=True), I("b", required=True, done=True)), False, 0.5),
        ((I("a", required=True), I("b", done=True)), False, 0.0),
    ],
)
def test_required_items(items, met, satisfaction):
    r = score_gate(inputs(items=items), [C("req", "required_items", must=True)], 70)
    c = result_of(r, "req")
    assert (c.met, c.satisfaction) == (met, satisfaction)
    assert r.ready is met


@pytest.mark.parametrize(
    ("items", "satisfaction", "score"),
    [
        # No optional items: fully satisfied.
        ((I("r", required=True),), 1.0, "100.0"),
        ((I("a"), I("b", done=True)), 0.5, "50.0"),
        # Done ÷ total by count, whatever the items' weights.
        ((I("a", weight=3), I("b", done=True, weight=1)), 0.5, "50.0"),
        ((I("a", done=True), I("b", done=True), I("c", done=True)), 1.0, "100.0"),
        ((I("a", done=True), I("b"), I("c")), 0.3333, "33.3"),
    ],
)
def test_optional_share_gives_partial_credit(items, satisfaction, score):
    r = score_gate(inputs(items=items), [C("opt", "optional_items_share", weight=2)], 70)
    assert result_of(r, "opt").satisfaction == satisfaction
    assert r.score == Decimal(score)


def test_the_score_is_the_weighted_share_of_should_meet_satisfaction():
    criteria = [
        C("opt", "optional_items_share", weight=2),  # 0.5
        C("art", "artifact_approved", weight=3, artifact_type="scope_document"),  # 1
        C("risk", "no_open_risk", weight=1, level="high"),  # 0
        C("req", "required_items", must=True),
    ]
    r = score_gate(
        inputs(
            items=(I("a"), I("b", done=True)),
            approved_types=frozenset({"scope_document"}),
            risks=(RiskInput("x", "critical", True),),
        ),
        criteria,
        70,
    )
    # 100 × (2×0.5 + 3×1 + 1×0) / (2+3+1) = 66.7
    assert r.score == Decimal("66.7")
    assert not r.ready and r.blocking == ["score-below-threshold"]
    r = score_gate(inputs(items=(I("a"), I("b", done=True)), approved_types=frozenset({"scope_document"})), criteria, 70)
    assert (r.score, r.ready) == (Decimal("83.3"), True)


def test_reaching_the_threshold_exactly_is_ready():
    r = score_gate(inputs(items=(I("a", done=True), I("b"))), [C("opt", "optional_items_share")], 50)
    assert (r.score, r.ready) == (Decimal("50.0"), True)


def test_a_failing_must_meet_blocks_whatever_the_score():
    r = score_gate(inputs(items=(I("a", required=True),)), [C("req", "required_items", must=True), C("opt", "optional_items_share")], 0)
    assert r.score == Decimal("100.0") and not r.ready
    assert r.blocking == ["req"]


@pytest.mark.parametrize(
    ("approved", "present", "met", "phrase"),
    [
        ({"scope_document"}, {"scope_document"}, True, "An approved scope document"),
        (set(), {"scope_document"}, False, "no version of it is approved"),
        (set(), set(), False, "No scope document yet"),
    ],
)
def test_artifact_approved(approved, present, met, phrase):
    r = score_gate(
        inputs(approved_types=frozenset(approved), present_types=frozenset(present)),
        [C("a", "artifact_approved", must=True, artifact_type="scope_document")],
        70,
    )
    c = result_of(r, "a")
    assert c.met is met and phrase in c.explanation


@pytest.mark.parametrize(
    ("signoffs", "met"),
    [
        ((SignoffInput("data_privacy", "Privacy", "approved"),), True),
        ((SignoffInput("data_privacy", "Privacy", "pending"),), False),
        ((SignoffInput("data_privacy", "Privacy", "rejected"),), False),
        ((SignoffInput("legal_review", "Legal", "approved"),), False),
        ((), False),
    ],
)
def test_signoff_approved(signoffs, met):
    r = score_gate(inputs(signoffs=signoffs), [C("s", "signoff_approved", must=True, signoff_kind="data_privacy")], 70)
    assert result_of(r, "s").met is met


@pytest.mark.parametrize(
    ("risks", "level", "met"),
    [
        ((RiskInput("a", "medium", True),), "high", True),
        ((RiskInput("a", "high", True),), "high", False),
        ((RiskInput("a", "critical", True),), "high", False),
        # Accepted-and-unexpired (counts_as_open False) and closed risks do not count.
        ((RiskInput("a", "critical", False),), "high", True),
        ((RiskInput("a", "high", True),), "critical", True),
        ((), "low", True),
    ],
)
def test_no_open_risk_at_or_above_a_level(risks, level, met):
    r = score_gate(inputs(risks=risks), [C("r", "no_open_risk", must=True, level=level)], 70)
    assert result_of(r, "r").met is met


@pytest.mark.parametrize(
    ("metrics", "name", "met", "satisfaction"),
    [
        ((MetricInput("accuracy", True), MetricInput("latency", False)), "", False, 0.5),
        ((MetricInput("accuracy", True), MetricInput("latency", False)), "accuracy", True, 1.0),
        ((MetricInput("accuracy", True),), "", True, 1.0),
        ((), "", False, 0.0),
        ((MetricInput("accuracy", True),), "recall", False, 0.0),
    ],
)
def test_metric_target(metrics, name, met, satisfaction):
    r = score_gate(inputs(metrics=metrics), [C("m", "metric_target", weight=1, **({"metric": name} if name else {}))], 70)
    c = result_of(r, "m")
    assert (c.met, c.satisfaction) == (met, satisfaction)


@pytest.mark.parametrize(("overdue", "met"), [(False, True), (True, False)])
def test_phase_not_overdue(overdue, met):
    r = score_gate(inputs(overdue=overdue, planned_end="2026-01-31"), [C("o", "phase_not_overdue")], 70)
    assert result_of(r, "o").met is met


@pytest.mark.parametrize(
    ("tier", "tiers", "applies"),
    [("high", ("high",), True), ("limited", ("limited",), False), (None, (), False)],
)
def test_tier_restricted_criteria_that_do_not_apply_count_nowhere(tier, tiers, applies):
    criteria = [
        C("hr", "artifact_approved", must=True, tiers=["high"], artifact_type="model_card"),
        C("opt", "optional_items_share"),
    ]
    r = score_gate(inputs(tier=tier, tiers=tiers, items=(I("a"),)), criteria, 0)
    c = result_of(r, "hr")
    assert c.applies is applies
    # Not applicable: not in the must-meet check (ready), not in the score (only "opt" counts).
    assert r.ready is (not applies)
    assert r.score == Decimal("0.0")
    if not applies:
        assert c.explanation.startswith("Not applicable")


def test_a_not_applicable_should_meet_criterion_is_left_out_of_the_score():
    criteria = [
        C("hr", "artifact_approved", weight=5, tiers=["high"], artifact_type="model_card"),
        C("opt", "optional_items_share", weight=1),
    ]
    r = score_gate(inputs(tier="minimal", items=(I("a", done=True),)), criteria, 70)
    assert r.score == Decimal("100.0")


@pytest.mark.parametrize(
    ("criterion_tiers", "tiers", "applies"),
    [
        (["limited"], ("high", "limited"), True),  # a high-risk chatbot is in force as limited too
        (["gpai"], ("minimal", "gpai"), True),  # a GPAI provider's track
        (["gpai_systemic"], ("minimal", "gpai"), False),
        (["high", "limited"], ("minimal",), False),
    ],
)
def test_a_tier_restricted_criterion_applies_when_any_tier_in_force_matches(criterion_tiers, tiers, applies):
    r = score_gate(
        inputs(tier=tiers[0], tiers=tiers), [C("t", "artifact_approved", must=True, tiers=criterion_tiers, artifact_type="model_card")], 0
    )
    assert result_of(r, "t").applies is applies


def test_an_unclassified_project_fails_the_classified_criterion_and_says_where_to_fix_it():
    criteria = [C("c", "classified", must=True)]
    r = score_gate(inputs(urls=(("classification", "/projects/p/classification/"),)), criteria, 0)
    assert not r.ready and r.blocking == ["c"]
    c = result_of(r, "c")
    assert "no EU AI Act classification" in c.explanation and c.fix_url == "/projects/p/classification/"
    assert score_gate(inputs(tier="minimal", tiers=("minimal",)), criteria, 0).ready


def test_a_prohibited_project_fails_every_gate():
    r = score_gate(inputs(tier="prohibited"), [], 0)
    assert not r.ready
    assert r.blocking == ["eu-ai-act-not-prohibited"]
    assert "prohibited" in result_of(r, "eu-ai-act-not-prohibited").explanation


def test_every_result_explains_itself_and_links_to_a_fix():
    urls = (
        ("phase", "/phases/p/"),
        ("artifacts", "/a/?type={type}"),
        ("signoffs", "/s/"),
        ("risks", "/r/?level={level}"),
        ("classification", "/c/"),
    )
    criteria = [
        C("req", "required_items", must=True),
        C("opt", "optional_items_share"),
        C("art", "artifact_approved", artifact_type="scope_document"),
        C("sig", "signoff_approved", signoff_kind="data_privacy"),
        C("risk", "no_open_risk", level="high"),
        C("met", "metric_target"),
        C("due", "phase_not_overdue"),
    ]
    r = score_gate(inputs(items=(I("Write the scope", required=True),), urls=urls), criteria, 70)
    for c in r.criteria:
        assert c.explanation and c.fix_url, c.key
    assert result_of(r, "req").explanation == "0 of 1 required checklist items are done. Still open: “Write the scope”."
    assert result_of(r, "art").fix_url == "/a/?type=scope_document"
    assert result_of(r, "risk").fix_url == "/r/?level=high"


def test_the_fingerprint_changes_with_the_inputs_only():
    criteria = [C("opt", "optional_items_share")]
    a = fingerprint(inputs(items=(I("a"),)), criteria, 70)
    assert a == fingerprint(inputs(items=(I("a"),)), criteria, 70)
    assert a != fingerprint(inputs(items=(I("a", done=True),)), criteria, 70)
    assert a != fingerprint(inputs(items=(I("a"),)), criteria, 80)
