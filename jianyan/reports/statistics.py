"""Every number of the proposal-work statistics (domain.md §9), defined once, here.

`year_statistics(year=..., committee=...)` is what the `stats` command, the API, the statistics page and
the annual report call. It runs eight queries whatever the number of proposals, none with a subquery per
proposal. What a figure needs of a proposal's replies, assignments, evaluations and first proposer is kept
in reports.ProposalFacts (jianyan.reports.facts), recomputed first for the proposals whose version moved;
then one GROUP BY over the year's proposals and their facts gives "cells" (one per combination of session,
theme, proposer type, party, sector, result class and reason, with every proposal-level count); the totals
and the breakdowns by session, theme, proposer type, sector and party are sums of those few cells, so they
agree by construction. The unit rows are one GROUP BY over the assignments and their facts.
Participation, the labels and the settings take one query each (labels two). `METRICS`
and the `*_q` functions give the same definitions as filters, for the lists the statistics page links to
(the staff review queue); tests/test_statistics_reference.py checks the figures against a computation
proposal by proposal.

Common definitions, used by every figure below:

- **Year**: a proposal belongs to the year of its session (`Session.year`), whenever it was written.
- **Received (收到)**: proposals with a review decision: registered or any later state, not registered,
  merged, or converted. So the counting identity
  ``received = registered + converted + not_registered + merged`` holds at every moment.
  Proposals still under review are `pending_review`, not received; drafts and proposals awaiting
  co-signatures are not counted at all.
- **Registered (立案)**: state in `proposals.models.REGISTERED_STATES` (registered and every handling
  state after it). Merged hosts count here; the proposals merged into them count in `merged`.
- **Rates** are fractions rounded to 4 places, 0 when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from jianyan.disclosure.models import Publication
from jianyan.handling.models import Assignment, Consultation, Evaluation, QualityRating, Reply
from jianyan.people.models import Committee, Organisation, Profile, Role, Sector, Session, Theme, Unit
from jianyan.proposals.models import (
    COLLECTIVE_TYPES,
    DECIDED_STATES,
    MEMBER_TYPES,
    REGISTERED_STATES,
    REVIEW_STATES,
    Proposal,
    Proposer,
    ProposerType,
    State,
)
from jianyan.reports.facts import flat_rows, refresh_year, year_sessions
from jianyan.supervision.models import KeyProposal, SupervisionActivity

RECEIVED_STATES = frozenset(REGISTERED_STATES | DECIDED_STATES)
"""States that count as received (收到): a review decision has been taken."""

RATED_STATES = frozenset({State.REPLIED, State.CLOSED})
"""States in which every proposer has been asked to rate the current round of handling."""

UNREPLIED_STATES = frozenset({State.ASSIGNED, State.RETURN_REQUESTED, State.HANDLING, State.REPLY_AUDIT,
                              State.REHANDLING})
"""Handling states in which a unit may still owe its reply (rehandling: the second-round reply)."""

REPLYING_MODES = (Assignment.Mode.LEAD, Assignment.Mode.SEPARATE)
"""Modes whose unit replies to the proposer: the lead unit (主办) and each separate unit (分办)."""

SATISFIED = Evaluation.Value.SATISFIED
BASICALLY = Evaluation.Value.BASICALLY_SATISFIED
UNSATISFIED = Evaluation.Value.UNSATISFIED


def rate(numerator: int, denominator: int) -> float:
    """A fraction rounded to 4 places; 0 when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else 0


# ---- the building blocks: one queryset or expression per definition -------------------------------

def year_proposals(committee_id: int, year: int):
    """Every proposal of the committee whose session is of that year, in any state."""
    return Proposal.objects.filter(committee_id=committee_id, session_id__in=year_sessions(committee_id, year))


def approved_reply_exists():
    """Has at least one approved reply (答复审核通过): the proposal has been replied to (已答复/办复)."""
    return Exists(Reply.objects.filter(proposal=OuterRef("pk"), status=Reply.Status.APPROVED))


class DayEnd(Func):
    """The first instant after a date column's day in the project's time zone (local midnight of the next
    day), so that ``datetime < DayEnd(date)`` means "on or before that local date" without converting
    every row: on SQLite the ``__date`` lookup calls Python once per row (seconds at 100,000 rows).
    SQLite applies the zone's current UTC offset (exact for Asia/Shanghai, which has no daylight time)."""

    arity = 1
    output_field = DateTimeField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((({sql}) + 1)::timestamp AT TIME ZONE %s)", (*params, settings.TIME_ZONE)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        offset = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
        return f"datetime({sql}, '+1 day', %s)", (*params, f"{-int(offset.total_seconds())} seconds")


