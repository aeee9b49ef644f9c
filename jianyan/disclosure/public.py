"""Everything the public may read, in one place for the portal, the API, the feed and the open data:
published publications of proposals that are not secret, their public timeline, and public statistics.
Nothing here reads a proposal's own text: titles, bodies and replies come from the redacted copies."""

from dataclasses import dataclass
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from jianyan import search
from jianyan.core.models import AuditEvent
from jianyan.core.versioned_cache import VersionedCache
from jianyan.disclosure.models import Publication
from jianyan.handling.models import Assignment
from jianyan.people.models import Committee, Session, Theme, Unit
from jianyan.proposals.models import Proposal, State
from jianyan.reports import statistics

PUBLIC_STATES = {State.REPLIED: "已答复", State.CLOSED: "已办结", State.REHANDLING: "重新办理"}
RESULT_CLASS_LABELS = {"A": "A类（已解决或采纳）", "B": "B类（正在解决或列入计划）", "C": "C类（留作参考）",
                       "D": "D类（因条件限制难以解决）"}
# The public steps of a proposal's life and how the public sees them; who acted is never shown.
PUBLIC_STEPS = {
    "proposal.submitted": "提交",
    "proposal.registered": "立案",
    "proposal.assigned": "交办",
    "reply.approved": "答复",
    "proposal.closed": "办结",
}


# What the public pages show is the same for every visitor and changes only when something is published or
# withdrawn, while a session's opening brings thousands of readers: the figures over every publication (the
# home page's total, the units' counts, about a second at a million proposals) and each page's data (a list
# page, a proposal, a year's statistics) are kept in the cache under a publication version that publishing
# and withdrawing bump on commit, as are whole pages for anonymous visitors (portal.page_cache). Other changes a
# public page shows (a published proposal's state, a new public step) and other processes' local caches catch
# up within two timeouts: the page's and that of the data it was rendered from.
FIGURES_CACHE_SECONDS = 60
PUBLIC_CACHE = VersionedCache("jianyan:public", FIGURES_CACHE_SECONDS)
# The totals over every publication (the home page's, the units'; about a second of both cores at a million
# proposals) change only with what bumps the version: kept ten times longer.
TOTALS_CACHE_SECONDS = FIGURES_CACHE_SECONDS * 10


def bump_publication_version() -> None:
    """What the public sees changed: cached pages and figures are computed afresh (called on commit)."""
    PUBLIC_CACHE.bump()


def cached_figure(name: str, compute, *key, timeout: int = FIGURES_CACHE_SECONDS):
    """compute(), kept under this publication version for `name` and the key's values (a page, a filter)."""
    return PUBLIC_CACHE.get_or_set(name, compute, *key, timeout=timeout)


def public_publications() -> QuerySet[Publication]:
    """The publications the public may see. The secret check is repeated here on purpose: a proposal
    marked secret disappears even if its publication row were somehow still marked published."""
    return (Publication.objects.filter(status=Publication.Status.PUBLISHED, proposal__is_secret=False)
            .exclude(proposal__state__in=[s for s in State if s not in PUBLIC_STATES]))


def with_listing_data(qs: QuerySet[Publication]) -> QuerySet[Publication]:
    """What a list row shows, in a fixed number of queries (one for the page, one for the units)."""
    return qs.select_related("proposal__session__term__committee", "proposal__theme", "proposal__committee") \
        .prefetch_related(Prefetch("proposal__assignments",
                                   queryset=Assignment.objects.filter(is_active=True).select_related("unit")
                                   .order_by("id"), to_attr="public_assignments"))


