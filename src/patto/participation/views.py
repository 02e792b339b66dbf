"""Pages of participation: the public calls, proposals and rankings (under /partecipazione/),
and the staff pages that run calls, write proposals and evaluate them (under
/gestione/partecipazione/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.core.errors import ApplicationError
from patto.engine import ranking as engine
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact

from . import selectors, services
from .forms import (
    ActivityForm,
    CallForm,
    ChallengeForm,
    CloseAccountForm,
    CommentForm,
    ContributionForm,
    CriterionForm,
    DeclarationForm,
    DocumentForm,
    EvaluatorForm,
    NetworkForm,
    NewProposalForm,
    PartnerForm,
    ProposalForm,
    PublicNameForm,
    ReasonForm,
    RoleForm,
    ScoreForm,
    SolutionForm,
    point_formset,
)
from .models import Call, Criterion, Evaluator, Proposal, ProposalContribution


def outcome_labels() -> dict[str, str]:
    """The ranking engine's reason codes, in the reader's language."""
    return {
        engine.FUNDED: _("funded"),
        engine.INCOMPLETE: _("evaluation incomplete"),
        engine.BELOW_MINIMUM: _("below the minimum total"),
        engine.NO_MONEY: _("not funded: the money left does not cover it"),
        engine.AFTER_STOP: _("not funded: funding stopped above"),
    }


def _uncached_if_timed(response: HttpResponse, calls) -> HttpResponse:
    """A page whose calls open or close by the clock before a cached copy would expire is
    never kept in the page cache (see ``selectors.changes_with_time``)."""
    if selectors.changes_with_time(calls):
        patch_cache_control(response, private=True)
    return response


# --- Public pages ----------------------------------------------------------------------------


def call_index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("patto")
    pact = get_object_or_404(Pact, code=code) if code else pact_selectors.pact_default()
    if pact is None:
        raise Http404
    calls = list(selectors.call_list(pact=pact))
    response = render(
        request,
        "participation/call_index.html",
        {"pact": pact, "calls": calls, "now": timezone.now()},
    )
    return _uncached_if_timed(response, calls)


def call_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    call = selectors.call_get_public(pact_code=pact, code=code)
    ranked = call.status == Call.Status.RANKED
    response = render(
        request,
        "participation/call_detail.html",
        {
            "pact": call.pact,
            "call": call,
            "now": timezone.now(),
            "is_open": call.is_open(),
            "proposals": selectors.public_proposals(call),
            "ranking": selectors.ranking_lines(call) if ranked else None,
            "outcomes": outcome_labels(),
            "can_manage": request.user.has_perm("participation.manage_call", call),
        },
    )
    return _uncached_if_timed(response, [call])


def call_document(request: HttpRequest, pact: str, code: str, pk: int) -> FileResponse:
    call = selectors.call_get_public(pact_code=pact, code=code)
    document = selectors.document_get(call=call, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


def proposal_detail(request: HttpRequest, pact: str, code: str, pk: int) -> HttpResponse:
    call = selectors.call_get_public(pact_code=pact, code=code)
    proposal = selectors.proposal_get_public(call=call, pk=pk)
    return render(
        request,
        "participation/proposal_detail.html",
        {
            "pact": call.pact,
            "call": call,
            "proposal": proposal,
            "outcomes": outcome_labels(),
            "map_data": selectors.proposal_map_data(proposal),
        },
    )


# --- Staff pages -----------------------------------------------------------------------------


def _show(form, exc: ApplicationError) -> None:
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A person's participation: the calls they run, their proposals, their evaluations."""
    user = request.user
    pacts = (
        Pact.objects.filter(call_managers__user=user)
        if not user.has_perm("participation.grant_roles")
        else Pact.objects.all()
    )
    return render(
        request,
        "participation/manage_home.html",
        {
            "calls": selectors.calls_managed(user=user),
            "pacts": pacts,
            "territories": selectors.proposer_territories(user=user),
            "proposals": selectors.proposals_of(user=user),
            "open_calls": selectors.open_calls_for(user=user) if user.proposer_for.exists() else [],
            "evaluations": selectors.evaluations_for(user=user),
            "networks": selectors.networks_managed(user=user),
            "can_grant": user.has_perm("participation.grant_roles"),
            "moderator": user.has_perm("participation.moderate") or user.moderates.exists(),
        },
    )


