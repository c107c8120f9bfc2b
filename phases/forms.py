"""Forms of the phases UI: shape only."""

from __future__ import annotations

from django import forms

from lifecycle.forms import AccessibleForm


class ChecklistToggleForm(forms.Form):
    done = forms.BooleanField(required=False)


class ChecklistItemForm(AccessibleForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    evidence_links = forms.CharField(
        label="Evidence links",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=10000,
        help_text="One web address per line (documents, tickets, dashboards).",
    )
