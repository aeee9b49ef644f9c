"""Reference data (units, themes, reason codes, sessions), the year's statistics, and the API's docs."""

import sys
import types

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from jianyan.people.models import Unit


def test_units_and_themes_are_those_of_the_users_committee(api, member, outsider, unit_gxj, unit_kjj, themes):
    units = api(member).get("units").json()["items"]
    assert units == [
        {"id": unit_gxj.pk, "name": "市工信局", "full_name": "阳泉市工业和信息化局", "system": "government",
         "system_label": "政府"},
        {"id": unit_kjj.pk, "name": "市科技局", "full_name": "阳泉市科学技术局", "system": "government",
         "system_label": "政府"},
    ]
    got = api(member).get("themes").json()["items"]
    assert [(t["id"], t["name"], t["national_area"]) for t in got] == [
        (t.pk, t.name, t.national_area) for t in themes]
    assert got[0]["national_area_label"] == "经济建设"
    # Another committee's member sees none of them.
    assert api(outsider).get("units").json() == {"items": []}
    assert api(outsider).get("themes").json() == {"items": []}


def test_inactive_units_are_not_offered(api, member, unit_gxj, unit_kjj):
    Unit.objects.filter(pk=unit_kjj.pk).update(is_active=False)
    assert [u["name"] for u in api(member).get("units").json()["items"]] == ["市工信局"]


def test_reason_codes_and_sessions(api, staff, session):
    codes = api(staff).get("reason-codes").json()["items"]
    assert codes[0] == {"code": "R1", "text": "涉及党和国家秘密"}
    assert [c["code"] for c in codes][-1] == "R10"
    sessions = api(staff).get("sessions").json()["items"]
    assert [(s["id"], s["label"], s["year"], s["term"], s["sitting"]) for s in sessions] == [
        (session.pk, "市政协十四届四次会议", session.year, 14, 4)]


def test_only_an_admin_may_name_another_committee(api, admin_user, member, outsider, unit_gxj):
    assert [u["name"] for u in api(admin_user).get("units").json()["items"]] == ["市工信局"]  # the first committee
    assert api(admin_user).get("units", {"committee": "jq"}).json() == {"items": []}
    assert api(admin_user).get("units", {"committee": "nowhere"}).status_code == 404
    response = api(member).get("units", {"committee": "jq"})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "您只能查看本政协的数据"
    assert api(member).get("units", {"committee": "yq"}).status_code == 200


@pytest.fixture
def fake_statistics(monkeypatch):
    calls = []

    def year_statistics(*, year, committee):
        calls.append((year, committee.code))
        return {"year": year, "received": 7, "registration_rate": 0.8571}

    module = types.ModuleType("jianyan.reports.statistics")
    module.year_statistics = year_statistics
    monkeypatch.setitem(sys.modules, "jianyan.reports.statistics", module)
    return calls


def test_statistics_are_for_staff_and_leaders(api, fake_statistics, everyone):
    got = {role: api(user).get("stats", {"year": 2024}).status_code for role, user in everyone.items()}
    assert got == {"member": 403, "cosigner": 403, "clerk": 403, "staff": 200, "liaison": 403, "liaison2": 403,
                   "leader": 200, "outsider": 403, "admin": 200}
    assert fake_statistics == [(2024, "yq")] * 3
    response = api(everyone["member"]).get("stats")
    assert response.json()["error"]["message"] == "只有提案委工作人员和领导可以查看统计"


def test_statistics_pass_year_and_committee_through(api, fake_statistics, staff, admin_user, outsider):
    body = api(staff).get("stats", {"year": 2024}).json()
    assert body == {"year": 2024, "received": 7, "registration_rate": 0.8571}
    api(staff).get("stats")
    api(admin_user).get("stats", {"year": 2023, "committee": "jq"})
    assert fake_statistics == [(2024, "yq"), (timezone.localdate().year, "yq"), (2023, "jq")]
    assert api(staff).get("stats", {"year": 2024, "committee": "jq"}).status_code == 403
    assert api(staff).get("stats", {"year": "二〇二四"}).status_code == 400
    assert api(staff).get("stats", {"year": "99999999999999999999"}).status_code == 400


def test_statistics_from_the_reports_module(api, stage, staff, session):
    pytest.importorskip("jianyan.reports.statistics")
    stage.registered()
    response = api(staff).get("stats", {"year": session.year})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == session.year
    assert body["received"] == 1


def test_the_openapi_schema_declares_the_contract(api, db):
    response = api().get("openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/auth/token", "post"), ("/api/v1/proposals", "get"), ("/api/v1/proposals", "post"),
        ("/api/v1/proposals/{id}", "get"), ("/api/v1/proposals/{id}", "patch"),
        ("/api/v1/proposals/{id}/timeline", "get"), ("/api/v1/proposals/{id}/actions/{action}", "post"),
        ("/api/v1/stats", "get"), ("/api/v1/units", "get"), ("/api/v1/themes", "get"),
        ("/api/v1/notifications", "get"), ("/api/v1/notifications/{id}/read", "post"),
    ]:
        assert method in paths.get(path, {}), (method, path)
    action = paths["/api/v1/proposals/{id}/actions/{action}"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(action["responses"])
    assert action["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}
    action_param = next(p for p in action["parameters"] if p["name"] == "action")
    assert {"submit", "register", "rate_quality"} <= set(action_param["schema"]["enum"])
    bodies = action["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert {"$ref": "#/components/schemas/AssignAction"} in bodies
    components = schema["components"]
    assert components["schemas"]["AssignAction"]["required"] == ["units"]
    assert "UnitPlan" in components["schemas"]
    assert components["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    listing = paths["/api/v1/proposals"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"year", "session", "state", "category", "unit", "q",
                                                          "page", "page_size"}


def test_the_docs_page_uses_only_local_assets(api, db):
    response = api().get("docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), asset
