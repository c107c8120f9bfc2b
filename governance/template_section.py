"""Governance's part of a lifecycle template (docs/template-format.md): the risk matrix, the
sign-offs, the gate of each phase, and the checklist items each EU AI Act tier adds. It also checks
that every framework reference anywhere in the template names a known requirement."""

from __future__ import annotations

import re
from typing import Any

from governance.classification import EVERY_TIER, FACTS, ROLES
from governance.models import (
    CriterionKind,
    CriterionTemplate,
    Framework,
    GateTemplate,
    ObligationTemplate,
    Requirement,
    RiskLevel,
    RiskMatrix,
    SignoffKind,
    SignoffKindTemplate,
    TemplateGovernance,
    Tier,
)
from lifecycle.infrastructure.yaml_loader import Checker, Node, NodeList
from lifecycle.limits import GUIDANCE_MAX_LENGTH
from lifecycle.models import Function, LifecycleTemplate, PhaseKey, Role
from lifecycle.services.templates import REF_PATTERN, validate_item

CRITERION_KEYS = ("key", "kind", "must_meet", "weight", "tiers", "artifact_type", "signoff_kind", "level", "metric")
_PARAMS = ("artifact_type", "signoff_kind", "level", "metric")
# The sign-off kinds a template names (a classification change's sign-off is made by the service).
TEMPLATE_SIGNOFF_KINDS = [k for k in SignoffKind.values if k != SignoffKind.CLASSIFICATION_CHANGE]


