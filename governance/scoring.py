"""Gate readiness as a pure function of a snapshot of its inputs: no database access here.

The rules (PRODUCT.md, Gates, readiness and decisions):
- Criteria are must-meet (knock-out) or should-meet (weighted). A criterion restricted to some
  EU AI Act tiers applies when any tier in force matches (a high-risk chatbot is in force as high
  and limited; a GPAI provider also as gpai); otherwise it is not applicable and counts in
  neither the score nor the must-meet check.
- Score = 100 × Σ(weight × satisfaction) ÷ Σ(weight) over applicable should-meet criteria, or 100
  when there are none.
- Ready = every applicable must-meet criterion holds and the score reaches the threshold.
- A project classified as prohibited fails a must-meet criterion at every gate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from phases.artifacts.types import ARTIFACT_TYPES

LEVELS = ("low", "medium", "high", "critical")
ARTIFACT_LABELS = {key: kind.label for key, kind in ARTIFACT_TYPES.items()}


@dataclass(frozen=True)
class ItemInput:
    title: str
    required: bool
    done: bool
    weight: int = 1


@dataclass(frozen=True)
class RiskInput:
    title: str
    level: str
    counts_as_open: bool


@dataclass(frozen=True)
class MetricInput:
    name: str
    passed: bool


@dataclass(frozen=True)
class SignoffInput:
    kind: str
    title: str
    status: str
    url: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    kind: str
    must_meet: bool
    weight: int = 1
    tiers: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")


@dataclass(frozen=True)
class GateInputs:
    phase_name: str
    tier: str | None  # the classification's tier; None while the project is not classified
    # The tiers in force, whose criteria and obligations apply (governance.classification.obligation_tiers).
    tiers: tuple[str, ...] = ()
    items: tuple[ItemInput, ...] = ()
    approved_types: frozenset[str] = frozenset()
    present_types: frozenset[str] = frozenset()
    signoffs: tuple[SignoffInput, ...] = ()
    risks: tuple[RiskInput, ...] = ()
    metrics: tuple[MetricInput, ...] = ()
    overdue: bool = False
    planned_end: str = ""
    urls: tuple[tuple[str, str], ...] = ()

    def url(self, name: str, **params: str) -> str:
        template = dict(self.urls).get(name, "")
        return template.format(**params) if template else ""


@dataclass
class CriterionResult:
    key: str
    kind: str
    must_meet: bool
    weight: int
    applies: bool
    met: bool
    satisfaction: float
    explanation: str
    fix_url: str = ""


@dataclass
class Readiness:
    score: Decimal
    ready: bool
    threshold: int
    criteria: list[CriterionResult] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)

    def criteria_json(self) -> list[dict]:
        return [vars(c).copy() for c in self.criteria]


NOT_PROHIBITED = CriterionSpec(key="eu-ai-act-not-prohibited", kind="not_prohibited", must_meet=True)


def score_gate(inputs: GateInputs, criteria: list[CriterionSpec] | tuple[CriterionSpec, ...], threshold: int) -> Readiness:
    """1. Evaluate every criterion (plus the not-prohibited check every gate carries).
    2. Mark tier-restricted criteria that do not apply.
    3. Score the applicable should-meet ones; ready when all applicable must-meet ones hold and
       the score reaches the threshold. List what blocks."""
    results = [_evaluate(spec, inputs) for spec in (*criteria, NOT_PROHIBITED)]
    weighted = [(r.weight, r.satisfaction) for r in results if r.applies and not r.must_meet]
    total_weight = sum(w for w, _ in weighted)
    raw = Decimal(100) if total_weight == 0 else Decimal(100) * Decimal(str(sum(w * s for w, s in weighted))) / Decimal(total_weight)
    score = raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    blocking = [r.key for r in results if r.applies and r.must_meet and not r.met]
    if score < threshold:
        blocking.append("score-below-threshold")
    return Readiness(score=score, ready=not blocking, threshold=threshold, criteria=results, blocking=blocking)


def _evaluate(spec: CriterionSpec, inputs: GateInputs) -> CriterionResult:
    applies = not spec.tiers or bool(set(spec.tiers) & set(inputs.tiers))
    met, satisfaction, explanation, fix_url = EVALUATORS[spec.kind](spec, inputs)
    if not applies:
        wanted = ", ".join(spec.tiers)
        standing = ", ".join(inputs.tiers) if inputs.tiers else "not classified yet"
        explanation = f"Not applicable: applies to {wanted} projects only; this project is {standing}."
    return CriterionResult(
        key=spec.key,
        kind=spec.kind,
        must_meet=spec.must_meet,
        weight=spec.weight,
        applies=applies,
        met=met,
        satisfaction=round(satisfaction, 4),
        explanation=explanation,
        fix_url=fix_url,
    )


def _names(titles: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"“{t}”" for t in titles[:limit])
    return shown + (f" and {len(titles) - limit} more" if len(titles) > limit else "")


def _required_items(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    required = [i for i in inputs.items if i.required]
    done = [i for i in required if i.done]
    missing = [i.title for i in required if not i.done]
    if not required:
        return True, 1.0, f"The {inputs.phase_name} phase has no required checklist items.", inputs.url("phase")
    text = f"{len(done)} of {len(required)} required checklist items are done."
    if missing:
        text += f" Still open: {_names(missing)}."
    return not missing, len(done) / len(required), text, inputs.url("phase")


def _optional_share(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    optional = [i for i in inputs.items if not i.required]
    if not optional:
        return True, 1.0, f"The {inputs.phase_name} phase has no optional items, so this is fully satisfied.", inputs.url("phase")
    # Partial credit is done ÷ total, by count (PRODUCT.md); items' weights order the checklist.
    count = sum(1 for i in optional if i.done)
    share = count / len(optional)
    text = f"{count} of {len(optional)} optional items are done ({round(100 * share)}%)."
    return share >= 1, share, text, inputs.url("phase")


def _artifact_approved(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    kind = spec.param("artifact_type")
    label = ARTIFACT_LABELS.get(kind, kind.replace("_", " "))
    url = inputs.url("artifacts", type=kind)
    if kind in inputs.approved_types:
        return True, 1.0, f"An approved {label.lower()} is on file.", url
    if kind in inputs.present_types:
        return False, 0.0, f"A {label.lower()} exists but no version of it is approved yet.", url
    return False, 0.0, f"No {label.lower()} yet: create one and have it approved.", url


def _signoff_approved(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    kind = spec.param("signoff_kind")
    matching = [s for s in inputs.signoffs if s.kind == kind]
    if not matching:
        return False, 0.0, f"This project has no {kind.replace('_', ' ')} sign-off to approve.", inputs.url("signoffs")
    pending = [s for s in matching if s.status != "approved"]
    url = pending[0].url if pending and pending[0].url else inputs.url("signoffs")
    if not pending:
        return True, 1.0, f"The {matching[0].title} sign-off is approved.", url
    return False, 0.0, f"The {pending[0].title} sign-off is {pending[0].status}.", url


def _no_open_risk(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    level = spec.param("level") or "high"
    floor = LEVELS.index(level)
    offending = [r for r in inputs.risks if r.counts_as_open and LEVELS.index(r.level) >= floor]
    url = inputs.url("risks", level=level)
    if not offending:
        return True, 1.0, f"No open risk at level {level} or above.", url
    count = f"{len(offending)} open risk{'s' if len(offending) != 1 else ''}"
    names = _names([r.title for r in offending])
    return False, 0.0, f"{count} at level {level} or above: {names}. Mitigate, close or have them accepted.", url


def _metric_target(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    name = spec.param("metric")
    metrics = [m for m in inputs.metrics if not name or m.name.lower() == name.lower()]
    url = inputs.url("artifacts", type="evaluation_report")
    if not metrics:
        what = f"the metric “{name}”" if name else "any metric"
        return False, 0.0, f"No approved evaluation report records {what} yet.", url
    passed = [m for m in metrics if m.passed]
    failing = [m.name for m in metrics if not m.passed]
    text = f"{len(passed)} of {len(metrics)} metrics meet their targets."
    if failing:
        text += f" Below target: {_names(failing)}."
    return not failing, len(passed) / len(metrics), text, url


def _not_overdue(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    if inputs.overdue:
        return (
            False,
            0.0,
            f"The {inputs.phase_name} phase was planned to end on {inputs.planned_end}; it is overdue.",
            inputs.url("phase"),
        )
    return True, 1.0, f"The {inputs.phase_name} phase is on schedule.", inputs.url("phase")


def _classified(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    if inputs.tier is None:
        return (
            False,
            0.0,
            "The project has no EU AI Act classification yet: answer the questionnaire, so its duties are known.",
            inputs.url("classification"),
        )
    return True, 1.0, "The project's EU AI Act classification is recorded.", inputs.url("classification")


def _not_prohibited(spec: CriterionSpec, inputs: GateInputs) -> tuple:
    if inputs.tier == "prohibited":
        return (
            False,
            0.0,
            "The project is classified as a prohibited AI practice (EU AI Act Art. 5): it cannot pass any gate.",
            inputs.url("classification"),
        )
    return True, 1.0, "The project is not a prohibited AI practice.", inputs.url("classification")


EVALUATORS = {
    "required_items": _required_items,
    "optional_items_share": _optional_share,
    "artifact_approved": _artifact_approved,
    "signoff_approved": _signoff_approved,
    "no_open_risk": _no_open_risk,
    "metric_target": _metric_target,
    "phase_not_overdue": _not_overdue,
    "not_prohibited": _not_prohibited,
    "classified": _classified,
}


def fingerprint(inputs: GateInputs, criteria: list[CriterionSpec] | tuple[CriterionSpec, ...], threshold: int) -> str:
    """SHA-256 of everything the score depends on: equal fingerprints, equal results. The
    canonical form is the repr of plain tuples (sets sorted: their order is not stable between
    processes), which is much cheaper than dataclasses.asdict + JSON."""
    canonical = (
        inputs.phase_name,
        inputs.tier,
        inputs.tiers,
        tuple((i.title, i.required, i.done, i.weight) for i in inputs.items),
        tuple(sorted(inputs.approved_types)),
        tuple(sorted(inputs.present_types)),
        tuple((s.kind, s.title, s.status, s.url) for s in inputs.signoffs),
        tuple((r.title, r.level, r.counts_as_open) for r in inputs.risks),
        tuple((m.name, m.passed) for m in inputs.metrics),
        inputs.overdue,
        inputs.planned_end,
        inputs.urls,
        tuple((c.key, c.kind, c.must_meet, c.weight, c.tiers, c.params) for c in criteria),
        threshold,
    )
    return hashlib.sha256(repr(canonical).encode()).hexdigest()
