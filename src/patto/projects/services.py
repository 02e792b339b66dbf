"""Every write to projects: edits, reporting rounds, progress reports, contributions, reminders.

Each service takes the acting user, checks the object permission first, runs in one
transaction, keeps history, and refuses an edit based on a version that changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F as models_F
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from patto.core.errors import ApplicationError

from .models import (
    ClusterCoordinator,
    CompletedActivity,
    Contribution,
    CriticalIssue,
    Event,
    Funding,
    GroupProgress,
    Meeting,
    Milestone,
    PartyReporter,
    PlannedActivity,
    ProcedureStep,
    Project,
    ProjectParty,
    ProjectPlace,
    ProjectProgress,
    ProjectReferent,
    ProjectUpdate,
    Reminder,
    ReportingRound,
    ReportSubmission,
    SuccessFactor,
)

#: The statuses a reporting round asks about.
ACTIVE = [Project.Status.APPROVED, Project.Status.IN_PROGRESS, Project.Status.SUSPENDED]

#: How to go from one project status to another through the allowed transitions.
PATHS = {
    (Project.Status.PROPOSED, Project.Status.APPROVED): ["approve"],
    (Project.Status.APPROVED, Project.Status.IN_PROGRESS): ["start"],
    (Project.Status.SUSPENDED, Project.Status.IN_PROGRESS): ["start"],
    (Project.Status.APPROVED, Project.Status.SUSPENDED): ["suspend"],
    (Project.Status.IN_PROGRESS, Project.Status.SUSPENDED): ["suspend"],
    (Project.Status.IN_PROGRESS, Project.Status.COMPLETED): ["complete"],
    (Project.Status.APPROVED, Project.Status.COMPLETED): ["start", "complete"],
}


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _stale(what: str) -> ApplicationError:
    return ApplicationError(
        _("Someone else changed this %(what)s while you were editing it: nothing was saved. "
          "Reload the page, check their changes and make yours again.") % {"what": what},
        code="stale_version")


def _save_versioned(obj: Any, expected_version: int, user: Any, what: str) -> None:
    """Save ``obj`` only if nobody saved it since ``expected_version`` was read."""
    model = type(obj)
    bumped = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=expected_version + 1)
    if not bumped:
        raise _stale(what)
    obj.version = expected_version + 1
    obj._history_user = user
    obj.full_clean(validate_constraints=False)
    obj.save()


def _check_transition(current: str, target: str) -> list[str]:
    if current == target:
        return []
    if target == Project.Status.CANCELLED and current != Project.Status.COMPLETED:
        return ["cancel"]
    path = PATHS.get((current, target))
    if path is None:
        raise ApplicationError(
            _("A project cannot go from “%(current)s” to “%(target)s”.")
            % {"current": Project.Status(current).label, "target": Project.Status(target).label},
            code="bad_transition")
    return path


#: Fields that only move through status transitions (and how progress is measured), by
#: people who may review: the secretariat and the cluster's coordinator.
STATUS_FIELDS = ("status", "progress", "progress_method", "progress_reason", "weight",
                 "parent")
#: What only an approved report changes, so that every figure has its report in the history
#: (who said it, when, why, and who approved it).
REPORTED_FIELDS = ("progress", "progress_reason")
#: Where a project sits in the pact: moved by the secretariat alone.
STRUCTURE_FIELDS = ("pact", "cluster", "emergency_action")
#: The sheet's records a project holds, which the back office edits beside the project.
RECORD_MODELS = {m._meta.model_name: m for m in (
    ProjectParty, ProjectReferent, Funding, PlannedActivity, CompletedActivity, CriticalIssue,
    SuccessFactor, Meeting, Event, Contribution, ProcedureStep, Milestone, ProjectPlace)}

#: The records a project's referent keeps current beside the sheet's own fields.
SHEET_RECORDS = (ProjectPlace,)


def _invalid(what: str, exc: ValidationError) -> ApplicationError:
    return ApplicationError(_("The %(what)s was not saved: %(errors)s")
                            % {"what": what, "errors": "; ".join(exc.messages)},
                            code="invalid")


def _progress_by_report() -> ApplicationError:
    return ApplicationError(
        _("Progress changes only through an approved report, so that its history is kept: "
          "the project's referent writes the figure (and, when it is set by hand, its reason) "
          "in the report of an open reporting round, and it changes when the coordinator "
          "approves the report."), code="progress_by_report")


def _check_reason(project: Project, update: ProjectUpdate) -> None:
    """A figure set by hand needs its reason: a report that moves it says why (a report
    that leaves it as it is keeps the reason it had)."""
    if project.progress_method != Project.ProgressMethod.MANUAL:
        return
    if update.progress == project.progress:
        return
    if str((update.payload or {}).get("progress_reason", "")).strip():
        return
    raise ApplicationError(
        _("This project's progress is set by hand: say in the report why the progress is "
          "%(progress)s%%, or the figure cannot be published.") % {"progress": update.progress},
        code="reason_required")


def next_statuses(current: str) -> list[Project.Status]:
    """The statuses one transition away from ``current`` (what a status form offers)."""
    steps = [target for (source, target), path in PATHS.items()
             if source == current and len(path) == 1]
    if current not in (Project.Status.COMPLETED, Project.Status.CANCELLED):
        steps.append(Project.Status.CANCELLED)
    return [Project.Status(s) for s in steps]


def project_change(*, project: Project, user: Any, expected_version: int,
                   **fields: Any) -> Project:
    """Change a project's record; the status only moves along its allowed transitions.

    Many-to-many fields (challenges, territories, SDG targets, links) take a list or a
    queryset. A change of status or progress needs the right to review the project, so that
    nobody completes their own project without a review.
    """
    _require(user, "projects.change_project", project)
    moving = [name for name in STATUS_FIELDS
              if name in fields and fields[name] != getattr(project, name)]
    if moving:
        _require(user, "projects.change_project_status", project)
    if any(name in moving for name in REPORTED_FIELDS):
        raise _progress_by_report()
    if any(name in fields and fields[name] != getattr(project, name)
           for name in STRUCTURE_FIELDS):
        _require(user, "projects.admin_project", project)
    many = {name: fields.pop(name) for name in list(fields)
            if name in _MANY_TO_MANY}
    if "parent" in fields:
        _check_parent(project, fields["parent"])
    # What the old place in the pact loses when the project moves or changes.
    before = _groups_of([project.pk]) | {("project", project.parent_id)}
    with transaction.atomic():
        target = fields.pop("status", project.status)
        for step in _check_transition(project.status, target):
            getattr(project, step)()
        for name, value in fields.items():
            setattr(project, name, value)
        try:
            _save_versioned(project, expected_version, user, _("project"))
        except ValidationError as exc:
            raise _invalid(_("project"), exc) from exc
        for name, values in many.items():
            getattr(project, name).set(values)
        progress_refresh(projects=[project.pk], also=before)
    return project


def _check_parent(project: Project, parent: Project | None) -> None:
    """A sub-project stays in its pact and never contains itself, however deep."""
    seen = set()
    node = parent
    while node is not None:
        if node.pk == project.pk or node.pk in seen:
            raise ApplicationError(_("A project cannot be part of itself or of one of its "
                                     "sub-projects."), code="bad_parent")
        if node.pact_id != project.pact_id:
            raise ApplicationError(_("A sub-project belongs to the pact of its project."),
                                   code="bad_parent")
        seen.add(node.pk)
        node = node.parent


_MANY_TO_MANY = ("challenges", "sdg_targets", "territories", "links")


def project_create(*, user: Any, **fields: Any) -> Project:
    """Create a project, always as proposed with no progress: the Table approves it later."""
    target = fields.get("cluster")
    _require(user, "projects.add_project", target)
    if fields.get("status", Project.Status.PROPOSED) != Project.Status.PROPOSED \
            or fields.get("progress", 0):
        _require(user, "projects.change_project_status")
    if fields.get("progress", 0) or fields.get("progress_reason", ""):
        raise _progress_by_report()
    many = {name: fields.pop(name) for name in list(fields) if name in _MANY_TO_MANY}
    project = Project(**fields)
    if project.cluster_id and project.emergency_action_id is None \
            and project.cluster.pact_id != project.pact_id:
        raise ApplicationError(_("The cluster belongs to another pact."), code="bad_cluster")
    project._history_user = user
    with transaction.atomic():
        try:
            project.full_clean()
        except ValidationError as exc:
            raise _invalid(_("project"), exc) from exc
        project.save()
        for name, values in many.items():
            getattr(project, name).set(values)
        progress_refresh(projects=[project.pk])
    return project


def project_delete(*, project: Project, user: Any) -> None:
    """Delete a project; a coordinator may delete only what the Table has not approved."""
    _require(user, "projects.delete_project", project)
    project._history_user = user
    try:
        with transaction.atomic():
            before = _groups_of([project.pk]) | {("project", project.parent_id)}
            project.delete()
            progress_refresh(projects=[], also=before)
    except ProtectedError as exc:
        raise ApplicationError(
            _("“%(project)s” cannot be deleted: other records refer to it (such as reporting "
              "rounds or fund movements). Cancel it instead.") % {"project": project.title},
            code="protected") from exc


def project_records_change(*, project: Project, user: Any, model_name: str,
                           saved: list[Any] = (), deleted: list[Any] = (),
                           expected_version: int | None = None) -> None:
    """Save and delete records of a project's sheet (its involved actors, referents,
    funding, activities, issues, factors, meetings, events, contributions, places) in one go.

    With ``expected_version`` (the staff pages send the version they were read at) the
    project's version moves too, so that two people editing the same records cannot
    overwrite each other unseen.
    """
    model = RECORD_MODELS[model_name]
    # Places are part of the sheet, like the municipalities: whoever keeps the sheet
    # current draws them; the other records are the secretariat's.
    _require(user, "projects.change_project" if model in SHEET_RECORDS
             else "projects.admin_project", project)
    with transaction.atomic():
        current = None
        if expected_version is not None:
            current = Project.objects.select_for_update().get(pk=project.pk)
            _save_versioned(current, expected_version, user, _("project"))
        for record in saved:
            if not isinstance(record, model) or record.project_id != project.pk:
                raise ApplicationError(_("A record belongs to another project."),
                                       code="bad_record")
            if model is Milestone:
                _check_milestone(record)
            record._history_user = user
            try:
                # A place's bounds are check constraints: read them here, for a clear refusal.
                record.full_clean(validate_constraints=model in SHEET_RECORDS)
            except ValidationError as exc:
                raise _invalid(str(model._meta.verbose_name), exc) from exc
            record.save()
        for record in deleted:
            if not isinstance(record, model) or record.project_id != project.pk:
                raise ApplicationError(_("A record belongs to another project."),
                                       code="bad_record")
            record._history_user = user
            record.delete()
        if model is Milestone:
            progress_refresh(projects=[project.pk])
        if current is not None:
            project.version = current.version


def _check_milestone(record: Milestone) -> None:
    """A milestone's structure is the sheet's; whether it is done, only an approved report
    says (its date and report are kept)."""
    stored = Milestone.objects.filter(pk=record.pk).values_list("done_on", flat=True).first() \
        if record.pk else None
    if record.done_on != stored:
        raise ApplicationError(_("A milestone is marked done only by an approved progress "
                                 "report: report it in the next round."), code="done_via_report")
    node, seen = record.parent, set()
    while node is not None:
        if node.pk == record.pk or node.pk in seen:
            raise ApplicationError(_("A milestone cannot be part of itself."),
                                   code="bad_parent")
        seen.add(node.pk)
        node = node.parent


# Roles --------------------------------------------------------------------------------------

def role_grant(*, role: Any, user: Any) -> Any:
    """Give an account a role (coordinator of a cluster, reporter of a party, referent of a
    project: a referent record with its account linked)."""
    _require(user, "projects.admin_project")
    if not isinstance(role, (ClusterCoordinator, PartyReporter, ProjectReferent)):
        raise ApplicationError(_("Unknown role."), code="bad_role")
    role._history_user = user
    try:
        role.full_clean()
    except ValidationError as exc:
        raise _invalid(str(type(role)._meta.verbose_name), exc) from exc
    role.save()
    return role


def role_revoke(*, role: Any, user: Any) -> None:
    _require(user, "projects.admin_project")
    if not isinstance(role, (ClusterCoordinator, PartyReporter, ProjectReferent)):
        raise ApplicationError(_("Unknown role."), code="bad_role")
    role._history_user = user
    if isinstance(role, ProjectReferent):
        # The referent stays on the sheet (a named person); only the account loses the role.
        role.user = None
        role.save(update_fields=["user"])
        return
    role.delete()


# Reporting rounds -----------------------------------------------------------------------

def round_open(*, pact: Any, title: str, opens_on: dt.date, deadline: dt.date,
               user: Any) -> ReportingRound:
    """The secretariat opens a round; each active project's referents then report."""
    _require(user, "projects.add_reportinground")
    if deadline < opens_on:
        raise ApplicationError(_("The deadline comes before the opening date."),
                               code="bad_dates")
    reporting_round = ReportingRound(pact=pact, title=title, opens_on=opens_on,
                                     deadline=deadline, created_by=user)
    reporting_round._history_user = user
    reporting_round.save()
    return reporting_round