def on_time_reply_exists():
    """The assignment's unit replied in time (按期): an approved reply of the first round that the unit
    submitted (`written_at`) on or before the assignment's due date (local date). The date of the unit's
    submission counts, not the committee's audit, which is not the unit's delay; a reply sent back
    and rewritten counts by the date of the version that was approved."""
    replies = Reply.objects.filter(assignment=OuterRef("pk"), round=1, status=Reply.Status.APPROVED)
    if connection.vendor in ("sqlite", "postgresql"):
        return Exists(replies.filter(written_at__lt=DayEnd(OuterRef("due_date"))))
    return Exists(replies.filter(written_at__date__lte=OuterRef("due_date")))


def latest_approved_replies(proposals):
    """Each proposal's most recent approved reply (latest round, then latest audit, then latest id), whose
    class is the proposal's result class (办理结果分类). A rehandled proposal is classed by its second
    reply; with separate units the last approved reply decides, so each replied proposal has one class."""
    later = Reply.objects.filter(proposal=OuterRef("proposal"), status=Reply.Status.APPROVED).filter(
        Q(round__gt=OuterRef("round"))
        | Q(round=OuterRef("round"), audited_at__gt=OuterRef("audited_at"))
        | Q(round=OuterRef("round"), audited_at=OuterRef("audited_at"), id__gt=OuterRef("id"))
    )
    replies = Reply.objects.filter(status=Reply.Status.APPROVED).filter(~Exists(later))
    return replies if proposals is None else replies.filter(proposal__in=proposals)


def latest_evaluations(proposals):
    """Each proposer's latest evaluation of each proposal: the one of the highest round they rated.
    A proposer who rated 不满意 and then rated the rehandled reply counts once, with the second rating."""
    later = Evaluation.objects.filter(proposer=OuterRef("proposer"), round__gt=OuterRef("round"))
    evaluations = Evaluation.objects.filter(~Exists(later))
    return evaluations if proposals is None else evaluations.filter(proposal__in=proposals)


def satisfaction_counts(prefix: str = "") -> dict:
    """Aggregates counting evaluations by value on both dimensions (办理态度 attitude, 办理结果 result)."""
    out = {"returned": Count("id")}
    for dim in ("attitude", "result"):
        for value in (SATISFIED, BASICALLY, UNSATISFIED):
            out[f"{dim}_{value}"] = Count("id", filter=Q(**{dim: value}))
    return out


def satisfaction_block(row: dict, dim: str) -> dict:
    """One dimension's counts and rates.

    - `rate` (满意率) = (满意 + 基本满意) / evaluations returned;
    - `satisfied_rate` = 满意 alone / evaluations returned (some reports give only this, 初次满意率 aside).
    Proposers who did not rate (未评价) are not in the denominator and are never counted as satisfied."""
    s, b, u = (row[f"{dim}_{v}"] for v in (SATISFIED, BASICALLY, UNSATISFIED))
    returned = row["returned"]
    return {
        "satisfied": s, "basically_satisfied": b, "unsatisfied": u,
        "rate": rate(s + b, returned), "satisfied_rate": rate(s, returned),
    }


# ---- per-proposal facts, shared by the figures and by the lists the figures link to ----------------

def first_proposer_sector(ref: str = "pk"):
    """The sector (界别) of the proposal's first proposer, as the review queue's sector filter reads it."""
    # No ORDER BY: a proposal has one first proposer, and a sort per proposal costs PostgreSQL a second.
    return Subquery(Proposer.objects.filter(proposal=OuterRef(ref), role=Proposer.Role.FIRST)
                    .order_by().values("user__profile__sector_id")[:1])


def replying_assignments():
    """The proposal's active lead and separate assignments (the units that owe it a reply)."""
    return Assignment.objects.filter(proposal=OuterRef("pk"), is_active=True, mode__in=REPLYING_MODES)


def on_time_q() -> Q:
    """按期办复 for one proposal: it has a replying assignment, and every one has an on-time reply."""
    late = replying_assignments().filter(~on_time_reply_exists())
    return Q(Exists(replying_assignments())) & ~Q(Exists(late))


def overdue_assignments():
    """Active lead/separate assignments past their due date (as of today) without an approved reply."""
    return Assignment.objects.filter(is_active=True, mode__in=REPLYING_MODES, due_date__lt=timezone.localdate()).filter(
        ~Exists(Reply.objects.filter(assignment=OuterRef("pk"), status=Reply.Status.APPROVED)))


def overdue_q(unit_id: int | None = None) -> Q:
    """The proposal is not yet replied and has an overdue assignment (of that unit, if given)."""
    assignments = overdue_assignments().filter(proposal=OuterRef("pk"))
    if unit_id:
        assignments = assignments.filter(unit_id=unit_id)
    return Q(state__in=UNREPLIED_STATES) & Q(Exists(assignments))


