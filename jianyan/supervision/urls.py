"""/supervision/: key-proposal nominations and actions, follow-up, performance records, excellent proposals,
combined city–county statistics and transfers."""

from django.urls import path

from jianyan.supervision import views

app_name = "supervision"

urlpatterns = [
    path("key-proposals/nominations/", views.key_nominations, name="key_nominations"),
    path("key-proposals/nominations/<int:pk>/decline/", views.decline_nomination, name="decline_nomination"),
    path("key-proposals/approvals/", views.key_approvals, name="key_approvals"),
    path("key-proposals/<int:pk>/approve/", views.approve_key, name="approve_key"),
    path("key-proposals/<int:pk>/sign-off/", views.sign_off_key, name="sign_off_key"),
    path("key-proposals/<int:pk>/track/", views.track_key, name="track_key"),
    path("activities/<int:pk>/file/", views.activity_file, name="activity_file"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/open/", views.open_follow_ups, name="open_follow_ups"),
    path("follow-ups/<int:pk>/update/", views.post_update, name="post_update"),
    path("record/", views.my_record, name="my_record"),
    path("record/<int:user_id>/", views.member_record, name="member_record"),
    path("excellent/", views.excellent, name="excellent"),
    path("excellent/<int:pk>/review/", views.review_excellent, name="review_excellent"),
    path("excellent/publish/", views.publish_excellent, name="publish_excellent"),
    path("combined/", views.combined, name="combined"),
    path("transfer/<int:pk>/", views.transfer, name="transfer"),
]
