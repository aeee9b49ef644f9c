"""The access matrix: every role × every page of the site (read from the URL resolver) and every API operation
(read from the OpenAPI schema) × a proposal in each state and one of another committee.

New pages are covered as soon as they are routed. The rules, for each role:
  - no answer is ever a 500;
  - no answer carries the title of a proposal the role may not see (core.access.proposals_visible_to is the
    truth; the public sees none here, nothing is published): lists, search, counts pages, exports (CSV, JSON,
    and the text inside DOCX/XLSX), feeds and similar-proposal results are all read;
  - a page or operation about a proposal the role may not see answers exactly as for a proposal that does
    not exist (404, or the login redirect / 401 for the anonymous): its existence is not told;
  - changing requests (POST/PATCH/DELETE) about such a proposal change nothing.

The Django admin is left out: it is the superuser's tool and shows everything by design (its index refuses
everyone else, which is checked)."""

import io
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jianyan.core.access import proposals_visible_to
from jianyan.core.models import AuditEvent
from jianyan.people.models import Session, Term
from jianyan.proposals.models import Proposal
from tests.conftest import draft, submitted

pytestmark = pytest.mark.django_db
MISSING = 999999
ROLES = ["member", "cosigner", "clerk", "staff", "liaison", "liaison2", "leader", "outsider", "admin", "anonymous"]
# One unique phrase per proposal: if it shows up in an answer, that proposal's data was shown.
PHRASES = {
    "draft": "甲子泉水保护", "cosigning": "乙丑古村修缮", "submitted": "丙寅山区公路", "registered": "丁卯校园餐食",
    "assigned": "戊辰河道清淤", "return_requested": "己巳夜市管理", "handling": "庚午供暖改造",
    "reply_audit": "辛未养老驿站", "replied": "壬申智慧停车", "other_committee": "癸酉郊区菜园",
    "other_committee_draft": "甲戌郊区学堂",
}
SEARCH_PARAMS = {"q": "提案", "title": "关于提案", "text": "关于提案的建议", "format": "csv"}
# A text like every proposal of the matrix (they share background and suggestions) without any phrase:
# similar-proposal results would bring the hidden ones back.
LOOKALIKE = {"title": "关于加快传统产业改造升级的提案",
             "body": "我市传统产业占比较高，转型任务繁重。制定新型工业化行动方案，设立技术改造专项资金。",
             "text": "关于加快传统产业改造升级的提案\n我市传统产业占比较高，转型任务繁重。设立技术改造专项资金。"}
SKIPPED_PREFIXES = ("admin/", "api/", "static/", "__")
PROPOSAL_PARAM = re.compile(r"proposals?/<int:(\w+)>|<int:(proposal_pk|proposal_id)>")
UNSAFE_METHODS = ("post", "patch", "delete")


@dataclass
class Route:
    template: str  # "proposals/<int:pk>/edit/"
    name: str
    params: list[tuple[str, str]] = field(default_factory=list)  # (converter, name)

    @property
    def proposal_param(self) -> str | None:
        found = PROPOSAL_PARAM.search(self.template)
        return (found.group(1) or found.group(2)) if found else None

    def url(self, proposal_id: int | None) -> str:
        path = self.template
        for converter, name in self.params:
            if converter == "int":
                value = proposal_id if (name == self.proposal_param and proposal_id is not None) else 1
            elif converter == "path":
                value = "x"
            else:
                value = "submit"
            path = path.replace(f"<{converter}:{name}>", str(value), 1)
        return "/" + path


def site_routes() -> list[Route]:
    """Every route of the site outside the admin and the API, from the resolver."""
    routes: list[Route] = []

    def walk(patterns, prefix: str):
        for p in patterns:
            part = getattr(p.pattern, "_route", None)
            if part is None:  # a regular expression: only the API's catch-all and the admin use them
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + part)
            elif isinstance(p, URLPattern):
                template = prefix + part
                if template.startswith(SKIPPED_PREFIXES):
                    continue
                params = re.findall(r"<(\w+):(\w+)>", template)
                routes.append(Route(template, p.name or "", params))

    walk(get_resolver().url_patterns, "")
    return routes


def api_operations() -> list[tuple[str, str, list[str]]]:
    """(method, path template, path parameter names) of every operation in the OpenAPI schema."""
    from jianyan.api.main import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            if method in ("get", "post", "patch", "put", "delete"):
                names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
                ops.append((method, path, names))
                BODY_FIELDS[(method, path)] = body_fields(schema, op)
    return ops


BODY_FIELDS: dict[tuple[str, str], list[str]] = {}


def body_fields(schema, op) -> list[str]:
    """The string fields of an operation's JSON body (so a read with a body can be sent a valid one)."""
    ref = (op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref"))
    if not ref:
        return []
    props = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})
    return [name for name, prop in props.items() if prop.get("type") == "string"]