def round_change(*, reporting_round: ReportingRound, user: Any, **fields: Any
                 ) -> ReportingRound:
    """Change a round's title, dates or status (closing it stops new reports)."""
    _require(user, "projects.change_reportinground", reporting_round)
    for name, value in fields.items():
        if name not in ("title", "opens_on", "deadline", "status"):
            raise ApplicationError(_("A round's %(field)s cannot be changed.")
                                   % {"field": name}, code="bad_field")
        setattr(reporting_round, name, value)
    if reporting_round.deadline < reporting_round.opens_on:
        raise ApplicationError(_("The deadline comes before the opening date."),
                               code="bad_dates")
    reporting_round._history_user = user
    with transaction.atomic():
        reporting_round.save()
    return reporting_round


def update_save(*, reporting_round: ReportingRound, project: Project, user: Any,
                proposed_status: str, progress: int, summary: str = "",
                payload: dict | None = None, expected_version: int | None = None,
                submit: bool = False) -> ProjectUpdate:
    """Create or change the referent's draft report for a project in a round, and with
    ``submit`` send it for review in the same transaction: a refused submission saves
    nothing, not even the draft."""
    _require(user, "projects.submit_update", project)
    _check_transition(project.status, proposed_status)
    payload = validate_payload(payload or {})
    with transaction.atomic():
        _require_open(reporting_round.pk)
        update = ProjectUpdate.objects.select_for_update().filter(
            round=reporting_round, project=project).first()
        if update is None:
            if expected_version is not None:
                # The form was opened on a draft that someone deleted meanwhile.
                raise _stale(_("report"))
            update = ProjectUpdate(round=reporting_round, project=project,
                                   base_version=project.version, proposed_status=proposed_status,
                                   progress=progress, summary=summary, payload=payload)
            update._history_user = user
            update.full_clean(validate_constraints=False)
            update.save()
        else:
            if update.status not in (ProjectUpdate.Status.DRAFT, ProjectUpdate.Status.RETURNED):
                raise ApplicationError(_("This report was already submitted."),
                                       code="submitted")
            update.proposed_status, update.progress = proposed_status, progress
            update.summary, update.payload = summary, payload
            update.base_version = project.version
            _save_versioned(update, update.version if expected_version is None else
                            expected_version, user, _("report"))
        if submit:
            _submit(update, user)
            _save_versioned(update, update.version, user, _("report"))
    return update