def result_class_of():
    """The class of the proposal's latest approved reply (see `latest_approved_replies`), or NULL."""
    return Subquery(Reply.objects.filter(proposal=OuterRef("pk"), status=Reply.Status.APPROVED)
                    .order_by("-round", "-audited_at", "-id").values("result_class")[:1])


REGISTERED_Q = Q(state__in=REGISTERED_STATES)


def result_class_q(code: str) -> Q:
    """A registered proposal whose latest approved reply has that class (it counts in `by_result_class`)."""
    return REGISTERED_Q & Q(Exists(latest_approved_replies(None).filter(proposal=OuterRef("pk"), result_class=code)))


def evaluation_q(dimension: str, value: str) -> Q:
    """A registered proposal with a proposer whose latest evaluation gives that value on that dimension."""
    latest = latest_evaluations(None).filter(proposal=OuterRef("pk"), **{dimension: value})
    return REGISTERED_Q & Q(Exists(latest))


def unit_q(unit_id: int, mode: str = "") -> Q:
    """The proposal has an active assignment to the unit (in that mode, if given)."""
    assignments = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)
    if mode:
        assignments = assignments.filter(mode=mode)
    return Q(Exists(assignments))


def unrated_q() -> Q:
    """Replied or closed, with an accepted proposer who has not rated the current round (未评价)."""
    current_round = Evaluation.objects.filter(proposer=OuterRef("pk"), round=OuterRef("proposal__round"))
    waiting = Proposer.objects.filter(proposal=OuterRef("pk"), status=Proposer.Status.ACCEPTED).filter(
        ~Exists(current_round))
    return Q(state__in=RATED_STATES) & Q(Exists(waiting))


METRICS = {
    "received": ("收到", lambda: Q(state__in=RECEIVED_STATES)),
    "registered": ("立案", lambda: REGISTERED_Q),
    "collective": ("集体提案", lambda: REGISTERED_Q & Q(proposer_type__in=COLLECTIVE_TYPES)),
    "member": ("委员提案", lambda: REGISTERED_Q & Q(proposer_type__in=MEMBER_TYPES)),
    "not_registered": ("不予立案", lambda: Q(state=State.NOT_REGISTERED)),
    "merged": ("并案", lambda: Q(state=State.MERGED)),
    "converted": ("转意见建议", lambda: Q(state=State.CONVERTED)),
    "pending_review": ("待审查", lambda: Q(state__in=REVIEW_STATES)),
    "replied": ("已答复", lambda: REGISTERED_Q & Q(approved_reply_exists())),
    "unreplied": ("未答复", lambda: REGISTERED_Q & ~Q(approved_reply_exists())),
    "on_time": ("按期办复", lambda: REGISTERED_Q & on_time_q()),
    "not_on_time": ("未按期办复", lambda: REGISTERED_Q & ~on_time_q()),
    "closed": ("已办结", lambda: Q(state=State.CLOSED)),
    "key": ("重点提案", lambda: REGISTERED_Q & Q(is_key=True)),
    "overdue": ("超期未答复", lambda: overdue_q()),
    "unrated": ("有未评价", lambda: unrated_q()),
}
"""The proposal sets the figures count, by name, for the lists the statistics page links to:
name -> (label, function giving a Q on Proposal). Each is the definition its figure uses."""


def metric_q(name: str) -> Q:
    return METRICS[name][1]()


# ---- settings: the formulas of 解决率 and 采纳率 ----------------------------------------------------

def rate_formulas(committee: Committee) -> dict:
    """The committee's 解决率 / 采纳率 settings (reports.StatisticsSettings), or the default of domain.md §9."""
    from jianyan.reports.models import DEFAULT_SETTINGS, StatisticsSettings

    row = StatisticsSettings.objects.filter(committee=committee).values(*DEFAULT_SETTINGS).first()
    return row or dict(DEFAULT_SETTINGS)


def formula_text(formulas: dict) -> dict:
    base = "已答复" if formulas["rate_base"] == "replied" else "立案"
    return {name: f"({' + '.join(formulas[f'{name}_classes'])}) / {base}" for name in ("solved", "adopted")}


# ---- the sums: proposal-level counts in cells, rolled up by dimension --------------------------------

COUNTS = ("received", "registered", "collective", "member", "not_registered", "merged", "converted",
          "pending_review", "replied", "on_time", "closed", "key_proposals", "overdue_proposals")
SAT_COUNTS = tuple(satisfaction_counts())
CELL_KEYS = ("session_id", "theme_id", "proposer_type", "organisation_id", "sector")


