"""Every page at a phone's width (375 px, WeChat's browser) and a desktop's (1280 px): no horizontal
scrolling, in normal and in large-font mode; a screenshot of each role's main page at both widths; htmx and
the keyboard at work."""

import re

import pytest
from playwright.sync_api import Page, expect

from jianyan.handling import workflow as handling
from jianyan.supervision import workflow as supervision

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 1280)


def settle(page: Page) -> None:
    """Let the page react to a new window size (the charts redraw on the resize event) before measuring:
    the resize event is dispatched before the next animation frame."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.fixture
def proposals_in_every_state(stage, build, member, cosigner, staff, leader, session):
    p = {
        "draft": build.draft(member, title="关于一件尚未提交的草稿的提案"),
        "cosigning": stage.cosigning(title="关于等待联名确认的提案"),
        "submitted": stage.submitted(title="关于等待提案委员会审查的提案，标题较长以检验在手机上的换行效果"),
        "registered": stage.registered(title="关于已经立案等待交办的提案"),
        "return_requested": stage.return_requested(title="关于承办单位申请退回的提案"),
        "handling": stage.handling(title="关于正在办理中的提案"),
        "reply_audit": stage.reply_audit(title="关于答复等待审核的提案"),
        "replied": stage.replied(title="关于已答复等待评价的提案"),
    }
    closed = stage.replied(title="关于已经办结的提案")
    for user in (member, cosigner):
        closed = handling.evaluate_proposal(closed, actor=user, attitude="satisfied", result="satisfied").proposal
    p["closed"] = closed
    supervision.designate_key_proposal(actor=staff, session=session, topic="推动传统产业数字化转型",
                                       proposals=[p["handling"], p["closed"]], lead_leader=leader,
                                       supervising_leader=leader)
    return p


def pages_for(p) -> dict[str, list[str]]:
    detail = "/proposals/{}/".format
    return {
        "member1": ["/workspace/", "/workspace/?tab=all", "/proposals/new/", f"/proposals/{p['draft'].pk}/edit/",
                    detail(p["replied"].pk), detail(p["closed"].pk), detail(p["cosigning"].pk), "/notifications/",
                    "/search/?q=提案", "/account/password/", "/proposals/999999/", "/staff/review/",
                    "/supervision/record/", "/leads/", "/deadlines/preferences/", "/account/api-tokens/"],
        "member2": ["/workspace/", detail(p["cosigning"].pk)],
        "staff1": ["/workspace/", "/staff/review/", "/staff/review/?state=all", detail(p["submitted"].pk),
                   detail(p["registered"].pk), detail(p["return_requested"].pk), detail(p["reply_audit"].pk),
                   detail(p["replied"].pk), "/staff/assign/", "/staff/returns/", "/staff/audit/",
                   "/staff/key-proposals/", "/dashboard/", "/notifications/", "/assist/sessions/",
                   "/reports/stats/", "/staff/publication/", "/deadlines/extensions/", "/deadlines/overdue/",
                   "/supervision/follow-ups/", "/supervision/excellent/", "/leads/moderate/", "/exchange/import/"],
        "unit_gxj": ["/workspace/", "/workspace/?tab=handling", "/workspace/?tab=replied", detail(p["handling"].pk),
                     detail(p["replied"].pk), "/supervision/follow-ups/"],
        "unit_kjj": ["/workspace/?tab=co_opinion", detail(p["handling"].pk), detail(p["return_requested"].pk)],
        "leader1": ["/workspace/", detail(p["handling"].pk), "/supervision/key-proposals/approvals/",
                    "/reports/stats/"],
    }


MAIN_PAGES = {"member1": "/workspace/", "member2": "/workspace/", "staff1": "/workspace/",
              "unit_gxj": "/workspace/?tab=handling", "leader1": "/workspace/"}


def check_widths(page: Page, who: str, path: str, overflowing: list) -> None:
    """The page as loaded, at each width: resizing the window re-applies the stylesheet's media queries."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        settle(page)
        scroll, inner = no_horizontal_scroll(page)
        if scroll > inner:
            overflowing.append((who, width, path, scroll))


def test_every_page_fits_a_phone_and_a_desktop(site, proposals_in_every_state, everyone, liaison3):
    overflowing: list = []
    anonymous = site.browser.new_context(base_url=site.base_url)
    site.contexts.append(anonymous)
    page = anonymous.new_page()
    for path in ("/", "/login/", "/leads/new/"):
        page.goto(path)
        check_widths(page, "anonymous", path, overflowing)
    for username, paths in pages_for(proposals_in_every_state).items():
        page = site.login(username)
        for path in paths:
            page.goto(path)
            check_widths(page, username, path, overflowing)
        if username in MAIN_PAGES:
            page.goto(MAIN_PAGES[username])
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                site.shot(page, f"{username}-main-{width}")
    assert overflowing == []


def test_large_font_mode_keeps_pages_usable_on_a_phone(site, proposals_in_every_state):
    page = site.login("member1", width=375)
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class("font-large")
    for path in ("/workspace/", f"/proposals/{proposals_in_every_state['replied'].pk}/", "/proposals/new/"):
        page.goto(path)
        scroll, inner = no_horizontal_scroll(page)
        assert scroll <= inner, path
    site.shot(page, "member1-large-font-375")
    page.get_by_role("button", name="标准字号").click()
    expect(page.locator("html")).not_to_have_class("font-large")


def test_htmx_updates_the_queue_and_the_keyboard_moves_through_it(site, proposals_in_every_state):
    page = site.login("staff1")
    page.goto("/staff/review/")
    expect(page.locator("#results")).to_contain_text("关于等待提案委员会审查的提案")
    page.get_by_label("状态", exact=True).select_option("registered")  # htmx swaps the results and pushes the URL
    expect(page.locator("#results")).to_contain_text("关于已经立案等待交办的提案")
    expect(page).to_have_url(re.compile(r"state=registered"))
    assert page.evaluate("typeof window.htmx") == "object"
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    expect(page.locator("[data-row-link]").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("关于已经立案等待交办的提案")
