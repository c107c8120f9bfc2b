"""Every write of the phases app. Import the module and call `services.<entity>_<action>`."""

from phases.services.checklist import (
    checklist_item_set_done,
    checklist_items_add,
    checklist_items_remove,
    clean_evidence_links,
    project_phases_populate,
    split_links,
)

__all__ = [
    "checklist_item_set_done",
    "checklist_items_add",
    "checklist_items_remove",
    "clean_evidence_links",
    "project_phases_populate",
    "split_links",
]
