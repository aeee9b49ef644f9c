"""The OpenAPI schema is complete and accurate: every operation declares every status it can answer with,
each error with the one error body; and the answers of real calls (successes and each kind of error)
validate against the operation's declared response, checked by Schemathesis's own validator."""

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.core.transport import Response

from jianyan.api.main import api as ninja_api
from jianyan.proposals.models import State

ERROR_REF = "#/components/schemas/ErrorOut"
UNSAFE = {"post", "put", "patch", "delete"}
PASSWORD = "demo-pass-2024"


def served_schema(client) -> dict:
    response = client.get("openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_declares_its_errors_with_the_error_body(api, db):
    schema = served_schema(api())
    assert schema["openapi"].startswith("3.")
    seen = 0
    for path, method, op in operations(schema):
        seen += 1
        label = f"{method.upper()} {path}"
        statuses = {int(s) for s in op["responses"]}
        where = {p["in"] for p in op.get("parameters", [])}
        assert any(200 <= s < 300 for s in statuses), label
        assert 429 in statuses, label
        if op.get("security"):
            assert 401 in statuses, label
            if method in UNSAFE:
                assert 403 in statuses, label  # CSRF of a browser session
        if "path" in where:
            assert 404 in statuses, label
        if "query" in where or "requestBody" in op:
            assert 400 in statuses, label
        assert 422 not in statuses, label  # validation errors are 400s here, never ninja's 422
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (label, status)
                assert response["description"] and response["description"] != "Unauthorized", (label, status)
        assert op.get("operationId") and op.get("summary"), label
    assert seen >= 22


def test_the_error_body_is_code_message_and_optional_fields(api, db):
    schemas = served_schema(api())["components"]["schemas"]
    body = schemas["ErrorBody"]
    assert set(body["required"]) == {"code", "message"}
    assert set(body["properties"]) == {"code", "message", "fields"}
    assert schemas["ErrorOut"]["required"] == ["error"]


def test_the_429_declares_retry_after(api, db):
    for path, method, op in operations(served_schema(api())):
        assert "Retry-After" in op["responses"]["429"]["headers"], f"{method} {path}"


def test_lists_document_their_filters_pagination_and_ordering(api, db):
    schema = served_schema(api())

    def query_of(path):
        return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}

    proposals = query_of("/api/v1/proposals")
    assert {"year", "session", "state", "category", "unit", "q", "page", "page_size", "ordering"} <= set(proposals)
    assert all(p.get("description") for name, p in proposals.items() if name not in ("page", "page_size"))
    assert {"page", "page_size", "unread"} <= set(query_of("/api/v1/notifications"))
    for path in ("/api/v1/units", "/api/v1/themes", "/api/v1/sessions", "/api/v1/reason-codes"):
        assert "committee" in query_of(path), path


# ---- real answers validate against the schema ------------------------------------------------------

class Checker:
    """Validates Django test responses with Schemathesis against the served schema."""

    def __init__(self, schema: dict):
        self.raw = schema
        self.schema = schemathesis.openapi.from_dict(schema)
        self.checked: set[tuple[str, str, int]] = set()

    def __call__(self, method: str, template: str, response, status: int):
        assert response.status_code == status, (method, template, response.status_code, response.content[:300])
        declared = self.raw["paths"][template][method]["responses"]
        assert str(response.status_code) in declared, f"undeclared status {response.status_code} of {template}"
        operation = self.schema[template][method.upper()]
        request = requests.Request(method.upper(), f"http://testserver{template}").prepare()
        wrapped = Response(status_code=response.status_code,
                           headers={k.lower(): [v] for k, v in response.headers.items()},
                           content=response.content, request=request, elapsed=0.0, verify=False)
        operation.validate_response(wrapped)  # raises on an undeclared status or a body that does not fit
        self.checked.add((method, template, status))