# ---- the year's cells: one GROUP BY over the proposals and their facts ------------------------------
#
# Evaluating the definitions above per proposal (correlated subqueries inside one GROUP BY) costs seconds
# at 100,000 proposals, and so does fetching the year's replies, assignments and evaluations to join them
# in Python. What the figures need of those rows is kept per proposal in reports.ProposalFacts
# (jianyan.reports.facts, refreshed for every proposal whose version moved); the definitions stay those of
# the `*_q` functions and their docstrings, which tests/test_statistics_reference.py checks.

def flag(condition: Q) -> Case:
    """1 where the condition holds, else 0: an integer column, which needs no conversion per row."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


@contextmanager
def room_to_group():
    """On PostgreSQL, memory enough to group the year's rows in a hash table: with the default work_mem
    (4 MB) the planner sorts 100,000 rows on disk, twice as slow. SET LOCAL ends with the transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


SAT_SUMS = {name: Sum(f"facts__{name}") for name in SAT_COUNTS}


def grouped_proposals(committee_id: int, sessions: list[int]) -> list[tuple]:
    """The proposals of the year's sessions counted by every value a figure tells apart: (session, theme,
    proposer type, party, sector, result class, reason id, state, is_key, on_time, overdue, count, reason
    code, unrated, *satisfaction). The sessions are given by id, which spares a join per proposal."""
    if not sessions:
        return []
    overdue = flag(Q(state__in=UNREPLIED_STATES, facts__unanswered_due__lt=timezone.localdate()))
    return flat_rows(
        Proposal.objects.filter(committee_id=committee_id, session_id__in=sessions).order_by()
        .values_list("session_id", "theme_id", "proposer_type", "organisation_id", "facts__sector_id",
                     "facts__result_class", "reject_reason_id", "state", "is_key", "facts__on_time", overdue)
        .annotate(n=Count("id"), reason=Min("reject_reason__code"), unrated=Sum("facts__unrated"), **SAT_SUMS))


def year_cells(grouped: list[tuple]) -> tuple[list[dict], list[dict], int]:
    """The proposal-level counts in cells (one per session, theme, proposer type, collective proposer, first
    proposer's sector, result class and non-registration reason), the latest evaluations of the registered
    proposals in cells without result class and reason, and the unrated proposers of replied or closed
    proposals (`unrated_q`). The cells are few (combinations, not proposals); every breakdown and the
    totals are sums of them, so they agree with each other by construction.

    `rc`, the result class, is set for registered proposals only and is None exactly when there is no
    approved reply, so a cell's registered proposals are all replied (rc set) or all not: `replied`
    is derived from it."""
    cells: dict[tuple, dict] = {}
    sat_cells: dict[tuple, dict] = {}
    unrated = 0
    for row in grouped:
        key, (rc, _, state, is_key, on_time, is_overdue, n, reason, proposal_unrated), sat = row[:5], row[5:14], row[14:]
        registered = state in REGISTERED_STATES
        rc = rc if registered else None
        cell = cells.get((*key, rc, reason))
        if cell is None:
            cell = cells[(*key, rc, reason)] = {**dict(zip(CELL_KEYS, key, strict=True)), "rc": rc,
                                                "reason": reason, **dict.fromkeys(COUNTS, 0)}
        proposer_type = key[2]
        for name, counted in (
            ("received", state in RECEIVED_STATES),
            ("registered", registered),
            ("collective", registered and proposer_type in COLLECTIVE_TYPES),
            ("member", registered and proposer_type in MEMBER_TYPES),
            ("not_registered", state == State.NOT_REGISTERED),
            ("merged", state == State.MERGED),
            ("converted", state == State.CONVERTED),
            ("pending_review", state in REVIEW_STATES),
            ("on_time", registered and on_time),  # on_time_q
            ("closed", state == State.CLOSED),
            ("key_proposals", registered and is_key),
            ("overdue_proposals", is_overdue),  # overdue_q
        ):
            if counted:
                cell[name] += n
        if state in RATED_STATES:
            unrated += proposal_unrated or 0
        if registered and sat[0]:
            sat_cell = sat_cells.get(key)
            if sat_cell is None:
                sat_cell = sat_cells[key] = {**dict(zip(CELL_KEYS, key, strict=True)), **dict.fromkeys(SAT_COUNTS, 0)}
            for name, value in zip(SAT_COUNTS, sat, strict=True):
                sat_cell[name] += value or 0
    for cell in cells.values():
        cell["replied"] = cell["registered"] if cell["rc"] is not None else 0
    return list(cells.values()), list(sat_cells.values()), unrated


