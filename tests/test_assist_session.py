"""Text assistance across a session and its record: duplicate clusters to merge before the 交办会, the
host picker of 并案, hot topics, and how often staff took what was suggested (acceptance)."""

from django.urls import reverse

from jianyan.assist import acceptance, clusters
from jianyan.assist.models import SuggestionLog
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import State

LIFT = "关于加快老旧小区既有住宅加装电梯的提案"
LIFT_AGAIN = "关于推进老旧小区既有住宅加装电梯的建议"
BUS = "关于优化城区公交线路和站点设置的提案"
BODY = "我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。"
BUS_BODY = "城区公交线路重复，部分新建小区没有公交站点，居民出行不便。"
ADVICE = ["设立加装电梯专项补助资金，每户补助不低于5万元", "简化加装电梯审批流程，推行一窗受理"]
BUS_ADVICE = ["调整重复线路，增开新建小区公交线路", "在学校和医院附近增设公交站点"]


def submit(author, title, body=BODY, advice=ADVICE):
    p = proposals.create_proposal(actor=author, title=title, background=body, suggestions=list(advice))
    return proposals.submit_proposal(p, actor=author)


def test_proposals_on_one_issue_form_a_cluster_with_a_registered_host(member, cosigner, clerk, staff, themes):
    host = proposals.register_proposal(submit(member, LIFT), actor=staff, theme=themes[0])
    again = submit(cosigner, LIFT_AGAIN)
    third = submit(clerk, "关于老旧小区加装电梯的提案")
    submit(member, BUS, BUS_BODY, BUS_ADVICE)
    found = clusters.duplicate_clusters(host.committee, host.session_id)
    assert len(found) == 1
    cluster = found[0]
    assert cluster.host.id == host.pk and not cluster.host.can_merge
    assert {m.id for m in cluster.others} == {again.pk, third.pk}
    assert all(m.can_merge for m in cluster.others) and cluster.score >= 0.3


def test_without_a_registered_proposal_the_earliest_submitted_is_the_host(member, cosigner, staff):
    first = submit(member, LIFT)
    submit(cosigner, LIFT_AGAIN)
    cluster, = clusters.duplicate_clusters(first.committee, first.session_id)
    assert cluster.host.id == first.pk and cluster.host.can_merge


def test_a_session_without_duplicates_has_no_clusters(member, staff):
    p = submit(member, LIFT)
    submit(member, BUS, BUS_BODY, BUS_ADVICE)
    assert clusters.duplicate_clusters(p.committee, p.session_id) == []


