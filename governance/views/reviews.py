"""Gate reviews in the browser: request (on the gate page), vote, withdraw, and the decision
page with the snapshot the decision saw. Pages load what they show for whoever may see the
project (404 for the others); the services decide who may request, vote and withdraw."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors
from governance import services as governance_services
from governance.limits import COMMENT_MAX_LENGTH, JUSTIFICATION_MAX_LENGTH
from governance.models import Decision, Gate
from governance.selectors import reviews as review_selectors
from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import AccessibleForm
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.models import User
from lifecycle.permissions import Action
from lifecycle.views.common import go


class RequestForm(AccessibleForm):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=JUSTIFICATION_MAX_LENGTH,
        help_text="Required when the gate is not ready or its score is stale.",
    )


class VoteForm(AccessibleForm):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        help_text="Required for Hold, Recycle and Kill.",
    )


def review_context(gate: Gate, user: User) -> dict:
    """The review part of the gate page."""
    review = review_selectors.review_open_for_gate(gate=gate)
    access = lifecycle_selectors.project_access(user=user, project=gate.project)
    context: dict = {
        "review_template": "governance/_gate_review.html",
        "open_review": review,
        "past_reviews": [r for r in review_selectors.review_list_for_gate(gate=gate) if not r.is_open],
        "can_request": review is None and access.allows(Action.REVIEW) and not gate.project.is_read_only,
        "request_form": RequestForm(),
        "approver_count": len(governance_services.gate_approvers(gate)),
    }
    if review is not None:
        context.update(review_selectors.review_page(review=review, user=user))
        context["vote_form"] = VoteForm(initial={"decision": context["my_vote"].decision} if context["my_vote"] else None)
    return context


@login_required
@require_POST
def review_request(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    gate = selectors.gate_get_for_user(user=request.user, id=id)
    form = RequestForm(request.POST)
    form.is_valid()
    try:
        review = governance_services.review_request(gate=gate, actor=request.user, justification=form.cleaned_data.get("justification", ""))
        messages.success(request, f"Review requested from {review.approvers.count()} approver(s); due {review.due_at:%d %b %Y}.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return go(request, gate.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The review: approvers and votes; for named approvers the ballot (POST votes)."""
    review = review_selectors.review_get_for_user(user=request.user, id=id)
    form = VoteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                _, first = governance_services.vote_cast(review=review, actor=request.user, **form.cleaned_data)
                messages.success(request, "Vote recorded." if first else "Vote changed.")
                return go(request, review.get_absolute_url())
            except ApplicationError as e:
                form.add_service_error(e)
        else:
            # Not an approver? Say so before complaining about the form (the rule vote_cast applies).
            governance_services.review_voter_check(review=review, actor=request.user)
    context = review_selectors.review_page(review=review, user=request.user)
    context.update({"project": review.project, "gate": review.gate, "vote_form": form, "decisions": Decision})
    return render(request, "governance/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_withdraw(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    review = review_selectors.review_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        try:
            governance_services.review_withdraw(review=review, actor=request.user)
            messages.success(request, "Review withdrawn; the phase is back in progress.")
        except ApplicationError as e:
            messages.error(request, e.message)
        return go(request, review.gate.get_absolute_url())
    # The confirmation is shown only to those who may withdraw (the service answers the others'
    # POST with the same 403): the page's own display rule.
    lifecycle_selectors.project_access_check(user=request.user, project=review.project, action=Action.REVIEW)
    return render(request, "governance/review_confirm_withdraw.html", {"review": review, "project": review.project})


@login_required
@require_GET
def review_list(request: AuthedHtmxRequest) -> HttpResponse:
    """Recent decisions across the portfolio."""
    return render(request, "governance/review_list.html", {"reviews": review_selectors.recent_decisions(user=request.user, limit=50)})
