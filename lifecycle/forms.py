"""Forms of the lifecycle UI: shape and format only; rules that read other rows live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import QueryDict

from lifecycle import hooks
from lifecycle.exceptions import ApplicationError
from lifecycle.limits import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, max_length_errors
from lifecycle.models import PhaseKey, Project, Role
from lifecycle.services import tokens

# The range of PostgreSQL's integer column: a whole number a form accepts must fit one.
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1


def bound_integers(form: forms.Form) -> None:
    """Give every whole-number field of `form` without its own bounds the column's range, so that
    a number too large to store is a field error, not a database error. (DecimalField and
    FloatField subclass IntegerField but are not integer columns.)"""
    for field in form.fields.values():
        if not isinstance(field, forms.IntegerField) or isinstance(field, (forms.FloatField, forms.DecimalField)):
            continue
        if field.max_value is None:
            field.max_value = INTEGER_MAX
            field.validators.append(MaxValueValidator(INTEGER_MAX))
            field.widget.attrs.setdefault("max", INTEGER_MAX)
        if field.min_value is None:
            field.min_value = INTEGER_MIN
            field.validators.append(MinValueValidator(INTEGER_MIN))
            field.widget.attrs.setdefault("min", INTEGER_MIN)


class QueryForm(forms.Form):
    """The query parameters of a page: every page reads them through one of these (`read`), so
    that each parameter has a type and bounds, and text the database cannot store (NUL) is a
    field error like any other. A parameter that is not valid is left out rather than refused:
    a shared link with a stale or mangled filter still opens the page, unfiltered by it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_integers(self)

    @classmethod
    def read(cls, query: QueryDict, **kwargs: Any) -> dict[str, Any]:
        form = cls(query, **kwargs)
        form.is_valid()
        return form.cleaned_data


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The field `name` of `form`, declared as a ChoiceField (or one of its subclasses), to set its
    choices at run time: `form.fields` holds every field as a plain Field."""
    return cast(forms.ChoiceField, form.fields[name])


def posted_text(post: QueryDict, name: str, *, max_length: int) -> str:
    """One free-text field of a button form (a comment, a message, an answer), cleaned as a form
    field is: text the database cannot store or longer than `max_length` raises an
    ApplicationError naming the field, which the view shows like the services' own errors."""
    try:
        field = forms.CharField(required=False, max_length=max_length, error_messages=max_length_errors(max_length))
        return field.clean(post.get(name, ""))
    except forms.ValidationError as e:
        message = f"{name.replace('_', ' ').capitalize()}: {' '.join(e.messages)}"
        raise ApplicationError(message, code="invalid", fields={name: e.messages}) from None


class AccessibleForm(forms.Form):
    """Ties each field's error list to its input (aria-describedby), so screen readers announce
    the error with the field. Whole numbers are bounded by the column's range (`bound_integers`);
    a text too long gets the words the services use for it (`lifecycle.limits`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_integers(self)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is not None:
                field.error_messages.update(max_length_errors(field.max_length))

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
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=DESCRIPTION_MAX_LENGTH)
    use_case_problem = forms.CharField(
        label="Problem",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="What problem does the AI solution solve?",
    )
    use_case_users = forms.CharField(
        label="End users",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="Who will use it?",
    )
    use_case_expectations = forms.CharField(
        label="Their expectations",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
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
        choice_field(self, "template").choices = choices
        default = next((str(t.pk) for t in templates or [] if t.is_default), None)
        if default:
            self.fields["template"].initial = default


class ProjectFilterForm(QueryForm):
    """The project list's and the dashboard's filters, with those apps add (e.g. the EU AI Act
    tier); unknown values are ignored rather than refused, so shared links keep working."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    phase = forms.ChoiceField(required=False, choices=[("", "Any phase"), *PhaseKey.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Project.Status.choices])
    tag = forms.CharField(required=False, max_length=40)
    owner = forms.CharField(required=False, max_length=150)
    # Projects changed at or after this moment (ISO 8601), as in the API: a link can carry it.
    updated_since = forms.DateTimeField(required=False, widget=forms.HiddenInput)
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
        choice_field(self, "functions").choices = [(f.key, f.name) for f in functions or []]


class MemberEditForm(AccessibleForm):
    role = forms.ChoiceField(choices=Role.choices)
    functions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, functions: list | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "functions").choices = [(f.key, f.name) for f in functions or []]


class ReasonForm(AccessibleForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


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
