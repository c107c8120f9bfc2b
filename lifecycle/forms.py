"""Forms of the lifecycle UI: shape and format only; rules that read other rows live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from lifecycle import hooks
from lifecycle.models import PhaseKey, Project, Role
from lifecycle.services import tokens


class AccessibleForm(forms.Form):
    """Ties each field's error list to its input (aria-describedby), so screen readers announce
    the error with the field."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                ids = [f"{self[name].auto_id}_errors"]
                if self.fields[name].help_text:
                    ids.append(f"{self[name].auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(ids)

    def add_service_error(self, error: Any) -> None:
        """Show an ApplicationError from a service on the form: on its fields when it names them."""
        placed = False
        for field, messages in (getattr(error, "fields", None) or {}).items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class ProjectForm(AccessibleForm):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    use_case_problem = forms.CharField(
        label="Problem",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="What problem does the AI solution solve?",
    )
    use_case_users = forms.CharField(
        label="End users", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000, help_text="Who will use it?"
    )
    use_case_expectations = forms.CharField(
        label="Their expectations",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="What do they expect from it?",
    )
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated, e.g. customer-service, pilot")
    start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Phases are planned from this date."
    )

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ProjectCreateForm(ProjectForm):
    template = forms.ChoiceField(required=False, help_text="The lifecycle template the project follows.")

    def __init__(self, *args: Any, templates: list | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(str(t.pk), f"{t.name} (v{t.version}){' — default' if t.is_default else ''}") for t in templates or []]
        self.fields["template"].choices = choices
        default = next((str(t.pk) for t in templates or [] if t.is_default), None)
        if default:
            self.fields["template"].initial = default


class ProjectFilterForm(forms.Form):
    """The project list's and the dashboard's filters, with those apps add (e.g. the EU AI Act
    tier); unknown values are ignored rather than refused, so shared links keep working."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    phase = forms.ChoiceField(required=False, choices=[("", "Any phase"), *PhaseKey.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Project.Status.choices])
    tag = forms.CharField(required=False, max_length=40)
    owner = forms.CharField(required=False, max_length=150)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-updated", "Recently updated"),
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("-created", "Newest"),
            ("created", "Oldest"),
            ("phase", "Phase (Scope first)"),
            ("-phase", "Phase (Integrate first)"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for project_filter in hooks.registry.project_filters:
            self.fields[project_filter.name] = forms.ChoiceField(
                label=project_filter.label,
                label_suffix="",
                required=False,
                choices=[("", f"Any {project_filter.label}"), *project_filter.choices()],
            )

    def extra_fields(self) -> list:
        return [self[f.name] for f in hooks.registry.project_filters]

    def extra(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {f.name: data.get(f.name, "") for f in hooks.registry.project_filters if data.get(f.name)}


class MemberAddForm(AccessibleForm):
    user = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)
    functions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, functions: list | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = [(f.key, f.name) for f in functions or []]


class MemberEditForm(AccessibleForm):
    role = forms.ChoiceField(choices=Role.choices)
    functions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, functions: list | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = [(f.key, f.name) for f in functions or []]


class ReasonForm(AccessibleForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PhaseDatesForm(AccessibleForm):
    planned_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    planned_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


TOKEN_LIFETIME_CHOICES = [(str(days), f"{days} days") for days in tokens.LIFETIME_CHOICES_DAYS] + [("never", "Never expires")]


class TokenForm(AccessibleForm):
    name = forms.CharField(max_length=100, initial="api", help_text="A label to recognise the token by, e.g. ci-pipeline.")
    expires_in_days = forms.ChoiceField(
        label="Expires after",
        choices=TOKEN_LIFETIME_CHOICES,
        initial=str(tokens.DEFAULT_LIFETIME_DAYS),
        required=False,
        help_text="An expired token stops working; make a new one then.",
    )

    def clean_expires_in_days(self) -> int | None:
        value = self.cleaned_data["expires_in_days"]
        if not value:  # a client that posts no choice gets the default, as in the API
            return tokens.DEFAULT_LIFETIME_DAYS
        return None if value == "never" else int(value)