def _require_open(round_id: int) -> None:
    """Read the round's status in the writing transaction, locked, so that a report is never
    saved in a round closed meanwhile (``round_close`` takes the same lock)."""
    status = ReportingRound.objects.select_for_update().filter(pk=round_id) \
        .values_list("status", flat=True).first()
    if status != ReportingRound.Status.OPEN:
        raise ApplicationError(_("This reporting round is closed."), code="round_closed")


def _submit(update: ProjectUpdate, user: Any) -> None:
    """Send for review, keeping what was sent (the next review's diff) and telling the
    cluster's coordinators once the transaction commits."""
    _require_open(update.round_id)
    if not update.summary.strip():
        raise ApplicationError(_("Say what happened in this period before submitting the "
                                 "report: a draft may stay incomplete, a report may not."),
                               code="summary_required")
    _check_reason(Project.objects.get(pk=update.project_id), update)
    try:
        update.submit()
    except TransitionNotAllowed as exc:
        raise ApplicationError(_("This report was already submitted."),
                               code="submitted") from exc
    update.submitted_by, update.submitted_at = user, timezone.now()
    number = update.submissions.count() + 1
    ReportSubmission.objects.create(update=update, number=number, content=report_content(update),
                                    submitted_by=user, submitted_at=update.submitted_at)
    transaction.on_commit(_notify(update, "submitted", _coordinators))


