"""Extension points that higher apps (phases, governance) register in their AppConfig.ready().

Dependencies point one way (governance → phases → lifecycle): lifecycle never imports the apps
above it. Instead it offers these hooks, and the apps announce what they add:

- template sections: each app validates, imports and exports its part of a lifecycle template;
- project creation: each app adds its part of a new project in the same transaction;
- change listeners: each app hears about every change record, inside the transaction
  (to mark derived state stale) and after commit (to enqueue work);
- project extensions: extra context and fragments for the project list and project page;
- project children: the rows an app keeps in a project, for the change feed;
- membership listeners: each app hears, inside the transaction, that someone joined a project,
  left it or changed role (governance re-counts the approvers of open reviews).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from lifecycle.infrastructure.yaml_loader import Node
    from lifecycle.models import LifecycleTemplate, Phase, Project, User


@dataclass(frozen=True)
class Change:
    """What a listener hears: one change record, as written."""

    seq: int | None
    type: str
    object_id: Any
    project_id: Any
    op: str
    action: str
    before: dict | None
    after: dict | None


class TemplateSection(Protocol):
    """An app's part of a lifecycle template (see docs/template-format.md)."""

    name: str

    def validate(self, doc: Node, errors: list[str]) -> None:
        """Append "line N: field: problem" messages for every problem in `doc`; write nothing."""

    def load(self, doc: Node, template: LifecycleTemplate) -> None:
        """Create this app's rows for a validated document."""

    def dump(self, template: LifecycleTemplate, doc: dict) -> None:
        """Add this app's part of `template` to the exported document."""


@dataclass
class ProjectExtension:
    """Extra data an app shows on the project list and project page.

    `annotate_list` adds columns to the project list queryset (a fixed number of queries, whatever
    the page size); `list_cell_template` renders them with `project` in context. `detail_context`
    returns context (merged into the project page's) for `detail_template`, a panel on the project
    page, and for `phase_cell_template`, rendered inside each phase of the timeline with `phase`.
    """

    name: str
    annotate_list: Callable[[QuerySet], QuerySet] | None = None
    list_cell_template: str | None = None
    list_header: str = ""
    detail_context: Callable[[Project, User], dict] | None = None
    detail_template: str | None = None
    phase_cell_template: str | None = None
    order: int = 100


@dataclass
class PhaseExtension:
    """A panel an app adds to the phase page: `context(phase, user)` feeds `template`."""

    name: str
    context: Callable[[Phase, User], dict]
    template: str
    order: int = 100


@dataclass
class ProjectFilter:
    """A filter an app adds to the project list and the dashboard (kept in the URL as `name`):
    `choices()` lists (value, label); `apply(queryset, value)` narrows a Project queryset."""

    name: str
    label: str
    choices: Callable[[], list[tuple[str, str]]]
    apply: Callable[[Any, str], Any]


@dataclass
class DashboardPanel:
    """A panel of the dashboard: `context(user, project_ids)` gets the ids (a subquery) of the
    projects the dashboard's filters select and returns what `template` shows, in a fixed number
    of queries."""

    name: str
    context: Callable[[Any, Any], dict]
    template: str
    order: int = 100


@dataclass(frozen=True)
class InboxItem:
    """Something waiting for a user's decision (a vote, a sign-off, an artifact review...)."""

    kind: str
    title: str
    project_name: str
    url: str
    since: Any
    detail: str = ""


@dataclass
class InboxProvider:
    """An app's contribution to the "waiting for me" inbox: a cheap count for the navigation and
    the items for the inbox page."""

    name: str
    count: Callable[[User], int]
    items: Callable[[User], list[InboxItem]]


# What a project_created hook returns (the rows it created) is not used.
ProjectCreated = Callable[["Project", "User"], object]