class Tally:
    """The sums of the cells of one group (a whole year, or one session, theme, ...)."""

    def __init__(self):
        self.n = dict.fromkeys(COUNTS, 0)
        self.classes: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.sat = dict.fromkeys(SAT_COUNTS, 0)

    def add(self, cell: dict) -> None:
        for name in COUNTS:
            self.n[name] += cell[name]
        if cell["rc"] and cell["replied"]:
            self.classes[cell["rc"]] = self.classes.get(cell["rc"], 0) + cell["replied"]
        if cell["not_registered"]:
            code = cell["reason"] or ""
            self.reasons[code] = self.reasons.get(code, 0) + cell["not_registered"]

    def add_satisfaction(self, cell: dict) -> None:
        for name in SAT_COUNTS:
            self.sat[name] += cell[name]

    def figures(self, class_codes: list[str], formulas: dict) -> dict:
        """Counts and rates of the group (see `year_statistics` for each definition)."""
        n = self.n
        registered, replied = n["registered"], n["replied"]
        by_class = {code: self.classes.get(code, 0) for code in class_codes}
        for code in sorted(self.classes):  # a class the committee no longer uses still shows
            by_class.setdefault(code, self.classes[code])
        base = replied if formulas["rate_base"] == "replied" else registered
        satisfaction = {dim: satisfaction_block(self.sat, dim) for dim in ("attitude", "result")}
        return {
            **n,
            "registration_rate": rate(registered, n["received"]),
            "collective_share": rate(n["collective"], registered),
            "replied_rate": rate(replied, registered),
            "on_time_rate": rate(n["on_time"], registered),
            "completion_rate": rate(n["closed"], registered),
            "by_result_class": by_class,
            "result_class_shares": {code: rate(k, replied) for code, k in by_class.items()},
            "solved_rate": rate(sum(by_class.get(c, 0) for c in formulas["solved_classes"]), base),
            "adopted_rate": rate(sum(by_class.get(c, 0) for c in formulas["adopted_classes"]), base),
            "not_registered_by_reason": dict(sorted(self.reasons.items())),
            "evaluations_returned": self.sat["returned"],
            "satisfaction": satisfaction,
            "satisfaction_rate": satisfaction["result"]["rate"],
        }


DIMENSIONS = {
    "session": ("会次", "session_id"),
    "theme": ("主题", "theme_id"),
    "proposer_type": ("提案者类型", "proposer_type"),
    "sector": ("界别", "sector"),
    "party": ("党派", "organisation_id"),
}
"""The breakdowns of `year_statistics` other than units: name -> (label, cell key)."""


NONE_LABELS = {"theme": "未分主题", "sector": "未填界别"}
"""The row of the proposals with no theme (not registered ones) or whose first proposer has no sector."""


def roll_up(cells: list[dict], sat_cells: list[dict], key: str | None) -> dict:
    """Tallies of the cells by one cell key (or one tally under None for the whole year)."""
    tallies: dict = {}

    def tally_of(cell: dict) -> Tally:
        group = cell[key] if key else None
        tally = tallies.get(group)
        if tally is None:  # not setdefault: a Tally made per cell and thrown away cost a tenth of the report
            tally = tallies[group] = Tally()
        return tally

    for cell in cells:
        tally_of(cell).add(cell)
    for cell in sat_cells:
        tally_of(cell).add_satisfaction(cell)
    return tallies


def dimension_labels(committee: Committee, year: int) -> dict[str, list[tuple]]:
    """For each breakdown, its rows in order as (key, label): every session of the year, theme, proposer
    type, sector and party of the committee, so that a row with nothing still shows, and the committee's
    handling units (for the unit rows). Two queries: the sessions (their labels need the term), and the
    themes, sectors, parties and units in one UNION."""
    sessions = (Session.objects.filter(term__committee=committee, year=year).select_related("term__committee")
                .order_by("sitting", "id"))
    kind = {"output_field": CharField()}
    order = {"output_field": IntegerField()}
    named = (
        Theme.objects.filter(committee=committee).order_by()
        .values_list(Value("theme", **kind), "order", "id", "name")
        .union(Sector.objects.filter(committee=committee).order_by()
               .values_list(Value("sector", **kind), Value(0, **order), "id", "name"),
               Organisation.objects.filter(committee=committee, kind=Organisation.Kind.PARTY).order_by()
               .values_list(Value("party", **kind), Value(0, **order), "id", "name"),
               Unit.objects.filter(committee=committee).order_by()
               .values_list(Value("unit", **kind), Value(0, **order), "id", "name"), all=True)
    )
    out: dict[str, list[tuple]] = {"theme": [], "sector": [], "party": [], "unit": []}
    for name, _, pk, label in sorted(named, key=lambda r: (r[0], r[1], r[2])):
        out[name].append((pk, label))
    return {"session": [(x.pk, x.label) for x in sessions], "proposer_type": list(ProposerType.choices), **out}


