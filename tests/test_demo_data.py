"""The demo data: built once for the module (it takes a while), through the workflow functions.

2024 must equal the Yangquan report; 2025 must have a proposal in every state of the contract, with
work waiting for each demo account."""

import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Max
from django.test import override_settings

from jianyan.core.models import AuditEvent
from jianyan.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo, reset_demo
from jianyan.demo.builder import DEMO_CONTACT
from jianyan.handling.models import Assignment
from jianyan.people.models import Committee, Profile, Role, Unit
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.reports.statistics import year_statistics
from jianyan.supervision.models import KeyProposal

pytestmark = pytest.mark.slow

REPORT_THEMES = {"产业转型": 122, "营商环境与基层治理": 23, "城市品牌与文旅": 90, "公共服务与民生": 135, "绿色低碳": 17}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            summary = build_demo()
        yield summary
        reset_demo()


@pytest.fixture
def yq(demo, db):
    return Committee.objects.get(code="yq")


def test_2024_reproduces_the_report(yq):
    s = year_statistics(year=2024, committee=yq)
    assert (s["received"], s["registered"], s["collective"], s["member"]) == (418, 387, 53, 334)
    assert s["by_category"] == REPORT_THEMES
    assert s["registration_rate"] == 0.9258
    assert s["completion_rate"] == 1.0 and s["closed"] == 387 and s["replied"] == 387
    assert s["pending_review"] == 0 and s["overdue"] == 0
    assert s["key_proposals"] >= 5
    assert sum(s["by_result_class"].values()) == 387 and all(s["by_result_class"].values())
    assert 0.9 < s["satisfaction_rate"] <= 1.0 and s["unrated"] == 0
    assert 0.8 < s["on_time_rate"] < 1.0
    assert 0.7 < s["member_participation"] < 1.0
    assert len(s["not_registered_by_reason"]) >= 3


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_counting_identity_holds(yq, year):
    s = year_statistics(year=year, committee=yq)
    assert s["received"] == s["registered"] + s["converted"] + s["not_registered"] + s["merged"]
    assert s["merged"] and s["converted"] and s["not_registered"]


def test_2025_has_a_proposal_in_every_state_of_the_contract(yq):
    states = set(Proposal.objects.filter(committee=yq, session__year=2025).values_list("state", flat=True))
    assert states == set(State.values)


def test_the_county_committee_is_separate(yq):
    cq = Committee.objects.get(code="cq")
    assert cq.parent == yq and cq.level == Committee.Level.COUNTY
    assert Unit.objects.filter(committee=cq).count() >= 3
    assert year_statistics(year=2024, committee=cq)["received"] > 0
    assert not Assignment.objects.filter(proposal__committee=yq, unit__committee=cq).exists()


def test_every_unit_of_the_contract_exists_with_its_duties(yq):
    names = ["市发改委", "市工信局", "市中小企业发展中心", "市科技局", "市教育局", "市公安局", "市民政局", "市司法局",
             "市财政局", "市人社局", "市自然资源和规划局", "市生态环境局", "市住建局", "市城管局", "市交通运输局",
             "市水利局", "市农业农村局", "市商务局", "市文旅局", "市卫健委", "市应急管理局", "市市场监管局",
             "市行政审批局", "市医保局", "市体育局", "市退役军人事务局", "市林业局", "市委组织部", "市委宣传部",
             "国网阳泉供电公司"]
    units = {u.name: u for u in Unit.objects.filter(committee=yq)}
    assert set(names) <= set(units)
    assert all(len(units[n].duties) > 20 for n in names)
    assert all(Profile.objects.filter(unit=units[n], role=Role.UNIT).exists() for n in names)


def test_the_demo_logins_authenticate_with_their_roles(yq, settings):
    settings.JIANYAN_ALLOW_DEMO = True
    expected = {"member1": Role.MEMBER, "member2": Role.MEMBER, "member3": Role.MEMBER, "party1": Role.CLERK,
                "staff1": Role.STAFF, "unit_gxj": Role.UNIT, "unit_kjj": Role.UNIT, "leader1": Role.LEADER,
                "admin": Role.ADMIN}
    assert set(DEMO_LOGINS) == set(expected)
    for username, role in expected.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.profile.role == role and user.profile.is_demo
    assert authenticate(username="admin", password=DEMO_PASSWORD).is_superuser
    assert Profile.objects.get(user__username="unit_gxj").unit.name == "市工信局"
    assert Profile.objects.get(user__username="unit_kjj").unit.name == "市科技局"
    assert authenticate(username="member1", password="wrong") is None


