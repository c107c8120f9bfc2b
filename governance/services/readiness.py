"""Gate readiness: gates created with the project, inputs loaded in a fixed number of queries,
scored by the pure function in governance.scoring, stored as assessments, kept fresh.

Freshness in three steps:
1. Any change to a gate's inputs marks the project's open gates stale in the same transaction
   (an in-transaction change listener), so no page ever shows a stale score as current.
2. After commit, a rescore is enqueued for each stale gate unless one is already waiting
   (`rescore_queued_at`, claimed with a conditional UPDATE): a burst of changes costs at most one
   computation in progress plus one waiting.
3. Beat sweeps stale gates every minute (catching up after a broker outage) and rescores every
   open gate nightly; "Recompute" starts a job on demand.

Who may: asking for a recompute is for owners (Action.REVIEW, `gate_recompute_request`). Every
other write here is the system's: scoring, marking stale, sweeping and the job a recompute runs
(none takes a person).
"""

from __future__ import annotations

import functools
import time as clock
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from governance import scoring
from governance.classification import obligation_tiers
from governance.models import Assessment, Classification, CriterionTemplate, Gate, GateTemplate, Risk, Signoff
from governance.models.register import risk_counts_as_open
from lifecycle import hooks
from lifecycle import services as lifecycle_services
from lifecycle.infrastructure import page_cache
from lifecycle.models import Phase, Project, User
from lifecycle.permissions import Action
from phases import selectors as phases_selectors

# Changes of these resource types can move a gate's readiness.
INPUT_TYPES = {"checklist_item", "artifact", "signoff", "risk", "phase", "project"}
# A rescore that has waited longer than this is assumed lost (broker down); the sweep re-sends it.
QUEUED_EXPIRY = timedelta(seconds=60)
BATCH_SIZE = 500  # gates per batch task: ~15 queries and a few MB of rows per batch
OPEN_PHASES = (Phase.Status.NOT_STARTED, Phase.Status.IN_PROGRESS, Phase.Status.IN_REVIEW)


def gates_create_for_project(project: Project, actor: User) -> list[Gate]:
    """lifecycle's project_created hook: one gate per phase, with the template's criteria (part of
    creating the project, which project_create allows)."""
    templates = {g.phase_id: g for g in GateTemplate.objects.filter(phase__template=project.template_id)}
    gates = [
        Gate(project=project, phase=phase, template=templates[phase.template_id])
        for phase in project.phases.all()
        if phase.template_id in templates
    ]
    Gate.objects.bulk_create(gates)
    for gate in gates:
        lifecycle_services.change_record(actor=actor, action="gate.created", obj=gate, project=project, after={"phase": gate.phase.key})
    return gates


# --- Loading inputs -----------------------------------------------------------------------------


def _criteria(template_ids: set) -> dict[Any, list[scoring.CriterionSpec]]:
    by_gate: dict[Any, list[scoring.CriterionSpec]] = defaultdict(list)
    for c in CriterionTemplate.objects.filter(gate_id__in=template_ids).order_by("order"):
        by_gate[c.gate_id].append(
            scoring.CriterionSpec(
                key=c.key,
                kind=c.kind,
                must_meet=c.must_meet,
                weight=c.weight,
                tiers=tuple(c.tiers),
                params=tuple(sorted((k, str(v)) for k, v in c.params.items())),
            )
        )
    return by_gate


_ZERO = "00000000-0000-0000-0000-000000000000"


@functools.cache
def _url_patterns() -> dict[str, str]:
    """URL patterns with an {id} slot, reversed once (reversing per gate is a hot spot)."""

    def pattern(name: str) -> str:
        return reverse(name, args=[_ZERO]).replace(_ZERO, "{id}")

    return {
        "phase": pattern("phases:phase-detail"),
        "artifacts": pattern("phases:artifact-list"),
        "signoffs": pattern("governance:signoff-list"),
        "signoff": pattern("governance:signoff-detail"),
        "risks": pattern("governance:risk-list"),
        "classification": pattern("governance:classification"),
    }


def _urls(gate: Gate) -> tuple[tuple[str, str], ...]:
    p = _url_patterns()
    project_id = gate.project_id
    return (
        ("phase", p["phase"].format(id=gate.phase_id)),
        ("artifacts", p["artifacts"].format(id=project_id) + "?type={type}"),
        ("signoffs", p["signoffs"].format(id=project_id)),
        ("risks", p["risks"].format(id=project_id) + "?level={level}"),
        ("classification", p["classification"].format(id=project_id)),
    )