def breakdown_rows(cells, sat_cells, labels, class_codes, formulas) -> dict[str, list[dict]]:
    out = {}
    for name, (_, key) in DIMENSIONS.items():
        tallies = roll_up(cells, sat_cells, key)
        rows = [(k, label, tallies.pop(k, None) or Tally()) for k, label in labels[name]]
        if name in NONE_LABELS and None in tallies:
            rows.append((None, NONE_LABELS[name], tallies.pop(None)))
        if name != "party":  # other organisations are not parties; proposals of no sector fall above
            rows += [(k, "（其他）", t) for k, t in tallies.items() if k is not None]
        out[name] = [{"key": k, "label": label, **t.figures(class_codes, formulas)} for k, label, t in rows]
    return out


# ---- the figures ---------------------------------------------------------------------------------

def resolve_committee(committee) -> Committee:
    if isinstance(committee, Committee):
        return committee
    return Committee.objects.get(pk=committee)


def year_statistics(*, year: int, committee) -> dict:
    """The statistics of one committee's year (domain.md §9), as one JSON-ready dict.

    Keys (counts are integers, rates fractions rounded to 4 places):

    - `received`, `registered`, `not_registered`, `merged`, `converted`: see the module docstring;
      `pending_review`: submitted or returned for revision, not yet decided (not in `received`).
    - `collective` / `member`: registered proposals by proposer type (`COLLECTIVE_TYPES` — parties,
      people's organisations, sectors, groups, special committees — and `MEMBER_TYPES` — a member
      alone or jointly); `collective_share` (集体提案占比) = collective / registered;
      `by_proposer_type`: registered proposals by each proposer type.
    - `registration_rate` (立案率) = registered / received.
    - `replied` (已办复): registered proposals with at least one approved reply;
      `replied_rate` (办复率) = replied / registered.
    - `closed` (办结): state closed; `completion_rate` (办结率) = closed / registered.
    - `on_time` (按期办复): registered proposals with at least one active lead or separate assignment,
      each with an approved first-round reply the unit submitted by the due date (`on_time_q`);
      `on_time_rate` (按期办复率) = on_time / registered.
    - `by_category`: {theme name: registered proposals of the theme}, every theme of the committee in
      its order; the themes partition the registered proposals.
    - `by_result_class`: {class: replied proposals whose latest approved reply has it}, every class the
      committee uses; the counts add up to `replied`. `result_class_shares`: each / replied.
      `solved_rate` (解决率) and `adopted_rate` (采纳率): the committee's formulas
      (`reports.StatisticsSettings`; default A / replied and (A + B) / replied), shown in `rate_formulas`.
    - `not_registered_by_reason`: {reason code: not-registered proposals}.
    - `evaluations_returned`: proposers' latest evaluations (see `latest_evaluations`) of the year's
      registered proposals; `satisfaction`: {"attitude": {...}, "result": {...}} (see
      `satisfaction_block`); `satisfaction_rate` (满意率) = that of the `result` dimension, i.e.
      (满意 + 基本满意) / evaluations returned.
    - `unrated` (未评价): proposers (members or collective bodies) of replied or closed proposals with no
      evaluation of the current round — including those whose proposal staff closed after the
      evaluation window. Never counted as satisfied.
    - `member_participation` (委员参与率) = members of the committee who are the first proposer or an
      accepted co-signer of a received proposal of the year / all member profiles of the committee;
      with `members_participating` and `members_total`.
    - `overdue` (超期): active lead or separate assignments of the year's registered proposals whose
      due date is before today and that have no approved reply (as of today, not of the year's end);
      `overdue_proposals`: the proposals with at least one.
    - `key_proposals`: registered proposals marked key (重点提案).
    - `breakdowns`: {"session" | "theme" | "proposer_type" | "sector" | "party": [row, ...]}, each row
      {"key", "label"} and every proposal-level figure above for the proposals of that group
      (received ... satisfaction, result classes, 解决率/采纳率, overdue_proposals). Sector is the first
      proposer's; party rows are the collective proposals of each 民主党派.
    - `by_unit`: one row per handling unit with assignments, busiest first:
      `lead`, `co`, `separate` (active assignments by mode), `replying` (lead + separate), `replied`
      (those with an approved reply), `replied_rate` = replied / replying, `on_time` and `on_time_rate`
      = on-time replies / replying, `overdue` (its overdue assignments), and on the latest evaluations of
      the proposals it replies to: `evaluations_returned`, `satisfaction_rate` (result, 满意 + 基本满意),
      `attitude_rate` (attitude, 满意 + 基本满意).
    """
    committee = resolve_committee(committee)
    cid = committee.pk
    formulas = rate_formulas(committee)
    class_codes = committee.result_class_codes

    # 1–3. Labels of the breakdowns (every row shows, even empty).
    labels = dimension_labels(committee, year)

    # 4–5. The facts of proposals changed since the last report recomputed (one query when none did); the
    # year's proposals and their facts in one GROUP BY: every proposal-level count in cells, the
    # satisfaction in the same cells, and the unrated proposers.
    refresh_year(cid, year)
    with room_to_group():
        sessions = [pk for pk, _ in labels["session"]]
        cells, sat_cells, unrated = year_cells(grouped_proposals(cid, sessions))
        by_unit = unit_rows(cid, sessions, dict(labels["unit"]))
    total = roll_up(cells, sat_cells, None).get(None) or Tally()
    figures = total.figures(class_codes, formulas)
    breakdowns = breakdown_rows(cells, sat_cells, labels, class_codes, formulas)
    by_category = {row["label"]: row["registered"] for row in breakdowns["theme"] if row["key"] is not None}
    by_proposer_type = {row["key"]: row["registered"] for row in breakdowns["proposer_type"]}

    # 6. Member participation: the proposers of the year's received proposals, gathered once (a member's
    # look-up per member went through all their years of proposals: 0.8 s at 1,000,000).
    took_part = Proposer.objects.filter(
        status=Proposer.Status.ACCEPTED, proposal__committee_id=cid, proposal__session_id__in=year_sessions(cid, year),
        proposal__state__in=RECEIVED_STATES).order_by().values("user_id")
    members = Profile.objects.filter(committee_id=cid, role=Role.MEMBER).aggregate(
        total=Count("id"), participating=Count("id", filter=Q(user_id__in=took_part)))
    participating, members_total = members["participating"], members["total"]


    return {
        "year": year,
        "committee": committee.code,
        **{k: figures[k] for k in ("received", "registered", "collective", "member", "not_registered", "merged",
                                   "converted", "pending_review", "replied", "closed", "on_time")},
        **{k: figures[k] for k in ("registration_rate", "replied_rate", "completion_rate", "on_time_rate",
                                   "collective_share", "satisfaction_rate", "satisfaction", "evaluations_returned")},
        "unrated": unrated,
        "solved_rate": figures["solved_rate"],
        "adopted_rate": figures["adopted_rate"],
        "rate_formulas": formula_text(formulas),
        "by_category": by_category,
        "by_result_class": figures["by_result_class"],
        "result_class_shares": figures["result_class_shares"],
        "by_proposer_type": by_proposer_type,
        "not_registered_by_reason": figures["not_registered_by_reason"],
        "member_participation": rate(participating, members_total),
        "members_participating": participating,
        "members_total": members_total,
        "overdue": sum(u["overdue"] for u in by_unit),
        "overdue_proposals": figures["overdue_proposals"],
        "key_proposals": figures["key_proposals"],
        "breakdowns": breakdowns,
        "by_unit": by_unit,
    }