def test_each_demo_account_has_work_waiting(yq):
    mine = Proposal.objects.filter(session__year=2025)
    assert mine.filter(created_by__username="member1", state=State.DRAFT).count() >= 2
    cosigning = mine.get(created_by__username="member1", state=State.COSIGNING)
    assert cosigning.proposers.get(user__username="member2").status == Proposer.Status.PENDING
    assert mine.filter(created_by__username="member1", state=State.REPLIED).exists()
    assert mine.filter(created_by__username="party1", organisation__name="民革阳泉市委员会").exists()
    assert mine.filter(state=State.SUBMITTED, committee=yq).count() >= 3
    for unit in ("市工信局", "市科技局"):
        active = Assignment.objects.filter(proposal__session__year=2025, unit__name=unit, is_active=True)
        assert active.filter(signed_at__isnull=True, proposal__state=State.ASSIGNED).exists(), unit
        assert active.filter(proposal__state=State.HANDLING, mode__in=["lead", "separate"]).exists(), unit
    assert KeyProposal.objects.filter(lead_leader__username="leader1", session__year=2024).count() >= 2
    assert KeyProposal.objects.filter(topic="推动“医养结合”健康发展，提升养老服务水平", activities__isnull=False).exists()


def test_the_audit_trail_is_real_and_the_data_is_labelled_demo(yq):
    proposals = Proposal.objects.filter(committee=yq)
    assert not proposals.exclude(contact=DEMO_CONTACT).exists()
    assert not Profile.objects.filter(committee=yq, is_demo=False).exists()
    # every proposal's latest state change in the audit trail is its current state
    last = (AuditEvent.objects.filter(proposal__committee=yq).exclude(to_state="")
            .values("proposal_id").annotate(last=Max("id")))
    last_state = dict(AuditEvent.objects.filter(id__in=[r["last"] for r in last]).values_list("proposal_id", "to_state"))
    assert len(last_state) == proposals.count()
    assert all(last_state[p.pk] == p.state for p in proposals.only("id", "state"))
    # the 2024 steps happened in 2023–2024, not at load time
    years = dict(AuditEvent.objects.filter(proposal__session__year=2024, proposal__committee=yq)
                 .values_list("at__year").annotate(n=Count("id")))
    assert set(years) <= {2023, 2024}
    titles = proposals.filter(session__year=2024).values_list("title", flat=True)
    assert all(t.startswith("关于") and t.endswith("的提案") for t in titles)
    assert len(set(titles)) == len(titles)


def test_stats_command_prints_the_report_numbers(yq):
    out = StringIO()
    call_command("stats", "--year", "2024", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["year"], data["received"], data["registered"], data["collective"], data["member"]) == (
        2024, 418, 387, 53, 334)
    assert data["by_category"] == REPORT_THEMES
    assert data["completion_rate"] == 1.0 and data["registration_rate"] == 0.9258
    assert {"unit", "lead", "co", "on_time_rate", "satisfaction_rate"} <= set(data["by_unit"][0])
    out = StringIO()
    call_command("stats", "--year", "2024", stdout=out)  # --committee defaults to yq
    assert "收到提案 418 件，立案 387 件" in out.getvalue()


def test_demo_data_command_refuses_to_load_twice_and_skips_when_not_empty(yq):
    out = StringIO()
    call_command("demo_data", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    with pytest.raises(CommandError) as err:
        call_command("demo_data", stdout=StringIO())
    assert "--reset" in str(err.value)


def pdf_words(path) -> str:
    import subprocess

    command = ["pdftotext", str(path), "-"]
    return "".join(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split())  # noqa: S603


def test_the_annual_report_states_the_seed_numbers_in_every_format(yq, tmp_path, settings):
    """jianyan report annual (tests/test_annual_report.py has the rest; the demo is built once, here)."""
    from docx import Document

    settings.DOCUMENTS_CACHE_DIR = tmp_path / "pdf-cache"

    totals = "共提出提案418件，立案387件。其中，集体提案53件，委员提案334件，办结率100%。"
    themes = [f"此类提案{n}件" for n in REPORT_THEMES.values()]
    texts = {}
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        call_command("report", "annual", "--year", "2024", "--format", fmt, "-o", str(out), stderr=StringIO())
        texts[fmt] = out
    md = texts["md"].read_text(encoding="utf-8")
    docx = "".join(p.text for p in Document(str(texts["docx"])).paragraphs)
    pdf = pdf_words(texts["pdf"])
    for text in (md, docx, pdf):
        assert totals in text
        positions = [text.index(t) for t in themes]
        assert positions == sorted(positions)  # one paragraph per theme, in the committee's order
        assert "演示数据为系统合成" in text  # never presented as real


def test_each_official_document_renders_for_a_demo_proposal(yq, tmp_path):
    from jianyan.documents import official
    from jianyan.documents.render import render

    for slug, kind in official.KINDS.items():
        p = Proposal.objects.filter(committee=yq, session__year=2025, state__in=kind.states).order_by("id").first()
        doc = official.BUILDERS[slug](p)
        assert p.title in doc.plain_text
        assert render(doc, "docx")[:2] == b"PK"
        path = tmp_path / f"{slug}.pdf"
        path.write_bytes(render(doc, "pdf"))
        assert "".join(p.title.split()) in pdf_words(path), slug


def test_reset_removes_the_demo(demo, django_db_blocker):  # last: it destroys the module's data
    with django_db_blocker.unblock():
        assert reset_demo() > 500
        assert not Committee.objects.filter(code__in=["yq", "cq"]).exists()
        assert not Profile.objects.filter(is_demo=True).exists()
        assert not AuditEvent.objects.exists()
        assert not Proposal.objects.exists()
