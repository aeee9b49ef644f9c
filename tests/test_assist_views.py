"""The htmx fragments the workspace pages include: similar proposals while typing, the pre-check, and
the staff review panel (并案 candidates with the shared passages marked, theme and unit suggestions)."""

from django.test import Client
from django.urls import reverse

from jianyan.proposals import workflow as proposals

TITLE = "关于加快老旧小区既有住宅加装电梯的提案"
BODY = "我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。"
ADVICE = ["设立加装电梯专项补助资金，每户补助不低于5万元", "简化加装电梯审批流程，推行一窗受理"]


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def write(author, title=TITLE):
    return proposals.create_proposal(actor=author, title=title, background=BODY, suggestions=list(ADVICE))


def test_the_similar_fragment_lists_the_users_own_similar_proposals(member, cosigner):
    mine = write(member)
    write(cosigner, title="关于老旧小区加装电梯的提案")
    url = reverse("assist:similar_fragment")
    html = client_for(member).get(url, {"title": "关于推进老旧小区加装电梯的建议"}).content.decode()
    assert TITLE in html and "草稿" in html and "相似度" in html
    assert "关于老旧小区加装电梯的提案" not in html  # the co-signer's draft
    html = client_for(member).get(url, {"title": "关于推进老旧小区加装电梯的建议", "exclude": mine.pk}).content.decode()
    assert "暂未发现相似提案" in html
    assert "输入案由后" in client_for(member).get(url).content.decode()


def test_the_similar_fragment_needs_a_login_and_a_get(member):
    url = reverse("assist:similar_fragment")
    response = client_for().get(url, {"title": "电梯"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(member).post(url, {"title": "电梯"}).status_code == 405


def test_the_precheck_fragment_shows_findings_with_their_place(member):
    url = reverse("assist:precheck_fragment")
    html = client_for(member).post(url, {"title": "加强领导", "background": "重视不够。",
                                         "suggestions": ["高度重视，加强领导", "形成合力"]}).content.decode()
    assert 'data-code="R10"' in html and "须修改" in html and "具体建议第1条" in html
    html = client_for(member).post(url, {"text": "关于加强领导的建议\n具体建议：\n1. 高度重视。"}).content.decode()
    assert 'data-code="R10"' in html


def test_the_review_fragment_is_for_staff(member, cosigner, staff, leader, themes, unit_gxj):
    host = proposals.register_proposal(proposals.submit_proposal(write(member), actor=member), actor=staff,
                                       theme=themes[0])
    again = proposals.submit_proposal(write(cosigner, title="关于推进老旧小区既有住宅加装电梯的建议"), actor=cosigner)
    url = reverse("assist:review_fragment", args=[again.pk])
    response = client_for(staff).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert host.title in html and "可并入" in html and "<mark>" in html
    assert "建议主题" in html and "建议承办单位" in html and "市工信局" in html
    assert client_for(leader).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 404