def report_content(update: ProjectUpdate) -> dict:
    """What a report says, in the plain shape kept per submission and compared between them."""
    return {"proposed_status": update.proposed_status, "progress": update.progress,
            "summary": update.summary, "payload": update.payload}


def update_submit(*, update: ProjectUpdate, user: Any, expected_version: int) -> ProjectUpdate:
    """Send a saved draft for review."""
    _require(user, "projects.submit_update", update.project)
    with transaction.atomic():
        _submit(update, user)
        _save_versioned(update, expected_version, user, _("report"))
    return update


def update_return(*, update: ProjectUpdate, user: Any, comment: str) -> ProjectUpdate:
    """The coordinator sends a report back with a comment saying what to change."""
    _require(user, "projects.review_update", update.project)
    if not comment.strip():
        raise ApplicationError(_("Say in the comment what the referent should change."),
                               code="comment_required")
    with transaction.atomic():
        try:
            update.send_back()
        except TransitionNotAllowed as exc:
            raise ApplicationError(_("Only a submitted report can be sent back."),
                                   code="not_submitted") from exc
        update.reviewed_by, update.reviewed_at = user, timezone.now()
        update.review_comment = comment.strip()
        _save_versioned(update, update.version, user, _("report"))
        update.submissions.filter(number=update.submissions.order_by("-number")
                                  .values("number")[:1]).update(return_comment=comment.strip())
        transaction.on_commit(_notify(update, "returned", _referents))
    return update


def update_approve(*, update: ProjectUpdate, user: Any, comment: str = "") -> ProjectUpdate:
    """Approve a report: its figures and records reach the project's public sheet."""
    _require(user, "projects.review_update", update.project)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=update.project_id)
        if project.version != update.base_version:
            raise ApplicationError(
                _("The project changed after this report was written: send it back so that "
                  "the referent reports on the current sheet."), code="stale_version")
        _check_reason(project, update)
        try:
            update.approve()
        except TransitionNotAllowed as exc:
            raise ApplicationError(_("Only a submitted report can be approved."),
                                   code="not_submitted") from exc
        update.reviewed_by, update.reviewed_at = user, timezone.now()
        update.review_comment = comment.strip()
        _save_versioned(update, update.version, user, _("report"))
        for step in _check_transition(project.status, update.proposed_status):
            getattr(project, step)()
        if project.progress_method == Project.ProgressMethod.MANUAL:
            # Set by hand: the report's figure, with the reason it gives (or, for the same
            # figure, the reason it already had: _check_reason saw to it).
            project.progress = update.progress
            reason = update.payload.get("progress_reason")
            if reason:
                project.progress_reason = reason
        _save_versioned(project, project.version, user, _("project"))
        _apply_payload(project, update, user)
        progress_refresh(projects=[project.pk], update=update)
        transaction.on_commit(_notify(update, "approved", _referents))
    return update


