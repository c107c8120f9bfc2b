"""What governance plugs into lifecycle's hooks (called from GovernanceConfig.ready)."""

from __future__ import annotations

from lifecycle import hooks


def register() -> None:
    from governance import services
    from governance.selectors import project_panel
    from governance.selectors import signoffs as signoff_selectors
    from governance.template_section import GovernanceSection

    registry = hooks.registry
    registry.on_bootstrap(services.governance_reference_data)
    registry.add_template_section(GovernanceSection())
    registry.on_project_created(services.signoffs_create_for_project)
    registry.listen(services.signoffs_recheck_evidence, when="transaction")
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
    for kind, label in (
        ("signoff_decided", "A sign-off of my project was decided"),
        ("signoff_evidence_changed", "Evidence of a sign-off I approved changed"),
        ("risk_acceptance_expired", "A risk acceptance expired"),
        ("post_launch_due", "A post-launch audit or review is due or overdue"),
        ("incident_created", "An incident was logged"),
    ):
        registry.add_notification_kind(kind, label)
