"""Every deadline of the proposal process, computed on the committee's working-day calendar.

Two kinds of period, as in Chinese administrative rules:
- periods in months (handling, rehandling, the extension caps) end on the same day of the month; a
  deadline that falls on a holiday or weekend moves to the next working day (期限届满日为节假日的，顺延);
- the committee's windows in days (the return window, the evaluation window: Committee fields in
  calendar days) end that many days after the start, moved to the next working day the same way;
- the policy's periods in working days (co-signing, review, co-handlers' opinions) count working days
  after the starting day.
A deadline is a local date: the item is due by the end of that day."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from jianyan.workdays.calendar import calendar_for, rules
from jianyan.workdays.models import DeadlinePolicy


def policy_for(committee) -> DeadlinePolicy:
    """The committee's deadline policy; the defaults when it has none."""
    return rules.get(getattr(committee, "pk", committee))[1]


def local_date(moment) -> dt.date:
    if isinstance(moment, dt.datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a local day, as an aware datetime (for deadlines stored as datetimes)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def months_after(committee, start, months: int) -> dt.date:
    return calendar_for(committee).roll_forward(local_date(start) + relativedelta(months=months))


def days_after(committee, start, days: int) -> dt.date:
    return calendar_for(committee).roll_forward(local_date(start) + dt.timedelta(days=days))


def working_days_after(committee, start, days: int) -> dt.date:
    return calendar_for(committee).add_working_days(local_date(start), days)


# ---- the deadlines, one function each ---------------------------------------------------------

def cosign_deadline(proposal, now: dt.datetime) -> dt.datetime:
    """Co-signers confirm before the plenary deadline; invited after it, within the policy's working days."""
    deadline = proposal.session.submission_deadline
    if now < deadline:
        return deadline
    days = policy_for(proposal.committee).cosign_working_days
    return end_of_day(working_days_after(proposal.committee, now, days))


def review_due(proposal) -> dt.date:
    """Staff decide on a submitted proposal (立案 or not) within the policy's working days."""
    return working_days_after(proposal.committee, proposal.submitted_at, policy_for(proposal.committee).review_working_days)


def handling_due(proposal, start=None) -> dt.date:
    """Handling: the committee's months for plenary (大会) or interim (平时) proposals, from assignment."""
    from jianyan.proposals.models import Kind

    committee = proposal.committee
    months = committee.handling_months if proposal.kind == Kind.PLENARY else committee.interim_handling_months
    return months_after(committee, start or timezone.localdate(), months)


def rehandling_due(proposal, start=None) -> dt.date:
    committee = proposal.committee
    return months_after(committee, start or timezone.localdate(), committee.rehandling_months)


def return_window_end(assignment, committee=None) -> dt.date:
    """The last day a unit may ask to give an assignment back (and should sign for it)."""
    committee = committee or assignment.proposal.committee
    return days_after(committee, assignment.assigned_at, committee.return_window_days)


def co_opinion_due(assignment, committee=None) -> dt.date:
    committee = committee or assignment.proposal.committee
    due = working_days_after(committee, assignment.assigned_at, policy_for(committee).co_opinion_working_days)
    return min(due, assignment.due_date)  # the lead unit needs the opinion before its own deadline


def evaluation_due(committee, replied_at) -> dt.date:
    """Proposers rate the handling within the committee's evaluation window; staff may close after it."""
    return days_after(committee, replied_at, committee.evaluation_window_days)


def extension_limit(assignment, committee=None) -> dt.date:
    """The latest due date an extension may give: one extension adds at most the policy's months to the
    current due date, and the whole handling time stays within the cap counted from assignment."""
    committee = committee or assignment.proposal.committee
    policy = policy_for(committee)
    one_step = months_after(committee, assignment.due_date, policy.extension_max_months)
    cap = months_after(committee, assignment.assigned_at, policy.handling_cap_months)
    return min(one_step, cap)