@dataclass
class Registry:
    template_sections: list[TemplateSection] = field(default_factory=list)
    project_created: list[ProjectCreated] = field(default_factory=list)
    in_transaction_listeners: list[Callable[[list[Change]], None]] = field(default_factory=list)
    on_commit_listeners: list[Callable[[list[Change]], None]] = field(default_factory=list)
    project_extensions: list[ProjectExtension] = field(default_factory=list)
    notification_kinds: dict[str, str] = field(default_factory=dict)
    reference_data: list[Callable[[], None]] = field(default_factory=list)
    inbox_providers: list[InboxProvider] = field(default_factory=list)
    nav_links: list[tuple[str, str]] = field(default_factory=list)
    phase_extensions: list[PhaseExtension] = field(default_factory=list)
    project_children: list[Callable[[Any], Iterable[tuple[str, Any]]]] = field(default_factory=list)
    project_filters: list[ProjectFilter] = field(default_factory=list)
    dashboard_panels: list[DashboardPanel] = field(default_factory=list)
    membership_listeners: list[Callable[..., None]] = field(default_factory=list)

    def add_template_section(self, section: TemplateSection) -> None:
        if all(s.name != section.name for s in self.template_sections):
            self.template_sections.append(section)

    def on_project_created(self, fn: ProjectCreated) -> None:
        if fn not in self.project_created:
            self.project_created.append(fn)

    def listen(self, fn: Callable[[list[Change]], None], *, when: str) -> None:
        """Hear about changes. when="transaction": inside the writing transaction, before the
        change rows are written (may write, may record more changes); when="commit": after commit
        (enqueue tasks; must not fail the request)."""
        target = self.in_transaction_listeners if when == "transaction" else self.on_commit_listeners
        if when not in ("transaction", "commit"):
            raise ValueError(f"when must be 'transaction' or 'commit', not {when!r}")
        if fn not in target:
            target.append(fn)

    def add_project_extension(self, extension: ProjectExtension) -> None:
        if all(e.name != extension.name for e in self.project_extensions):
            self.project_extensions.append(extension)
            self.project_extensions.sort(key=lambda e: e.order)

    def on_bootstrap(self, fn: Callable[[], None]) -> None:
        """Create an app's reference data (idempotent), before the default template is imported."""
        if fn not in self.reference_data:
            self.reference_data.append(fn)

    def add_inbox_provider(self, provider: InboxProvider) -> None:
        if all(p.name != provider.name for p in self.inbox_providers):
            self.inbox_providers.append(provider)

    def add_phase_extension(self, extension: PhaseExtension) -> None:
        if all(e.name != extension.name for e in self.phase_extensions):
            self.phase_extensions.append(extension)
            self.phase_extensions.sort(key=lambda e: e.order)

    def add_project_children(self, fn: Callable[[Any], Iterable[tuple[str, Any]]]) -> None:
        """`fn(project_id)` lists an app's rows in a project as (change type, id): the change feed
        sends them to a user who gains or loses the project, and to everyone when it is deleted
        or restored."""
        if fn not in self.project_children:
            self.project_children.append(fn)

    def add_project_filter(self, project_filter: ProjectFilter) -> None:
        if all(f.name != project_filter.name for f in self.project_filters):
            self.project_filters.append(project_filter)

    def add_dashboard_panel(self, panel: DashboardPanel) -> None:
        if all(p.name != panel.name for p in self.dashboard_panels):
            self.dashboard_panels.append(panel)
            self.dashboard_panels.sort(key=lambda p: p.order)

    def add_nav_link(self, label: str, url_name: str) -> None:
        """A link in the main navigation (after Projects)."""
        if (label, url_name) not in self.nav_links:
            self.nav_links.append((label, url_name))

    def on_membership_changed(self, fn: Callable[..., None]) -> None:
        """`fn(project=, user_id=, actor=)` runs inside the membership service's transaction, after
        the change, with the project and the memberships locked (lifecycle.locks): it may lock
        rows that come later in the lock order and record changes."""
        if fn not in self.membership_listeners:
            self.membership_listeners.append(fn)

    def add_notification_kind(self, kind: str, label: str) -> None:
        self.notification_kinds[kind] = label

    def extensions(self) -> Iterable[ProjectExtension]:
        return list(self.project_extensions)


registry = Registry()
