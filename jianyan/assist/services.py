"""What the pages, the API and the command line call for text assistance.

Every list of proposals goes through `core.access.proposals_visible_to`: a member finds only proposals
they may open (their own, drafts included), staff their committee's submitted ones, never another
committee's. Permissions of the callers (who may ask for duplicates or suggestions) are checked here
too, with the same errors as the workflow: NotFound (404) for what the user cannot see, NotAllowed (403)
for what they see but may not use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.db.models import Q, QuerySet

from jianyan.assist import acceptance
from jianyan.assist import index as ix
from jianyan.assist.learning import committee_models
from jianyan.core.access import (
    get_visible_proposal,
    is_proposer,
    is_staff_of,
    profile_of,
    proposals_seen_by_staff,
    role_of,
)
from jianyan.core.access import proposals_visible_to as visible_proposals
from jianyan.core.errors import InvalidInput, NotAllowed, NotFound
from jianyan.handling.models import Assignment, Reply
from jianyan.people.models import Committee, Role, Session
from jianyan.proposals.models import PRE_SUBMISSION_STATES, REGISTERED_STATES, Proposal, Proposer, State
from jianyan.textlab import precheck as textlab_precheck
from jianyan.textlab import segment, similar
from jianyan.textlab.precheck import Finding, Location

TOP = 10
MAX_TOP = 50
MIN_SCORE = 0.1  # below this a "similar" proposal shares little more than a common word
DUPLICATE_SCORE = 0.3  # a 并案 candidate: the same issue in other words, or a near-duplicate text
WITHIN_LIMIT = 5000  # members and units involved in at most this many proposals have exactly those ranked
MAX_TITLE = 200
MAX_BODY = 20000


# ---- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimilarProposal:
    id: int
    title: str
    display_number: str | None
    session: str
    year: int
    state: str
    state_label: str
    score: float
    reason: str
    near_duplicate: bool
    result_class: str | None  # of the approved reply, once answered

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A passage both texts contain, with its character span in each (see `Duplicate.text`)."""

    text: str
    start: int
    end: int
    other_start: int
    other_end: int


@dataclass(frozen=True)
class Duplicate(SimilarProposal):
    """A 并案 candidate with the passages it shares with the proposal under review. Spans are offsets in
    `proposal_text` of each: title, a newline, the situation analysis, then the suggestions one per line."""

    text: str = ""
    passages: list[Passage] = field(default_factory=list)
    may_merge_into: bool = False  # registered: a submitted proposal can be merged into it

    def segments(self) -> list[tuple[str, bool]]:
        """The candidate's text cut into (piece, shared with the proposal?) for highlighting."""
        return highlight(self.text, [(p.other_start, p.other_end) for p in self.passages])


@dataclass(frozen=True)
class Suggestion:
    id: int | None
    name: str
    score: float
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Suggestions:
    themes: list[Suggestion]
    units: list[Suggestion]

    def as_dict(self) -> dict:
        return {"themes": [s.as_dict() for s in self.themes], "units": [s.as_dict() for s in self.units]}


# ---- helpers -------------------------------------------------------------------------------------

def proposal_text(p: Proposal) -> str:
    """The whole text of a proposal as shown side by side: title, then the body."""
    return f"{p.title}\n{ix.proposal_body(p.background, p.suggestions)}".strip()


def split_text(text: str) -> tuple[str, str]:
    """A free text as (title, body): the first line is the title, the rest the body."""
    title, _, body = (text or "").strip().partition("\n")
    return title.strip(), body.strip()


def clean_query(title: str | None, body: str | None) -> tuple[str, str]:
    title, body = (title or "").strip()[:MAX_TITLE], (body or "").strip()[:MAX_BODY]
    if not title and not body:
        raise InvalidInput("请输入案由或正文", fields={"title": "案由和正文不能都为空"})
    return title, body


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def committee_of(user, code: str | None = None) -> Committee:
    """The user's committee; an admin may name one by code (default: the first one)."""
    profile = profile_of(user)
    if role_of(user) == Role.ADMIN and (code or profile is None):
        committee = (Committee.objects.filter(code=code) if code else Committee.objects.order_by("pk")).first()
        if committee is None:
            raise NotFound("没有这个政协" if code else "尚未设置政协", code="no_such_committee")
        return committee
    if profile is None:
        raise NotAllowed("您的账号未关联政协")
    if code and code != profile.committee.code:
        raise NotAllowed("您只能查看本政协的数据")
    return profile.committee


def sees_whole_committee(user, committee: Committee) -> bool:
    return role_of(user) in (Role.STAFF, Role.LEADER, Role.ADMIN) and (
        role_of(user) == Role.ADMIN or profile_of(user).committee_id == committee.pk)