def lookalike_body(method: str, path: str) -> dict[str, str]:
    return {name: LOOKALIKE.get(name, LOOKALIKE["text"]) for name in BODY_FIELDS.get((method, path), [])
            if name in LOOKALIKE}


def api_url(path: str, names: list[str], proposal_id: int | None) -> str:
    for name in names:
        is_proposal = "proposal" in name or (name in ("pk", "id") and "/proposals/{" in path)
        value = proposal_id if is_proposal and proposal_id is not None else ("submit" if name == "action" else 1)
        path = path.replace("{" + name + "}", str(value))
    return path


def mentions_a_proposal(path: str, names: list[str]) -> bool:
    return any("proposal" in n or (n in ("pk", "id") and "/proposals/{" in path) for n in names)


def text_of(response) -> str:
    """Everything a person could read in the answer: HTML, JSON, CSV, and the XML inside DOCX/XLSX."""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if body[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    return body.decode("utf-8", "replace")


@pytest.fixture
def proposals(stage, outsider, leader, clerk):
    """One joint proposal (member + co-signer) in each state, and two of another committee."""
    built = {state: getattr(stage, state)(title=f"关于{PHRASES[state]}的提案")
             for state in ("draft", "cosigning", "submitted", "registered", "assigned", "return_requested",
                           "handling", "reply_audit", "replied")}
    other = outsider.profile.committee
    term = Term.objects.create(committee=other, number=9, start_year=2022)
    from django.utils import timezone

    today = timezone.localdate()
    Session.objects.create(term=term, sitting=4, year=today.year, plenary_start=today, plenary_end=today,
                           submission_deadline=timezone.now() + timezone.timedelta(days=30))
    built["other_committee"] = submitted(outsider, title=f"关于{PHRASES['other_committee']}的提案")
    built["other_committee_draft"] = draft(outsider, title=f"关于{PHRASES['other_committee_draft']}的提案")
    return built


class Matrix:
    def __init__(self, everyone, proposals, api):
        self.users = {**everyone, "anonymous": None}
        self.proposals = proposals
        self.api = api
        self.problems: list[str] = []
        self.answers = 0

    def hidden_from(self, role: str) -> dict[str, Proposal]:
        user = self.users[role]
        visible = set(proposals_visible_to(user).values_list("pk", flat=True)) if user else set()
        return {state: p for state, p in self.proposals.items() if p.pk not in visible}

    def client(self, role: str) -> Client:
        client = Client()
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def check_answer(self, role, label, response, hidden):
        self.answers += 1
        if response.status_code >= 500:
            self.problems.append(f"{role} {label}: {response.status_code}")
            return
        text = text_of(response)
        leaked = [state for state, p in hidden.items() if PHRASES[state] in text]
        if leaked:
            self.problems.append(f"{role} {label}: shows {', '.join(leaked)}")

    def same_as_missing(self, role, label, response, missing_response):
        if response.status_code != missing_response.status_code:
            self.problems.append(f"{role} {label}: {response.status_code}, but {missing_response.status_code} "
                                 "for a proposal that does not exist")

    def state_snapshot(self):
        return (AuditEvent.objects.count(),
                sorted(Proposal.objects.values_list("pk", "state", "title", "version")))

    # ---- the site ------------------------------------------------------------------------------

    def check_site(self, role: str, routes: list[Route]):
        hidden = self.hidden_from(role)
        client = self.client(role)
        for route in routes:
            if route.proposal_param is None:
                url = route.url(None)
                self.check_answer(role, f"GET {url}", client.get(url, SEARCH_PARAMS), hidden)
                continue
            missing = client.get(route.url(MISSING))
            self.check_answer(role, f"GET {route.url(MISSING)}", missing, hidden)
            for state, p in self.proposals.items():
                url = route.url(p.pk)
                response = client.get(url)
                self.check_answer(role, f"GET {url} ({state})", response, hidden)
                if state in hidden:
                    self.same_as_missing(role, f"GET {url} ({state})", response, missing)
            self.check_unsafe_site(role, client, route, hidden)

    def check_unsafe_site(self, role, client, route, hidden):
        missing = client.post(route.url(MISSING), {})
        before = self.state_snapshot()
        for state, p in hidden.items():
            url = route.url(p.pk)
            response = client.post(url, {"title": "改", "note": "改", "confirm": "1"})
            self.check_answer(role, f"POST {url} ({state})", response, hidden)
            self.same_as_missing(role, f"POST {url} ({state})", response, missing)
        if self.state_snapshot() != before:
            self.problems.append(f"{role} POST {route.template}: changed a proposal it may not see")

    # ---- the API -------------------------------------------------------------------------------

    def check_api(self, role: str, ops):
        hidden = self.hidden_from(role)
        client = self.api(self.users[role])
        for method, path, names in ops:
            if not mentions_a_proposal(path, names):
                url = api_url(path, names, None)
                if method == "get":
                    self.check_answer(role, f"GET {url}", client.get(url, SEARCH_PARAMS), hidden)
                elif "/assist/" in path:  # reads with a body: similar proposals, precheck, suggestions
                    response = client.post(url, lookalike_body(method, path))
                    self.check_answer(role, f"POST {url}", response, hidden)
                    if response.status_code == 400:  # the body was wrong: the check would prove nothing
                        self.problems.append(f"{role} POST {url}: {response.status_code}, the read was not made")
                continue
            if method == "get":
                missing = client.get(api_url(path, names, MISSING))
                for state, p in self.proposals.items():
                    url = api_url(path, names, p.pk)
                    response = client.get(url)
                    self.check_answer(role, f"GET {url} ({state})", response, hidden)
                    if state in hidden:
                        self.same_as_missing(role, f"GET {url} ({state})", response, missing)
            else:
                self.check_unsafe_api(role, client, method, path, names, hidden)

    def check_unsafe_api(self, role, client, method, path, names, hidden):
        send = client.delete if method == "delete" else (lambda url: client.send(method, url, {}))
        missing = send(api_url(path, names, MISSING))
        before = self.state_snapshot()
        for state, p in hidden.items():
            url = api_url(path, names, p.pk)
            response = send(url)
            self.check_answer(role, f"{method.upper()} {url} ({state})", response, hidden)
            self.same_as_missing(role, f"{method.upper()} {url} ({state})", response, missing)
        if self.state_snapshot() != before:
            self.problems.append(f"{role} {method.upper()} {path}: changed a proposal it may not see")


@pytest.fixture
def matrix(everyone, proposals, api, media_root):
    return Matrix(everyone, proposals, api)


def test_the_enumeration_finds_the_pages_and_operations():
    routes = site_routes()
    templates = {r.template for r in routes}
    assert {"proposals/<int:pk>/", "workspace/", "search/", "login/"} <= templates
    assert sum(1 for r in routes if r.proposal_param) >= 4
    ops = api_operations()
    assert any(path.endswith("/proposals/{proposal_id}") or "/proposals/{" in path for _, path, _ in ops)
    assert len(ops) >= 10


def test_each_role_sees_what_the_matrix_expects(matrix):
    """The ground truth itself, so a change in core.access shows up here first."""
    hidden = {role: set(matrix.hidden_from(role)) for role in ROLES}
    everything = set(PHRASES)
    assert hidden["anonymous"] == everything
    assert hidden["admin"] == set()
    assert hidden["outsider"] == everything - {"other_committee", "other_committee_draft"}
    assert "draft" in hidden["staff"] and "registered" not in hidden["staff"] and "other_committee" in hidden["staff"]
    assert hidden["liaison"] >= {"draft", "submitted", "registered", "other_committee"}
    assert "handling" not in hidden["liaison"]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_the_site_leaks(matrix, role):
    matrix.check_site(role, site_routes())
    assert matrix.answers > 100
    assert not matrix.problems, "\n".join(matrix.problems)


@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_leaks(matrix, role):
    matrix.check_api(role, api_operations())
    assert matrix.answers > 50
    assert not matrix.problems, "\n".join(matrix.problems)


@pytest.mark.parametrize("role", ["member", "staff", "liaison", "leader", "outsider"])
def test_the_admin_refuses_everyone_but_the_superuser(matrix, role):
    response = matrix.client(role).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---- the matrix must be able to fail: a deliberately leaky page and API-free urlconf --------------

def leaky_list(request):
    from django.http import HttpResponse

    return HttpResponse(" ".join(Proposal.objects.values_list("title", flat=True)))


def leaky_detail(request, pk):
    from django.http import HttpResponse

    return HttpResponse("ok", status=200 if Proposal.objects.filter(pk=pk).exists() else 404)


def leaky_urlpatterns():
    from django.urls import include, path

    return [path("leaky/", leaky_list), path("leaky/proposals/<int:pk>/", leaky_detail),
            path("", include("jianyan.urls"))]


urlpatterns = leaky_urlpatterns()


def test_the_matrix_catches_a_leaky_list_and_an_existence_oracle(matrix, settings):
    settings.ROOT_URLCONF = __name__
    routes = [r for r in site_routes() if r.template.startswith("leaky/")]
    assert len(routes) == 2
    matrix.check_site("member", routes)
    assert any("GET /leaky/: shows" in p and "other_committee" in p for p in matrix.problems)
    assert any(p.startswith("member GET /leaky/proposals/") and "does not exist" in p for p in matrix.problems)
