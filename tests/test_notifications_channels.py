"""Notification channels behind one interface: the in-app inbox always, e-mail and SMS by the user's
preferences (per event group), a daily e-mail digest, and the SMS gateway adapter against a fake gateway."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from jianyan.handling import workflow
from jianyan.notifications import channels, events, sms
from jianyan.notifications.models import Delivery, Notification, Preference


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS = {"BACKEND": "logging"}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def prefer(user, *, email=(), sms_events=(), digest=False, address="u@example.cn", phone="13800000000"):
    user.email = address
    user.save(update_fields=["email"])
    user.profile.phone = phone
    user.profile.save(update_fields=["phone"])
    return Preference.objects.create(user=user, email_events=list(email), sms_events=list(sms_events), daily_digest=digest)


def assign(member, staff, themes, unit, build):
    return build.assigned(member, staff, themes[0], [{"unit": unit.pk, "mode": "lead"}])


def test_without_preferences_only_the_inbox_gets_the_message(member, staff, themes, unit_gxj, liaison, build):
    from django_tasks_db.models import DBTaskResult

    assign(member, staff, themes, unit_gxj, build)
    assert Notification.objects.filter(user=liaison, kind="proposal.assigned").exists()
    assert mail.outbox == [] and sms.outbox == [] and not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()  # nothing queued for outside channels


def test_chosen_events_go_by_email_and_sms(member, staff, themes, unit_gxj, liaison, build):
    prefer(liaison, email=["assigned"], sms_events=["assigned", "deadline"])
    assign(member, staff, themes, unit_gxj, build)
    [message] = mail.outbox
    assert message.to == ["u@example.cn"] and "已交办贵单位" in message.body
    assert sms.outbox == [{"to": "13800000000", "text": message.body}]
    assert sorted(Delivery.objects.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]


def test_events_not_chosen_stay_in_the_inbox(member, staff, themes, unit_gxj, liaison, build):
    prefer(member, email=["reply"])  # not "decided"
    assign(member, staff, themes, unit_gxj, build)  # the member hears of registration in the inbox only
    assert Notification.objects.filter(user=member, kind="proposal.registered").exists()
    assert mail.outbox == []


def test_the_proposer_gets_the_reply_by_sms(member, staff, themes, unit_gxj, liaison, build):
    prefer(member, sms_events=["reply"])
    p = workflow.sign_assignment(assign(member, staff, themes, unit_gxj, build), actor=liaison)
    workflow.submit_reply(p, actor=liaison, result_class="A", body="已办理。", signer="局长")
    workflow.approve_reply(p, actor=staff)
    assert len(sms.outbox) == 1 and "请对办理情况进行评价" in sms.outbox[0]["text"]


def test_a_user_without_an_address_is_skipped_and_recorded(member, staff, themes, unit_gxj, liaison, build):
    prefer(liaison, email=["assigned"], sms_events=["assigned"], address="", phone="")
    assign(member, staff, themes, unit_gxj, build)
    assert mail.outbox == [] and sms.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_the_daily_digest_bundles_emails_and_is_sent_once(member, staff, themes, unit_gxj, unit_kjj, liaison, build):
    prefer(staff, email=["submitted", "return"], digest=True)
    build.submitted(member)
    build.submitted(member, title="关于完善社区养老服务的提案")
    assert mail.outbox == []  # digest users get no single e-mails
    assert channels.send_digests() == 1
    [digest] = mail.outbox
    assert "2 条" in digest.body and "社区养老" in digest.body and "（2条）" in digest.subject
    assert channels.send_digests() == 0 and len(mail.outbox) == 1


def test_a_failing_channel_is_recorded_and_does_not_stop_the_others(member, staff, themes, unit_gxj, liaison, build,
                                                                     settings):
    settings.SMS = {"BACKEND": "http", "URL": ""}  # misconfigured gateway
    prefer(liaison, email=["assigned"], sms_events=["assigned"])
    assign(member, staff, themes, unit_gxj, build)
    assert len(mail.outbox) == 1
    failed = Delivery.objects.get(channel="sms")
    assert failed.status == "failed" and "SMS_GATEWAY_URL" in failed.error


def test_every_workflow_event_kind_belongs_to_a_preference_group():
    kinds = ["proposal.submitted", "proposal.cosign_requested", "proposal.registered", "proposal.not_registered",
             "proposal.returned", "proposal.assigned", "assignment.return_requested", "assignment.return_decided",
             "reply.submitted", "reply.sent_back", "reply.sent", "proposal.rehandling", "proposal.closed",
             "extension.requested", "extension.decided", "deadline.near_due", "deadline.overdue",
             "deadline.escalated", "supervision.activity"]
    assert all(events.group_of(k) for k in kinds)
    assert events.group_of("something.else") == ""


# ---- the HTTP gateway adapter, against a fake gateway -----------------------------------------

class FakeGateway(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeGateway.received.append({"path": self.path, "auth": self.headers["Authorization"],
                                     "type": self.headers["Content-Type"], "json": json.loads(body)})
        self.send_response(FakeGateway.answer)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received, FakeGateway.answer = [], 200
    settings.SMS = {"BACKEND": "http", "URL": f"http://127.0.0.1:{server.server_port}/sms/send", "KEY": "k-123",
                    "SIGN": "阳泉政协"}
    yield FakeGateway
    server.shutdown()
    server.server_close()


def test_the_gateway_adapter_posts_json_with_the_key(gateway):
    sms.send_sms("13900000000", "提案已交办，请签收。")
    [got] = gateway.received
    assert got["path"] == "/sms/send" and got["auth"] == "Bearer k-123" and got["type"].startswith("application/json")
    assert got["json"] == {"to": "13900000000", "text": "提案已交办，请签收。", "sign": "阳泉政协"}


def test_a_gateway_error_raises_a_clear_error(gateway):
    gateway.answer = 500
    with pytest.raises(sms.SmsError) as err:
        sms.send_sms("13900000000", "x")
    assert "500" in str(err.value)


def test_non_http_gateway_urls_are_refused(settings):
    settings.SMS = {"BACKEND": "http", "URL": "file:///etc/passwd"}
    with pytest.raises(sms.SmsError):
        sms.send_sms("13900000000", "x")


# ---- the preferences page ---------------------------------------------------------------------

def test_the_preferences_page_saves_the_choices(web, liaison):
    client = web(liaison)
    page = client.get("/deadlines/preferences/").content.decode()
    assert "临期提醒与超期催办" in page and "短信" in page
    assert "通知设置" in client.get("/notifications/").content.decode()
    response = client.post("/deadlines/preferences/", {"email": ["assigned", "deadline", "bogus"], "sms": ["deadline"],
                                                       "daily_digest": "1"})
    assert response.status_code == 302
    pref = Preference.objects.get(user=liaison)
    assert (pref.email_events, pref.sms_events, pref.daily_digest) == (["assigned", "deadline"], ["deadline"], True)
    assert 'value="deadline" id="s-deadline" aria-label="临期提醒与超期催办：短信" checked' in client.get(
        "/deadlines/preferences/").content.decode()


def test_the_preferences_page_needs_a_login(web):
    response = web().get("/deadlines/preferences/")
    assert response.status_code == 302 and "login" in response.url