# Workflow e-mails -----------------------------------------------------------------------

def _coordinators(project: Project) -> list[Any]:
    """Who reviews a project's reports: its cluster's coordinators, else the secretariat
    (an emergency action has no cluster)."""
    from django.contrib.auth import get_user_model

    from .rules import SECRETARIAT_GROUP

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if project.cluster_id:
        found = list(users.filter(coordinated_clusters__cluster_id=project.cluster_id))
        if found:
            return found
    return list(users.filter(groups__name=SECRETARIAT_GROUP))


def _referents(project: Project) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(
        is_active=True, referent_of__project=project).exclude(email="").distinct())


def _notify(update: ProjectUpdate, event: str, recipients: Callable[[Project], list[Any]]):
    """A callable for ``on_commit`` that mails each recipient in the site's language: plain
    text with the link to the report, so nothing is sent for a change that rolled back.

    Recipients are looked up when the mail goes out, after the commit. Example data (the
    demo's scale pact, thousands of synthetic reports) never mails anybody."""
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    context = {"project": update.project.title, "round": update.round.title,
               "comment": update.review_comment}

    def send() -> None:
        if update.project.is_example:
            return
        # Mail goes out in the site's language, whatever page the actor was reading.
        with translation.override(settings.LANGUAGE_CODE):
            _send(context)

    def _send(context: dict) -> None:
        # The referent goes back to the form to change it; otherwise, the report's own page.
        path = (reverse("projects:update_edit", args=[update.round_id, update.project_id])
                if event == "returned" else reverse("projects:update_review", args=[update.pk]))
        context = {**context,
                   "link": getattr(settings, "PATTO_SITE_URL", "").rstrip("/") + path}
        subjects = {
            "submitted": _("Report to review: “%(project)s”"),
            "returned": _("Report sent back: “%(project)s”"),
            "approved": _("Report approved: “%(project)s”"),
        }
        for user in recipients(update.project):
            body = render_to_string(f"projects/emails/{event}.txt",
                                    {**context, "name": user.get_full_name() or user.username})
            send_mail(subject=subjects[event] % {"project": update.project.title},
                      message=body, from_email=None, recipient_list=[user.email])
    return send


# Rounds closing ---------------------------------------------------------------------------

def round_close(*, reporting_round: ReportingRound, user: Any) -> ReportingRound:
    """The secretariat closes a round: no report can be saved or submitted in it any more;
    reports already sent can still be reviewed."""
    _require(user, "projects.change_reportinground", reporting_round)
    with transaction.atomic():
        locked = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
        if locked.status == ReportingRound.Status.CLOSED:
            raise ApplicationError(_("This reporting round is already closed."),
                                   code="round_closed")
        reporting_round.status = ReportingRound.Status.CLOSED
        reporting_round._history_user = user
        reporting_round.save(update_fields=["status", "updated_at"])
    return reporting_round


def validate_payload(payload: dict) -> dict:
    """Reported records in a plain, checked shape: dates as ISO strings, counts as ints."""
    clean: dict[str, Any] = {}
    try:
        clean["completed"] = [{"done_on": dt.date.fromisoformat(r["done_on"]).isoformat(),
                               "text": str(r["text"]).strip()}
                              for r in payload.get("completed", []) if str(r["text"]).strip()]
        clean["issues"] = [str(t).strip() for t in payload.get("issues", []) if str(t).strip()]
        clean["meetings"] = [{"held_on": dt.date.fromisoformat(r["held_on"]).isoformat(),
                              "title": str(r.get("title", "")).strip(),
                              "participants": _count(r.get("participants"))}
                             for r in payload.get("meetings", [])]
        clean["events"] = [{"title": str(r["title"]).strip(),
                            "held_on": dt.date.fromisoformat(r["held_on"]).isoformat(),
                            "place": str(r.get("place", "")).strip(),
                            "participants": _count(r.get("participants"))}
                           for r in payload.get("events", [])]
        # Milestones reached and the reason for a figure set by hand: kept only when given,
        # so that reports without them read as before.
        milestones = [{"id": int(r["id"]), "title": str(r.get("title", ""))[:300],
                       "done_on": dt.date.fromisoformat(r["done_on"]).isoformat()}
                      for r in payload.get("milestones", [])]
        if milestones:
            clean["milestones"] = milestones
        reason = str(payload.get("progress_reason") or "").strip()
        if reason:
            clean["progress_reason"] = reason
    except (KeyError, TypeError, ValueError) as exc:
        raise ApplicationError(_("A reported record is incomplete or has a bad date (%(error)s).")
                               % {"error": exc}, code="bad_payload") from exc
    return clean


