"""What every page shares: notifications, global search, password change, large-font mode, breadcrumbs,
friendly error pages, no assets from a CDN."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from jianyan.notifications.models import Notification

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "jianyan" / "templates"


def test_the_header_shows_the_unread_count_and_the_roles_menu(web, staff, stage):
    stage.submitted()  # notifies staff
    html = web(staff).get(reverse("workspace:home")).content.decode()
    assert 'aria-label="1 条未读"' in html
    for item in ("提案审查", "交办", "退回申请", "答复审核", "重点提案", "统计"):
        assert item in html


def test_the_notifications_inbox_lists_marks_and_opens(web, staff, stage):
    p = stage.submitted()
    n = Notification.objects.get(user=staff)
    client = web(staff)
    html = client.get(reverse("workspace:notifications")).content.decode()
    assert "收到新提案" in html and "未读" in html
    partial = client.post(reverse("workspace:notification_read", args=[n.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None
    assert "没有未读通知" in client.get(reverse("workspace:notifications"), {"show": "unread"}).content.decode()
    go = client.get(reverse("workspace:notification_go", args=[n.pk]))
    assert go.status_code == 302 and go["Location"] == reverse("proposals:detail", args=[p.pk])


def test_read_all_and_other_peoples_notifications(web, staff, member, stage):
    stage.submitted()
    n = Notification.objects.get(user=staff)
    assert web(member).get(reverse("workspace:notification_go", args=[n.pk])).status_code == 404
    assert web(member).post(reverse("workspace:notification_read", args=[n.pk])).status_code == 404
    response = web(staff).post(reverse("workspace:notifications_read_all"), follow=True)
    assert "已将 1 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True, user=staff).exists()


def test_an_empty_inbox_says_so(web, member):
    assert "还没有通知" in web(member).get(reverse("workspace:notifications")).content.decode()


def test_search_finds_only_what_the_user_may_see(web, member, staff, outsider, build, stage):
    mine = stage.submitted(title="关于加快电梯加装的提案")
    build.draft(member, title="关于电梯维保的草稿提案")
    assert "关于加快电梯加装的提案" in web(member).get(reverse("workspace:search"), {"q": "电梯"}).content.decode()
    staff_html = web(staff).get(reverse("workspace:search"), {"q": "电梯"}).content.decode()
    assert "关于加快电梯加装的提案" in staff_html and "草稿提案" not in staff_html
    assert "没有找到与“电梯”相关的提案" in web(outsider).get(reverse("workspace:search"), {"q": "电梯"}).content.decode()
    assert "请输入关键词" in web(member).get(reverse("workspace:search")).content.decode()
    partial = web(member).get(reverse("workspace:search"), {"q": "电梯"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert mine.title in partial.content.decode()


def test_search_by_number(web, staff, member, build, themes):
    build.registered(member, staff, themes[0], title="关于按案号查找的提案")
    html = web(staff).get(reverse("workspace:search"), {"q": "第0001号"}).content.decode()
    assert "关于按案号查找的提案" in html


def test_password_change(web, member):
    client = web(member)
    assert client.get(reverse("workspace:password_change")).status_code == 200
    bad = client.post(reverse("workspace:password_change"), {"old_password": "wrong", "new_password1": "x",
                                                             "new_password2": "y"})
    assert bad.status_code == 400 and "aria-invalid" in bad.content.decode()
    ok = client.post(reverse("workspace:password_change"), {
        "old_password": "demo-pass-2024", "new_password1": "Xin-mi-ma-2025!", "new_password2": "Xin-mi-ma-2025!",
    }, follow=True)
    assert "密码已修改" in ok.content.decode()
    member.refresh_from_db()
    assert member.check_password("Xin-mi-ma-2025!")


def test_large_font_mode_is_remembered_in_a_cookie(web, member):
    client = web(member)
    response = client.post(reverse("workspace:font_size"), {"size": "large", "next": "/workspace/"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert response.cookies["jianyan_font"].value == "large"
    html = client.get(reverse("workspace:home")).content.decode()
    assert '<html lang="zh-CN" class="font-large">' in html and "标准字号" in html
    client.post(reverse("workspace:font_size"), {"size": "normal"})
    assert 'class="font-large"' not in client.get(reverse("workspace:home")).content.decode()


def test_large_font_mode_works_before_login_and_ignores_foreign_redirects(web):
    response = web().post(reverse("workspace:font_size"), {"size": "large", "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_pages_have_breadcrumbs_a_skip_link_and_labelled_search(web, staff, stage):
    p = stage.submitted()
    html = web(staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'aria-label="当前位置"' in html and ">提案审查</a>" in html
    assert '<label for="site-search"' in html


def test_friendly_404_and_403_pages(web, member):
    not_found = web(member).get("/proposals/999999/")
    assert not_found.status_code == 404 and "页面不存在或您无权查看" in not_found.content.decode()
    forbidden = web(member).get(reverse("staff:queue"))
    assert forbidden.status_code == 403 and "您无权执行此操作" in forbidden.content.decode()


def test_the_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "系统暂时出了点问题" in html and "css/jianyan.css" in html


def test_the_503_page_renders_without_a_request_and_has_its_own_texts():
    """500.html and 503.html share error_page.html; each keeps its own title, code and advice."""
    html = render_to_string("503.html", {"message": "数据库暂时不可用，请稍后重试"})
    assert "<title>暂时不可用 · 建言</title>" in html and '<p class="code">503</p>' in html
    assert "<h1>数据库暂时不可用，请稍后重试</h1>" in html and "系统正在恢复" in html
    assert "返回工作台" not in html and "css/jianyan.css" in html


@override_settings(DEBUG=False)
def test_a_crash_shows_the_500_page(web, member, monkeypatch):
    from jianyan.workspace import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "member_proposals", boom)
    client = web(member)
    client.raise_request_exception = False
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 500 and "系统暂时出了点问题" in response.content.decode()


def test_no_template_loads_anything_from_another_site():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_the_pinned_front_end_packages():
    import json

    package = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())
    lock = json.loads((Path(settings.BASE_DIR) / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"].startswith("2.0.")
    assert lock["packages"]["node_modules/echarts"]["version"].startswith("6.")
    assert set(package["dependencies"]) == {"htmx.org", "echarts"}


def test_htmx_history_restores_get_the_whole_page(web, member):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = web(member).get(reverse("workspace:search"), {"q": "电梯"}, headers=headers)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_the_administrator_gets_a_plain_workspace_and_the_admin_link(web, admin_user, stage):
    p = stage.submitted()
    html = web(admin_user).get(reverse("workspace:home")).content.decode()
    assert "系统管理员" in html and "/admin/" in html
    assert web(admin_user).get(reverse("proposals:detail", args=[p.pk])).status_code == 200
    assert web(admin_user).get(reverse("proposals:new")).status_code == 403
