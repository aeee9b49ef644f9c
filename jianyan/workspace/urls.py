"""The workspace's URLs, in three namespaces: workspace (home, search, notifications, account),
proposals (one proposal) and staff (the proposal committee's lists)."""

from django.urls import include, path

from jianyan.workspace.views import account, home, proposals, staff

workspace_patterns = ([
    path("workspace/", home.home, name="home"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("key-proposals/<int:pk>/activities/", home.record_key_activity, name="key_activity"),
    path("search/", account.search, name="search"),
    path("notifications/", account.notifications, name="notifications"),
    path("notifications/read-all/", account.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", account.notification_go, name="notification_go"),
    path("notifications/<int:pk>/read/", account.notification_read, name="notification_read"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/api-tokens/", account.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", account.api_token_revoke, name="api_token_revoke"),
    path("preferences/font-size/", account.font_size, name="font_size"),
], "workspace")

proposal_patterns = ([
    path("new/", proposals.create, name="new"),
    path("<int:pk>/", proposals.detail, name="detail"),
    path("<int:pk>/edit/", proposals.edit, name="edit"),
    path("<int:pk>/act/<slug:action>/", proposals.act, name="act"),
    path("<int:pk>/files/<int:attachment_pk>/", proposals.attachment, name="attachment"),
], "proposals")

staff_patterns = ([
    path("review/", staff.queue, name="queue"),
    path("assign/", staff.assign, name="assign"),
    path("returns/", staff.returns, name="returns"),
    path("audit/", staff.audit, name="audit"),
    path("key-proposals/", staff.key_proposals, name="key_proposals"),
], "staff")

urlpatterns = [
    path("", include(workspace_patterns)),
    path("proposals/", include(proposal_patterns)),
    path("staff/", include(staff_patterns)),
]