def _count(value: Any) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)
    if number < 0:
        raise ValueError("participants cannot be negative")
    return number


def _apply_payload(project: Project, update: ProjectUpdate, user: Any = None) -> None:
    today = timezone.localdate()
    p = update.payload
    done = {r["id"]: r["done_on"] for r in p.get("milestones", [])}
    for milestone in Milestone.objects.filter(project=project, pk__in=done,
                                              done_on__isnull=True):
        milestone.done_on = dt.date.fromisoformat(done[milestone.pk])
        milestone.update = update
        milestone._history_user = user
        milestone.save(update_fields=["done_on", "update"])
    CompletedActivity.objects.bulk_create(
        CompletedActivity(project=project, update=update, done_on=r["done_on"], text=r["text"])
        for r in p.get("completed", []))
    CriticalIssue.objects.bulk_create(
        CriticalIssue(project=project, update=update, noted_on=today, text=t)
        for t in p.get("issues", []))
    Meeting.objects.bulk_create(
        Meeting(project=project, update=update, held_on=r["held_on"], title=r["title"],
                participants=r["participants"]) for r in p.get("meetings", []))
    Event.objects.bulk_create(
        Event(project=project, update=update, title=r["title"], held_on=r["held_on"],
              place=r["place"], participants=r["participants"]) for r in p.get("events", []))


# Contributions ----------------------------------------------------------------------------

def contribution_record(*, project: Project, user: Any, activity: str, amount: Decimal,
                        granted_by: str, party: Any = None,
                        received_on: dt.date | None = None) -> Contribution:
    """Record money a project received; the amount is exact euro, never zero or negative."""
    contribution = Contribution(project=project, activity=activity, amount=amount,
                                granted_by=granted_by, party=party, received_on=received_on)
    _require(user, "projects.add_contribution", contribution)
    if amount is None or Decimal(amount) <= 0:
        raise ApplicationError(_("The amount must be more than zero euro."), code="bad_amount")
    contribution._history_user = user
    try:
        contribution.full_clean()
    except ValidationError as exc:
        raise ApplicationError(_("The contribution was not saved: %(errors)s")
                               % {"errors": "; ".join(exc.messages)}, code="invalid") from exc
    contribution.save()
    return contribution


# Reminders --------------------------------------------------------------------------------

def reminders_send(*, today: dt.date, days_before: int = 3, dry_run: bool = False
                   ) -> list[tuple[ReportingRound, Project, Any]]:
    """Email referents who have not submitted, when a round's deadline is near.

    Each referent is reminded once per round and project; the mail goes out only after
    the reminder is recorded (``on_commit``), so a rollback sends nothing.
    """
    sent = []
    rounds = ReportingRound.objects.filter(
        status=ReportingRound.Status.OPEN, opens_on__lte=today, deadline__gte=today,
        deadline__lte=today + dt.timedelta(days=days_before)).select_related("pact")
    for reporting_round in rounds:
        done = set(reporting_round.updates.filter(
            status__in=[ProjectUpdate.Status.SUBMITTED, ProjectUpdate.Status.APPROVED])
            .values_list("project_id", flat=True))
        already = set(reporting_round.reminders.values_list("project_id", "user_id"))
        projects = reporting_round.pact.projects.filter(status__in=ACTIVE).exclude(
            pk__in=done).prefetch_related("referents__user")
        for project in projects:
            for referent in project.referents.all():
                user = referent.user
                if user is None or not user.email or (project.pk, user.pk) in already:
                    continue
                sent.append((reporting_round, project, user))
                already.add((project.pk, user.pk))
                if dry_run:
                    continue
                with transaction.atomic():
                    Reminder.objects.create(round=reporting_round, project=project, user=user)
                    transaction.on_commit(_mailer(reporting_round, project, user))
    return sent


def _mailer(reporting_round: ReportingRound, project: Project, user: Any):
    def send() -> None:
        send_mail(
            subject=_("Reminder: report on “%(project)s” by %(deadline)s")
            % {"project": project.title, "deadline": reporting_round.deadline.isoformat()},
            message=_("Dear %(name)s,\n\nthe reporting round “%(round)s” closes on %(deadline)s "
                      "and the report on “%(project)s” has not been submitted yet.\n\n"
                      "Please fill it in from the platform's reporting page.\n")
            % {"name": user.get_full_name() or user.username, "round": reporting_round.title,
               "deadline": reporting_round.deadline.isoformat(), "project": project.title},
            from_email=None, recipient_list=[user.email])
    return send


# Progress roll-up --------------------------------------------------------------------------