def practice_statistics(*, year: int, committee) -> dict:
    """The year's working practices, for the annual report: key-proposal topics and their supervision
    activities, consultations by form, the units' quality ratings (优秀 ≥ 90, 良好 75–89 of 100), and the
    registered proposals actually published (a published, not secret publication; consent alone is not
    publication)."""
    committee = resolve_committee(committee)
    registered = year_proposals(committee.pk, year).filter(state__in=REGISTERED_STATES)
    keys = list(KeyProposal.objects.filter(committee=committee, session__year=year)
                .select_related("lead_leader__profile", "supervising_leader__profile").order_by("id"))
    activity_forms = dict(SupervisionActivity.Form.choices)
    activities = (SupervisionActivity.objects.filter(key_proposal__in=keys).values_list("form")
                  .annotate(n=Count("id")).order_by("-n", "form"))
    consult_forms = dict(Consultation.Form.choices)
    consultations = (Consultation.objects.filter(proposal__in=registered).values_list("form")
                     .annotate(n=Count("id")).order_by("-n", "form"))
    quality = QualityRating.objects.filter(proposal__in=registered).aggregate(
        rated=Count("id"), excellent=Count("id", filter=Q(total__gte=90)),
        good=Count("id", filter=Q(total__gte=75, total__lt=90)))
    return {
        "key_topics": [k.topic for k in keys],
        "supervision_activities": [{"form": activity_forms.get(f, f), "count": n} for f, n in activities],
        "supervision_total": sum(n for _f, n in activities),
        "consultations": [{"form": consult_forms.get(f, f), "count": n} for f, n in consultations],
        "consultation_total": sum(n for _f, n in consultations),
        "consulted_proposals": Consultation.objects.filter(proposal__in=registered)
        .values("proposal_id").distinct().count(),
        "quality_ratings": quality["rated"], "quality_excellent": quality["excellent"],
        "quality_good": quality["good"],
        "published": Publication.objects.filter(proposal__in=registered, proposal__is_secret=False,
                                                status=Publication.Status.PUBLISHED).count(),
    }