def involved_in(user, committee: Committee) -> set[int] | None:
    """The committee's proposals a member, clerk or unit liaison takes part in, by indexed lookups: the
    candidates that core.access then filters (its one query has an OR across a join, which scans the
    committee). None if there are too many to rank one by one (then the whole-committee path is taken)."""
    profile = profile_of(user)
    if profile is None:
        return set()
    mine = Proposal.objects.filter(committee=committee)
    ids = set(mine.filter(created_by=user).values_list("pk", flat=True)[:WITHIN_LIMIT + 1])
    ids |= set(Proposer.objects.filter(user=user, proposal__committee=committee)
               .values_list("proposal_id", flat=True)[:WITHIN_LIMIT + 1])
    if profile.organisation_id:
        ids |= set(mine.filter(organisation_id=profile.organisation_id).values_list("pk", flat=True)[:WITHIN_LIMIT + 1])
    if profile.unit_id:
        ids |= set(Assignment.objects.filter(unit_id=profile.unit_id, proposal__committee=committee, is_active=True)
                   .values_list("proposal_id", flat=True)[:WITHIN_LIMIT + 1])
    return ids if len(ids) <= WITHIN_LIMIT else None


def staff_view(committee: Committee) -> QuerySet[Proposal]:
    """What the committee's staff see (for the command line); the rule itself is in core.access."""
    return proposals_seen_by_staff(committee.pk)


# ---- similar proposals ---------------------------------------------------------------------------

def rank(committee: Committee, visible: QuerySet[Proposal], title: str, body: str = "", *, top: int = TOP,
         candidates: Iterable[int] | None = None, exclude: Iterable[int] = (), min_score: float = MIN_SCORE,
         progress: ix.Progress | None = None) -> list[SimilarProposal]:
    """The ``top`` proposals of ``visible`` most similar to the text, best first.

    Without ``candidates`` (a user who sees nearly the whole committee) the index's best matches, with
    the near-duplicates the band table finds in SQL, are ranked and the visible ones kept (asking for
    more if too few are). With them (the few proposals a member or a unit is involved in), those of
    them that are visible are ranked exactly."""
    top = max(1, min(int(top), MAX_TOP))
    exclude = set(exclude)
    sig = similar.signature(similar.document_text(title, body))
    within = None
    if candidates is not None:
        ids = list(candidates)
        within = list(visible.filter(committee=committee, pk__in=ids).values_list("pk", flat=True)) if ids else []
        if not within:
            return []
    whole = within is None
    lsh = list(ix.lsh_candidates(committee.pk, similar.band_hashes(sig), exclude=exclude)) if whole else []
    fetch = top * 2 + 10 if whole else top
    while True:
        matches = ix.search(committee.pk, title, body, top=fetch, within=within, include=lsh, exclude=exclude,
                            min_score=min_score, progress=progress)
        allowed = set(visible.filter(committee=committee, pk__in=[m.id for m in matches])
                      .values_list("pk", flat=True))
        kept = [m for m in matches if m.id in allowed]
        if len(kept) >= top or len(matches) < fetch:
            break
        fetch *= 4  # many of the best were not the user's to see: look further down
    return hydrate(committee, kept[:top], sig)


STATE_LABELS = dict(State.choices)


def hydrate(committee: Committee, matches: list[similar.Match], sig: list[int]) -> list[SimilarProposal]:
    """Matches as results (plain rows rather than model instances: this is on every keystroke)."""
    rows = {r[0]: r for r in Proposal.objects.filter(pk__in=[m.id for m in matches]).values_list(
        "pk", "title", "number", "state", "session_id", "assist_index__signature")}
    sessions = Session.objects.select_related("term__committee").in_bulk({r[4] for r in rows.values()})
    classes = result_classes(list(rows))
    out = []
    for m in matches:
        if m.id not in rows:  # deleted meanwhile
            continue
        pk, title, number, state, session_id, stored = rows[m.id]
        jaccard = similar.estimated_jaccard(sig, ix.unpack_signature(stored)) if stored else 0.0
        session = sessions[session_id]
        out.append(SimilarProposal(
            id=pk, title=title, display_number=committee.format_number(number) or None, session=session.label,
            year=session.year, state=state, state_label=STATE_LABELS.get(state, state), score=m.score,
            reason=m.reason, near_duplicate=jaccard >= similar.NEAR_DUPLICATE, result_class=classes.get(pk),
        ))
    return out