def test_the_overview_merges_a_cluster_member_into_its_host_and_comes_back(web, member, cosigner, staff, themes):
    host = proposals.register_proposal(submit(member, LIFT), actor=staff, theme=themes[0])
    again = submit(cosigner, LIFT_AGAIN)
    overview = reverse("assist:session_overview")
    page = web(staff).get(overview)
    assert page.status_code == 200
    html = page.content.decode()
    assert "可并案的提案组" in html and "热点议题" in html and "电梯" in html and "辅助建议采纳情况" in html
    fragment = web(staff).get(reverse("assist:clusters_fragment", args=[host.session_id])).content.decode()
    assert LIFT in fragment and LIFT_AGAIN in fragment and "并入主提案" in fragment
    back = f"{overview}?session={host.session_id}"
    response = web(staff).post(reverse("proposals:act", args=[again.pk, "merge"]),
                               {"into": host.pk, "note": "交办会前并案", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    again.refresh_from_db()
    assert again.state == State.MERGED and again.merge_host_id == host.pk


def test_the_overview_and_clusters_are_for_the_committees_staff(web, member, leader, outsider, staff):
    p = submit(member, LIFT)
    clusters_url = reverse("assist:clusters_fragment", args=[p.session_id])
    for user in (member, leader):
        assert web(user).get(reverse("assist:session_overview")).status_code == 403
        assert web(user).get(clusters_url).status_code == 403
    assert web(staff).get(reverse("assist:clusters_fragment", args=[999999])).status_code == 404
    assert web(staff).get(reverse("assist:session_overview"), {"session": 999999}).status_code == 404
    assert web().get(clusters_url).status_code == 302


def test_the_host_picker_offers_similar_registered_proposals_and_finds_others(web, member, cosigner, staff, themes,
                                                                               leader):
    host = proposals.register_proposal(submit(member, LIFT), actor=staff, theme=themes[0])
    bus = proposals.register_proposal(submit(member, BUS, BUS_BODY, BUS_ADVICE), actor=staff, theme=themes[1])
    again = submit(cosigner, LIFT_AGAIN)
    url = reverse("assist:merge_hosts", args=[again.pk])
    html = web(staff).get(url).content.decode()
    assert f'value="{host.pk}"' in html and "相似度" in html and f'value="{bus.pk}"' not in html
    html = web(staff).get(url, {"q": "公交"}).content.decode()
    assert f'value="{bus.pk}"' in html and f'value="{host.pk}"' not in html
    html = web(staff).get(url, {"q": str(bus.number), "selected": str(bus.pk)}).content.decode()
    assert f'value="{bus.pk}" checked' in html
    assert "没有找到" in web(staff).get(url, {"q": "不存在的词"}).content.decode()
    assert web(leader).get(url).status_code == 403
    assert web(member).get(reverse("assist:merge_hosts", args=[again.pk])).status_code == 403
    detail = web(staff).get(reverse("proposals:detail", args=[again.pk])).content.decode()
    assert reverse("assist:merge_hosts", args=[again.pk]) in detail


def test_suggestions_shown_to_staff_are_logged_and_acceptance_measured(web, member, staff, themes, unit_gxj, unit_kjj):
    p = submit(member, "关于加快传统产业改造升级的提案", "我市传统产业占比较高，转型任务繁重。",
               ["制定新型工业化行动方案", "设立技术改造专项资金"])
    assert web(staff).get(reverse("assist:review_fragment", args=[p.pk])).status_code == 200
    logged = {log.kind: log for log in SuggestionLog.objects.filter(proposal=p)}
    assert set(logged) == {"theme", "unit", "merge"}
    theme_ids = logged["theme"].suggested
    unit_ids = logged["unit"].suggested
    assert len(theme_ids) == 3 and len(unit_ids) == 2 and logged["merge"].suggested == []
    undecided = {a.kind: a for a in acceptance.acceptance(p.committee_id)}
    assert undecided["theme"].decided == 0 and undecided["theme"].first_rate is None

    chosen_theme = next(t for t in themes if t.pk == theme_ids[1])  # the second suggestion
    p = proposals.register_proposal(p, actor=staff, theme=chosen_theme)
    web(staff).get(reverse("assist:review_fragment", args=[p.pk]))  # shown again after registration:
    assert SuggestionLog.objects.get(proposal=p, kind="theme").suggested == theme_ids  # the log is kept
    handling.assign_proposal(p, actor=staff, units=[{"unit": unit_ids[0], "mode": "lead"}])
    result = {a.kind: a for a in acceptance.acceptance(p.committee_id, session_id=p.session_id)}
    assert (result["theme"].decided, result["theme"].first, result["theme"].any) == (1, 0, 1)
    assert (result["unit"].decided, result["unit"].first, result["unit"].any) == (1, 1, 1)
    assert result["merge"].decided == 0  # nothing was suggested to merge into


def test_registering_a_proposal_with_merge_candidates_counts_as_not_taking_them(member, cosigner, staff, themes,
                                                                               web):
    host = proposals.register_proposal(submit(member, LIFT), actor=staff, theme=themes[0])
    again = submit(cosigner, LIFT_AGAIN)
    web(staff).get(reverse("assist:review_fragment", args=[again.pk]))
    assert SuggestionLog.objects.get(proposal=again, kind="merge").suggested == [host.pk]
    proposals.register_proposal(again, actor=staff, theme=themes[0])
    merge = next(a for a in acceptance.acceptance(host.committee_id) if a.kind == "merge")
    assert (merge.decided, merge.any) == (1, 0)


def test_batch_assignment_can_assign_separately(web, staff, member, build, themes, unit_gxj, unit_kjj, liaison):
    lead = build.registered(member, staff, themes[0])
    separate = build.registered(member, staff, themes[0], title="关于加强中小学科技教育的提案")
    response = web(staff).post(reverse("staff:assign"), {
        "proposal": [lead.pk, separate.pk],
        f"p{lead.pk}-plan": "lead", f"p{lead.pk}-lead": unit_gxj.pk, f"p{lead.pk}-co": [unit_kjj.pk],
        f"p{separate.pk}-plan": "separate", f"p{separate.pk}-separate": [unit_gxj.pk, unit_kjj.pk],
    })
    assert response.status_code == 302
    assert {(a.unit_id, a.mode) for a in lead.assignments.all()} == {(unit_gxj.pk, "lead"), (unit_kjj.pk, "co")}
    assert {(a.unit_id, a.mode) for a in separate.assignments.all()} == {
        (unit_gxj.pk, "separate"), (unit_kjj.pk, "separate")}


def test_batch_separate_assignment_without_units_keeps_the_choice(web, staff, member, build, themes, unit_gxj):
    p = build.registered(member, staff, themes[0])
    response = web(staff).post(reverse("staff:assign"), {"proposal": [p.pk], f"p{p.pk}-plan": "separate"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="separate" selected' in html
    p.refresh_from_db()
    assert p.state == State.REGISTERED