def test_answers_of_real_calls_fit_the_schema(api, everyone, stage, themes, settings):
    member, staff, outsider = everyone["member"], everyone["staff"], everyone["outsider"]
    check = Checker(served_schema(api()))
    P, PID = "/api/v1/proposals", "/api/v1/proposals/{id}"
    draft = stage.draft()
    submitted = stage.submitted()

    check("get", P, api(member).get("proposals", {"ordering": "-submitted_at", "page_size": 5}), 200)
    check("get", P, api(member).get("proposals", {"page": 0}), 400)
    check("get", P, api().get("proposals"), 401)
    check("get", PID, api(member).get(f"proposals/{draft.pk}"), 200)
    check("get", PID, api(outsider).get(f"proposals/{draft.pk}"), 404)
    check("get", PID + "/timeline", api(member).get(f"proposals/{submitted.pk}/timeline"), 200)
    check("post", P, api(member).post("proposals", {"title": "关于完善社区养老服务的提案"}), 201)
    check("post", P, api(staff).post("proposals", {"title": "工作人员不能撰写提案"}), 403)
    check("post", P, api(member).post("proposals", {"title": 5}), 400)
    check("patch", PID, api(member).patch(f"proposals/{draft.pk}", {"title": "新案由", "version": 999}), 409)
    check("post", PID + "/actions/{action}", api(staff).act(submitted, "register", category=themes[0].pk), 200)
    check("post", PID + "/actions/{action}", api(staff).act(submitted, "register", category=themes[0].pk), 409)
    check("post", PID + "/actions/{action}", api(member).act(draft, "register", category=themes[0].pk), 403)
    for path in ("units", "themes", "sessions", "reason-codes"):
        check("get", f"/api/v1/{path}", api(member).get(path), 200)
    check("get", "/api/v1/units", api(member).get("units", {"committee": "x" * 40}), 400)
    check("get", "/api/v1/stats", api(member).get("stats"), 403)
    check("get", "/api/v1/notifications", api(member).get("notifications"), 200)
    check("post", "/api/v1/notifications/{id}/read", api(member).post("notifications/999999/read"), 404)
    check("get", "/api/v1/me", api(member).get("me"), 200)
    check("post", "/api/v1/auth/token", api().post("auth/token", {"username": "member1", "password": PASSWORD}), 200)
    check("post", "/api/v1/auth/token", api().post("auth/token", {"username": "member1", "password": "x"}), 400)
    check("post", "/api/v1/assist/precheck", api(member).post("assist/precheck", {"title": "关于养老的提案"}), 200)
    settings.JIANYAN_API_RATE_LIMITS = {"token": "1/60", "anonymous": "1/60"}
    client = api(member)
    client.get("me")
    check("get", "/api/v1/me", client.get("me"), 429)
    assert {status for _, _, status in check.checked} >= {200, 201, 400, 401, 403, 404, 409, 429}


def test_every_operation_is_in_the_served_schema(api, db):
    """The schema the docs page reads is the one ninja builds (one NinjaAPI, nothing hand-written)."""
    served = served_schema(api())
    built = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    assert set(served["paths"]) == set(built["paths"])


def test_states_in_the_schema_are_the_models_states(api, db):
    schema = served_schema(api())
    state = next(p for p in schema["paths"]["/api/v1/proposals"]["get"]["parameters"] if p["name"] == "state")
    assert {"$ref": "#/components/schemas/State"} in state["schema"]["anyOf"]
    assert schema["components"]["schemas"]["State"]["enum"] == list(State.values)


def test_the_checker_refuses_an_undeclared_status_and_a_body_that_does_not_fit(api, member):
    from django.http import JsonResponse

    check = Checker(served_schema(api()))
    with pytest.raises(AssertionError, match="undeclared status 418"):
        check("get", "/api/v1/me", JsonResponse({"error": {"code": "x", "message": "y"}}, status=418), 418)
    with pytest.raises(Exception, match="username|required"):
        check("get", "/api/v1/me", JsonResponse({"name": "no username"}), 200)


# ---- a small Schemathesis run in-process (the full one runs against a live server in .ci/run) -------

FUZZ_EXAMPLES = 3


@pytest.fixture
def fuzz_token(everyone, stage, settings):
    """Staff's token over a committee with proposals in several states; no rate limit in the way."""
    from jianyan.api.models import ApiToken

    settings.JIANYAN_API_RATE_LIMITS = {"token": "100000/60", "anonymous": "100000/60"}
    stage.draft()
    stage.registered()
    return ApiToken.issue(everyone["staff"], name="fuzz")[1]


@pytest.fixture
def connections_kept_open():
    """Django's test Client keeps the test's connection open across requests; a bare WSGI call would close it
    at the end of each request (and lose the test transaction on PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_fuzzed_calls_never_fail_and_fit_the_schema(fuzz_token, connections_kept_open):
    """A few generated calls per operation, in-process through the WSGI app: no 5xx, status and body declared."""
    from django.core.wsgi import get_wsgi_application
    from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    calls = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") == "revokeToken":
            continue  # would revoke the token every other call uses

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(hypothesis.HealthCheck), phases=[
                                 hypothesis.Phase.explicit, hypothesis.Phase.generate])
        def call(case):
            calls.append(case.operation.label)
            case.call_and_validate(headers=headers,
                                   excluded_checks=[positive_data_acceptance, negative_data_rejection])

        call()
    assert len(set(calls)) >= 21 and len(calls) >= 21 * FUZZ_EXAMPLES // 2
