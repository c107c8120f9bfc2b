"""Forms of the phases UI: shape only."""

from __future__ import annotations

from django import forms

from lifecycle.forms import AccessibleForm
from phases.limits import CHECKLIST_NOTE_MAX_LENGTH, EVIDENCE_LINKS_TEXT_MAX_LENGTH


class ChecklistToggleForm(forms.Form):
    done = forms.BooleanField(required=False)


class ChecklistItemForm(AccessibleForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=CHECKLIST_NOTE_MAX_LENGTH)
    evidence_links = forms.CharField(
        label="Evidence links",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=EVIDENCE_LINKS_TEXT_MAX_LENGTH,
        help_text="One web address per line (documents, tickets, dashboards).",
    )
