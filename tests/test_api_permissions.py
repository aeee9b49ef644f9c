"""Who may do what over the API: for every action and every role of the cast, a proposal the role
cannot see answers 404, one it sees but may not act on answers 403, and an allowed act succeeds.

Each case brings the member's joint proposal (member1 + co-signer member2, assigned to 市工信局 lead and
市科技局 co) to the state the action needs; forbidden roles try first and change nothing, then each
allowed role acts on a fresh copy."""

import pytest
from django.utils import timezone

ROLES = ["member", "cosigner", "clerk", "staff", "liaison", "liaison2", "leader", "outsider", "admin"]
UNIT_ROLES = {"liaison", "liaison2"}
REVIEWERS = {"staff", "admin"}


def case(stage, allowed, forbidden, body=None):
    """The expected status of each role: 200 allowed, 403 forbidden, 404 for everyone else."""
    expected = {role: 404 for role in ROLES}
    expected.update({role: 403 for role in forbidden})
    expected.update({role: 200 for role in allowed})
    return {"stage": stage, "expected": expected, "body": body or (lambda ctx: {})}


def today(ctx):
    return timezone.localdate().isoformat()


CASES = {
    "submit": case("draft", {"member"}, {"cosigner", "admin"}),
    "cosign": case("cosigning", {"cosigner"}, {"member", "admin"}, lambda ctx: {"accept": True}),
    "return": case("submitted", REVIEWERS, {"member", "cosigner", "leader"}, lambda ctx: {"note": "请补充数据"}),
    "register": case("submitted", REVIEWERS, {"member", "cosigner", "leader"},
                     lambda ctx: {"category": ctx["themes"][0].pk}),
    "reject": case("submitted", REVIEWERS, {"member", "cosigner", "leader"}, lambda ctx: {"reason_code": "R10"}),
    "convert": case("submitted", REVIEWERS, {"member", "cosigner", "leader"}),
    "merge": case("submitted", REVIEWERS, {"member", "cosigner", "leader"}, lambda ctx: {"into": ctx["stage"].registered(title="关于推进专精特新企业发展的提案").pk}),
    "assign": case("registered", REVIEWERS, {"member", "cosigner", "leader"}, lambda ctx: {"units": [
        {"unit": ctx["unit_gxj"].pk, "mode": "lead"}, {"unit": ctx["unit_kjj"].pk, "mode": "co"}]}),
    "sign": case("assigned", UNIT_ROLES, {"member", "cosigner", "staff", "leader", "admin"}),
    "request_return": case("assigned", UNIT_ROLES, {"member", "cosigner", "staff", "leader", "admin"},
                           lambda ctx: {"reason": "不属于本单位职责"}),
    "decide_return": case("return_requested", REVIEWERS, {"member", "cosigner", "leader", "liaison", "liaison2"},
                          lambda ctx: {"accept": False}),
    "consult": case("handling", UNIT_ROLES | REVIEWERS, {"member", "cosigner", "leader"}, lambda ctx: {
        "form": "phone", "date": today(ctx), "participants": "张委员", "outcome": "交换了意见"}),
    "co_opinion": case("handling", {"liaison2"}, {"member", "cosigner", "staff", "leader", "admin", "liaison"},
                       lambda ctx: {"text": "同意主办单位意见"}),
    "reply": case("handling", {"liaison"}, {"member", "cosigner", "staff", "leader", "admin", "liaison2"},
                  lambda ctx: {"result_class": "A", "body": "已解决。", "signer": "王局长"}),
    "approve_reply": case("reply_audit", REVIEWERS, {"member", "cosigner", "leader", "liaison", "liaison2"}),
    "send_back_reply": case("reply_audit", REVIEWERS, {"member", "cosigner", "leader", "liaison", "liaison2"},
                            lambda ctx: {"note": "答复过于简单"}),
    "evaluate": case("replied", {"member", "cosigner"}, {"staff", "leader", "admin", "liaison", "liaison2"},
                     lambda ctx: {"attitude": "satisfied", "result": "satisfied"}),
    "close": case("replied", REVIEWERS, {"member", "cosigner", "leader", "liaison", "liaison2"}),
    "rate_quality": case("handling", UNIT_ROLES, {"member", "cosigner", "staff", "leader", "admin"}, lambda ctx: {
        "scores": {"science": 18, "seriousness": 18, "feasibility": 16, "norm": 17, "impact": 15}}),
}


@pytest.fixture
def ctx(everyone, stage, api, themes, unit_gxj, unit_kjj, committee):
    committee.evaluation_window_days = 0  # so that staff may close a replied proposal at once
    committee.save(update_fields=["evaluation_window_days"])
    return {"users": everyone, "stage": stage, "api": api, "themes": themes, "unit_gxj": unit_gxj,
            "unit_kjj": unit_kjj}


@pytest.mark.parametrize("action", list(CASES))
def test_each_role_gets_404_403_or_success_for_each_action(action, ctx):
    spec = CASES[action]
    make = getattr(ctx["stage"], spec["stage"])
    body = spec["body"](ctx)
    clients = {role: ctx["api"](user) for role, user in ctx["users"].items()}

    proposal = make()
    before = clients["admin"].get(f"proposals/{proposal.pk}").json()
    got = {}
    for role, status in spec["expected"].items():
        if status != 200:
            response = clients[role].act(proposal, action, **body)
            got[role] = response.status_code
            assert set(response.json()) == {"error"}
    after = clients["admin"].get(f"proposals/{proposal.pk}").json()
    assert (after["state"], after["version"]) == (before["state"], before["version"]), "a refused act changed it"

    for role, status in spec["expected"].items():
        if status == 200:
            response = clients[role].act(make(), action, **body)
            got[role] = response.status_code
            assert response.status_code == 200, (role, response.content.decode())
            assert response.json()["version"] > before["version"] or action == "decide_return"
    assert got == spec["expected"]


def test_edit_is_for_the_author_only(ctx):
    expected = {role: 404 for role in ROLES} | {"member": 200, "cosigner": 403, "admin": 403}
    proposal = ctx["stage"].draft()
    got = {role: ctx["api"](user).patch(f"proposals/{proposal.pk}", {"contact": "13800000000"}).status_code
           for role, user in ctx["users"].items()}
    assert got == expected


@pytest.mark.parametrize("path", ["proposals/{pk}", "proposals/{pk}/timeline"])
def test_reading_a_proposal_in_handling_is_for_its_proposers_staff_leader_admin_and_units(path, ctx):
    proposal = ctx["stage"].handling()
    got = {role: ctx["api"](user).get(path.format(pk=proposal.pk)).status_code
           for role, user in ctx["users"].items()}
    assert got == {role: 200 for role in ROLES} | {"clerk": 404, "outsider": 404}


def test_drafts_are_private_to_their_proposers(ctx):
    proposal = ctx["stage"].draft()
    got = {role: ctx["api"](user).get(f"proposals/{proposal.pk}").status_code
           for role, user in ctx["users"].items()}
    assert got == {role: 404 for role in ROLES} | {"member": 200, "cosigner": 200, "admin": 200}


def test_a_missing_proposal_and_an_invisible_one_answer_alike(ctx):
    proposal = ctx["stage"].handling()
    outsider = ctx["api"](ctx["users"]["outsider"])
    invisible = outsider.act(proposal, "sign")
    missing = outsider.act(10**12, "sign")
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json()