def result_classes(ids: Iterable[int]) -> dict[int, str]:
    """The result class (A/B/C/D) of each answered proposal: its latest approved reply, a lead's first."""
    found: dict[int, tuple] = {}
    replies = Reply.objects.filter(proposal_id__in=list(ids), status=Reply.Status.APPROVED).values_list(
        "proposal_id", "round", "assignment__mode", "pk", "result_class")
    for pid, round_, mode, pk, result_class in replies:
        key = (round_, mode == Assignment.Mode.LEAD, pk)
        if pid not in found or key > found[pid][0]:
            found[pid] = (key, result_class)
    return {pid: rc for pid, (_, rc) in found.items()}


def similar_proposals(user, *, title: str = "", body: str = "", text: str | None = None,
                      proposal: Proposal | None = None, top: int = TOP, committee: Committee | None = None,
                      exclude: Iterable[int] = (), min_score: float = MIN_SCORE) -> list[SimilarProposal]:
    """Proposals similar to a draft being typed (title, body; or one ``text``, its first line the title)
    or to a proposal, among those the user may see, best first: for a member, their own; for staff, their
    committee's submitted ones. ``exclude``: ids to leave out (the proposal being edited)."""
    exclude = set(exclude)
    if text is not None:
        title, body = split_text(text)
    if proposal is not None:
        committee = proposal.committee
        title, body = proposal.title, ix.proposal_body(proposal.background, proposal.suggestions)
        exclude.add(proposal.pk)
    else:
        title, body = clean_query(title, body)
        committee = committee or committee_of(user)
    if role_of(user) is None:
        return []
    candidates = None if sees_whole_committee(user, committee) else involved_in(user, committee)
    return rank(committee, visible_proposals(user), title, body, top=top, exclude=exclude, min_score=min_score,
                candidates=candidates)


def similar_to_proposal(user, pk, *, top: int = TOP) -> list[SimilarProposal]:
    """For the proposal's page and GET /proposals/{id}/similar: its staff and its proposers only."""
    proposal = get_visible_proposal(user, pk)
    if not (is_staff_of(user, proposal.committee_id) or is_proposer(user, proposal)):
        raise NotAllowed("只有提案委工作人员和提案人可以查看相似提案")
    return similar_proposals(user, proposal=proposal, top=top)


def duplicate_candidates(user, pk, *, top: int = 5, min_score: float = DUPLICATE_SCORE) -> list[Duplicate]:
    """并案 candidates of a proposal for its committee's staff: proposals of the same issue (score at least
    ``min_score``) or near-duplicate texts, with the passages they share with it."""
    proposal = get_visible_proposal(user, pk)
    if not is_staff_of(user, proposal.committee_id):
        raise NotAllowed("只有提案委工作人员可以查看并案建议")
    found = [r for r in similar_proposals(user, proposal=proposal, top=top * 2, min_score=min_score / 2)
             if r.score >= min_score or r.near_duplicate][:top]
    texts = {p.pk: proposal_text(p) for p in Proposal.objects.filter(pk__in=[r.id for r in found])}
    own = proposal_text(proposal)
    out = []
    for r in found:
        other = texts.get(r.id, r.title)
        passages = [Passage(x.text, x.a_start, x.a_end, x.b_start, x.b_end)
                    for x in similar.overlap(own, other, min_chars=5)]
        out.append(Duplicate(**asdict(r), text=other, passages=passages,
                             may_merge_into=r.state in REGISTERED_STATES))
    return out


def merge_hosts(user, pk, *, query: str = "", top: int = 10) -> list[tuple[Proposal, str]]:
    """Registered proposals of the committee this one may be merged into, with why each is offered:
    its 并案 candidates, or with a query those whose number or title contains it."""
    proposal = get_visible_proposal(user, pk)
    if not is_staff_of(user, proposal.committee_id):
        raise NotAllowed("只有提案委工作人员可以并案")
    hosts = proposals_seen_by_staff(proposal.committee_id).filter(state__in=REGISTERED_STATES).exclude(pk=proposal.pk)
    query = (query or "").strip()[:50]
    if not query:
        found = [d for d in duplicate_candidates(user, pk, top=top) if d.may_merge_into]
        rows = hosts.select_related("committee").in_bulk([d.id for d in found])
        return [(rows[d.id], f"相似度 {round(d.score * 100)}%：{d.reason}") for d in found if d.id in rows]
    digits = "".join(ch for ch in query if ch.isdigit())
    matches = Q(title__contains=query)
    if digits and len(digits) == len(query.strip("第号案提")):
        matches |= Q(number=int(digits))
    chosen = (hosts.filter(matches).select_related("committee", "session__term__committee")
              .order_by("-session__year", "number")[:top])
    return [(p, f"{p.session.label}，{p.get_state_display()}") for p in chosen]


# ---- themes and units ----------------------------------------------------------------------------

