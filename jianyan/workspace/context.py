"""What every page's frame needs: the user's role and its menu, the unread notifications, large-font mode."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from jianyan.core.access import profile_of, role_of
from jianyan.notifications.models import Notification
from jianyan.people.models import Role

FONT_COOKIE = "jianyan_font"

MENUS = {
    Role.MEMBER: [("我的提案", "workspace:home"), ("撰写提案", "proposals:new"), ("提案线索", "leads:browse"),
                  ("履职档案", "supervision:my_record")],
    Role.CLERK: [("我的提案", "workspace:home"), ("撰写提案", "proposals:new"), ("提案线索", "leads:browse")],
    Role.STAFF: [("工作台", "workspace:home"), ("提案审查", "staff:queue"), ("并案与热点", "assist:session_overview"),
                 ("交办", "staff:assign"), ("退回申请", "staff:returns"), ("延期申请", "workdays:extensions"),
                 ("答复审核", "staff:audit"), ("重点提案", "staff:key_proposals"), ("跟踪问效", "supervision:follow_ups"),
                 ("优秀提案", "supervision:excellent"), ("提案公开", "disclosure:manage"), ("线索审核", "leads:moderate"),
                 ("统计分析", "reports:stats"), ("导入", "exchange:import")],
    Role.UNIT: [("办理工作台", "workspace:home"), ("跨年度跟踪", "supervision:follow_ups")],
    Role.LEADER: [("领导看板", "workspace:home"), ("重点提案审批", "supervision:key_approvals"),
                  ("统计分析", "reports:stats")],
    Role.ADMIN: [("工作台", "workspace:home"), ("管理后台", "admin:index")],
}


def site(request) -> dict:
    user = getattr(request, "user", None)
    large_font = request.COOKIES.get(FONT_COOKIE) == "large"
    if user is None or not user.is_authenticated:
        return {"large_font": large_font, "menu": [], "role": None}
    role = role_of(user)
    profile = profile_of(user)
    menu = [(label, reverse(name)) for label, name in MENUS.get(role, [])]
    return {
        "large_font": large_font,
        "role": role,
        "role_label": Role(role).label if role else "",
        "display_name": profile.display_name if profile else user.get_username(),
        "menu": menu,
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()),
    }