def gate_inputs_load(gates: list[Gate]) -> dict[Any, tuple[scoring.GateInputs, list[scoring.CriterionSpec], int]]:
    """Snapshots of many gates' inputs in seven queries, whatever the number of gates, items,
    artifacts or risks."""
    project_ids = {g.project_id for g in gates}
    criteria = _criteria({g.template_id for g in gates})
    standing = {
        pid: (tier, tuple(obligation_tiers(tier, model_role, transparency or [])))
        for pid, tier, model_role, transparency in Classification.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "tier", "model_role", "answers__transparency"
        )
    }
    items: dict[Any, list[scoring.ItemInput]] = defaultdict(list)
    for item in phases_selectors.checklist_rows_for_phases(phase_ids=[g.phase_id for g in gates]):
        items[item["phase_id"]].append(scoring.ItemInput(item["title"], item["required"], item["done"], item["weight"]))
    present: dict[Any, set] = defaultdict(set)
    approved: dict[Any, set] = defaultdict(set)
    for artifact in phases_selectors.artifact_rows_for_projects(project_ids=list(project_ids)):
        present[artifact["project_id"]].add(artifact["type"])
        if artifact["approved_version_id"]:
            approved[artifact["project_id"]].add(artifact["type"])
    signoffs: dict[Any, list[scoring.SignoffInput]] = defaultdict(list)
    signoff_url = _url_patterns()["signoff"]
    for pk, pid, kind, title, status in Signoff.objects.filter(project_id__in=project_ids).values_list(
        "pk", "project_id", "kind", "title", "status"
    ):
        signoffs[pid].append(scoring.SignoffInput(kind, title, status, signoff_url.format(id=pk)))
    today = timezone.localdate()
    risks: dict[Any, list[scoring.RiskInput]] = defaultdict(list)
    for pid, title, inherent, residual, status, expires in (
        Risk.objects.filter(project_id__in=project_ids)
        .exclude(status=Risk.Status.CLOSED)
        .values_list("project_id", "title", "inherent_level", "residual_level", "status", "acceptance_expires_on")
    ):
        risks[pid].append(scoring.RiskInput(title, residual or inherent, risk_counts_as_open(status, expires, today)))
    metrics = phases_selectors.approved_metrics_for_projects(project_ids=list(project_ids))
    loaded = {}
    for gate in gates:
        phase, pid = gate.phase, gate.project_id
        inputs = scoring.GateInputs(
            phase_name=phase.name,
            tier=standing[pid][0] if pid in standing else None,
            tiers=standing[pid][1] if pid in standing else (),
            items=tuple(items[phase.pk]),
            approved_types=frozenset(approved[pid]),
            present_types=frozenset(present[pid]),
            signoffs=tuple(sorted(signoffs[pid], key=lambda s: (s.kind, s.title))),
            risks=tuple(sorted(risks[pid], key=lambda r: (r.level, r.title))),
            metrics=tuple(scoring.MetricInput(name, passed) for name, passed in sorted(metrics.get(pid, []))),
            overdue=phase.is_overdue(today),
            planned_end=phase.planned_end.isoformat() if phase.planned_end else "",
            urls=_urls(gate),
        )
        loaded[gate.pk] = (inputs, criteria[gate.template_id], gate.template.threshold)
    return loaded


def _gates(ids: Iterable[Any]) -> list[Gate]:
    return list(
        Gate.objects.filter(pk__in=list(ids))
        .select_related("phase", "template")
        .only(
            "pk",
            "project_id",
            "phase_id",
            "template_id",
            "inputs_changed_at",
            "phase__name",
            "phase__status",
            "phase__planned_end",
            "template__threshold",
        )
    )


# --- Assessing ----------------------------------------------------------------------------------


def gates_assess(gate_ids: Iterable[Any]) -> dict[str, int]:
    """Score gates in one batch and store what changed. Safe to run twice or concurrently: the
    write locks the gates' rows and adds an assessment only for a new fingerprint."""
    gates = _gates(gate_ids)
    if not gates:
        return {"assessed": 0, "new": 0}
    started = clock.perf_counter()
    observed = {g.pk: g.inputs_changed_at for g in gates}
    loaded = gate_inputs_load(gates)
    results = []
    for gate in gates:
        inputs, criteria, threshold = loaded[gate.pk]
        results.append((gate.pk, scoring.score_gate(inputs, criteria, threshold), scoring.fingerprint(inputs, criteria, threshold)))
    duration_ms = round((clock.perf_counter() - started) * 1000 / len(gates))
    return {"assessed": len(gates), "new": _store(results, duration_ms, observed)}


