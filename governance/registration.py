"""What governance plugs into lifecycle's hooks (called from GovernanceConfig.ready)."""

from __future__ import annotations

from lifecycle import hooks


def register() -> None:
    from governance import services
    from governance.selectors import dashboard, project_panel
    from governance.selectors import feed as feed_selectors
    from governance.selectors import readiness as readiness_selectors
    from governance.selectors import reviews as review_selectors
    from governance.selectors import signoffs as signoff_selectors
    from governance.services import readiness
    from governance.template_section import GovernanceSection

    registry = hooks.registry
    registry.on_bootstrap(services.governance_reference_data)
    registry.add_template_section(GovernanceSection())
    registry.on_project_created(services.signoffs_create_for_project)
    registry.on_project_created(readiness.gates_create_for_project)
    registry.add_project_children(feed_selectors.project_children)
    registry.listen(services.signoffs_recheck_evidence, when="transaction")
    registry.listen(services.signoffs_notify_due, when="transaction")
    registry.listen(readiness.gates_mark_stale, when="transaction")
    registry.listen(readiness.gates_enqueue_rescore, when="commit")
    registry.listen(services.webhooks_queue_for_changes, when="transaction")
    registry.on_membership_changed(services.review_approvers_recheck)
    registry.add_inbox_provider(hooks.InboxProvider("reviews", review_selectors.inbox_count, review_selectors.inbox_items))
    registry.add_inbox_provider(hooks.InboxProvider("signoffs", signoff_selectors.inbox_count, signoff_selectors.inbox_items))
    registry.add_project_extension(
        hooks.ProjectExtension(
            name="governance",
            detail_context=project_panel.project_governance_panel,
            detail_template="governance/_project_panel.html",
            order=50,
        )
    )
    registry.add_nav_link("Risks", "governance:portfolio-risks")
    registry.add_project_filter(hooks.ProjectFilter("tier", "EU AI Act tier", dashboard.tier_choices, dashboard.tier_filter))
    for order, (name, context) in enumerate(
        (
            ("waiting", dashboard.gates_waiting),
            ("readiness", dashboard.readiness_distribution),
            ("risks", dashboard.top_risks),
            ("decisions", dashboard.recent_decisions),
            ("post_launch", dashboard.overdue_post_launch),
        )
    ):
        registry.add_dashboard_panel(hooks.DashboardPanel(name, context, f"governance/_dash_{name}.html", order=20 + order))
    registry.add_project_extension(
        hooks.ProjectExtension(
            name="readiness",
            annotate_list=readiness_selectors.project_list_annotate_readiness,
            list_cell_template="governance/_project_readiness_cell.html",
            list_header="Gate readiness",
            detail_context=readiness_selectors.project_gates_context,
            detail_template="governance/_project_gate_panel.html",
            phase_cell_template="governance/_phase_gate_cell.html",
            order=20,
        )
    )
    registry.add_phase_extension(
        hooks.PhaseExtension("gate", readiness_selectors.phase_gate_context, "governance/_phase_gate_panel.html", order=10)
    )
    for kind, label in (
        ("review_requested", "A gate review asks for my vote"),
        ("vote_cast", "Someone voted on a review I requested"),
        ("review_resolved", "A gate review of my project was decided or withdrawn"),
        ("review_reminder", "Reminders of gate reviews waiting for my vote"),
        ("review_short", "A gate review of my project lost the approvers its quorum needs"),
        ("signoff_requested", "A sign-off waits for my function"),
        ("signoff_decided", "A sign-off of my project was decided"),
        ("signoff_evidence_changed", "Evidence of a sign-off I approved changed"),
        ("risk_acceptance_expired", "A risk acceptance expired"),
        ("post_launch_due", "A post-launch audit or review is due or overdue"),
        ("incident_created", "An incident was logged"),
        ("webhook_disabled", "A webhook I manage was disabled after failing"),
    ):
        registry.add_notification_kind(kind, label)
