"""The per-proposal facts the statistics count (reports.ProposalFacts, reports.AssignmentFacts).

Counting a year straight from the replies, assignments and evaluations means fetching and joining some
400,000 rows at 100,000 proposals (1.6 s). What the figures need of those rows is a handful of values per
proposal — its result class, whether it was replied in time, the earliest due date still unanswered, its
proposers' latest ratings — and those change only when a workflow transition touches the proposal, which
bumps `Proposal.version`. So they are kept here, tagged with the version they were computed for; before
counting, `refresh_year` recomputes the rows whose version lags (or that are missing, after a bulk
import), and the statistics are then one GROUP BY over the proposals and their facts.

The definitions are those of jianyan.reports.statistics (its `*_q` functions and their docstrings);
tests/test_statistics_reference.py recomputes every figure proposal by proposal and compares.

Two inputs do not bump the version: the first proposer's sector (a profile edit; `forget_sector_facts`
marks that member's facts stale) and today's date (the facts keep the earliest unanswered due date, and
"overdue" is decided when counting)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import F, FilteredRelation, Q

from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Session
from jianyan.proposals.models import Proposal, Proposer
from jianyan.reports.models import AssignmentFacts, ProposalFacts

REPLYING_MODES = (Assignment.Mode.LEAD, Assignment.Mode.SEPARATE)
CHUNK = 900  # ids per IN (...) list, under every SQLite's variable limit
WHOLE_YEAR = 5000  # more stale proposals than this: read the whole year's rows rather than id lists
SAT_VALUES = ("satisfied", "basically_satisfied", "unsatisfied")
FACT_FIELDS = ("version", "sector", "result_class", "on_time", "unanswered_due", "returned",
               *(f"{dim}_{v}" for dim in ("attitude", "result") for v in SAT_VALUES), "unrated")


def chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def flat_rows(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset as the database returns them, without Django's conversion of
    each value (two fifths of the time at 100,000 rows). Only for columns that need none: integers,
    strings, and flags read by truth (a boolean is 0/1 on SQLite)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def year_sessions(committee_id: int, year: int):
    """The committee's sessions of the year, as a subquery. Proposals filtered by session id are read through
    the session index; filtered by the session's year, PostgreSQL read all of the committee's years to keep
    one (the dashboard's check for stale facts: 35 → 16 ms at 1,000,000)."""
    return Session.objects.filter(term__committee_id=committee_id, year=year).values("id")


def stale_proposal_ids(committee_id: int, year: int) -> list[int]:
    """The year's proposals whose facts are missing or were computed for an earlier version."""
    return list(
        Proposal.objects.filter(committee_id=committee_id, session_id__in=year_sessions(committee_id, year))
        .filter(Q(facts__isnull=True) | Q(facts__version__lt=F("version")) | Q(facts__version__gt=F("version")))
        .order_by().values_list("id", flat=True))


def refresh_year(committee_id: int, year: int) -> int:
    """Bring the facts of the committee's year up to date; returns how many proposals were recomputed."""
    stale = stale_proposal_ids(committee_id, year)
    if not stale:
        return 0
    if len(stale) > WHOLE_YEAR:
        scopes = [{"proposal__committee_id": committee_id,
                   "proposal__session_id__in": year_sessions(committee_id, year)}]
    else:
        scopes = [{"proposal_id__in": ids} for ids in chunks(stale)]
    wanted = set(stale)
    with transaction.atomic(savepoint=False):  # all or nothing; no savepoint to roll back to is needed
        for scope in scopes:
            store(*compute(scope, wanted))
    return len(stale)


def forget_sector_facts(user_id: int, sector_id: int | None) -> None:
    """A member's sector changed: the proposals they are first proposer of count under another sector, so
    their facts are marked stale (version 0 is below every proposal's)."""
    firsts = Proposer.objects.filter(user_id=user_id, role=Proposer.Role.FIRST).values("proposal_id")
    stale = ProposalFacts.objects.filter(proposal_id__in=firsts)
    stale = stale.filter(sector_id__isnull=False) if sector_id is None else stale.exclude(sector_id=sector_id)
    stale.update(version=0)


# ---- computing ------------------------------------------------------------------------------------

def in_time_condition() -> Q:
    """For a reply row: an approved reply of the first round the unit wrote on or before its assignment's
    due date (local date), i.e. `statistics.on_time_reply_exists`."""
    from jianyan.reports.statistics import DayEnd

    if connection.vendor in ("sqlite", "postgresql"):
        return Q(round=1, written_at__lt=DayEnd(F("assignment__due_date")))
    return Q(round=1, written_at__date__lte=F("assignment__due_date"))


def compute(scope: dict, wanted: set[int]) -> tuple[list[tuple], list[tuple]]:
    """The facts of the proposals in `scope` (a filter on a proposal's related rows: `proposal_id__in` or
    the committee's year) that are in `wanted`, as rows of reports.ProposalFacts (proposal_id and
    `PROPOSAL_COLUMNS`) and of reports.AssignmentFacts (assignment_id, proposal_id, answered, in_time)."""
    from jianyan.reports.statistics import flag

    own = {k.removeprefix("proposal__").removeprefix("proposal_"): v for k, v in scope.items()}
    first = FilteredRelation("proposers", condition=Q(proposers__role=Proposer.Role.FIRST))
    proposals = {
        pid: (version, rnd, sector) for pid, version, rnd, sector in reversed(flat_rows(
            Proposal.objects.filter(**own).annotate(first=first).order_by()
            .values_list("id", "version", "round", "first__user__profile__sector_id")))
        if pid in wanted}

    # Sorted as `statistics.result_class_of` sorts, so the last approved reply of a proposal is its latest.
    latest_class: dict[int, str] = {}
    answered: set[int] = set()
    in_time: set[int] = set()
    for pid, aid, on_time, result_class in flat_rows(
            Reply.objects.filter(status=Reply.Status.APPROVED, **scope)
            .order_by("proposal_id", "round", "audited_at", "id")
            .values_list("proposal_id", "assignment_id", flag(in_time_condition()), "result_class")):
        latest_class[pid] = result_class
        answered.add(aid)
        if on_time:
            in_time.add(aid)

    replying: set[int] = set()
    late: set[int] = set()
    unanswered_due: dict = {}
    assignment_facts = []
    for aid, pid, mode, due in Assignment.objects.filter(is_active=True, **scope).order_by().values_list(
            "id", "proposal_id", "mode", "due_date"):
        if pid not in proposals:
            continue
        assignment_facts.append((aid, pid, aid in answered, aid in in_time))
        if mode in REPLYING_MODES:
            replying.add(pid)
            if aid not in in_time:
                late.add(pid)
            if aid not in answered and due is not None and (pid not in unanswered_due or due < unanswered_due[pid]):
                unanswered_due[pid] = due

    # Each proposer's latest evaluation (the highest round they rated), and who rated which round.
    latest: dict[int, tuple] = {}
    rated: set[tuple[int, int]] = set()
    for proposer_id, rnd, pid, attitude, result in flat_rows(
            Evaluation.objects.filter(**scope).order_by()
            .values_list("proposer_id", "round", "proposal_id", "attitude", "result")):
        rated.add((proposer_id, rnd))
        if proposer_id not in latest or rnd > latest[proposer_id][0]:
            latest[proposer_id] = (rnd, pid, attitude, result)
    ratings: dict[int, dict] = {}
    for _, pid, attitude, result in latest.values():
        counts = ratings.setdefault(pid, dict.fromkeys(FACT_FIELDS[5:12], 0))
        counts["returned"] += 1
        for name in (f"attitude_{attitude}", f"result_{result}"):
            if name in counts:
                counts[name] += 1

    unrated: dict[int, int] = {}
    for proposer_id, pid in flat_rows(Proposer.objects.filter(status=Proposer.Status.ACCEPTED, **scope)
                                      .order_by().values_list("id", "proposal_id")):
        if pid in proposals and (proposer_id, proposals[pid][1]) not in rated:
            unrated[pid] = unrated.get(pid, 0) + 1

    no_ratings = dict.fromkeys(FACT_FIELDS[5:12], 0)
    day = connection.ops.adapt_datefield_value
    facts = [
        (pid, version, sector, latest_class.get(pid), pid in replying and pid not in late,
         day(unanswered_due.get(pid)), *ratings.get(pid, no_ratings).values(), unrated.get(pid, 0))
        for pid, (version, _, sector) in proposals.items()]
    return facts, assignment_facts


def upsert(model, key: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write plain tuples over the rows with the same key (INSERT ... ON CONFLICT (key) DO UPDATE, SQLite
    ≥ 3.24 and PostgreSQL): model instances and the ORM's bulk upsert cost ten times as much at 100,000
    rows. Two reports refreshing the same facts at once both succeed, the later winning. On PostgreSQL the
    rows go by COPY into a temporary table first: binding 2,000,000 parameters took psycopg 10 s of CPU."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in (key, *columns))
    on_conflict = f"ON CONFLICT ({quote(key)}) DO UPDATE SET " + ", ".join(
        f"{quote(c)} = excluded.{quote(c)}" for c in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = quote(f"staging_{model._meta.db_table}")
            # Names from the model; the values go by COPY.
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DELETE ROWS")
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {on_conflict}")  # noqa: S608
            cursor.execute(f"TRUNCATE {staging}")
            return
        one = f"({', '.join(['%s'] * (len(columns) + 1))})"
        for i in range(0, len(rows), UPSERT_ROWS):
            batch = rows[i:i + UPSERT_ROWS]
            values = ", ".join([one] * len(batch))
            # Names from the model, values bound as parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES {values} {on_conflict}"  # noqa: S608
            cursor.execute(sql, [value for row in batch for value in row])


PROPOSAL_COLUMNS = ("version", "sector_id", "result_class", "on_time", "unanswered_due", *FACT_FIELDS[5:])
UPSERT_ROWS = 1000  # 15,000 parameters a statement, under SQLite's limit of 32,766


def store(facts: list[tuple], assignment_facts: list[tuple]) -> None:
    """Write the facts over the old ones, and drop the facts of assignments no longer active."""
    upsert(ProposalFacts, "proposal_id", PROPOSAL_COLUMNS, facts)
    upsert(AssignmentFacts, "assignment_id", ("proposal_id", "answered", "in_time"), assignment_facts)
    # A deleted assignment takes its facts with it (CASCADE); one withdrawn (is_active off) leaves them.
    for ids in chunks([f[0] for f in facts]):
        AssignmentFacts.objects.filter(proposal_id__in=ids, assignment__is_active=False).delete()