class GovernanceSection:
    name = "governance"
    top_keys = ("risk_matrix", "obligations")
    phase_keys = ("signoffs", "gate")

    def validate(self, doc: Node, errors: list[str]) -> None:
        check = Checker(errors)
        matrices = set(RiskMatrix.objects.values_list("key", flat=True))
        if "risk_matrix" in doc:
            check.choice(doc, "risk_matrix", "risk_matrix", sorted(matrices))
        functions = set(Function.objects.values_list("key", flat=True))
        item_keys = {
            item.get("key")
            for phase in doc.get("phases") or []
            if isinstance(phase, Node)
            for item in phase.get("checklist") or []
            if isinstance(item, Node)
        }
        for i, phase in enumerate(doc.get("phases") or []):
            if isinstance(phase, Node):
                self._validate_signoffs(check, phase, f"phases[{i}]", functions)
                self._validate_gate(check, phase, f"phases[{i}]", functions)
        self._validate_obligations(check, doc, item_keys)
        self._validate_refs(check, doc)

    def _validate_signoffs(self, check: Checker, phase: Node, path: str, functions: set[str]) -> None:
        entries = check.sequence(phase, "signoffs", f"{path}.signoffs", required=False)
        for j, entry in enumerate(entries):
            entry_path = f"{path}.signoffs[{j}]"
            if not isinstance(entry, Node):
                check.error(entries.line_of(j), entry_path, "must be a mapping")
                continue
            check.unknown_keys(entry, ("kind", "function", "title", "guidance", "refs"), entry_path)
            check.choice(entry, "kind", f"{entry_path}.kind", TEMPLATE_SIGNOFF_KINDS)
            check.choice(entry, "function", f"{entry_path}.function", sorted(functions))
            check.text(entry, "title", f"{entry_path}.title")
            check.text(entry, "guidance", f"{entry_path}.guidance", required=False, max_len=GUIDANCE_MAX_LENGTH)

    def _validate_gate(self, check: Checker, phase: Node, path: str, functions: set[str]) -> None:
        gate = check.mapping(phase, "gate", f"{path}.gate", required=False)
        if gate is None:
            return
        gate_path = f"{path}.gate"
        check.unknown_keys(gate, ("threshold", "approval", "criteria"), gate_path)
        check.integer(gate, "threshold", f"{gate_path}.threshold", minimum=0, maximum=100, default=70)
        approval = check.mapping(gate, "approval", f"{gate_path}.approval", required=False)
        if approval is not None:
            self._validate_approval(check, approval, f"{gate_path}.approval", functions)
        criteria = check.sequence(gate, "criteria", f"{gate_path}.criteria", required=False)
        keys: set[str] = set()
        for k, criterion in enumerate(criteria):
            c_path = f"{gate_path}.criteria[{k}]"
            if not isinstance(criterion, Node):
                check.error(criteria.line_of(k), c_path, "must be a mapping")
                continue
            self._validate_criterion(check, criterion, c_path, keys)

    def _validate_approval(self, check: Checker, approval: Node, path: str, functions: set[str]) -> None:
        check.unknown_keys(approval, ("approvers", "quorum", "due_days"), path)
        approvers = check.mapping(approval, "approvers", f"{path}.approvers", required=False)
        if approvers is not None:
            check.unknown_keys(approvers, ("role", "functions"), f"{path}.approvers")
            if "role" in approvers:
                check.choice(approvers, "role", f"{path}.approvers.role", Role.values)
            for fn in check.strings(approvers, "functions", f"{path}.approvers.functions"):
                if fn not in functions:
                    check.error(approvers.line_of("functions"), f"{path}.approvers.functions", f"unknown function {fn!r}")
            if "role" not in approvers and not approvers.get("functions"):
                check.error(approvers.line, f"{path}.approvers", "name a role or functions")
        quorum = approval.get("quorum", "all")
        line = approval.line_of("quorum")
        if isinstance(quorum, Node):
            check.unknown_keys(quorum, ("n", "percent"), f"{path}.quorum")
            if "n" in quorum:
                check.integer(quorum, "n", f"{path}.quorum.n", minimum=1, maximum=50)
            elif "percent" in quorum:
                check.integer(quorum, "percent", f"{path}.quorum.percent", minimum=1, maximum=100)
            else:
                check.error(line, f"{path}.quorum", "must be all, {n: N} or {percent: P}")
        elif quorum != "all":
            check.error(line, f"{path}.quorum", "must be all, {n: N} or {percent: P}")
        check.integer(approval, "due_days", f"{path}.due_days", minimum=1, maximum=90, default=7)

    def _validate_criterion(self, check: Checker, criterion: Node, path: str, keys: set[str]) -> None:
        from phases.artifact_types import ArtifactTypeKey

        check.unknown_keys(criterion, CRITERION_KEYS, path)
        key = check.slug(criterion, "key", f"{path}.key")
        if key in keys:
            check.error(criterion.line_of("key"), f"{path}.key", f"{key!r} is used twice in this gate")
        keys.add(key)
        kind = check.choice(criterion, "kind", f"{path}.kind", CriterionKind.values)
        check.boolean(criterion, "must_meet", f"{path}.must_meet")
        check.integer(criterion, "weight", f"{path}.weight", minimum=1, maximum=10, default=1)
        for tier in check.strings(criterion, "tiers", f"{path}.tiers"):
            if tier not in Tier.values:
                check.error(criterion.line_of("tiers"), f"{path}.tiers", f"unknown tier {tier!r} (one of {', '.join(Tier.values)})")
        if kind == CriterionKind.ARTIFACT_APPROVED:
            check.choice(criterion, "artifact_type", f"{path}.artifact_type", ArtifactTypeKey.values)
        elif kind == CriterionKind.SIGNOFF_APPROVED:
            check.choice(criterion, "signoff_kind", f"{path}.signoff_kind", TEMPLATE_SIGNOFF_KINDS)
        elif kind == CriterionKind.NO_OPEN_RISK:
            check.choice(criterion, "level", f"{path}.level", RiskLevel.values)
        elif kind == CriterionKind.METRIC_TARGET and "metric" in criterion:
            check.text(criterion, "metric", f"{path}.metric", max_len=100)

    def _validate_obligations(self, check: Checker, doc: Node, item_keys: set) -> None:
        obligations = check.mapping(doc, "obligations", "obligations", required=False)
        if obligations is None:
            return
        seen = {k for k in item_keys if isinstance(k, str)}
        buckets = [*Tier.values, EVERY_TIER]
        eu_ai_act = Framework.objects.filter(key="eu-ai-act").first()
        dates = {d["key"] for d in (eu_ai_act.extra.get("dates") or [])} if eu_ai_act else set()
        for tier, entries in obligations.items():
            path = f"obligations.{tier}"
            if tier not in buckets:
                check.error(obligations.line_of(tier), path, f"unknown tier (one of {', '.join(buckets)})")
                continue
            if not isinstance(entries, NodeList):
                check.error(obligations.line_of(tier), path, "must be a list")
                continue
            for j, entry in enumerate(entries):
                e_path = f"{path}[{j}]"
                if not isinstance(entry, Node):
                    check.error(entries.line_of(j), e_path, "must be a mapping")
                    continue
                check.choice(entry, "phase", f"{e_path}.phase", PhaseKey.ordered())
                validate_item(check, entry, e_path, seen, extra_keys=("phase", "roles", "when", "applies_from"))
                self._validate_conditions(check, entry, e_path, dates)

    def _validate_conditions(self, check: Checker, entry: Node, path: str, dates: set[str]) -> None:
        """An obligation's roles, `when` facts and dates must be ones the classification knows."""
        roles = {code for code, _ in ROLES}
        for name, known, what in (("roles", roles, "role"), ("when", FACTS, "fact"), ("applies_from", dates, "EU AI Act date")):
            for value in check.strings(entry, name, f"{path}.{name}"):
                if value not in known:
                    check.error(entry.line_of(name), f"{path}.{name}", f"unknown {what} {value!r} (one of {', '.join(sorted(known))})")

    def _validate_refs(self, check: Checker, doc: Node) -> None:
        """Every framework reference must name a known requirement."""
        pattern = re.compile(REF_PATTERN)
        known = {f"{fw}:{code}" for fw, code in Requirement.objects.values_list("framework_id", "code")}
        for node, path in _nodes_with_refs(doc):
            refs = node.get("refs")
            if not isinstance(refs, NodeList):
                continue
            for i, ref in enumerate(refs):
                if isinstance(ref, str) and pattern.match(ref) and ref not in known:
                    check.error(refs.line_of(i), f"{path}.refs[{i}]", f"{ref!r} is not a known framework requirement")

    def load(self, doc: Node, template: LifecycleTemplate) -> None:
        TemplateGovernance.objects.create(template=template, risk_matrix_id=doc.get("risk_matrix", "5x5"))
        phases = {p.key: p for p in template.phases.all()}
        for phase_doc in doc["phases"]:
            phase = phases[phase_doc["key"]]
            SignoffKindTemplate.objects.bulk_create(
                [
                    SignoffKindTemplate(
                        phase=phase,
                        kind=entry["kind"],
                        function_id=entry["function"],
                        title=str(entry["title"]).strip(),
                        guidance=str(entry.get("guidance") or "").strip(),
                        refs=list(entry.get("refs") or []),
                        order=order,
                    )
                    for order, entry in enumerate(phase_doc.get("signoffs") or [])
                ]
            )
            _load_gate(phase, phase_doc.get("gate") or {})
        rows = []
        for tier, entries in (doc.get("obligations") or {}).items():
            for order, entry in enumerate(entries):
                rows.append(
                    ObligationTemplate(
                        template=template,
                        tier=tier,
                        phase_key=entry["phase"],
                        key=entry["key"],
                        title=str(entry["title"]).strip(),
                        guidance=str(entry.get("guidance") or "").strip(),
                        required=bool(entry.get("required", False)),
                        weight=entry.get("weight", 1),
                        refs=list(entry.get("refs") or []),
                        roles=list(entry.get("roles") or []),
                        when=list(entry.get("when") or []),
                        applies_from=list(entry.get("applies_from") or []),
                        order=order,
                    )
                )
        ObligationTemplate.objects.bulk_create(rows)

    def dump(self, template: LifecycleTemplate, doc: dict) -> None:
        governance = TemplateGovernance.objects.filter(template=template).first()
        doc["risk_matrix"] = governance.risk_matrix_id if governance else "5x5"
        by_key = {phase["key"]: phase for phase in doc["phases"]}
        for row in SignoffKindTemplate.objects.filter(phase__template=template).select_related("phase"):
            by_key[row.phase.key].setdefault("signoffs", []).append(
                {
                    "kind": row.kind,
                    "function": row.function_id,
                    "title": row.title,
                    "guidance": row.guidance,
                    "refs": list(row.refs),
                }
            )
        for gate in GateTemplate.objects.filter(phase__template=template).select_related("phase").prefetch_related("criteria"):
            by_key[gate.phase.key]["gate"] = _dump_gate(gate)
        obligations: dict[str, list] = {}
        for obligation in ObligationTemplate.objects.filter(template=template):
            obligations.setdefault(obligation.tier, []).append(
                {
                    "phase": obligation.phase_key,
                    "key": obligation.key,
                    "title": obligation.title,
                    "guidance": obligation.guidance,
                    "required": obligation.required,
                    "weight": obligation.weight,
                    "refs": list(obligation.refs),
                    **{name: list(getattr(obligation, name)) for name in ("roles", "when", "applies_from") if getattr(obligation, name)},
                }
            )
        doc["obligations"] = obligations