def unit_rows(committee_id: int, sessions: list[int], unit_names: dict[int, str]) -> list[dict]:
    """The `by_unit` rows: the active assignments of the year's registered proposals counted by unit and
    mode, with replies (`approved_reply_exists`), on-time replies (`on_time_reply_exists`) and overdue
    ones (`overdue_assignments` of a proposal not yet replied), and the satisfaction of the proposals each
    unit replies to (every latest evaluation counts once per replying assignment of its proposal)."""
    if not sessions:
        return []
    grouped = flat_rows(
        Assignment.objects.filter(is_active=True, proposal__committee_id=committee_id,
                                  proposal__session_id__in=sessions, proposal__state__in=REGISTERED_STATES).order_by()
        .values_list("unit_id", "mode", "facts__answered", "facts__in_time",
                     flag(Q(due_date__lt=timezone.localdate())), "proposal__state")
        .annotate(n=Count("id"), returned=Sum("proposal__facts__returned"),
                  good_results=Sum(F("proposal__facts__result_satisfied")
                                   + F("proposal__facts__result_basically_satisfied")),
                  good_attitudes=Sum(F("proposal__facts__attitude_satisfied")
                                     + F("proposal__facts__attitude_basically_satisfied"))))
    units: dict[int, dict] = {}
    for unit_id, mode, answered, in_time, past_due, state, n, returned, good_results, good_att in grouped:
        u = units.get(unit_id)
        if u is None:
            u = units[unit_id] = {"unit": unit_names.get(unit_id, ""), "unit_id": unit_id, "lead": 0, "co": 0, "separate": 0,
                                  "replying": 0, "replied": 0, "on_time": 0, "overdue": 0,
                                  "returned": 0, "good_results": 0, "good_attitudes": 0}
        if mode in ("lead", "co", "separate"):
            u[mode] += n
        if mode in REPLYING_MODES:
            u["replying"] += n
            u["replied"] += n if answered else 0
            u["on_time"] += n if in_time else 0
            u["overdue"] += n if not answered and past_due and state in UNREPLIED_STATES else 0
            u["returned"] += returned or 0
            u["good_results"] += good_results or 0
            u["good_attitudes"] += good_att or 0

    name_other_units(units)
    out = [{
        **{k: u[k] for k in ("unit", "unit_id", "lead", "co", "separate", "replying", "replied")},
        "replied_rate": rate(u["replied"], u["replying"]),
        "on_time": u["on_time"], "on_time_rate": rate(u["on_time"], u["replying"]), "overdue": u["overdue"],
        "evaluations_returned": u["returned"],
        "satisfaction_rate": rate(u["good_results"], u["returned"]),
        "attitude_rate": rate(u["good_attitudes"], u["returned"]),
    } for u in units.values()]
    out.sort(key=lambda u: (-(u["lead"] + u["co"] + u["separate"]), u["unit_id"]))
    return out


def name_other_units(units: dict[int, dict]) -> None:
    """A unit of another committee (a proposal handed over across committees) is named from its own row."""
    others = [pk for pk, u in units.items() if not u["unit"]]
    for pk, name in Unit.objects.filter(pk__in=others).values_list("pk", "name") if others else ():
        units[pk]["unit"] = name


def yearly_trend(committee) -> list[dict]:
    """The main figures of every year of the committee, oldest first (one query): the trend over years."""
    committee = resolve_committee(committee)
    rows = (
        Proposal.objects.filter(committee=committee).values(year=F("session__year"))
        .annotate(
            received=Count("id", filter=Q(state__in=RECEIVED_STATES)),
            registered=Count("id", filter=REGISTERED_Q),
            collective=Count("id", filter=REGISTERED_Q & Q(proposer_type__in=COLLECTIVE_TYPES)),
            replied=Count("id", filter=REGISTERED_Q & Q(approved_reply_exists())),
            closed=Count("id", filter=Q(state=State.CLOSED)),
        ).order_by("year")
    )
    return [{**r, "registration_rate": rate(r["registered"], r["received"]),
             "replied_rate": rate(r["replied"], r["registered"]),
             "completion_rate": rate(r["closed"], r["registered"])} for r in rows]


def years_with_sessions(committee) -> list[int]:
    """The years for which the committee has a session, newest first."""
    committee = resolve_committee(committee)
    return sorted(set(Session.objects.filter(term__committee=committee).values_list("year", flat=True)),
                  reverse=True)