#: Where projects' indicators' shares of target come from: monitoring, above this app,
#: registers a function taking project ids and returning, for each, its indicators as
#: (key, label, share of the way to the target in percent or None).
_INDICATOR_SHARES: list[Callable[[list[int]], dict[int, list[tuple]]]] = []


def register_indicator_shares(provider: Callable[[list[int]], dict[int, list[tuple]]]
                              ) -> None:
    if provider not in _INDICATOR_SHARES:
        _INDICATOR_SHARES.append(provider)


def _groups_of(project_ids: list[int]) -> set[tuple[str, int | None]]:
    """The clusters and challenges these projects count in (two queries)."""
    found: set[tuple[str, int | None]] = {
        ("cluster", c) for c in Project.objects.filter(pk__in=project_ids, cluster__isnull=False)
        .values_list("cluster_id", flat=True)}
    found |= {("challenge", c) for c in Project.challenges.through.objects.filter(
        project_id__in=project_ids).values_list("challenge_id", flat=True)}
    return found


def _part(part: Any, extra: dict | None = None) -> dict:
    return {"key": part.key, "label": part.label, "kind": part.kind,
            "share": round(part.share, 6),
            "progress": None if part.progress is None else round(part.progress, 2),
            "done": part.done, "total": part.total, **(extra or {})}