@lifecycle_services.atomic
def _store(results: list[tuple[Any, scoring.Readiness, str]], duration_ms: int, observed: dict) -> int:
    """Write a batch of results in one transaction: lock the gates (in key order, so concurrent
    batches cannot deadlock), add assessments for new fingerprints, update the gates."""
    locked = {
        g.pk: g
        for g in Gate.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=[r[0] for r in results])
        .order_by("pk")
        .only("pk", "project_id", "phase_id", "inputs_changed_at", "last_assessment_id")
    }
    previous = {
        pk: (fingerprint, score, ready)
        for pk, fingerprint, score, ready in Assessment.objects.filter(
            pk__in=[g.last_assessment_id for g in locked.values() if g.last_assessment_id]
        ).values_list("pk", "fingerprint", "score", "ready")
    }
    now = timezone.now()
    created = []
    current, changed = [], []
    for gate_id, result, digest in results:
        gate = locked[gate_id]
        before = previous.get(gate.last_assessment_id) if gate.last_assessment_id else None
        if before is None or before[0] != digest:
            assessment = Assessment(
                gate=gate,
                score=result.score,
                ready=result.ready,
                threshold=result.threshold,
                criteria=result.criteria_json(),
                blocking=result.blocking,
                fingerprint=digest,
                computed_at=now,
                duration_ms=duration_ms,
            )
            created.append(assessment)
            changed.append((gate.pk, assessment.pk))
            lifecycle_services.change_record(
                actor=None,
                action="gate.readiness_changed",
                obj=gate,
                project=gate.project_id,
                label="gate",
                before={"score": str(before[1]), "ready": before[2]} if before else None,
                after={"score": str(result.score), "ready": result.ready, "blocking": result.blocking},
                # The assessment row is the record of a derived score: feed row, no audit event.
                audit=False,
            )
        # Current only if nothing changed since the inputs were read; otherwise that change has
        # enqueued another rescore and the gate stays stale until it runs.
        if gate.inputs_changed_at == observed[gate_id]:
            current.append(gate.pk)
    Assessment.objects.bulk_create(created)
    _point_gates_at(changed)
    Gate.objects.filter(pk__in=list(locked)).update(checked_at=now, rescore_queued_at=None, updated_at=now)
    Gate.objects.filter(pk__in=current).update(stale=False)
    if current and not created:
        page_cache.invalidate()  # gates found current again record nothing: retire cached pages
    return len(created)


