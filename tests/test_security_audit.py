"""The audit trail: logins, failed logins, logouts, exports and admin changes are recorded; the table is
append-only (a PostgreSQL trigger); old events are archived with `jianyan archive-audit`."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from jianyan.core.audit import purge_events, record
from jianyan.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def test_logins_failed_logins_and_logouts_are_recorded(member):
    client = Client()
    client.post("/login/", {"username": "member1", "password": "wrong-password"})
    client.post("/login/", {"username": "member1", "password": PASSWORD})
    client.post("/logout/")
    assert actions() == ["auth.login_failed", "auth.login", "auth.logout"]
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor is None and failed.data["username"] == "member1" and failed.data["ip"] == "127.0.0.1"
    assert "wrong-password" not in json.dumps(failed.data)
    assert AuditEvent.objects.get(action="auth.login").actor == member


def test_api_logins_are_recorded_as_such(member):
    Client().post("/api/v1/auth/token", {"username": "member1", "password": "nope"}, content_type="application/json")
    Client().post("/api/v1/auth/token", {"username": "member1", "password": PASSWORD}, content_type="application/json")
    assert [(e.action, e.data["via"]) for e in AuditEvent.objects.all()] == [
        ("auth.login_failed", "api"), ("auth.login", "api")]


def test_admin_changes_are_recorded(admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.post(reverse("admin:auth_group_add"), {"name": "督办组"}).status_code == 302
    event = AuditEvent.objects.get(action="admin.add")
    assert event.actor == admin_user and event.data["model"] == "group" and event.note == "督办组"


def test_a_file_taken_away_is_recorded_as_an_export(web, member, uploads):
    from jianyan.proposals import attachments
    from tests.conftest import draft

    p = draft(member)
    attachments.add_attachments(p, actor=member, uploads=[uploads.docx()])
    a = p.attachments.get()
    response = web(member).get(reverse("proposals:attachment", args=[p.pk, a.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action="export")
    assert event.actor == member and event.data["path"] == reverse("proposals:attachment", args=[p.pk, a.pk])


def test_the_model_refuses_to_change_a_saved_event(member):
    event = record(actor=member, action="test.event")
    event.note = "changed"
    with pytest.raises(ValueError, match="只能追加"):
        event.save()


@on_postgresql
def test_the_database_refuses_update_and_delete(member):
    event = record(actor=member, action="test.event")
    for statement in (lambda: AuditEvent.objects.filter(pk=event.pk).update(note="x"),
                      lambda: AuditEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
            statement()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@on_postgresql
def test_the_purge_permission_ends_with_the_purge(member):
    old, kept = record(actor=member, action="old"), record(actor=member, action="kept")
    with transaction.atomic():
        assert purge_events(AuditEvent.objects.filter(pk=old.pk)) == 1
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=kept.pk).delete()  # same transaction, after the purge: refused
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["kept"]


def events_at(member, *days_ago: int) -> list[AuditEvent]:
    import time_machine

    made = []
    for days in days_ago:
        with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC) - dt.timedelta(days=days)):
            made.append(record(actor=member, action=f"test.{days}", data={"days": days, "text": "中文"}))
    return made


def test_archive_exports_old_events_and_keeps_them_by_default(member, tmp_path):
    events_at(member, 400, 300, 10)
    out = tmp_path / "audit.jsonl"
    call_command("archive_audit", "--before", "2025-10-01", "-o", str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["action"] for line in lines] == ["test.400", "test.300"]
    assert lines[0]["actor"] == "member1" and lines[0]["data"]["text"] == "中文"
    assert AuditEvent.objects.count() == 3


def test_archive_with_delete_removes_exactly_what_it_wrote(member, tmp_path):
    import time_machine

    events_at(member, 400, 300, 10)
    out = tmp_path / "audit.jsonl"
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)):
        call_command("archive_audit", "--before", "2025-10-01", "-o", str(out), "--delete")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.10"]


def test_archive_never_deletes_the_last_180_days(member, tmp_path):
    import time_machine

    events_at(member, 100)
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)), \
            pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("archive_audit", "--before", "2026-05-01", "-o", str(tmp_path / "a.jsonl"), "--delete")
    assert AuditEvent.objects.count() == 1 and not (tmp_path / "a.jsonl").exists()


def test_archive_refuses_to_overwrite_a_file(member, tmp_path):
    out = tmp_path / "audit.jsonl"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(CommandError, match="拒绝覆盖"):
        call_command("archive_audit", "--before", "2025-01-01", "-o", str(out))
    assert out.read_text(encoding="utf-8") == "keep me"