def progress_refresh(*, projects: list[int], update: ProjectUpdate | None = None,
                     also: set[tuple[str, int | None]] = frozenset()) -> None:
    """Roll up again the stored progress of these projects, of the projects they are part
    of (up to the top), and of their clusters and challenges; ``also`` adds groups (and
    former parents, as ("project", id)) a change took the projects out of.

    Called by every service that changes an input (an approved report, a milestone, a
    project's parent, weight or method, a package load, monitoring's assessments): pages
    read what it stores. Queries grow with the depth of the tree, not with its size.
    """
    from patto.engine.rollup import Node, roll_up

    ids = set(projects) | {pk for kind, pk in also if kind == "project" and pk}
    # The projects above, level by level: their progress is made of these.
    frontier = set(ids)
    while frontier:
        frontier = set(Project.objects.filter(pk__in=frontier, parent__isnull=False)
                       .values_list("parent_id", flat=True)) - ids
        ids |= frontier
    rows = {p.pk: p for p in Project.objects.filter(pk__in=ids).only(
        "pk", "parent_id", "pact_id", "code", "title", "weight", "status", "progress",
        "progress_method", "progress_reason", "pact__code").select_related("pact")}
    subs: dict[int, list[Project]] = {}
    for sub in (Project.objects.filter(parent_id__in=rows).exclude(
            status=Project.Status.CANCELLED).select_related("pact", "rollup")
            .only("pk", "parent_id", "code", "title", "weight", "progress", "pact__code",
                  "rollup__value").order_by("code")):
        subs.setdefault(sub.parent_id, []).append(sub)
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(project_id__in=rows).order_by("position", "pk"):
        milestones.setdefault(m.project_id, []).append(m)
    wanted = [pk for pk, p in rows.items()
              if p.progress_method == Project.ProgressMethod.INDICATORS]
    shares: dict[int, list[tuple]] = {}
    for provider in _INDICATOR_SHARES:
        if wanted:
            shares.update(provider(wanted))

    values: dict[int, float | None] = {}

    def tree(items: list[Milestone], parent: int | None) -> tuple:
        return tuple(Node(f"m{m.pk}", m.title, "milestone", float(m.weight),
                          done=m.done_on is not None, children=tree(items, m.pk))
                     for m in items if m.parent_id == parent)

    def compute(pk: int) -> None:
        project = rows[pk]
        for sub in subs.get(pk, []):
            if sub.pk in rows and sub.pk not in values:
                compute(sub.pk)
        method, reason, note, parts = project.progress_method, "", "", []
        if method == Project.ProgressMethod.MANUAL:
            value, note = float(project.progress), project.progress_reason
        else:
            if method == Project.ProgressMethod.INDICATORS:
                nodes = tuple(Node(f"i{key}", label, "indicator", 1.0, value=share)
                              for key, label, share in shares.get(pk, []))
            else:
                nodes = tree(milestones.get(pk, []), None) + tuple(
                    Node(f"p{s.pk}", s.title, "project", float(s.weight),
                         value=_sub_value(s, values)) for s in subs.get(pk, []))
            result = roll_up(nodes)
            value, reason = result.progress, result.reason
            extra = {f"p{s.pk}": {"pact": s.pact.code, "code": s.code}
                     for s in subs.get(pk, [])}
            parts = [_part(p, extra.get(p.key)) for p in result.parts]
        values[pk] = value
        stored, _created = ProjectProgress.objects.get_or_create(
            project_id=pk, defaults={"method": method})
        fields = {"method": method, "value": value, "reason": reason, "note": note,
                  "parts": parts}
        if update is not None and update.project_id == pk:
            fields["update"] = update
        if _created or any(getattr(stored, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(stored, k, v)
            stored.save()
        if value is not None and round(value) != project.progress:
            Project.objects.filter(pk=pk).update(progress=round(value))

    for pk in rows:
        if pk not in values:
            compute(pk)
    groups_refresh(groups=_groups_of(list(rows)) | {g for g in also if g[0] != "project"})


def _sub_value(sub: Project, values: dict[int, float | None]) -> float | None:
    if sub.pk in values:
        return values[sub.pk]
    try:
        stored = sub.rollup.value
    except ProjectProgress.DoesNotExist:
        stored = None
    # A stored roll-up without a figure (no milestones yet) leaves the last one set.
    return stored if stored is not None else float(sub.progress)


def groups_refresh(*, groups: set[tuple[str, int | None]]) -> None:
    """Roll up the stored progress of clusters and challenges from their projects: each
    project at the top of its tree (a sub-project counts in its project) that is not
    cancelled, with its weight normalised over the group. One query per kind of group."""
    from patto.engine.rollup import Node, roll_up

    clusters = {pk for kind, pk in groups if kind == "cluster" and pk}
    challenges = {pk for kind, pk in groups if kind == "challenge" and pk}
    top = Project.objects.filter(parent__isnull=True).exclude(
        status=Project.Status.CANCELLED).select_related("pact").only(
        "pk", "code", "title", "weight", "progress", "cluster_id", "pact__code")
    members: dict[tuple[str, int], list[Project]] = {(k, pk): [] for k, pks in
                                                      (("cluster", clusters),
                                                       ("challenge", challenges))
                                                      for pk in pks}
    if clusters:
        for p in top.filter(cluster_id__in=clusters).order_by("code"):
            members[("cluster", p.cluster_id)].append(p)
    if challenges:
        for p in top.filter(challenges__in=challenges).annotate(
                group=models_F("challenges")).order_by("code"):
            members[("challenge", p.group)].append(p)
    for (kind, pk), projects in members.items():
        result = roll_up([Node(f"p{p.pk}", p.title, "project", float(p.weight),
                               value=float(p.progress)) for p in projects])
        extra = {f"p{p.pk}": {"pact": p.pact.code, "code": p.code} for p in projects}
        fields = {"value": result.progress, "reason": result.reason,
                  "parts": [_part(part, extra[part.key]) for part in result.parts]}
        GroupProgress.objects.update_or_create(**{kind + "_id": pk}, defaults=fields)


# Places of projects: the municipality of a point -------------------------------------------

def municipality_areas() -> list[Any]:
    """The municipalities that have a boundary, as areas to search (one query); a caller
    locating many points (a package load) reads them once."""
    from patto.engine.geo import area
    from patto.pact.models import Territory

    found = []
    for pk, boundary in Territory.objects.filter(
            kind=Territory.Kind.MUNICIPALITY, boundary__isnull=False).values_list(
            "pk", "boundary").order_by("code"):
        made = area(pk, boundary) if isinstance(boundary, dict) else None
        if made is not None:
            found.append(made)
    return found


def place_municipality(*, latitude: Decimal | float, longitude: Decimal | float,
                       areas: list[Any] | None = None) -> int | None:
    """The id of the municipality whose boundary holds the point, or None (outside every
    loaded boundary, or no boundaries loaded)."""
    from patto.engine.geo import locate

    return locate(municipality_areas() if areas is None else areas,
                  float(longitude), float(latitude))


def _place_locate(sender: Any, instance: ProjectPlace, raw: bool = False, **kwargs: Any
                  ) -> None:
    """Store the municipality of a point when the point is saved, so that the
    municipality's page lists the project without computing anything on read.

    The rule: a point saved without a municipality gets the one whose boundary holds it; a
    point moved without choosing a new municipality gets it found again; a municipality
    chosen by whoever saves (a form, the admin, a package's ``municipality`` column) is
    kept. Every save path passes here (services, admin, package loads), hence a signal.
    """
    if raw:
        return
    stored = (ProjectPlace.objects.filter(pk=instance.pk)
              .values("latitude", "longitude", "territory_id").first()
              if instance.pk else None)
    if stored is None:
        if instance.territory_id is None:
            instance.territory_id = place_municipality(latitude=instance.latitude,
                                                       longitude=instance.longitude)
        return
    moved = (Decimal(str(stored["latitude"])) != Decimal(str(instance.latitude))
             or Decimal(str(stored["longitude"])) != Decimal(str(instance.longitude)))
    chosen = stored["territory_id"] != instance.territory_id
    if (moved and not chosen) or instance.territory_id is None:
        instance.territory_id = place_municipality(latitude=instance.latitude,
                                                   longitude=instance.longitude)


def _connect_place_locate() -> None:
    from django.db.models.signals import pre_save

    pre_save.connect(_place_locate, sender=ProjectPlace, dispatch_uid="projects.place_locate")


_connect_place_locate()
