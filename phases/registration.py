"""What the phases app plugs into lifecycle's hooks (called from PhasesConfig.ready)."""

from __future__ import annotations

from lifecycle import hooks


def register() -> None:
    from phases import selectors, services
    from phases.template_section import ArtifactsSection

    hooks.registry.add_template_section(ArtifactsSection())
    hooks.registry.add_notification_kind("artifact_review_requested", "An artifact awaits my review")
    hooks.registry.add_notification_kind("artifact_decided", "My artifact was approved or sent back")
    hooks.registry.add_notification_kind("feedback_requested", "Someone asks for my feedback on an artifact")
    hooks.registry.add_notification_kind("feedback_answered", "Someone answered my feedback request")
    hooks.registry.add_inbox_provider(hooks.InboxProvider("artifacts", selectors.inbox_count, selectors.inbox_items))
    hooks.registry.on_project_created(services.project_phases_populate)
    hooks.registry.add_project_children(selectors.project_children)
    hooks.registry.add_project_extension(
        hooks.ProjectExtension(
            name="checklist-progress",
            annotate_list=selectors.project_list_annotate_progress,
            list_cell_template="phases/_project_progress_cell.html",
            list_header="Checklist",
            detail_context=selectors.project_phase_progress,
            phase_cell_template="phases/_phase_progress_cell.html",
            order=10,
        )
    )
