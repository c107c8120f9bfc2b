"""Filled examples of every artifact type: the demo data shows them, the data generator copies
them, and tests start from them."""

from __future__ import annotations

SAMPLES: dict[str, tuple[str, dict]] = {
    "stakeholder_workshop": (
        "Kick-off workshop with support and legal",
        {
            "date": "2026-09-02",
            "participants": [
                {"name": "Maria Lopez", "role": "Head of support", "organisation": "Customer care"},
                {"name": "Tom Becker", "role": "Data protection officer", "organisation": "Legal"},
                {"name": "Ines Duarte", "role": "Support agent", "organisation": "Customer care"},
            ],
            "agenda": "Pain points today; what a good answer looks like; data we may use; constraints.",
            "input_gathered": "Agents want drafts they can edit, with sources. Customers expect answers within minutes.",
            "concerns": "Wrong answers sent to customers; personal data in prompts.",
            "constraints": "EU hosting only; no customer data used for training without consent.",
            "decisions": "Start with agent-facing drafts; customers never see unreviewed output.",
            "follow_ups": [{"action": "Share the scope document draft", "owner": "Priya Patel", "due": "2026-09-09"}],
        },
    ),
    "feasibility_study": (
        "Feasibility of answer drafting",
        {
            "technology_requirements": "A hosted LLM with EU data residency, retrieval over the knowledge base, SSO.",
            "data_availability": "3,200 knowledge-base articles and 18 months of resolved tickets (pseudonymised).",
            "legal_ethical": "GDPR lawful basis is legitimate interest for agent assistance; DPIA required before pilot.",
            "budget_estimate": "85000",
            "budget_constraint": "120000",
            "verdict": "feasible_with_conditions",
            "conditions": "DPIA signed off; vendor signs the EU data-processing agreement.",
        },
    ),
    "scope_document": (
        "Scope: agent answer drafting",
        {
            "goals": "Cut the time agents spend finding answers by half while keeping answer quality.",
            "deliverables": [
                {"name": "Drafting assistant in the support console", "description": "Drafts with cited sources."},
                {"name": "Evaluation report", "description": "Accuracy against a 500-question test set."},
            ],
            "milestones": [{"name": "Pilot with 20 agents", "date": "2026-12-01"}, {"name": "All agents", "date": "2027-03-01"}],
            "success_criteria": [
                {"criterion": "Handling time", "metric": "median minutes per ticket", "target": "≤ 6 (from 12)"},
                {"criterion": "Answer accuracy", "metric": "share of correct drafts", "target": "≥ 90%"},
            ],
            "out_of_scope": "Customer-facing chat; voice channels.",
        },
    ),
    "model_selection": (
        "Model selection for answer drafting",
        {
            "build_or_adopt": "adopt",
            "weight_specificity": "20",
            "weight_resources": "15",
            "weight_time_to_market": "25",
            "weight_performance": "25",
            "weight_cost": "15",
            "candidates": [
                {
                    "name": "Vendor model A",
                    "provider": "Vendor A",
                    "source": "closed",
                    "licence": "Commercial",
                    "context_size": 128000,
                    "hosting": "api",
                    "score_specificity": 4,
                    "score_resources": 5,
                    "score_time_to_market": 5,
                    "score_performance": 4,
                    "score_cost": 3,
                },
                {
                    "name": "Open model B 70B",
                    "provider": "Community",
                    "source": "open",
                    "licence": "Open weights",
                    "context_size": 32000,
                    "hosting": "self_hosted",
                    "score_specificity": 3,
                    "score_resources": 2,
                    "score_time_to_market": 3,
                    "score_performance": 3,
                    "score_cost": 4,
                },
            ],
            "choice": "Vendor model A",
            "open_or_closed": "closed",
            "rationale": "Best quality on our test set and the fastest route to a pilot; cost is acceptable at pilot volume.",
        },
    ),
    "inference_cost_estimate": (
        "Inference cost at pilot and full volume",
        {
            "candidates": [
                {
                    "model": "Vendor model A",
                    "pricing": "per_token",
                    "requests_per_day": 4000,
                    "input_tokens": 2500,
                    "output_tokens": 400,
                    "price_input_per_million": "2.50",
                    "price_output_per_million": "10",
                },
                {"model": "Open model B 70B", "pricing": "per_gpu_hour", "gpu_hours_per_day": "48", "price_per_gpu_hour": "2.20"},
            ],
            "currency": "EUR",
            "assumptions": "4,000 drafts a day once all agents use it; prompts include three retrieved passages.",
        },
    ),
    "prompt_experiment": (
        "Prompt variants for cited drafts",
        {
            "objective": "Drafts that answer the question and cite the knowledge-base article used.",
            "metric": "Correct and cited (share of 200 questions)",
            "direction": "higher",
            "variants": [
                {
                    "name": "v1 plain",
                    "prompt": "Answer the customer's question using the passages.",
                    "what_changed": "Baseline",
                    "result": "0.71",
                },
                {
                    "name": "v2 cite",
                    "prompt": "Answer using only the passages and cite each one as [n]. Say so when they do not answer.",
                    "what_changed": "Require citations and an explicit 'not found'",
                    "result": "0.84",
                },
            ],
            "winner": "v2 cite",
            "notes": "Clearer, more specific instructions reduced invented answers.",
        },
    ),
    "fine_tuning_run": (
        "LoRA run on resolved tickets",
        {
            "method": "lora",
            "base_model": "Open model B 70B",
            "dataset": "Resolved tickets 2025, pseudonymised",
            "dataset_size": 12000,
            "hyperparameters": [
                {"name": "rank", "value": "16"},
                {"name": "learning rate", "value": "2e-4"},
                {"name": "epochs", "value": "3"},
            ],
            "compute_used": "4 × A100 for 5 hours",
            "gpu_hours": "20",
            "results": [{"metric": "correct and cited", "value": "0.81"}],
            "outcome": "Close to the vendor model; kept as a fallback option.",
        },
    ),
    "feedback_loop": (
        "Agent thumbs-up/down loop",
        {
            "source": "Thumbs up/down and edits by agents in the console",
            "volume_per_month": 9000,
            "cadence": "weekly",
            "changes_made": "Weekly review of down-voted drafts; prompt and retrieval fixes.",
            "ethical_adjustments": "Tone adjusted for vulnerable customers; refusals for medical and legal advice.",
        },
    ),
    "evaluation_report": (
        "Evaluation on the 500-question test set",
        {
            "metrics": [
                {"name": "accuracy", "target": "0.90", "direction": "higher", "result": "0.92"},
                {"name": "precision of citations", "target": "0.95", "direction": "higher", "result": "0.96"},
                {"name": "p95 latency (s)", "target": "3", "direction": "lower", "result": "2.4"},
            ],
            "benchmarks": "Internal 500-question set; domain benchmark of 120 policy questions.",
            "summary": "All targets met; errors cluster on billing questions.",
        },
    ),
    "user_testing_session": (
        "Pilot testing with support agents",
        {
            "date": "2026-11-10",
            "participants": [{"profile": "Support agents", "count": 12}, {"profile": "Team leads", "count": 3}],
            "tasks": [{"task": "Answer ten real tickets with drafts"}, {"task": "Correct a wrong draft"}],
            "findings": [
                {"finding": "Citations are trusted and checked.", "severity": "low"},
                {"finding": "Billing answers sometimes use outdated prices.", "severity": "high"},
            ],
            "summary": "Agents saved time; the billing issue must be fixed before roll-out.",
        },
    ),
    "improvement_log": (
        "Improvements after evaluation",
        {
            "entries": [
                {
                    "date": "2026-11-12",
                    "change": "Re-indexed billing articles weekly",
                    "reason": "Outdated prices",
                    "effect": "Billing accuracy 0.78 → 0.91",
                },
                {
                    "date": "2026-11-15",
                    "change": "Added refusal for legal advice",
                    "reason": "Ethics review",
                    "effect": "No legal advice in spot checks",
                },
            ]
        },
    ),
    "optimisation_plan": (
        "Inference optimisation",
        {
            "techniques": [
                {
                    "technique": "quantisation",
                    "description": "8-bit weights for the fallback model",
                    "latency_ms_before": "900",
                    "latency_ms_after": "600",
                    "cost_before": "2.20",
                    "cost_after": "1.40",
                    "quality_before": "0.81",
                    "quality_after": "0.80",
                }
            ]
        },
    ),
    "api_design_review": (
        "Drafting API review",
        {
            "overview": "POST /drafts with the ticket id; returns a draft and its sources.",
            "security": "Service tokens, per-team scopes, no ticket text in logs.",
            "scalability": "Stateless workers behind a queue; 50 requests per second tested.",
            "maintainability": "Versioned contract, OpenAPI schema, contract tests in CI.",
            "verdict": "approved",
            "actions": [{"action": "Add rate limits per team", "owner": "Platform team"}],
        },
    ),
    "data_pipeline_plan": (
        "Knowledge-base indexing pipeline",
        {
            "sources": [
                {"name": "Knowledge base", "mode": "batch", "volume": "3,200 articles"},
                {"name": "Ticket events", "mode": "stream", "volume": "8,000 a day"},
            ],
            "latency_target_ms": 500,
            "scaling": "Incremental re-indexing; sharded vector index.",
            "quality_checks": "Broken links, stale prices and duplicate articles are flagged nightly.",
        },
    ),
    "monitoring_plan": (
        "Production monitoring",
        {
            "metrics": [
                {"name": "Down-vote rate", "threshold": "0.15", "alert_when": "above", "route": "#support-ai-oncall"},
                {"name": "p95 latency (s)", "threshold": "3", "alert_when": "above", "route": "pager"},
            ],
            "dashboard": "Grafana: Support AI",
            "review_cadence": "Weekly review with support leads; monthly bias audit.",
        },
    ),
    "ui_review": (
        "Console UI review",
        {
            "user_centred": "Draft appears beside the ticket; one click to insert, always editable.",
            "feedback_mechanism": "Thumbs up/down with an optional reason.",
            "accessibility": "Keyboard shortcuts, screen-reader labels, contrast checked to WCAG 2.2 AA.",
            "inclusivity": "Plain-language drafts; tested with agents working in their second language.",
            "wcag_level": "AA",
            "issues": [{"issue": "Sources list not announced by screen readers", "severity": "medium"}],
        },
    ),
    "rollout_plan": (
        "Gradual rollout",
        {
            "stages": [
                {"name": "Pilot team", "audience_share": "5", "start": "2026-12-01", "exit_criteria": "Down-vote rate below 15%"},
                {
                    "name": "Half of agents",
                    "audience_share": "50",
                    "start": "2027-01-15",
                    "exit_criteria": "Handling time down 30%",
                },
                {"name": "All agents", "audience_share": "100", "start": "2027-03-01", "exit_criteria": ""},
            ],
            "ab_variants": [
                {"name": "A: drafts", "description": "Drafts shown"},
                {"name": "B: control", "description": "No drafts"},
            ],
            "ab_metric": "Median handling time",
            "ab_sample_size": 4000,
            "ab_result": "A cut handling time from 12 to 7 minutes (p < 0.01).",
        },
    ),
    "model_card": (
        "Transparency note: support drafting assistant",
        {
            "intended_use": "Drafting answers for support agents, who review every draft before sending.",
            "out_of_scope": "Direct answers to customers; legal, medical or financial advice.",
            "how_it_decides": "A language model drafts from the three knowledge-base passages most similar to the ticket.",
            "limits": "Can be wrong when articles are outdated; does not know account-specific data.",
            "evaluation_summary": "92% accuracy on 500 questions; citation precision 96%.",
            "contact": "support-ai@example.org",
        },
    ),
}