@login_required
def call_new(request: HttpRequest, pact: str) -> HttpResponse:
    pact = get_object_or_404(Pact, code=pact)
    if not request.user.has_perm("participation.manage_call", pact):
        raise PermissionDenied
    form = CallForm(request.POST or None, pact=pact)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(pact=pact, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(
                request, _("Call drafted: add its criteria and documents, then publish it.")
            )
            return redirect("participation:manage_call", pk=call.pk)
    return render(request, "participation/call_form.html", {"form": form, "pact": pact})


def _call_for(request: HttpRequest, pk: int) -> Call:
    call = selectors.call_for_staff(pk=pk)
    if not request.user.has_perm("participation.manage_call", call):
        raise PermissionDenied
    return call


@login_required
def manage_call(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's page for its managers: its settings, criteria, documents, evaluators, the
    proposals received and the ranking they give now."""
    call = _call_for(request, pk)
    form = CallForm(request.POST or None, instance=call, pact=call.pact, prefix="call")
    if request.method == "POST" and form.is_valid():
        try:
            services.call_change(
                call=call, user=request.user, **{k: v for k, v in form.cleaned_data.items()}
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Call saved."))
            return redirect("participation:manage_call", pk=call.pk)
    preview = None
    if (
        call.status == Call.Status.PUBLISHED
        and call.deadline <= timezone.now()
        and call.criteria.all()
    ):
        result = services.ranking_compute(call)
        titles = {p.pk: p for p in selectors.staff_proposals(call)}
        preview = [(line, titles.get(line.key)) for line in result.lines]
    return render(
        request,
        "participation/manage_call.html",
        {
            "call": call,
            "form": form,
            "criterion_form": CriterionForm(prefix="criterion"),
            "document_form": DocumentForm(prefix="document"),
            "evaluator_form": EvaluatorForm(prefix="evaluator"),
            "proposals": selectors.staff_proposals(call),
            "preview": preview,
            "outcomes": outcome_labels(),
            "now": timezone.now(),
        },
    )


def _after(request: HttpRequest, call: Call, done: str, call_service, *args, **kwargs):
    try:
        call_service(*args, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("participation:manage_call", pk=call.pk)


@login_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    form = CriterionForm(request.POST, prefix="criterion")
    if not form.is_valid():
        messages.error(
            request,
            _("The criterion was not added: %(errors)s")
            % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect("participation:manage_call", pk=call.pk)
    return _after(
        request,
        call,
        _("Criterion added."),
        services.criterion_save,
        call=call,
        user=request.user,
        **form.cleaned_data,
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int, criterion: int) -> HttpResponse:
    call = _call_for(request, pk)
    found = get_object_or_404(Criterion, call=call, pk=criterion)
    return _after(
        request,
        call,
        _("Criterion removed."),
        services.criterion_delete,
        criterion=found,
        user=request.user,
    )


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if not form.is_valid():
        messages.error(
            request,
            _("The document was not added: %(errors)s")
            % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect("participation:manage_call", pk=call.pk)
    return _after(
        request,
        call,
        _("Document added."),
        services.call_document_add,
        call=call,
        title=form.cleaned_data["title"],
        uploaded_file=form.cleaned_data["file"],
        user=request.user,
    )


@login_required
@require_POST
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    return _after(
        request, call, _("Call published."), services.call_publish, call=call, user=request.user
    )


@login_required
@require_POST
def evaluator_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    form = EvaluatorForm(request.POST, prefix="evaluator")
    person = None
    if form.is_valid():
        person = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=True)
            .first()
        )
    if person is None:
        messages.error(request, _("No active account has this e-mail: invite the person first."))
        return redirect("participation:manage_call", pk=call.pk)
    return _after(
        request,
        call,
        _("Evaluator assigned."),
        services.evaluator_assign,
        call=call,
        person=person,
        user=request.user,
    )


@login_required
@require_POST
def evaluator_remove(request: HttpRequest, pk: int, evaluator: int) -> HttpResponse:
    call = _call_for(request, pk)
    found = get_object_or_404(Evaluator, call=call, pk=evaluator)
    return _after(
        request,
        call,
        _("Evaluator removed."),
        services.evaluator_remove,
        evaluator=found,
        user=request.user,
    )


@login_required
@require_POST
def ranking_publish(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_for(request, pk)
    try:
        funded = services.ranking_publish(call=call, user=request.user)
    except PermissionDenied:
        messages.error(
            request,
            _(
                "Publishing the ranking also creates the funded projects "
                "and commits the fund's money: ask the secretariat."
            ),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Ranking published: %(count)s programmes funded.") % {"count": len(funded)}
        )
    return redirect("participation:manage_call", pk=call.pk)


# --- Proposals -------------------------------------------------------------------------------


def _proposal_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("reason", None)
    data.pop("proposer", None)
    if data.get("cofinancing") is None:
        data["cofinancing"] = 0
    return data


def _valid(form, points) -> bool:
    """Both the proposal's form and its drawn points are read (each shows its own errors)."""
    return all([form.is_valid(), not points.is_bound or points.is_valid()])


@login_required
def proposal_new(request: HttpRequest, call: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("pact"), pk=call)
    proposers = selectors.proposer_territories(user=request.user)
    if not proposers.exists():
        raise PermissionDenied
    chosen = (
        proposers.filter(pk=request.POST.get("proposer") or request.GET.get("per")).first()
        or proposers.first()
    )
    form = NewProposalForm(
        request.POST or None,
        proposers=proposers,
        pact=call.pact,
        places=services.proposer_places(chosen),
        initial={"proposer": chosen},
    )
    points = point_formset(request.POST or None)
    if request.method == "POST" and _valid(form, points):
        try:
            proposal = services.proposal_create(
                call=call,
                proposer=form.cleaned_data["proposer"],
                user=request.user,
                points=points.points(),
                **_proposal_data(form),
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Draft saved: submit it before the deadline."))
            return redirect("participation:manage_proposal", pk=proposal.pk)
    return render(
        request,
        "participation/proposal_new.html",
        {
            "call": call,
            "form": form,
            "points": points,
            "chosen": chosen,
            "proposers": proposers,
            "problem": services.eligibility_problem(call, chosen),
        },
    )


def _proposal_for(request: HttpRequest, pk: int, perm: str = "participation.propose") -> Proposal:
    proposal = selectors.proposal_for_staff(pk=pk)
    if not request.user.has_perm(perm, proposal):
        raise PermissionDenied
    return proposal


@login_required
def manage_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal's page for its proposer: change or amend it, record contributions, submit."""
    proposal = _proposal_for(request, pk)
    initial = {
        "title": proposal.title,
        "objectives": proposal.objectives,
        "content": proposal.content,
        "budget": proposal.budget,
        "cofinancing": proposal.cofinancing,
        "places": list(proposal.places.all()),
        "partners": list(proposal.partners.all()),
    }
    form = ProposalForm(
        request.POST or None,
        initial=initial,
        pact=proposal.call.pact,
        places=services.proposer_places(proposal.proposer),
        prefix="proposal",
    )
    points = point_formset(request.POST or None, proposal=proposal)
    if request.method == "POST" and _valid(form, points):
        try:
            services.proposal_change(
                proposal=proposal,
                user=request.user,
                expected_version=int(request.POST.get("version", 0)),
                reason=form.cleaned_data.get("reason") or "",
                points=points.points(),
                **_proposal_data(form),
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Proposal saved."))
            return redirect("participation:manage_proposal", pk=proposal.pk)
    return render(
        request,
        "participation/manage_proposal.html",
        {
            "proposal": proposal,
            "call": proposal.call,
            "form": form,
            "points": points,
            "contribution_form": ContributionForm(prefix="contribution"),
            "history": selectors.proposal_history(proposal),
            "editable": proposal.status in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED)
            and timezone.now() < proposal.call.deadline,
        },
    )


def _proposal_after(request, target: Proposal, done: str, service, **kwargs):
    try:
        service(**kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("participation:manage_proposal", pk=target.pk)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for(request, pk)
    return _proposal_after(
        request,
        proposal,
        _("Proposal submitted."),
        services.proposal_submit,
        proposal=proposal,
        user=request.user,
    )


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for(request, pk)
    try:
        services.proposal_withdraw(proposal=proposal, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("participation:manage_proposal", pk=proposal.pk)
    messages.success(request, _("Proposal withdrawn."))
    return redirect("participation:home")


@login_required
@require_POST
def contribution_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for(request, pk)
    form = ContributionForm(request.POST, prefix="contribution")
    if not form.is_valid():
        messages.error(
            request,
            _("The contribution was not recorded: %(errors)s")
            % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect("participation:manage_proposal", pk=proposal.pk)
    return _proposal_after(
        request,
        proposal,
        _("Contribution recorded."),
        services.contribution_add,
        proposal=proposal,
        user=request.user,
        **form.cleaned_data,
    )


@login_required
@require_POST
def contribution_delete(request: HttpRequest, pk: int, contribution: int) -> HttpResponse:
    proposal = _proposal_for(request, pk)
    found = get_object_or_404(ProposalContribution, proposal=proposal, pk=contribution)
    return _proposal_after(
        request,
        proposal,
        _("Contribution removed."),
        services.contribution_delete,
        contribution=found,
        user=request.user,
    )


# --- Evaluation ------------------------------------------------------------------------------


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """An evaluator's sheet for one proposal: the declaration first, then a score per
    criterion with its comment."""
    proposal = _proposal_for(request, pk, "participation.evaluate")
    evaluator = get_object_or_404(Evaluator, call=proposal.call, user=request.user)
    sheet = selectors.evaluation_sheet(evaluator=evaluator, proposal=proposal)
    declaration_form = DeclarationForm(
        request.POST if "declare" in request.POST else None, prefix="declaration"
    )
    if request.method == "POST" and "declare" in request.POST:
        if declaration_form.is_valid():
            try:
                services.declaration_make(
                    proposal=proposal, user=request.user, **declaration_form.cleaned_data
                )
            except ApplicationError as exc:
                _show(declaration_form, exc)
            else:
                messages.success(request, _("Declaration recorded."))
                return redirect("participation:evaluate", pk=proposal.pk)
    forms = []
    for criterion, score in sheet["rows"]:
        prefix = f"c{criterion.pk}"
        bound = request.method == "POST" and request.POST.get("criterion") == str(criterion.pk)
        form = ScoreForm(
            request.POST if bound else None,
            criterion=criterion,
            prefix=prefix,
            initial={
                "value": score.value if score else None,
                "comment": score.comment if score else "",
            },
        )
        if bound and form.is_valid():
            try:
                services.score_save(
                    proposal=proposal, criterion=criterion, user=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Score saved."))
                return redirect("participation:evaluate", pk=proposal.pk)
        forms.append((criterion, score, form))
    return render(
        request,
        "participation/evaluate.html",
        {
            "proposal": proposal,
            "call": proposal.call,
            "declaration": sheet["declaration"],
            "declaration_form": declaration_form,
            "forms": forms,
        },
    )


@login_required
def evaluation_list(request: HttpRequest, call: int) -> HttpResponse:
    """The proposals of a call an evaluator scores, with how far they are."""
    call = get_object_or_404(Call.objects.select_related("pact"), pk=call)
    if not request.user.has_perm("participation.evaluate", call):
        raise PermissionDenied
    return render(
        request,
        "participation/evaluation_list.html",
        {"call": call, "proposals": selectors.staff_proposals(call)},
    )


# --- Challenges and solutions ----------------------------------------------------------------


def challenge_index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("patto")
    pact = get_object_or_404(Pact, code=code) if code else pact_selectors.pact_default()
    if pact is None:
        raise Http404
    return render(
        request,
        "participation/challenge_index.html",
        {
            "pact": pact,
            "challenges": selectors.challenge_list(pact=pact),
            "stats": selectors.statistics(pact=pact),
            "can_publish": request.user.has_perm("participation.publish_challenge", pact),
        },
    )


def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Follow

    challenge = selectors.challenge_get(pk=pk)
    context = {
        "challenge": challenge,
        "pact": challenge.pact,
        "stats": selectors.statistics(challenge=challenge),
        "solutions": selectors.solutions_of(challenge),
    }
    if request.user.is_authenticated:
        context["form"] = SolutionForm(
            administrations=selectors.proposer_territories(user=request.user)
        )
        context["following"] = Follow.objects.filter(
            challenge=challenge, user=request.user
        ).exists()
    return render(request, "participation/challenge_detail.html", context)


def solution_detail(request: HttpRequest, challenge: int, pk: int) -> HttpResponse:
    solution = selectors.solution_get(challenge_pk=challenge, pk=pk, user=request.user)
    context = {"solution": solution, "challenge": solution.challenge}
    if request.user.is_authenticated:
        context.update(
            comment_form=CommentForm(),
            report_form=ReasonForm(),
            voted=selectors.has_voted(solution=solution, user=request.user),
            can_moderate=request.user.has_perm("participation.moderate", solution.challenge.pact),
        )
    return render(request, "participation/solution_detail.html", context)


@login_required
@require_POST
def solution_submit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(pk=pk)
    form = SolutionForm(
        request.POST, administrations=selectors.proposer_territories(user=request.user)
    )
    if form.is_spam():
        return redirect(challenge.get_absolute_url())  # nothing kept, nothing told
    if form.is_valid():
        try:
            solution = services.solution_submit(
                challenge=challenge,
                user=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                administration=form.cleaned_data.get("administration"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Solution submitted."))
            return redirect(solution.get_absolute_url())
    else:
        messages.error(
            request, _("The solution was not submitted: give it a title and explain it.")
        )
    return redirect(challenge.get_absolute_url())


@login_required
@require_POST
def challenge_follow(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(pk=pk)
    on = request.POST.get("segui") == "1"
    services.follow(challenge=challenge, user=request.user, on=on)
    messages.success(
        request,
        _("You follow this challenge: a digest reaches you by e-mail.")
        if on
        else _("You no longer follow this challenge."),
    )
    return redirect(challenge.get_absolute_url())


def _solution_for_post(request: HttpRequest, challenge: int, pk: int):
    return selectors.solution_get(challenge_pk=challenge, pk=pk, user=request.user)


@login_required
@require_POST
def solution_vote(request: HttpRequest, challenge: int, pk: int) -> HttpResponse:
    solution = _solution_for_post(request, challenge, pk)
    try:
        if request.POST.get("ritira") == "1":
            services.vote_withdraw(solution=solution, user=request.user)
            messages.success(request, _("Vote withdrawn."))
        elif services.vote_cast(solution=solution, user=request.user):
            messages.success(request, _("Vote counted."))
        else:
            messages.info(request, _("You had already voted for this solution."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(solution.get_absolute_url())


@login_required
@require_POST
def solution_comment(request: HttpRequest, challenge: int, pk: int) -> HttpResponse:
    solution = _solution_for_post(request, challenge, pk)
    form = CommentForm(request.POST)
    if form.is_spam():
        return redirect(solution.get_absolute_url())
    if form.is_valid():
        try:
            services.comment_add(
                solution=solution, user=request.user, text=form.cleaned_data["text"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Comment posted."))
    else:
        messages.error(request, _("Write the comment."))
    return redirect(solution.get_absolute_url())


@login_required
@require_POST
def content_report(request: HttpRequest, challenge: int, pk: int) -> HttpResponse:
    from .models import Comment

    solution = _solution_for_post(request, challenge, pk)
    target = solution
    if request.POST.get("commento"):
        target = get_object_or_404(
            Comment, solution=solution, pk=request.POST["commento"], hidden=False
        )
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ParticipationError("reason", _("Say why you report it."))
        services.content_report(
            target=target, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reported: the moderators will look at it."))
    return redirect(solution.get_absolute_url())


def _moderated(kind: str, pk: int):
    from .models import Comment, Solution

    model = {"soluzione": Solution, "commento": Comment}.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm("participation.moderate") or request.user.moderates.exists()):
        raise PermissionDenied
    solutions, comments = selectors.hidden_content(user=request.user)
    return render(
        request,
        "participation/moderation.html",
        {
            "reports": selectors.reports_open(user=request.user),
            "hidden_solutions": solutions,
            "hidden_comments": comments,
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def moderate(request: HttpRequest, action: str, kind: str, pk: int) -> HttpResponse:
    target = _moderated(kind, pk)
    try:
        if action == "nascondi":
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.content_hide(target=target, user=request.user, reason=reason)
            messages.success(request, _("Hidden: its author sees the reason."))
        elif action == "ripristina":
            services.content_restore(target=target, user=request.user)
            messages.success(request, _("Restored."))
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("participation:moderation")


@login_required
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import ContentReport

    report = get_object_or_404(ContentReport, pk=pk)
    services.report_dismiss(report=report, user=request.user)
    messages.success(request, _("Report archived without hiding anything."))
    return redirect("participation:moderation")


@login_required
def challenge_new(request: HttpRequest, pact: str) -> HttpResponse:
    pact = get_object_or_404(Pact, code=pact)
    if not request.user.has_perm("participation.publish_challenge", pact):
        raise PermissionDenied
    form = ChallengeForm(
        request.POST or None, publishers=selectors.proposer_territories(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_publish(
                pact=pact, user=request.user, **form.cleaned_data
            )
        except (ApplicationError, PermissionDenied) as exc:
            form.add_error(
                None,
                getattr(exc, "message", None)
                or _("You may publish challenges only for the territories you act for."),
            )
        else:
            messages.success(request, _("Challenge published."))
            return redirect(challenge.get_absolute_url())
    return render(request, "participation/challenge_form.html", {"form": form, "pact": pact})


@login_required
def public_name(request: HttpRequest) -> HttpResponse:
    from .models import PublicProfile

    profile = PublicProfile.objects.filter(user=request.user).first()
    form = PublicNameForm(
        request.POST or None, initial={"public_name": profile.public_name if profile else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.public_name_set(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Public name saved."))
            return redirect("participation:public_name")
    return render(request, "participation/public_name.html", {"form": form})


# --- Co-design networks ----------------------------------------------------------------------


def network_index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("patto")
    pact = (
        get_object_or_404(pact_selectors.pact_list(), code=code)
        if code
        else pact_selectors.pact_default()
    )
    if pact is None:
        raise Http404
    networks = list(selectors.network_list(pact=pact))
    return render(
        request,
        "participation/network_index.html",
        {
            "pact": pact,
            "networks": networks,
            "places": selectors.network_places(pact=pact, networks=networks),
        },
    )


def network_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    network = selectors.network_get(pact_code=pact, code=code)
    return render(
        request,
        "participation/network_detail.html",
        {
            "network": network,
            "pact": network.pact,
            "places": selectors.network_places(pact=network.pact, networks=[network]),
            "can_manage": request.user.has_perm("participation.manage_call", network.pact),
        },
    )


# --- Co-design networks: staff ---------------------------------------------------------------


def _network_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["sdgs"] = list(data.get("sdgs") or [])
    data["territories"] = list(data.get("territories") or [])
    return data


@login_required
def network_new(request: HttpRequest, pact: str) -> HttpResponse:
    pact = get_object_or_404(Pact, code=pact)
    if not request.user.has_perm("participation.manage_call", pact):
        raise PermissionDenied
    form = NetworkForm(request.POST or None, pact=pact)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_save(pact=pact, user=request.user, **_network_data(form))
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Network saved: add its partners and activities."))
            return redirect("participation:network_manage", pk=network.pk)
    return render(
        request, "participation/network_form.html", {"form": form, "pact": pact, "network": None}
    )


def _network_for(request: HttpRequest, pk: int):
    network = selectors.network_for_staff(pk=pk)
    if not request.user.has_perm("participation.manage_call", network.pact):
        raise PermissionDenied
    return network


@login_required
def network_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A network's page for the Table's people: its settings, partners, activities, history."""
    network = _network_for(request, pk)
    initial = {
        "code": network.code,
        "name": network.name,
        "description": network.description,
        "themes": network.themes,
        "sdgs": list(network.sdgs.all()),
        "territories": list(network.territories.all()),
        "coordinator": network.coordinator,
        "is_example": network.is_example,
    }
    form = NetworkForm(request.POST or None, pact=network.pact, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_save(
                pact=network.pact, user=request.user, network=network, **_network_data(form)
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Network saved."))
            return redirect("participation:network_manage", pk=network.pk)
    return render(
        request,
        "participation/network_manage.html",
        {
            "network": network,
            "pact": network.pact,
            "form": form,
            "partner_form": PartnerForm(pact=network.pact, prefix="partner"),
            "activity_form": ActivityForm(prefix="activity"),
            "history": selectors.network_history(network),
        },
    )


@login_required
@require_POST
def network_partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network_for(request, pk)
    form = PartnerForm(request.POST, pact=network.pact, prefix="partner")
    try:
        if not form.is_valid():
            raise services.ParticipationError(
                "name", _("Choose a party of the pact or write the organisation's name.")
            )
        services.network_partner_add(network=network, user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Partner added."))
    return redirect("participation:network_manage", pk=network.pk)


@login_required
@require_POST
def network_partner_remove(request: HttpRequest, pk: int, partner: int) -> HttpResponse:
    network = _network_for(request, pk)
    services.network_partner_remove(
        partner=get_object_or_404(network.partners, pk=partner), user=request.user
    )
    messages.success(request, _("Partner removed."))
    return redirect("participation:network_manage", pk=network.pk)


@login_required
@require_POST
def network_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network_for(request, pk)
    form = ActivityForm(request.POST, prefix="activity")
    try:
        if not form.is_valid():
            raise services.ParticipationError("title", _("Name the activity and give its date."))
        services.network_activity_add(network=network, user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Activity recorded."))
    return redirect("participation:network_manage", pk=network.pk)


@login_required
@require_POST
def network_activity_remove(request: HttpRequest, pk: int, activity: int) -> HttpResponse:
    network = _network_for(request, pk)
    services.network_activity_remove(
        activity=get_object_or_404(network.activities, pk=activity), user=request.user
    )
    messages.success(request, _("Activity removed."))
    return redirect("participation:network_manage", pk=network.pk)


# --- Roles -----------------------------------------------------------------------------------


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    """The secretariat gives and takes back the roles of participation (evaluators are
    assigned on each call's page by its managers)."""
    if not request.user.has_perm("participation.grant_roles"):
        raise PermissionDenied
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            get_user_model()
            .objects.filter(email__iexact=data["email"], is_active=True)
            .order_by("pk")
            .first()
        )
        try:
            if person is None:
                raise services.ParticipationError(
                    "email",
                    _("No active account has this e-mail: invite the person first."),
                )
            if data["kind"] == "call_manager":
                services.call_manager_grant(pact=data["pact"], person=person, user=request.user)
            elif data["kind"] == "moderator":
                services.moderator_grant(pact=data["pact"], person=person, user=request.user)
            else:
                services.proposer_grant(
                    territory=data["territory"], person=person, user=request.user
                )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect("participation:roles")
    return render(
        request,
        "participation/roles.html",
        {"form": form, "labels": dict(RoleForm.KINDS), **selectors.roles_overview()},
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    from .models import CallManager, Moderator, ProposerAgent

    model = {"gestore": CallManager, "moderatore": Moderator, "proponente": ProposerAgent}.get(kind)
    if model is None:
        raise Http404
    services.role_revoke(role=get_object_or_404(model, pk=pk), user=request.user)
    messages.success(request, _("Role revoked."))
    return redirect("participation:roles")


# --- Personal data ---------------------------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What participation keeps about the person: download it, or close the account."""
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_close(user=request.user, confirm=form.cleaned_data["confirm"])
        except ApplicationError as exc:
            _show(form, exc)
        else:
            from django.contrib.auth import logout

            logout(request)
            messages.success(
                request,
                _("Your account is closed: what you wrote stays, with no name attached."),
            )
            return redirect("participation:challenges")
    tables = selectors.personal_data(user=request.user)
    counts = {name: len(list(rows)) for name, (_header, rows) in tables.items()}
    response = render(request, "participation/my_data.html", {"form": form, "counts": counts})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The person's data as one spreadsheet, a sheet per kind, through the one exporter."""
    from patto.core.exports import CONTENT_TYPES, xlsx_bytes

    tables = {
        name: (header, list(rows))
        for name, (header, rows) in selectors.personal_data(user=request.user).items()
    }
    response = HttpResponse(xlsx_bytes(tables), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = 'attachment; filename="i-miei-dati-partecipazione.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
