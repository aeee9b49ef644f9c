"""Theme and unit suggestions learned from the committee's own history and rows; the draft pre-check
under the committee's rules."""

import pytest

from jianyan.assist import learning, services
from jianyan.core.errors import InvalidInput, NotAllowed
from jianyan.handling import workflow as handling
from jianyan.people.models import Theme, Unit
from jianyan.proposals import workflow as proposals

TEXT = "关于扩大社区老年助餐服务覆盖面的提案"
HISTORY = ["关于发展社区老年助餐服务的提案", "关于完善老年助餐点布局的提案", "关于推进老年食堂建设的提案"]


def handled(member, staff, title, theme, unit, co=None):
    p = proposals.create_proposal(actor=member, title=title, background="老年人就餐难，社区缺少助餐点。",
                                  suggestions=["建设社区老年助餐点"])
    p = proposals.register_proposal(proposals.submit_proposal(p, actor=member), actor=staff, theme=theme)
    plan = [{"unit": unit.pk, "mode": "lead"}] + ([{"unit": co.pk, "mode": "co"}] if co else [])
    return handling.assign_proposal(p, actor=staff, units=plan)


def test_suggestions_learn_the_committees_registrations_and_lead_units(
        member, staff, committee, themes, unit_gxj, unit_kjj, unit_jyj):
    industry = next(t for t in themes if t.name == "产业转型")
    before = services.suggest(committee, TEXT)
    assert before.themes[0].name != "产业转型" and before.units[0].name != "市科技局"
    for title in HISTORY:  # an unusual routing, which only the history can teach
        handled(member, staff, title, industry, unit_kjj)
    after = services.suggest(committee, TEXT)  # the cached models saw the new history
    assert (after.themes[0].id, after.themes[0].name) == (industry.pk, "产业转型")
    assert after.themes[0].reason == "过去 3 件同类提案归入产业转型"
    assert (after.units[0].id, after.units[0].name) == (unit_kjj.pk, "市科技局")
    assert after.units[0].reason == "过去 3 件同类提案由市科技局主办"
    assert len(after.themes) == len(after.units) == 3
    assert after.units[0].score > 0.5 and sum(s.score for s in after.units) <= 1.0001
    models = learning.committee_models(committee)
    assert (models.theme_examples, models.unit_examples) == (3, 3)


def test_only_active_lead_assignments_teach_units(member, staff, committee, themes, unit_gxj, unit_kjj):
    for title in HISTORY:
        handled(member, staff, title, themes[0], unit_gxj, co=unit_kjj)
    found = services.suggest_units(committee, TEXT)
    assert found[0].name == "市工信局" and found[0].reason == "过去 3 件同类提案由市工信局主办"
    assert "市科技局主办" not in " ".join(s.reason for s in found)


def test_cold_start_from_the_committees_own_themes_and_unit_duties(committee, themes, unit_gxj):
    park = Unit.objects.create(committee=committee, name="市园林局", full_name="阳泉市园林绿化局",
                               duties="负责城市园林绿化、公园和绿地建设管理、古树名木保护。")
    digital = Theme.objects.create(committee=committee, name="数字政府", national_area=Theme.Area.POLITICS,
                                   description="政务数字化", keywords="电子证照 数据共享 一网通办 政务数据")
    [unit] = services.suggest_units(committee, "关于增加城市口袋公园和绿地的提案", top=1)
    assert (unit.id, unit.name) == (park.pk, "市园林局")
    assert unit.reason.startswith("职能相关：")
    [theme] = services.suggest_themes(committee, "关于推进电子证照数据共享的提案", top=1)
    assert (theme.id, theme.name) == (digital.pk, "数字政府")
    assert theme.reason.startswith("主题相关：")
    park.is_active = False
    park.save()
    assert "市园林局" not in [s.name for s in services.suggest_units(committee, "关于增加城市口袋公园和绿地的提案")]


def test_suggestions_for_a_proposal_and_for_a_text_are_for_staff(member, staff, leader, committee, themes, unit_gxj):
    p = proposals.submit_proposal(proposals.create_proposal(
        actor=member, title="关于加快传统产业技术改造的提案", background="传统产业设备老化。",
        suggestions=["设立技术改造专项资金"]), actor=member)
    assert services.suggestions_for(staff, p.pk).units[0].name == "市工信局"
    assert services.suggest_for_user(staff, "关于加快传统产业技术改造的提案").themes[0].name == "产业转型"
    with pytest.raises(NotAllowed):
        services.suggestions_for(member, p.pk)
    with pytest.raises(NotAllowed):
        services.suggest_for_user(leader, "关于加快传统产业技术改造的提案")
    with pytest.raises(InvalidInput):
        services.suggest(committee, "   ")


def test_precheck_counts_the_body_against_the_committees_limit(committee):
    committee.body_max_chars = 100
    committee.save()
    title = "关于加快老旧小区既有住宅加装电梯，切实方便老年居民上下楼出行的提案"
    background = "我市老旧小区多为六层以下住宅，没有电梯。" * 4  # 80 characters
    fits = services.precheck(title=title, background=background, suggestions=["设立加装电梯专项补助资金"],
                             committee=committee)
    assert "too_long" not in [f.code for f in fits]  # title + body is over 100, the body is not
    too_long = services.precheck(title=title, background=background,
                                 suggestions=["设立加装电梯专项补助资金", "简化加装电梯审批流程，推行一窗受理"],
                                 committee=committee)
    [finding] = [f for f in too_long if f.code == "too_long"]
    assert finding.severity == "error" and "100 字" in finding.message and too_long[0] is finding
    committee.body_max_chars = 2500
    committee.save()
    assert "too_long" not in [f.code for f in services.precheck(
        title=title, background=background, suggestions=["设立加装电梯专项补助资金"], committee=committee)]


def test_precheck_of_a_plain_text_draft_finds_the_parts_and_what_is_missing(committee):
    draft, findings = services.precheck_text(
        "关于加强领导的建议\n情况分析：\n有关工作重视不够。\n具体建议：\n1. 高度重视，加强领导，形成合力。", committee)
    assert draft.title == "关于加强领导的建议"
    assert draft.background == "有关工作重视不够。"
    assert draft.suggestions == ["高度重视，加强领导，形成合力。"]
    codes = [f.code for f in findings]
    assert "R10" in codes and "short_background" in codes and "title_form" not in codes
    assert findings[0].severity == "error"
    assert services.precheck_summary(findings)["error"] >= 1