def _point_gates_at(pairs: list[tuple[Any, Any]]) -> None:
    """Set each gate's last assessment. One UPDATE ... FROM (VALUES ...) on PostgreSQL: Django's
    bulk_update builds a CASE per row, which was the slowest step of scoring a batch."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        for gate_id, assessment_id in pairs:
            Gate.objects.filter(pk=gate_id).update(last_assessment_id=assessment_id)
        return
    values = ", ".join(["(%s::uuid, %s::uuid)"] * len(pairs))
    params = [str(v) for pair in pairs for v in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE governance_gate AS g SET last_assessment_id = v.a FROM (VALUES {values}) AS v(id, a) WHERE g.id = v.id",  # noqa: S608 - only placeholders
            params,
        )


def gate_assess(gate_id: Any) -> Assessment | None:
    gates_assess([gate_id])
    return Gate.objects.select_related("last_assessment").get(pk=gate_id).last_assessment


# --- Freshness ----------------------------------------------------------------------------------


# Changes of those types that cannot move a score (a review opening or closing).
IGNORED_ACTIONS = {"gate.readiness_changed", "phase.in_review", "phase.review_withdrawn"}


def _affected_projects(changes: list[hooks.Change]) -> set:
    return {c.project_id for c in changes if c.type in INPUT_TYPES and c.project_id is not None and c.action not in IGNORED_ACTIONS}


def gates_mark_stale(changes: list[hooks.Change]) -> None:
    """In-transaction listener: the open gates of every project whose inputs changed are stale
    from this commit on."""
    projects = _affected_projects(changes)
    if projects:
        ids = _lock_in_order(Gate.objects.filter(project_id__in=projects, phase__status__in=OPEN_PHASES))
        Gate.objects.filter(pk__in=ids).update(stale=True, inputs_changed_at=timezone.now())


def _lock_in_order(gates: Any) -> list:
    """Lock gate rows in key order, the order the scoring transaction locks them in too: a plain
    multi-row UPDATE locks in scan order, and two transactions taking the same rows in different
    orders deadlock."""
    return list(gates.select_for_update(of=("self",), no_key=True).order_by("pk").values_list("pk", flat=True))


def gates_enqueue_rescore(changes: list[hooks.Change]) -> None:
    """After-commit listener: one rescore per stale gate, unless one is already waiting."""
    projects = _affected_projects(changes)
    if projects:
        gate_ids = list(Gate.objects.filter(project_id__in=projects, stale=True).values_list("pk", flat=True))
        _enqueue_coalesced(gate_ids)


def _enqueue_coalesced(gate_ids: list) -> int:
    from governance import tasks

    now = timezone.now()
    sent = 0
    for gate_id in gate_ids:
        claimed = Gate.objects.filter(Q(rescore_queued_at__isnull=True) | Q(rescore_queued_at__lt=now - QUEUED_EXPIRY), pk=gate_id).update(
            rescore_queued_at=now
        )
        if claimed == 1:
            from lifecycle.services.tasks import send_now

            if send_now(tasks.gate_rescore_task, (str(gate_id),), {}, countdown=settings.GATE_RESCORE_DELAY_SECONDS):
                sent += 1
            else:
                # The broker is down: release the claim so the sweep sends it once it is back.
                Gate.objects.filter(pk=gate_id).update(rescore_queued_at=None)
    return sent


def gates_sweep(*, limit: int = 20 * BATCH_SIZE) -> int:
    """Send stale gates that nobody is rescoring to the workers in batches (beat, every minute)."""
    from governance import tasks
    from lifecycle.services.tasks import send_now

    cutoff = timezone.now() - QUEUED_EXPIRY
    ids = list(
        Gate.objects.filter(Q(rescore_queued_at__isnull=True) | Q(rescore_queued_at__lt=cutoff), stale=True).values_list("pk", flat=True)[
            :limit
        ]
    )
    return _send_batches(ids, tasks.gates_rescore_batch_task, send_now)


def gates_rescore_all() -> int:
    """Nightly: rescore every open gate of active and held projects (time-based criteria such as
    overdue phases and expired acceptances move without any change being recorded)."""
    from governance import tasks
    from lifecycle.services.tasks import send_now

    ids = list(
        Gate.objects.filter(
            phase__status__in=OPEN_PHASES,
            project__status__in=[Project.Status.ACTIVE, Project.Status.ON_HOLD],
            project__deleted_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    return _send_batches(ids, tasks.gates_rescore_batch_task, send_now)


def _send_batches(ids: list, task: Any, send: Any) -> int:
    now = timezone.now()
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            Gate.objects.filter(pk__in=_lock_in_order(Gate.objects.filter(pk__in=batch))).update(rescore_queued_at=now)
        if send(task, ([str(i) for i in batch],), {}):
            sent += len(batch)
        else:
            Gate.objects.filter(pk__in=batch).update(rescore_queued_at=None)
            break
    return sent


def gate_recompute_request(*, gate: Gate, actor: User) -> Any:
    """Recompute on demand (owners): a job the page (or API client) follows."""
    from governance import tasks

    lifecycle_services.require(actor, gate.project, Action.REVIEW)
    job = lifecycle_services.job_create(kind="gate_recompute", actor=actor, project=gate.project, params={"gate": str(gate.pk)})
    lifecycle_services.job_enqueue(job=job, task=tasks.gate_recompute_job_task)
    return job


def gate_recompute_run(*, job_id: Any) -> None:
    job = lifecycle_services.job_start(job_id=job_id)
    if not job:
        return
    from lifecycle.models import Job

    params = Job.objects.values_list("params", flat=True).get(pk=job_id)
    gate_id = UUID(params["gate"])
    lifecycle_services.job_progress(job_id=job_id, progress=30)
    try:
        gates_assess([gate_id])
    except Exception as e:
        lifecycle_services.job_fail(job_id=job_id, error=f"{e.__class__.__name__}: {e}")
        raise
    lifecycle_services.job_succeed(job_id=job_id, result_url=f"/api/v1/gates/{gate_id}/readiness/")
