"""Command handlers: load, act, save. Cross-record rules live here, where both records are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from application import commands as c
from application.errors import NotFoundError
from application.ports import CommandResult, UnitOfWork
from domain.decision import Decision
from domain.dialogue_plan import DialoguePlan, dialogue_plan_id
from domain.errors import CrossRecordError, DomainRuleError, RecordNotOpenError
from domain.issue import Issue, NoteState
from domain.local_plan import LocalPlan
from domain.locality import Locality, locality_id
from domain.municipalities import municipality_name
from domain.outcome import Outcome
from domain.retention import RetentionPlan, retention_plan_id
from domain.staff import StaffMember, staff_member_id
from domain.task_force import TaskForce
from domain.unit import Unit

Handler = Callable[[Any, UnitOfWork], CommandResult]


# Issues


def open_issue(cmd: c.OpenIssue, uow: UnitOfWork) -> CommandResult:
    fields = cmd.model_dump(mode="json")
    number = uow.next_registration_number(cmd.municipality, uow.today.year)
    return uow.save(Issue.open(by=uow.by, parent_id=None, registration_number=number, **fields))


def edit_issue(cmd: c.EditIssue, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.edit(cmd.changes(), uow.by)
    return uow.save(issue)


def assign_responsibility(cmd: c.AssignResponsibility, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.assign_responsibility(cmd.unit, cmd.role, cmd.user_id, uow.by)
    return uow.save(issue)


def add_note(cmd: c.AddNote, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    lagrum = cmd.confidential.lagrum if cmd.confidential is not None else None
    issue.add_note(cmd.kind, cmd.text, cmd.occurred_on, cmd.public, uow.by, lagrum)
    return uow.save(issue)


def split_issue(cmd: c.SplitIssue, uow: UnitOfWork) -> CommandResult:
    parent = uow.get(cmd.issue_id, Issue)
    number = uow.next_registration_number(parent.municipality, uow.today.year)
    child = parent.split_off(cmd.title, cmd.description, cmd.category, uow.by, number)
    return uow.save(child, parent)  # one atomic save; the answer describes the child


def resolve_issue(cmd: c.ResolveIssue, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.resolve(cmd.summary, uow.by)
    return uow.save(issue)


def close_issue(cmd: c.CloseIssue, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.close(cmd.reason, uow.by)
    return uow.save(issue)


def reopen_issue(cmd: c.ReopenIssue, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.reopen(cmd.reason, uow.by)
    return uow.save(issue)


def correct_note(cmd: c.CorrectNote, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.correct_note(_note(uow, cmd), cmd.text, cmd.occurred_on, cmd.reason, uow.by)
    return uow.save(issue)


def withdraw_note(cmd: c.WithdrawNote, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.withdraw_note(_note(uow, cmd), cmd.reason, uow.by)
    return uow.save(issue)


def _note(uow: UnitOfWork, cmd: c.CorrectNote | c.WithdrawNote) -> NoteState:
    note = uow.note(cmd.issue_id, cmd.note_id)
    if note is None:
        raise NotFoundError(f"The issue has no note {cmd.note_id}.")
    return note


def register_issue(cmd: c.RegisterIssue, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    opened_in = issue.created_on.year  # numbered in the register of the year it was opened
    issue.register(uow.next_registration_number(issue.municipality, opened_in), uow.by)
    return uow.save(issue)


# Task forces


def form_task_force(cmd: c.FormTaskForce, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    if not issue.is_open:
        raise RecordNotOpenError(f"A task force needs an open issue; this one is {issue.status}.")
    task_force = TaskForce.form(
        issue_id=issue.id,
        municipality=issue.municipality,
        name=cmd.name,
        mandate=cmd.mandate,
        due_on=cmd.due_on,
        lead=with_subject(cmd.lead.model_dump(exclude_none=True), issue.municipality, uow),
        today=uow.today,
        by=uow.by,
    )
    return uow.save(task_force)


def with_subject(person: dict[str, str], municipality: str, uow: UnitOfWork) -> dict[str, str]:
    """A person with their subject id: an existing subject of that name and organisation."""
    found = uow.subject_for(municipality, person["display_name"], person["organisation"])
    return {**person, "subject_id": found}


def add_member(cmd: c.AddMember, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    subject_id = uow.subject_for(task_force.municipality, cmd.display_name, cmd.organisation)
    member_id = task_force.add_member(
        cmd.display_name, cmd.organisation, cmd.role, uow.by, cmd.user_id, subject_id
    )
    return replace(uow.save(task_force), member_id=member_id)


def remove_member(cmd: c.RemoveMember, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.remove_member(str(cmd.member_id), uow.by)
    return uow.save(task_force)


def hand_over_lead(cmd: c.HandOverLead, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.hand_over_lead(str(cmd.to_member_id), cmd.note, uow.by)
    return uow.save(task_force)


def extend_mandate(cmd: c.ExtendMandate, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.extend_mandate(cmd.due_on, cmd.reason, uow.by)
    return uow.save(task_force)


def report_progress(cmd: c.ReportProgress, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.report_progress(cmd.text, uow.by)
    return uow.save(task_force)


def complete_task_force(cmd: c.CompleteTaskForce, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.complete(cmd.summary, uow.by)
    return uow.save(task_force)


def disband_task_force(cmd: c.DisbandTaskForce, uow: UnitOfWork) -> CommandResult:
    task_force = uow.get(cmd.task_force_id, TaskForce)
    task_force.disband(cmd.reason, uow.by)
    return uow.save(task_force)


# Decisions


def propose_decision(cmd: c.ProposeDecision, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    if cmd.task_force_id is not None:
        task_force = uow.get(cmd.task_force_id, TaskForce)
        if task_force.issue_id != issue.id:
            raise CrossRecordError("The task force works on another issue.")
    decision = Decision.propose(
        issue_id=issue.id,
        municipality=issue.municipality,
        task_force_id=cmd.task_force_id,
        title=cmd.title,
        rationale=cmd.rationale,
        decision_body=cmd.decision_body,
        by=uow.by,
        service_impact=_plain_impact(cmd.service_impact),
    )
    return uow.save(decision)


def _plain_impact(impact: c.ServiceImpact | c.NoServiceImpact | None) -> dict[str, Any] | None:
    return None if impact is None else impact.model_dump(mode="json", exclude_none=True)


def adopt_decision(cmd: c.AdoptDecision, uow: UnitOfWork) -> CommandResult:
    decision = uow.get(cmd.decision_id, Decision)
    decision.adopt(cmd.decided_on, cmd.reference, uow.by)
    return uow.save(decision)


def reject_decision(cmd: c.RejectDecision, uow: UnitOfWork) -> CommandResult:
    decision = uow.get(cmd.decision_id, Decision)
    decision.reject(cmd.reason, uow.by)
    return uow.save(decision)


def revoke_decision(cmd: c.RevokeDecision, uow: UnitOfWork) -> CommandResult:
    decision = uow.get(cmd.decision_id, Decision)
    decision.revoke(cmd.reason, uow.by)
    return uow.save(decision)


def supersede_decision(cmd: c.SupersedeDecision, uow: UnitOfWork) -> CommandResult:
    decision = uow.get(cmd.decision_id, Decision)
    decision.supersede(uow.get(cmd.by_decision_id, Decision), uow.by)
    return uow.save(decision)


def correct_decision(cmd: c.CorrectDecision, uow: UnitOfWork) -> CommandResult:
    decision = uow.get(cmd.decision_id, Decision)
    decision.correct(cmd.decided_on, cmd.reference, cmd.reason, uow.by)
    return uow.save(decision)


# Outcomes


def record_outcome(cmd: c.RecordOutcome, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    for decision_id in cmd.decision_ids:
        if uow.get(decision_id, Decision).issue_id != issue.id:
            raise CrossRecordError(f"Decision {decision_id} belongs to another issue.")
    outcome = Outcome.record(
        issue_id=issue.id,
        municipality=issue.municipality,
        decision_ids=list(cmd.decision_ids),
        summary=cmd.summary,
        indicators=[i.model_dump() for i in cmd.indicators],
        observed_on=cmd.observed_on,
        today=uow.today,
        by=uow.by,
    )
    return uow.save(outcome)


def verify_outcome(cmd: c.VerifyOutcome, uow: UnitOfWork) -> CommandResult:
    outcome = uow.get(cmd.outcome_id, Outcome)
    outcome.verify(cmd.note, uow.by)
    return uow.save(outcome)


def correct_outcome(cmd: c.CorrectOutcome, uow: UnitOfWork) -> CommandResult:
    outcome = uow.get(cmd.outcome_id, Outcome)
    indicators = None if cmd.indicators is None else [i.model_dump() for i in cmd.indicators]
    outcome.correct(cmd.summary, indicators, cmd.reason, uow.by)
    return uow.save(outcome)


def retract_outcome(cmd: c.RetractOutcome, uow: UnitOfWork) -> CommandResult:
    outcome = uow.get(cmd.outcome_id, Outcome)
    outcome.retract(cmd.reason, uow.by)
    return uow.save(outcome)


# Staff and the dialogue cycle


def hand_over_responsibilities(cmd: c.HandOverResponsibilities, uow: UnitOfWork) -> CommandResult:
    _require_not_departed(uow, cmd.municipality, cmd.to_user)
    held = uow.held_by(cmd.from_user)
    issues = [uow.get(i, Issue) for i in held.issue_ids]
    issues = [i for i in issues if i.is_open and i.responsible_user == cmd.from_user]
    task_forces = [uow.get(t, TaskForce) for t in held.task_force_ids]
    task_forces = [t for t in task_forces if t.is_active and t.lead_user == cmd.from_user]
    for issue in issues:
        issue.hand_over_responsibility(cmd.to_user, cmd.note, uow.by)
    for task_force in task_forces:
        task_force.hand_over_lead_to_user(cmd.to_user, cmd.note, uow.by)
    moved = {"issue_ids": [i.id for i in issues], "task_force_ids": [t.id for t in task_forces]}
    staff = _staff_member(uow, cmd.municipality, cmd.from_user)
    if staff is None:
        staff = StaffMember.depart(
            municipality=cmd.municipality,
            user_id=cmd.from_user,
            to_user=cmd.to_user,
            note=cmd.note,
            by=uow.by,
            **moved,
        )
    else:
        staff.hand_over_again(cmd.to_user, cmd.note, by=uow.by, **moved)
    return uow.save(staff, *issues, *task_forces)  # one transaction for every moved record


def _staff_member(uow: UnitOfWork, municipality: str, user_id: str) -> StaffMember | None:
    try:
        return uow.get(staff_member_id(municipality, user_id), StaffMember)
    except NotFoundError:
        return None


def _require_not_departed(uow: UnitOfWork, municipality: str, user_id: str) -> None:
    staff = _staff_member(uow, municipality, user_id)
    if staff is not None and staff.has_left:  # someone on leave, or back, may take work
        raise DomainRuleError(f"{user_id} has left; hand over to someone who is still here.")


def plan_dialogue(cmd: c.PlanDialogue, uow: UnitOfWork) -> CommandResult:
    starts_on = cmd.starts_on or uow.today
    try:
        plan = uow.get(dialogue_plan_id(cmd.municipality, cmd.locality), DialoguePlan)
    except NotFoundError:
        plan = DialoguePlan.plan(
            municipality=cmd.municipality,
            locality=cmd.locality,
            every_months=cmd.every_months,
            partner=cmd.partner,
            starts_on=starts_on,
            by=uow.by,
        )
    else:
        plan.replan(cmd.every_months, cmd.partner, starts_on, uow.by)
    return uow.save(plan)


def retire_dialogue_plan(cmd: c.RetireDialoguePlan, uow: UnitOfWork) -> CommandResult:
    plan = uow.get(dialogue_plan_id(cmd.municipality, cmd.locality), DialoguePlan)
    if plan.is_retired:
        raise NotFoundError(f"No dialogue plan for {cmd.locality}.")
    plan.retire(uow.by)
    return uow.save(plan)


def set_retention(cmd: c.SetRetention, uow: UnitOfWork) -> CommandResult:
    try:
        plan = uow.get(retention_plan_id(cmd.municipality), RetentionPlan)
    except NotFoundError:
        plan = RetentionPlan.adopt(cmd.municipality, str(cmd.category), cmd.keep_years, uow.by)
    else:
        plan.set_rule(str(cmd.category), cmd.keep_years, uow.by)
    return uow.save(plan)


# Follow-ups (bevakning), leave and return


def set_follow_up(cmd: c.SetFollowUp, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.set_follow_up(cmd.due_on, cmd.note, uow.by)
    return uow.save(issue)


def clear_follow_up(cmd: c.ClearFollowUp, uow: UnitOfWork) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    issue.clear_follow_up(uow.by)
    return uow.save(issue)


def start_leave(cmd: c.StartLeave, uow: UnitOfWork) -> CommandResult:
    staff = _staff_member(uow, cmd.municipality, cmd.user_id)
    if staff is None:
        staff = StaffMember.go_on_leave(
            municipality=cmd.municipality,
            user_id=cmd.user_id,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            note=cmd.note,
            by=uow.by,
        )
    else:
        staff.start_leave(cmd.starts_on, cmd.ends_on, cmd.note, uow.by)
    return uow.save(staff)


def end_leave(cmd: c.EndLeave, uow: UnitOfWork) -> CommandResult:
    staff = _staff_member(uow, cmd.municipality, cmd.user_id)
    if staff is None:
        raise RecordNotOpenError(f"{cmd.user_id} is neither on leave nor departed.")
    staff.end_leave(cmd.note, uow.by)
    return uow.save(staff)


COMMAND_HANDLERS: dict[type[c.Command], Handler] = {
    c.OpenIssue: open_issue,
    c.EditIssue: edit_issue,
    c.AssignResponsibility: assign_responsibility,
    c.AddNote: add_note,
    c.SplitIssue: split_issue,
    c.ResolveIssue: resolve_issue,
    c.CloseIssue: close_issue,
    c.ReopenIssue: reopen_issue,
    c.FormTaskForce: form_task_force,
    c.AddMember: add_member,
    c.RemoveMember: remove_member,
    c.HandOverLead: hand_over_lead,
    c.ExtendMandate: extend_mandate,
    c.ReportProgress: report_progress,
    c.CompleteTaskForce: complete_task_force,
    c.DisbandTaskForce: disband_task_force,
    c.ProposeDecision: propose_decision,
    c.AdoptDecision: adopt_decision,
    c.RejectDecision: reject_decision,
    c.RevokeDecision: revoke_decision,
    c.SupersedeDecision: supersede_decision,
    c.RecordOutcome: record_outcome,
    c.VerifyOutcome: verify_outcome,
    c.CorrectOutcome: correct_outcome,
    c.RetractOutcome: retract_outcome,
    c.HandOverResponsibilities: hand_over_responsibilities,
    c.PlanDialogue: plan_dialogue,
    c.SetRetention: set_retention,
}
COMMAND_HANDLERS |= {
    c.CorrectNote: correct_note,
    c.WithdrawNote: withdraw_note,
    c.RegisterIssue: register_issue,
    c.CorrectDecision: correct_decision,
    c.RetireDialoguePlan: retire_dialogue_plan,
}
COMMAND_HANDLERS.update(
    {
        c.SetFollowUp: set_follow_up,
        c.ClearFollowUp: clear_follow_up,
        c.StartLeave: start_leave,
        c.EndLeave: end_leave,
    }
)


# Localities and their services


def register_locality(cmd: c.RegisterLocality, uow: UnitOfWork) -> CommandResult:
    try:
        uow.get(locality_id(cmd.municipality, cmd.name), Locality)
    except NotFoundError:
        pass
    else:
        raise DomainRuleError(f"{cmd.name} is registered already in {cmd.municipality}.")
    return uow.save(Locality.register(by=uow.by, **cmd.model_dump()))


def record_service(cmd: c.RecordService, uow: UnitOfWork) -> CommandResult:
    locality = uow.get(cmd.locality_id, Locality)
    service_id = locality.record_service(
        str(cmd.kind), cmd.name, cmd.operator, cmd.opened_on, uow.by
    )
    return replace(uow.save(locality), member_id=service_id)  # the part it made, as AddMember


def close_service(cmd: c.CloseService, uow: UnitOfWork) -> CommandResult:
    locality = uow.get(cmd.locality_id, Locality)
    locality.close_service(str(cmd.service_id), cmd.closed_on, cmd.reason, uow.by)
    return uow.save(locality)


COMMAND_HANDLERS.update(
    {
        c.RegisterLocality: register_locality,
        c.RecordService: record_service,
        c.CloseService: close_service,
    }
)


# Replicating a model


def replicate_issue(cmd: c.ReplicateIssue, uow: UnitOfWork) -> CommandResult:
    source = uow.get(cmd.issue_id, Issue)
    models = []
    for task_force_id in cmd.task_force_ids:
        task_force = uow.get(task_force_id, TaskForce)
        if task_force.issue_id != source.id:
            raise CrossRecordError("The task force works on another issue.")
        models.append(
            {
                "name": task_force.name,
                "mandate": task_force.mandate,
                "member_roles": [m["role"] for m in task_force.members.values()],
            }
        )
    raised_by = {"organisation": municipality_name(source.municipality), "kind": "municipality"}
    number = uow.next_registration_number(source.municipality, uow.today.year)
    replica = source.replicate(cmd.locality, cmd.title, models, raised_by, uow.by, number)
    return uow.save(replica, source)  # one atomic save; the answer describes the replica


COMMAND_HANDLERS[c.ReplicateIssue] = replicate_issue


# Local plans


def adopt_local_plan(cmd: c.AdoptLocalPlan, uow: UnitOfWork) -> CommandResult:
    for goal in cmd.goals:
        for issue_id in goal.issue_ids:
            uow.get(issue_id, Issue)  # each linked issue exists in the plan's municipality
    plan = LocalPlan.adopt(by=uow.by, **cmd.model_dump(mode="json"))
    return uow.save(plan)


COMMAND_HANDLERS[c.AdoptLocalPlan] = adopt_local_plan


# Units and contacts


def register_unit(cmd: c.RegisterUnit, uow: UnitOfWork) -> CommandResult:
    fields = cmd.model_dump(mode="json")
    return uow.save(Unit.register(by=uow.by, **fields))


def add_contact(cmd: c.AddContact, uow: UnitOfWork) -> CommandResult:
    unit = uow.get(cmd.unit_id, Unit)
    # The contact person is a subject; the unit is their organisation.
    subject_id = uow.subject_for(unit.municipality, cmd.display_name, unit.name)
    contact_id = unit.add_contact(
        cmd.display_name, cmd.role, cmd.email, cmd.phone, uow.by, subject_id
    )
    return replace(uow.save(unit), member_id=contact_id)


COMMAND_HANDLERS[c.RegisterUnit] = register_unit
COMMAND_HANDLERS[c.AddContact] = add_contact
