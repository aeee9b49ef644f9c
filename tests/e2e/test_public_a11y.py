"""The public pages in Chromium: axe-core (npm, node_modules/axe-core, never served) injected by Playwright
reports no serious or critical WCAG 2.1 A/AA violation, in normal and large-font mode; every page fits a
phone's 375 px; the statistics charts draw from the static script (no inline script)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from jianyan.disclosure import workflow as disclosure
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def publish(member, staff, liaison, theme, unit, title, background, reply, hide=()):
    p = proposals.create_proposal(actor=member, title=title, background=background, suggestions=["建议一。"],
                                  cosigners=[])
    p = proposals.submit_proposal(p, actor=member)
    p = proposals.register_proposal(p, actor=staff, theme=theme)
    p = handling.assign_proposal(p, actor=staff, units=[{"unit": unit.pk, "mode": "lead"}])
    p = handling.sign_assignment(p, actor=liaison)
    handling.submit_reply(p, actor=liaison, result_class="A", body=reply, signer="王局长")
    p = handling.approve_reply(p, actor=staff)
    disclosure.give_publish_consent(p, actor=member)
    return disclosure.approve_publication(p, actor=staff, redactions={"body": list(hide)})


@pytest.fixture
def public_pages(member, staff, liaison, themes, unit_gxj):
    pub = publish(member, staff, liaison, themes[0], unit_gxj, "关于推进既有住宅加装电梯的提案",
                  "老旧小区加装电梯协调难，联系电话13912345678。", "我局简化加装电梯审批流程。",
                  hide=["13912345678"])
    publish(member, staff, liaison, themes[1], unit_gxj, "关于完善社区养老服务的提案", "社区养老设施不足。",
            "推动养老机构与医疗机构签约合作。")
    return [reverse("portal:home"), reverse("portal:proposals"), reverse("portal:proposals") + "?q=电梯",
            reverse("portal:proposal", args=[pub.pk]), reverse("portal:units"),
            reverse("portal:unit", args=[unit_gxj.pk]), reverse("portal:statistics"), reverse("portal:open_data")]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"], "axe ran no rule"
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("font", ["normal", "large"])
def test_public_pages_have_no_serious_accessibility_violation(browser, live_server, public_pages, font):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    if font == "large":
        context.add_cookies([{"name": "jianyan_font", "value": "large", "url": live_server.url}])
    page = context.new_page()
    found = {}
    try:
        for path in public_pages:
            page.goto(live_server.url + path)
            violations = axe_violations(page)
            if violations:
                found[path] = violations
    finally:
        context.close()
    assert found == {}


def test_public_pages_fit_a_phone_and_draw_their_charts(browser, live_server, public_pages):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for path in public_pages:
            page.goto(live_server.url + path)
            width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width <= inner, path
        page.goto(live_server.url + reverse("portal:statistics"))
        page.wait_for_selector("[data-chart][data-drawn] canvas")
    finally:
        context.close()
    assert errors == []