@dataclass
class Filters:
    q: str = ""
    session: int | None = None
    theme: int | None = None
    unit: int | None = None
    result_class: str = ""
    state: str = ""
    committee: str = ""

    @classmethod
    def from_query(cls, params) -> "Filters":
        def number(name):
            value = str(params.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        result_class = str(params.get("result_class") or "").strip().upper()
        state = str(params.get("state") or "").strip()
        return cls(
            q=str(params.get("q") or "").strip()[:search.text.MAX_QUERY_CHARS],
            session=number("session"), theme=number("theme"), unit=number("unit"),
            result_class=result_class if result_class in RESULT_CLASS_LABELS else "",
            state=state if state in PUBLIC_STATES else "",
            committee=str(params.get("committee") or "").strip()[:32],
        )

    def apply(self, qs: QuerySet[Publication]) -> QuerySet[Publication]:
        if self.committee:
            qs = qs.filter(proposal__committee__code=self.committee)
        if self.session:
            qs = qs.filter(proposal__session_id=self.session)
        if self.theme:
            qs = qs.filter(proposal__theme_id=self.theme)
        if self.unit:
            qs = qs.filter(proposal__assignments__unit_id=self.unit, proposal__assignments__is_active=True).distinct()
        if self.result_class:
            qs = qs.filter(result_class=self.result_class)
        if self.state:
            qs = qs.filter(proposal__state=self.state)
        return qs


class RankedIds(list):
    """Ids in search order, sliceable like a queryset so that Django's Paginator can page them."""

    def count(self, *args) -> int:  # Paginator calls count() without arguments
        return len(self)


class SearchResults:
    """A search without other filters, paged by the search backend itself (no id list to fetch first)."""

    def __init__(self, q: str):
        self.q = q

    def count(self) -> int:
        return search.count(self.q)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[int]:
        start = page.start or 0
        return search.search_ids(self.q, limit=max(0, page.stop - start), offset=start)


def find(filters: Filters) -> tuple[QuerySet[Publication] | RankedIds | SearchResults, bool]:
    """The publications matching the filters, newest first; with a search query, the search's order
    (title matches first, then newest). Returns (rows or ranked ids, whether ranked). Ranked ids are
    loaded with `load`, which keeps only public publications whatever the index says."""
    qs = filters.apply(public_publications())
    if not filters.q:
        return with_listing_data(qs).order_by("-published_at", "-id"), False
    if filters == Filters(q=filters.q):
        return SearchResults(filters.q), True
    ranked = search.search_ids(filters.q, limit=search.MAX_RESULTS)
    allowed = set(qs.filter(pk__in=ranked).values_list("pk", flat=True))
    return RankedIds(pk for pk in ranked if pk in allowed), True


def load(ids: list[int]) -> list[Publication]:
    """The publications of these ids with their list data, in the given order."""
    by_id = {p.pk: p for p in with_listing_data(public_publications().filter(pk__in=ids))}
    return [by_id[i] for i in ids if i in by_id]


def page_rows(object_list, ranked: bool) -> list[Publication]:
    if ranked:
        return load(list(object_list))
    return list(object_list)


def latest(n: int = 6) -> list[Publication]:
    return list(with_listing_data(public_publications()).order_by("-published_at", "-id")[:n])


def latest_of_unit(unit: Unit, n: int = 10) -> list[Publication]:
    return list(with_listing_data(public_publications().filter(
        proposal__assignments__unit=unit, proposal__assignments__is_active=True).distinct()
        .order_by("-published_at", "-id"))[:n])


@dataclass
class Listing:
    """One page of the public list or search: what the page shows, without the querysets (so it can be cached)."""
    count: int
    number: int
    rows: list[Publication]
    ranked: bool


def listing(filters: Filters, page_number, per_page: int) -> Listing:
    found, ranked = find(filters)
    paginator = Paginator(found, per_page)
    if filters == Filters():
        paginator.count = public_total()  # the same figure as the home page's, without a count over all
    page = paginator.get_page(page_number)
    return Listing(paginator.count, page.number, page_rows(page.object_list, ranked), ranked)


def cached_listing(filters: Filters, page_number, per_page: int) -> Listing:
    return cached_figure("list", lambda: listing(filters, page_number, per_page), filters, page_number, per_page)


def get_public(pk) -> Publication | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return with_listing_data(public_publications().filter(pk=pk)).first()


def public_page(pk) -> tuple[Publication, list[dict], list["PublicStep"]] | None:
    """What a public proposal's page shows: the publication, its units and its public steps (None: not public)."""
    publication = get_public(pk)
    if publication is None:
        return None
    return publication, units_of(publication), public_timeline(publication)


@dataclass(frozen=True)
class PublicStep:
    at: object
    label: str


def public_timeline(publication: Publication) -> list[PublicStep]:
    events = (AuditEvent.objects.filter(proposal_id=publication.proposal_id, action__in=PUBLIC_STEPS)
              .order_by("at", "id").values_list("at", "action"))
    return [PublicStep(at, PUBLIC_STEPS[action]) for at, action in events]


def units_of(publication: Publication) -> list[dict]:
    return [{"id": a.unit_id, "name": a.unit.name, "mode": a.mode, "mode_label": a.get_mode_display()}
            for a in getattr(publication.proposal, "public_assignments", [])]


def as_dict(publication: Publication, *, full: bool = False) -> dict:
    """The stable public record of a publication (the API, the open data and the feed read it)."""
    p = publication.proposal
    out = {
        "id": publication.pk,
        "number": p.display_number,
        "title": publication.title,
        "committee": p.committee.name,
        "session": p.session.label,
        "session_id": p.session_id,
        "year": p.session.year,
        "theme": p.theme.name if p.theme_id else "",
        "theme_id": p.theme_id,
        "kind": p.get_kind_display(),
        "proposer_type": p.get_proposer_type_display(),
        "units": units_of(publication),
        "state": p.state,
        "state_label": PUBLIC_STATES.get(p.state, ""),
        "result_class": publication.result_class,
        "published_at": publication.published_at,
        "updated_at": publication.changed_at,
    }
    if full:
        out["body"] = publication.body
        out["reply"] = publication.reply
    return out


def public_proposal_q(prefix: str = "") -> Q:
    """The conditions of public_publications() seen from a proposal (`prefix` leads to the proposal)."""
    return Q(**{f"{prefix}publication__status": Publication.Status.PUBLISHED, f"{prefix}is_secret": False,
                f"{prefix}state__in": list(PUBLIC_STATES)})


def filter_options(committee_code: str = "") -> dict:
    """The choices of the public browse filters: only sessions, themes and units that have publications.
    Each is a few small dimension rows with an EXISTS probe, not a DISTINCT over every publication."""
    proposals = Proposal.objects.filter(public_proposal_q())
    assignments = Assignment.objects.filter(public_proposal_q("proposal__"), is_active=True)
    sessions, themes, units = Session.objects.all(), Theme.objects.all(), Unit.objects.all()
    if committee_code:
        proposals = proposals.filter(committee__code=committee_code)
        assignments = assignments.filter(proposal__committee__code=committee_code)
        # A proposal's session, theme and units are always its own committee's (the workflow picks them so):
        # other committees' rows need no probe, and probing them would scan all their proposals.
        sessions = sessions.filter(term__committee__code=committee_code)
        themes = themes.filter(committee__code=committee_code)
        units = units.filter(committee__code=committee_code)
    return {
        "sessions": list(sessions.filter(Exists(proposals.filter(session=OuterRef("pk"))))
                         .select_related("term__committee").order_by("-year", "-sitting", "id")),
        "themes": list(themes.filter(Exists(proposals.filter(theme=OuterRef("pk")))).order_by("order", "id")),
        "units": list(units.filter(Exists(assignments.filter(unit=OuterRef("pk")))).order_by("id")),
        "result_classes": list(RESULT_CLASS_LABELS.items()),
        "states": list(PUBLIC_STATES.items()),
    }


class Choice(NamedTuple):
    pk: int
    label: str


def filter_choices(committee_code: str = "") -> dict:
    """filter_options with (id, label) pairs for rows: what the page shows, and cheap to keep in the cache
    (unpickling a committee's ten years of sessions, themes and units as model rows cost more than the page)."""
    options = filter_options(committee_code)
    return {**options,
            "sessions": [Choice(s.pk, s.label) for s in options["sessions"]],
            "themes": [Choice(t.pk, t.name) for t in options["themes"]],
            "units": [Choice(u.pk, u.name) for u in options["units"]]}


def cached_filter_options(committee_code: str = "") -> dict:
    return cached_figure("options", lambda: filter_choices(committee_code), committee_code)


def public_committee(code: str = "") -> Committee | None:
    qs = Committee.objects.order_by("id")
    if code:
        return qs.filter(code=code).first()
    return qs.filter(level=Committee.Level.CITY).first() or qs.first()


def public_years(committee: Committee) -> list[int]:
    return statistics.years_with_sessions(committee)


def cached_public_years(committee: Committee) -> list[int]:
    return cached_figure("years", lambda: public_years(committee), committee.pk)


def public_statistics(*, committee: Committee, year: int) -> dict:
    """The year's figures the public sees: counts and rates only, no proposal text."""
    s = statistics.year_statistics(year=year, committee=committee)
    published = public_publications().filter(proposal__committee=committee, proposal__session__year=year).count()
    return {
        "year": year, "committee": committee.name,
        **{k: s[k] for k in ("received", "registered", "replied", "closed", "on_time", "registration_rate",
                             "replied_rate", "completion_rate", "on_time_rate", "satisfaction_rate",
                             "evaluations_returned", "key_proposals")},
        "published": published,
        "by_category": s["by_category"],
        "by_result_class": s["by_result_class"],
        "by_unit": [{k: u[k] for k in ("unit_id", "unit", "lead", "co", "separate", "replying", "replied",
                                       "replied_rate", "on_time", "on_time_rate", "evaluations_returned",
                                       "satisfaction_rate")} for u in s["by_unit"]],
    }


def unit_statistics(unit: Unit, year: int) -> dict | None:
    """The unit's row of the year's statistics (`by_unit`: handled, on time, satisfaction), or None."""
    rows = statistics.year_statistics(year=year, committee=unit.committee)["by_unit"]
    return next((r for r in rows if r["unit_id"] == unit.pk), None)


def public_total() -> int:
    """How many publications the public sees (the home page's figure), cached per publication version."""
    return cached_figure("total", lambda: public_publications().count(), timeout=TOTALS_CACHE_SECONDS)


def published_per_unit() -> dict[int, int]:
    """unit id -> its public publications, in one grouped pass (a proposal has at most one active assignment
    per unit, so counting assignments counts publications)."""
    rows = (Assignment.objects.filter(public_proposal_q("proposal__"), is_active=True)
            .values_list("unit_id").annotate(n=Count("id")).order_by())
    return dict(rows)


def units_with_publications() -> list[Unit]:
    """Active units with their count of public publications (`published`), most first."""
    counts = cached_figure("per-unit", published_per_unit, timeout=TOTALS_CACHE_SECONDS)
    units = list(Unit.objects.filter(is_active=True).order_by("id"))
    for unit in units:
        unit.published = counts.get(unit.pk, 0)
    return sorted(units, key=lambda u: -u.published)
