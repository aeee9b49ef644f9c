"""The proposal committee's pages: review queue and decisions, assignment (one and many), return requests,
reply audit, closing, key proposals, and the dashboard that staff share with leaders."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.handling.models import Assignment, Reply
from jianyan.notifications.models import Notification
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal
from jianyan.supervision.models import KeyProposal
from jianyan.workspace import selectors

pytestmark = pytest.mark.django_db


def detail_url(p):
    return reverse("proposals:detail", args=[p.pk])


def act_url(p, action):
    return reverse("proposals:act", args=[p.pk, action])


def events(p):
    return list(AuditEvent.objects.filter(proposal=p).values_list("action", flat=True))


# ---- the queue ---------------------------------------------------------------------------------

def test_staff_land_on_their_work_in_progress(web, staff, stage):
    stage.submitted()
    html = web(staff).get(reverse("workspace:home")).content.decode()
    assert "提案委员会工作台" in html and "待审查" in html


def test_the_queue_lists_submitted_proposals_with_counts_per_state(web, staff, member, build, themes):
    build.submitted(member, title="关于待审查甲的提案")
    build.registered(member, staff, themes[0], title="关于已立案乙的提案")
    response = web(staff).get(reverse("staff:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "关于待审查甲的提案" in html and "关于已立案乙的提案" not in html
    assert response.context["counts"]["submitted"] == 1 and response.context["counts"]["registered"] == 1


def test_finished_counts_are_counted_once_and_follow_a_finishing_step_at_once(
        web, staff, member, build, django_assert_max_num_queries):
    """The finished states (nine in ten of a committee's years) are counted once per change, not on every page:
    a second look counts only the open states; converting a proposal shows in both counts at once."""
    build.submitted(member, title="关于待审查甲的提案")
    second = build.submitted(member, title="关于待审查乙的提案")
    client = web(staff)
    first_look = client.get(reverse("staff:queue")).context["counts"]
    assert (first_look["submitted"], first_look["converted"]) == (2, 0)
    with django_assert_max_num_queries(30) as queries:
        client.get(reverse("staff:queue"))
    state_counts = [q for q in queries.captured_queries if 'COUNT(*) AS "n"' in q["sql"]]
    assert len(state_counts) == 1 and "'closed'" not in state_counts[0]["sql"]  # only the open states
    proposals.convert_proposal(second, actor=staff, note="转为社情民意信息")
    counts = client.get(reverse("staff:queue")).context["counts"]
    assert (counts["submitted"], counts["converted"]) == (1, 1)
    assert "转意见建议" in client.get(reverse("workspace:home")).content.decode()
    overview = selectors.staff_overview(staff)
    assert (overview["submitted"], overview["converted"]) == (1, 1)


def test_the_queue_filters_by_state_theme_type_date_and_text(web, staff, member, clerk, build, themes):
    build.registered(member, staff, themes[0], title="关于产业甲的提案")
    build.registered(clerk, staff, themes[1], title="关于治理乙的提案")
    client = web(staff)

    def titles(**params):
        return {p.title for p in client.get(reverse("staff:queue"), params).context["page"].object_list}

    assert titles(state="registered") == {"关于产业甲的提案", "关于治理乙的提案"}
    assert titles(state="registered", theme=themes[1].pk) == {"关于治理乙的提案"}
    assert titles(state="registered", proposer_type="party") == {"关于治理乙的提案"}
    assert titles(state="all", q="产业甲") == {"关于产业甲的提案"}
    today = timezone.localdate().isoformat()
    assert titles(state="registered", submitted_from=today, submitted_to=today) == {"关于产业甲的提案", "关于治理乙的提案"}
    assert titles(state="registered", submitted_from="2000-01-01", submitted_to="2000-01-02") == set()
    bad = client.get(reverse("staff:queue"), {"submitted_from": "昨天"})
    assert bad.status_code == 200 and "日期格式应为" in bad.content.decode()


def test_the_queue_answers_htmx_with_the_results_only(web, staff, stage):
    stage.submitted()
    response = web(staff).get(reverse("staff:queue"), {"state": "submitted"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html and "关于加快传统产业改造升级的提案" in html


def test_staff_pages_are_for_staff_only(web, member, liaison, leader):
    for user in (member, liaison, leader):
        for name in ("staff:queue", "staff:assign", "staff:returns", "staff:audit", "staff:key_proposals"):
            response = web(user).get(reverse(name))
            assert response.status_code == 403, (user, name)
    assert "仅供提案委员会工作人员使用" in web(member).get(reverse("staff:queue")).content.decode()


# ---- review decisions ---------------------------------------------------------------------------

def test_the_review_page_shows_the_decision_panel_and_loads_the_assistance_panel(web, staff, stage):
    p = stage.submitted()
    html = web(staff).get(detail_url(p)).content.decode()
    for text in ("立案", "不予立案", "并案", "转为意见建议", "退回修改", "相似提案与建议"):
        assert text in html, text
    assert "R10 内容空泛、没有具体建议" in html
    panel_url = reverse("assist:review_fragment", args=[p.pk])
    assert f'hx-get="{panel_url}"' in html
    assert web(staff).get(panel_url).status_code == 200


def test_the_compose_form_asks_for_similar_proposals_while_typing(web, member):
    html = web(member).get(reverse("proposals:new")).content.decode()
    assert f'hx-get="{reverse("assist:similar_fragment")}"' in html


def test_registering_calls_the_workflow_and_numbers_the_proposal(web, staff, stage, themes, member):
    p = stage.submitted()
    response = web(staff).post(act_url(p, "register"), {"theme": themes[0].pk, "note": "符合立案标准"}, follow=True)
    p.refresh_from_db()
    assert (p.state, p.number, p.theme) == ("registered", 1, themes[0])
    assert "proposal.registered" in events(p)
    assert "已立案，案号第0001号" in response.content.decode()
    assert Notification.objects.filter(user=member, kind="proposal.registered").exists()


def test_registering_without_a_theme_keeps_the_note(web, staff, stage):
    p = stage.submitted()
    response = web(staff).post(act_url(p, "register"), {"theme": "", "note": "我的审查意见"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择本政协的提案主题" in html and "我的审查意见" in html
    p.refresh_from_db()
    assert p.state == "submitted"


def test_rejecting_with_a_coded_reason_and_a_letter(web, staff, stage, member):
    p = stage.submitted()
    response = web(staff).post(act_url(p, "reject"), {"reason_code": "R7", "note": "属个人诉求，建议通过信访渠道反映。"})
    assert response.status_code == 302 and response["Location"] == reverse("staff:queue")
    p.refresh_from_db()
    assert p.state == "not_registered" and p.reject_reason.code == "R7"
    assert p.decision_note == "属个人诉求，建议通过信访渠道反映。"
    assert "proposal.not_registered" in events(p)
    html = web(member).get(detail_url(p)).content.decode()
    assert "R7 为本人或亲属解决个人问题" in html and "属个人诉求" in html


def test_rejecting_without_a_reason_comes_back_with_the_letter_kept(web, staff, stage):
    p = stage.submitted()
    response = web(staff).post(act_url(p, "reject"), {"reason_code": "", "note": "致提案人的函"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择不予立案的理由" in html and "致提案人的函" in html and '<details id="action-reject" open>' in html


def test_merging_into_a_registered_host(web, staff, member, build, themes, stage):
    host = build.registered(member, staff, themes[0], title="关于主提案的提案")
    p = stage.submitted()
    response = web(staff).post(act_url(p, "merge"), {"into": host.pk, "note": "内容相近"}, follow=True)
    p.refresh_from_db()
    assert p.state == "merged" and p.merge_host == host
    assert "已并入提案第0001号办理" in response.content.decode()


def test_merging_into_something_that_is_not_a_host_is_refused(web, staff, stage, member, build):
    other = build.submitted(member, title="关于另一件未立案的提案")
    p = stage.submitted()
    response = web(staff).post(act_url(p, "merge"), {"into": other.pk})
    assert response.status_code == 400 and "只能并入本政协已立案的提案" in response.content.decode()
    response = web(staff).post(act_url(p, "merge"), {"into": "abc"})
    assert response.status_code == 400 and "请选择并入的提案" in response.content.decode()


def test_converting_to_an_opinion(web, staff, stage):
    p = stage.submitted()
    web(staff).post(act_url(p, "convert"), {"note": "转有关部门参考"})
    p.refresh_from_db()
    assert p.state == "converted" and "proposal.converted" in events(p)


def test_returning_for_revision_needs_a_note(web, staff, stage):
    p = stage.submitted()
    response = web(staff).post(act_url(p, "return"), {"note": " "})
    assert response.status_code == 400 and "请填写退回意见" in response.content.decode()
    web(staff).post(act_url(p, "return"), {"note": "请补充调研数据"})
    p.refresh_from_db()
    assert p.state == "returned" and p.decision_note == "请补充调研数据"


def test_a_decision_someone_else_already_took_is_a_409_with_the_message(web, staff, stage, themes):
    p = stage.submitted()
    proposals.convert_proposal(p, actor=staff)
    response = web(staff).post(act_url(p, "register"), {"theme": themes[0].pk})
    assert response.status_code == 409
    assert "提案当前状态为“转意见建议”，不能执行“立案”" in response.content.decode()


def test_a_member_who_may_see_but_not_decide_gets_403(web, member, stage, themes):
    p = stage.submitted()
    response = web(member).post(act_url(p, "register"), {"theme": themes[0].pk})
    assert response.status_code == 403
    assert "您无权对该提案执行“立案”操作" in response.content.decode()


# ---- assignment --------------------------------------------------------------------------------

def test_assigning_to_a_lead_and_a_co_unit_with_the_due_date_prefilled(web, staff, stage, unit_gxj, unit_kjj,
                                                                       liaison):
    p = stage.registered()
    html = web(staff).get(detail_url(p)).content.decode()
    due = handling.default_due_date(p).isoformat()
    assert f'value="{due}"' in html
    response = web(staff).post(act_url(p, "assign"), {"plan": "lead", "lead": unit_gxj.pk, "co": [unit_kjj.pk],
                                                      "due_date": due})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "assigned"
    assert {(a.unit.name, a.mode) for a in p.assignments.all()} == {("市工信局", "lead"), ("市科技局", "co")}
    assert Notification.objects.filter(user=liaison, kind="proposal.assigned").exists()


def test_assigning_separately(web, staff, stage, unit_gxj, unit_kjj):
    p = stage.registered()
    web(staff).post(act_url(p, "assign"), {"plan": "separate", "separate": [unit_gxj.pk, unit_kjj.pk]})
    assert set(Assignment.objects.filter(proposal=p).values_list("mode", flat=True)) == {"separate"}


def test_a_wrong_assignment_plan_comes_back_with_the_choices_kept(web, staff, stage, unit_kjj):
    p = stage.registered()
    response = web(staff).post(act_url(p, "assign"), {"plan": "lead", "lead": "", "co": [unit_kjj.pk],
                                                      "note": "交办说明"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "须指定一个主办单位" in html and "交办说明" in html
    assert f'value="{unit_kjj.pk}" checked' in html
    response = web(staff).post(act_url(p, "assign"), {"plan": "lead", "lead": unit_kjj.pk, "due_date": "2000-01-01"})
    assert response.status_code == 400 and "办理期限不能早于今天" in response.content.decode()


def test_batch_assignment_of_many_registered_proposals(web, staff, member, build, themes, unit_gxj, unit_kjj):
    a = build.registered(member, staff, themes[0], title="关于批量甲的提案")
    b = build.registered(member, staff, themes[0], title="关于批量乙的提案")
    c = build.registered(member, staff, themes[0], title="关于批量丙的提案")
    client = web(staff)
    page = client.get(reverse("staff:assign"))
    assert page.status_code == 200 and "关于批量丙的提案" in page.content.decode()
    response = client.post(reverse("staff:assign"), {
        "proposal": [a.pk, b.pk], f"p{a.pk}-lead": unit_gxj.pk, f"p{a.pk}-co": [unit_kjj.pk],
        f"p{b.pk}-lead": unit_kjj.pk, f"p{c.pk}-lead": unit_gxj.pk,
    })
    assert response.status_code == 302
    states = dict(Proposal.objects.values_list("title", "state"))
    assert states == {"关于批量甲的提案": "assigned", "关于批量乙的提案": "assigned", "关于批量丙的提案": "registered"}


def test_batch_assignment_keeps_each_rows_choices_when_it_comes_back(web, staff, member, build, themes, unit_gxj,
                                                                    unit_kjj):
    import re

    a = build.registered(member, staff, themes[0], title="关于批量甲的提案")
    unit_kjj.name = "市科技局<b>"
    unit_kjj.save()
    response = web(staff).post(reverse("staff:assign"), {"proposal": [a.pk], f"p{a.pk}-plan": "separate",
                                                        f"p{a.pk}-co": [unit_kjj.pk, unit_gxj.pk]})
    assert response.status_code == 400
    html = response.content.decode()

    def options(name):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', select)

    assert ('', '', '请选择') in options(f"p{a.pk}-lead")
    assert {(pk, sel) for pk, sel, _ in options(f"p{a.pk}-co")} == {(str(unit_gxj.pk), " selected"),
                                                                    (str(unit_kjj.pk), " selected")}
    assert all(sel == "" for _, sel, _ in options(f"p{a.pk}-separate") + options(f"p{a.pk}-lead"))
    assert "市科技局&lt;b&gt;" in html and "市科技局<b>" not in html
    assert '<option value="separate" selected>' in html


def test_batch_assignment_reports_the_rows_it_could_not_assign(web, staff, member, build, themes, unit_gxj):
    a = build.registered(member, staff, themes[0], title="关于批量甲的提案")
    b = build.registered(member, staff, themes[0], title="关于批量乙的提案")
    response = web(staff).post(reverse("staff:assign"), {"proposal": [a.pk, b.pk], f"p{a.pk}-lead": unit_gxj.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "已交办 1 件提案" in html and "请选择承办单位" in html and "部分提案未能交办" in html
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == ("assigned", "registered")
    assert web(staff).post(reverse("staff:assign"), {}).status_code == 400


def test_a_return_request_is_listed_and_accepted_with_a_new_unit(web, staff, stage, unit_jyj, liaison3):
    p = stage.return_requested()
    client = web(staff)
    html = client.get(reverse("staff:returns")).content.decode()
    assert p.title in html and "不属于本单位职责" in html
    detail = client.get(detail_url(p)).content.decode()
    assert "处理退回申请" in detail
    response = client.post(act_url(p, "decide_return"), {"accept": "1", "new_unit": unit_jyj.pk, "new_mode": "co",
                                                         "note": "改由教育局会办"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "assigned"
    assert set(p.assignments.filter(is_active=True).values_list("unit__name", flat=True)) == {"市工信局", "市教育局"}
    assert "assignment.return_accepted" in events(p)


def test_a_return_request_rejected_and_a_decision_without_a_choice(web, staff, stage):
    p = stage.return_requested()
    response = web(staff).post(act_url(p, "decide_return"), {"note": "请继续办理"})
    assert response.status_code == 400 and "请选择同意或驳回退回申请" in response.content.decode()
    web(staff).post(act_url(p, "decide_return"), {"accept": "0", "note": "请继续办理"})
    p.refresh_from_db()
    assert p.state == "assigned" and "assignment.return_rejected" in events(p)


# ---- reply audit and closing -------------------------------------------------------------------

def test_the_audit_queue_and_approving_with_a_changed_class(web, staff, stage, member):
    p = stage.reply_audit()
    client = web(staff)
    assert p.title in client.get(reverse("staff:audit")).content.decode()
    html = client.get(detail_url(p)).content.decode()
    assert "审核 市工信局 的答复" in html and "已制定行动方案。" in html
    reply = Reply.objects.get(proposal=p)
    response = client.post(act_url(p, "approve_reply"), {"reply": reply.pk, "result_class": "B", "note": "调整为B类"})
    assert response.status_code == 302
    p.refresh_from_db()
    reply.refresh_from_db()
    assert p.state == "replied" and (reply.result_class, reply.proposed_class) == ("B", "A")
    assert Notification.objects.filter(user=member, kind="reply.sent").exists()


def test_sending_a_reply_back_needs_a_note(web, staff, stage):
    p = stage.reply_audit()
    reply = Reply.objects.get(proposal=p)
    response = web(staff).post(act_url(p, "send_back_reply"), {"reply": reply.pk, "note": ""})
    assert response.status_code == 400 and "请填写退回意见" in response.content.decode()
    web(staff).post(act_url(p, "send_back_reply"), {"reply": reply.pk, "note": "请补充措施和时间表"})
    p.refresh_from_db()
    assert p.state == "handling" and "reply.sent_back" in events(p)


def test_closing_before_the_evaluation_window_ends_is_refused(web, staff, stage):
    p = stage.replied()
    response = web(staff).post(act_url(p, "close"), {"note": "到期办结"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "评价期（15天）尚未结束" in html and "到期办结" in html


def test_closing_after_the_evaluation_window(web, staff, stage):
    import time_machine as tm

    p = stage.replied()
    with tm.travel(timezone.now() + timezone.timedelta(days=25)):  # past the window, even moved off holidays
        response = web(staff).post(act_url(p, "close"), {"note": "评价期满"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "closed" and not p.closed_unresolved


# ---- key proposals and the dashboard -----------------------------------------------------------

def test_designating_a_key_proposal_with_leaders(web, staff, leader, stage, session):
    p = stage.registered()
    client = web(staff)
    page = client.get(reverse("staff:key_proposals"))
    assert page.status_code == 200 and "暂无重点提案" in page.content.decode()
    response = client.post(reverse("staff:key_proposals"), {
        "topic": "推动传统产业转型", "session": session.pk, "proposals": [p.pk], "lead_leader": leader.pk,
        "supervising_leader": leader.pk, "plan": "季度调研",
    })
    assert response.status_code == 302
    key = KeyProposal.objects.get()
    assert key.lead_leader == leader and list(key.proposals.all()) == [p]
    p.refresh_from_db()
    assert p.is_key
    html = web(leader).get(reverse("workspace:home")).content.decode()
    assert "推动传统产业转型" in html and "已答复或办结 0 / 1 件" in html


def test_designating_without_a_topic_keeps_the_choices(web, staff, stage, session):
    p = stage.registered()
    response = web(staff).post(reverse("staff:key_proposals"), {"topic": "", "session": session.pk,
                                                                  "proposals": [p.pk], "plan": "我的方案"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写督办专题" in html and "我的方案" in html and f'value="{p.pk}" selected' in html


def test_the_leader_dashboard_shows_this_years_numbers_and_charts(web, leader, stage, session):
    stage.replied()
    response = web(leader).get(reverse("workspace:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("领导看板", "收到提案", "立案", "已答复", "已办结", "超期未答复", "满意率", "themes-data", "units-data",
                 "echarts.min.js"):
        assert text in html, text
    assert response.context["stats"]["registered"] == 1
    assert response.context["charts"]["units"]["names"] == ["市工信局", "市科技局"]


def test_staff_see_the_dashboard_and_members_do_not(web, staff, member, stage):
    stage.registered()
    assert web(staff).get(reverse("workspace:dashboard")).status_code == 200
    assert web(member).get(reverse("workspace:dashboard")).status_code == 403


def test_batch_assignment_of_proposals_already_assigned_says_so(web, staff, stage, unit_gxj):
    p = stage.assigned()
    response = web(staff).post(reverse("staff:assign"), {"proposal": [p.pk], f"p{p.pk}-lead": unit_gxj.pk},
                               follow=True)
    assert "所选提案已不在待交办状态" in response.content.decode()