def _suggestions(found, ids: dict[str, int]) -> list[Suggestion]:
    return [Suggestion(ids.get(s.label), s.label, s.score, s.reason) for s in found]


def suggest(committee: Committee, text: str, *, top: int = 3) -> Suggestions:
    """The ``top`` themes and handling units for a text, learned from the committee's history."""
    if not (text or "").strip():
        raise InvalidInput("请输入提案内容", fields={"text": "不能为空"})
    models = committee_models(committee)
    return Suggestions(_suggestions(models.themes.suggest(text, top), models.theme_ids),
                       _suggestions(models.units.suggest(text, top), models.unit_ids))


def suggest_themes(committee: Committee, text: str, *, top: int = 3) -> list[Suggestion]:
    models = committee_models(committee)
    return _suggestions(models.themes.suggest(text, top), models.theme_ids)


def suggest_units(committee: Committee, text: str, *, top: int = 3) -> list[Suggestion]:
    models = committee_models(committee)
    return _suggestions(models.units.suggest(text, top), models.unit_ids)


def suggestions_for(user, pk, *, top: int = 3) -> Suggestions:
    """Theme and units for a proposal under review, for its committee's staff."""
    proposal = get_visible_proposal(user, pk)
    if not is_staff_of(user, proposal.committee_id):
        raise NotAllowed("只有提案委工作人员可以查看主题和承办单位建议")
    return suggest(proposal.committee, proposal_text(proposal), top=top)


def review_assistance(user, pk) -> tuple[list[Duplicate], Suggestions]:
    """What the staff review panel shows: 并案 candidates and theme/unit suggestions, logged as shown so
    that acceptance can be measured against what staff then decide (assist.acceptance)."""
    duplicates = duplicate_candidates(user, pk)
    suggestions = suggestions_for(user, pk)
    proposal = Proposal.objects.get(pk=pk)
    acceptance.log_shown(proposal, acceptance.Kind.MERGE,
                         [(d.id, d.score) for d in duplicates if d.may_merge_into])
    acceptance.log_shown(proposal, acceptance.Kind.THEME, [(s.id, s.score) for s in suggestions.themes])
    acceptance.log_shown(proposal, acceptance.Kind.UNIT, [(s.id, s.score) for s in suggestions.units])
    return duplicates, suggestions


def suggest_for_user(user, text: str, *, top: int = 3, committee_code: str | None = None) -> Suggestions:
    """For POST /assist/suggest: the committee's staff (and admins)."""
    committee = committee_of(user, committee_code)
    if not is_staff_of(user, committee.pk):
        raise NotAllowed("只有提案委工作人员可以使用主题和承办单位建议")
    return suggest(committee, text, top=top)


# ---- the draft pre-check ------------------------------------------------------------------------

def precheck(*, title: str, background: str, suggestions: list[str],
             committee: Committee | None = None) -> list[Finding]:
    """Findings on a draft (textlab.precheck) under the committee's rules: its length limit counts the
    body (情况分析 and 具体建议, not the title) as submission does, and its own units judge 一事一案."""
    title, background = (title or "").strip(), (background or "").strip()
    suggestions = [s.strip() for s in suggestions or [] if isinstance(s, str) and s.strip()]
    units = committee_models(committee).units if committee else None
    findings = list(textlab_precheck.precheck(title, background, suggestions, max_chars=10**9, units=units))
    limit = committee.body_max_chars if committee else textlab_precheck.MAX_CHARS
    body = len(background) + sum(len(s) for s in suggestions)
    if limit and body > limit:
        findings.insert(0, Finding(
            "too_long", "error", f"正文（情况分析和具体建议）共 {body} 字，超过本政协 {limit} 字的上限。",
            Location("all", None, limit, body),
            f"精简情况分析，删去与建议无关的内容，压缩到 {limit} 字以内。"))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def precheck_text(text: str, committee: Committee | None = None) -> tuple[textlab_precheck.Draft, list[Finding]]:
    """Pre-check a plain-text draft: first line the title, parts by their headings (情况分析, 具体建议)
    if marked, else numbered items at the end are the suggestions."""
    draft = textlab_precheck.split_draft(text)
    return draft, precheck(title=draft.title, background=draft.background, suggestions=draft.suggestions,
                           committee=committee)


def precheck_summary(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts


# ---- keywords ------------------------------------------------------------------------------------

def hot_keywords(session: Session, *, top: int = 20) -> list[tuple[str, int]]:
    """The session's hot topics: the content words most submitted proposals use in their titles,
    with how many proposals use each (drafts not counted)."""
    titles = (Proposal.objects.filter(session=session).exclude(state__in=PRE_SUBMISSION_STATES)
              .values_list("title", flat=True))
    return segment.keywords(titles, top=top)