def _nodes_with_refs(doc: Node) -> list[tuple[Node, str]]:
    found: list[tuple[Node, str]] = []
    for i, phase in enumerate(doc.get("phases") or []):
        if not isinstance(phase, Node):
            continue
        for section in ("checklist", "artifacts", "signoffs"):
            for j, node in enumerate(phase.get(section) or []):
                if isinstance(node, Node):
                    found.append((node, f"phases[{i}].{section}[{j}]"))
    obligations = doc.get("obligations")
    if isinstance(obligations, Node):
        for tier, entries in obligations.items():
            for j, node in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(node, Node):
                    found.append((node, f"obligations.{tier}[{j}]"))
    return found


def _load_gate(phase: Any, gate_doc: dict) -> None:
    approval = gate_doc.get("approval") or {}
    approvers = approval.get("approvers") or {"role": "approver"}
    quorum = approval.get("quorum", "all")
    if isinstance(quorum, dict) and "n" in quorum:
        kind, value = GateTemplate.Quorum.COUNT, quorum["n"]
    elif isinstance(quorum, dict):
        kind, value = GateTemplate.Quorum.PERCENT, quorum["percent"]
    else:
        kind, value = GateTemplate.Quorum.ALL, None
    gate = GateTemplate.objects.create(
        phase=phase,
        threshold=gate_doc.get("threshold", 70),
        approver_role=approvers.get("role", ""),
        approver_functions=list(approvers.get("functions") or []),
        quorum=kind,
        quorum_value=value,
        due_days=approval.get("due_days", 7),
    )
    CriterionTemplate.objects.bulk_create(
        [
            CriterionTemplate(
                gate=gate,
                key=c["key"],
                kind=c["kind"],
                must_meet=bool(c.get("must_meet", False)),
                weight=c.get("weight", 1),
                tiers=list(c.get("tiers") or []),
                params={p: c[p] for p in _PARAMS if p in c},
                order=order,
            )
            for order, c in enumerate(gate_doc.get("criteria") or [])
        ]
    )


def _dump_gate(gate: GateTemplate) -> dict:
    approvers: dict = {}
    if gate.approver_role:
        approvers["role"] = gate.approver_role
    if gate.approver_functions:
        approvers["functions"] = list(gate.approver_functions)
    quorum: Any = "all"
    if gate.quorum == GateTemplate.Quorum.COUNT:
        quorum = {"n": gate.quorum_value}
    elif gate.quorum == GateTemplate.Quorum.PERCENT:
        quorum = {"percent": gate.quorum_value}
    criteria = []
    for c in gate.criteria.all():
        entry: dict = {"key": c.key, "kind": c.kind, "must_meet": c.must_meet, "weight": c.weight}
        if c.tiers:
            entry["tiers"] = list(c.tiers)
        entry.update(c.params)
        criteria.append(entry)
    return {
        "threshold": gate.threshold,
        "approval": {"approvers": approvers, "quorum": quorum, "due_days": gate.due_days},
        "criteria": criteria,
    }
