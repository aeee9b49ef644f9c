"""The cast: a member, a co-signer, a party clerk, staff, two unit liaisons, a leader, an admin, and an
outsider (a member of another committee). State is built by calling the workflow functions."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jianyan.handling import workflow as handling
from jianyan.people.models import Committee, Organisation, Profile, Role, Session, Term, Unit
from jianyan.people.setup import seed_reason_codes, seed_themes
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal

User = get_user_model()
PASSWORD = "demo-pass-2024"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_assist_caches():
    """The similar-proposal index and the suggestion models are cached per process; each test starts clean."""
    from jianyan.assist import index, learning

    index.clear_cache()
    learning.clear_cache()
    yield
    index.clear_cache()
    learning.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_workday_caches():
    """Committees' calendars and deadline policies are cached per process; a rollback does not clear them."""
    from jianyan.workdays.apps import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the (per-process) cache: each test starts with none used."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(monkeypatch, request):
    """Tests run inside a transaction that never commits, so on_commit hooks would never fire.
    Workflow functions register them only after their own atomic block has closed, so running
    them at once is what a real commit does. Tests marked transaction=True keep the real hook."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


def make_user(username, committee, role, name, **profile):
    user = User.objects.create_user(username=username, password=PASSWORD)
    Profile.objects.create(user=user, committee=committee, role=role, display_name=name, **profile)
    return user


@pytest.fixture
def committee(db):
    c = Committee.objects.create(code="yq", name="政协阳泉市委员会", short_name="市政协", place="阳泉市")
    seed_reason_codes(c)
    seed_themes(c)
    return c


@pytest.fixture
def session(committee):
    term = Term.objects.create(committee=committee, number=14, start_year=2022)
    now = timezone.now()
    return Session.objects.create(
        term=term, sitting=4, year=now.year, plenary_start=now.date() - dt.timedelta(days=10),
        plenary_end=now.date() + dt.timedelta(days=20), submission_deadline=now + dt.timedelta(days=30),
    )


@pytest.fixture
def themes(committee):
    return list(committee.themes.all())


@pytest.fixture
def unit_gxj(committee):
    return Unit.objects.create(committee=committee, name="市工信局", full_name="阳泉市工业和信息化局", duties="工业和信息化")


@pytest.fixture
def unit_kjj(committee):
    return Unit.objects.create(committee=committee, name="市科技局", full_name="阳泉市科学技术局", duties="科技创新")


@pytest.fixture
def party(committee):
    return Organisation.objects.create(committee=committee, name="民革阳泉市委员会", kind=Organisation.Kind.PARTY)


@pytest.fixture
def member(committee, session):
    return make_user("member1", committee, Role.MEMBER, "张委员")


@pytest.fixture
def cosigner(committee, session):
    return make_user("member2", committee, Role.MEMBER, "李委员")


@pytest.fixture
def clerk(committee, session, party):
    return make_user("party1", committee, Role.CLERK, "民革经办人", organisation=party)


@pytest.fixture
def staff(committee, session):
    return make_user("staff1", committee, Role.STAFF, "提案委王")


@pytest.fixture
def liaison(committee, unit_gxj):
    return make_user("unit_gxj", committee, Role.UNIT, "工信局联络员", unit=unit_gxj)


@pytest.fixture
def liaison2(committee, unit_kjj):
    return make_user("unit_kjj", committee, Role.UNIT, "科技局联络员", unit=unit_kjj)


@pytest.fixture
def leader(committee, session):
    return make_user("leader1", committee, Role.LEADER, "赵主席")


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(username="admin", password=PASSWORD)


@pytest.fixture
def outsider(db):
    other = Committee.objects.create(code="jq", name="政协阳泉市郊区委员会", short_name="区政协", place="郊区",
                                     level=Committee.Level.COUNTY)
    return make_user("outsider", other, Role.MEMBER, "外区委员")


@pytest.fixture
def everyone(member, cosigner, clerk, staff, liaison, liaison2, leader, outsider, admin_user):
    return {"member": member, "cosigner": cosigner, "clerk": clerk, "staff": staff, "liaison": liaison,
            "liaison2": liaison2, "leader": leader, "outsider": outsider, "admin": admin_user}


# ---- building proposals through the workflow --------------------------------------------------

def draft(author, title="关于加快传统产业改造升级的提案", cosigners=None):
    return proposals.create_proposal(
        actor=author, title=title, background="我市传统产业占比较高，转型任务繁重。",
        suggestions=["制定新型工业化行动方案", "设立技术改造专项资金"], cosigners=cosigners or [],
    )


def submitted(author, **kw):
    return proposals.submit_proposal(draft(author, **kw), actor=author)


def registered(author, staff, theme, **kw):
    return proposals.register_proposal(submitted(author, **kw), actor=staff, theme=theme)


def assigned(author, staff, theme, units, **kw):
    p = registered(author, staff, theme, **kw)
    return handling.assign_proposal(p, actor=staff, units=units)


@pytest.fixture
def build():
    """Helpers to build proposals in a given state through the workflow functions."""

    class Build:
        draft = staticmethod(draft)
        submitted = staticmethod(submitted)
        registered = staticmethod(registered)
        assigned = staticmethod(assigned)

    return Build


# ---- the JSON API ------------------------------------------------------------------------------

class ApiClient:
    """A JSON client for /api/v1/ acting as one user through a bearer token (or anonymously)."""

    def __init__(self, token):
        from django.test import Client

        self.client = Client()
        self.token = token

    @staticmethod
    def url(path: str) -> str:
        return path if path.startswith("/") else "/api/v1/" + path

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, params=None):
        return self.client.get(self.url(path), params or {}, headers=self.headers())

    def send(self, method, path, data=None, *, raw=None):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return getattr(self.client, method)(self.url(path), body, content_type="application/json",
                                            headers=self.headers())

    def post(self, path, data=None, *, raw=None):
        return self.send("post", path, data, raw=raw)

    def patch(self, path, data=None, *, raw=None):
        return self.send("patch", path, data, raw=raw)

    def delete(self, path):
        return self.send("delete", path)

    def act(self, proposal, action, **body):
        pk = getattr(proposal, "pk", proposal)
        return self.post(f"proposals/{pk}/actions/{action}", body)

    def notification_kinds(self) -> set[str]:
        response = self.get("notifications", {"page_size": 100})
        assert response.status_code == 200, response.content
        return {n["kind"] for n in response.json()["items"]}


@pytest.fixture
def api(db):
    """api(user) -> an ApiClient with a bearer token of that user; api() -> anonymous."""
    from jianyan.api.models import ApiToken

    tokens = {}

    def client_for(user=None):
        if user is not None and user.pk not in tokens:
            tokens[user.pk] = ApiToken.issue(user, name="test")[1]
        return ApiClient(tokens[user.pk] if user is not None else None)

    return client_for


@pytest.fixture
def unit_jyj(committee):
    return Unit.objects.create(committee=committee, name="市教育局", full_name="阳泉市教育局", duties="教育")


@pytest.fixture
def liaison3(committee, unit_jyj):
    return make_user("unit_jyj", committee, Role.UNIT, "教育局联络员", unit=unit_jyj)


class Stage:
    """The member's joint proposal (co-signed by member2) brought to a given state through the workflow:
    registered under the first theme, assigned to 市工信局 (lead) and 市科技局 (co)."""

    def __init__(self, member, cosigner, staff, liaison, liaison2, themes, unit_gxj, unit_kjj):
        self.member, self.cosigner, self.staff = member, cosigner, staff
        self.liaison, self.liaison2 = liaison, liaison2
        self.theme, self.unit_gxj, self.unit_kjj = themes[0], unit_gxj, unit_kjj

    def draft(self, title="关于加快传统产业改造升级的提案"):
        return draft(self.member, title=title, cosigners=[self.cosigner.username])

    def cosigning(self, **kw):
        return proposals.submit_proposal(self.draft(**kw), actor=self.member)

    def submitted(self, **kw):
        return proposals.respond_to_cosign(self.cosigning(**kw), actor=self.cosigner, accept=True)

    def registered(self, **kw):
        return proposals.register_proposal(self.submitted(**kw), actor=self.staff, theme=self.theme)

    def assigned(self, **kw):
        return handling.assign_proposal(self.registered(**kw), actor=self.staff, units=[
            {"unit": self.unit_gxj.pk, "mode": "lead"}, {"unit": self.unit_kjj.pk, "mode": "co"}])

    def return_requested(self, **kw):
        return handling.request_return(self.assigned(**kw), actor=self.liaison2, reason="不属于本单位职责")

    def handling(self, **kw):
        p = handling.sign_assignment(self.assigned(**kw), actor=self.liaison)
        return handling.sign_assignment(p, actor=self.liaison2)

    def reply_audit(self, **kw):
        p = self.handling(**kw)
        handling.submit_reply(p, actor=self.liaison, result_class="A", body="已制定行动方案。", signer="王局长")
        return Proposal.objects.get(pk=p.pk)

    def replied(self, **kw):
        return handling.approve_reply(self.reply_audit(**kw), actor=self.staff)


@pytest.fixture
def stage(member, cosigner, staff, liaison, liaison2, themes, unit_gxj, unit_kjj):
    return Stage(member, cosigner, staff, liaison, liaison2, themes, unit_gxj, unit_kjj)


# ---- the web pages -----------------------------------------------------------------------------

@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def web(db, media_root):
    """web(user) -> a django.test.Client logged in as that user; web() -> anonymous."""
    from django.test import Client

    def client_for(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


class Uploads:
    """Small files of each kind, as a browser would upload them."""

    @staticmethod
    def pdf(name="情况说明.pdf", size=0):
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
        return SimpleUploadedFile(name, body + b" " * max(0, size - len(body)), content_type="application/pdf")

    @staticmethod
    def png(name="现场照片.png"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")

    @staticmethod
    def docx(name="调研报告.docx"):
        import io
        import zipfile

        from django.core.files.uploadedfile import SimpleUploadedFile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w:document/>")
        return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")

    @staticmethod
    def fake(name="病毒.pdf"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(name, b"MZ\x90\x00 this is an executable", content_type="application/pdf")


@pytest.fixture
def uploads():
    return Uploads
