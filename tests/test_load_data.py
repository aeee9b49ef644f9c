"""The load test's pieces: the health endpoint (its ceiling page) and the synthetic data generator
(bench/generate_data.py), whose proposals must look to the pages and statistics like workflow-made ones."""

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Count, Max

from jianyan import search
from jianyan.disclosure.models import Publication
from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Committee, Profile, Role, Session
from jianyan.proposals.models import Proposal, Proposer, State

BENCH = Path(__file__).resolve().parent.parent / "bench" / "generate_data.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_data", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_data", module)
    spec.loader.exec_module(module)
    return module


def load_bench():
    spec = importlib.util.spec_from_file_location("load_bench", BENCH.parent / "load_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def keep_one_core_busy(seconds: float) -> subprocess.Popen:
    """Another process, so that the measuring thread does not wait for this one's interpreter lock."""
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
    return subprocess.Popen([sys.executable, "-c", spin])  # noqa: S603


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_load_bench_sees_a_busy_box():
    """Before each measurement bench/load_bench.py waits until the box is quiet (workers booted, the previous
    level's work done): it must see one core kept busy."""
    bench = load_bench()
    spinner = keep_one_core_busy(1.0)
    time.sleep(0.2)  # started
    busy = bench.busy_share(0.4)
    spinner.wait()
    assert busy >= 0.7 / os.cpu_count(), busy
    started = time.monotonic()
    bench.wait_until_quiet(limit=1.5, quiet=1.01)  # a box is always quieter than 101 %: no waiting
    assert time.monotonic() - started < 1.5


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_load_bench_counts_cpu_per_kind_of_process():
    """bench/load_bench.py prints where the CPU goes (gunicorn, postgres, locust) during each level."""
    bench = load_bench()
    spinner = keep_one_core_busy(1.5)  # a process of the kind "other", alive through the window
    window = bench.CpuWindow(0.2, 0.5)
    window.start()
    window.join()
    spinner.wait()
    assert 40 < window.shares["other"] < 400, window.shares
    assert "other" in window.text()


def test_the_load_bench_prints_the_servers_cpu_per_request():
    """The saturated mix is explained by what each kind of page costs the server (gunicorn and PostgreSQL,
    not the client): 60 % + 40 % of a core over 50 requests a second is 20 ms a request."""
    bench = load_bench()
    result = {"cpu_shares": {"gunicorn": 60.0, "postgres": 40.0, "locust": 30.0}}
    assert bench.server_ms_per_request(result, 50.0) == pytest.approx(20.0)
    assert bench.server_ms_per_request(result, 0.0) == 0.0
    assert bench.server_ms_per_request({}, 50.0) == 0.0


def test_the_load_bench_splits_the_mix_into_the_public_and_the_logged_in():
    bench = load_bench()
    assert bench.split_mix(["PublicReader", "Member", "Staff", "UnitLiaison"]) == [
        ("the public alone", ["PublicReader"]), ("the logged-in roles alone", ["Member", "Staff", "UnitLiaison"])]
    assert bench.split_mix(["Staff", "UnitLiaison"]) == []  # nothing to split: the mix is one kind already


def test_healthz_answers_ok_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def generated(db):
    counts = load_generator().generate(proposals=900, committees=2, years=3, members_per_committee=25)
    return counts


def test_generated_data_is_marked_synthetic(generated):
    assert Committee.objects.count() == 2
    assert all("压测合成数据" in c.name for c in Committee.objects.all())
    assert not Proposal.objects.exclude(background__contains="压测合成数据").exists()
    assert not Profile.objects.filter(is_demo=False).exists()


def test_generated_data_has_every_state_of_a_session_in_progress(generated):
    current = Session.objects.order_by("-year").first()
    states = set(Proposal.objects.filter(session__year=current.year).values_list("state", flat=True))
    assert {State.DRAFT, State.SUBMITTED, State.REGISTERED, State.ASSIGNED, State.HANDLING, State.REPLY_AUDIT,
            State.REPLIED, State.CLOSED} <= states
    past = Proposal.objects.filter(session__year__lt=current.year)
    assert past.filter(state=State.CLOSED).count() > 0.8 * past.count()


def test_generated_numbers_are_gapless_per_session(generated):
    for session in Session.objects.all():
        numbers = sorted(Proposal.objects.filter(session=session, number__isnull=False)
                         .values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        assert session.last_number == len(numbers)
    assert not Proposal.objects.filter(state__in=[State.DRAFT, State.SUBMITTED, State.NOT_REGISTERED],
                                       number__isnull=False).exists()


def test_generated_states_agree_with_assignments_replies_and_evaluations(generated):
    assigned = [State.ASSIGNED, State.HANDLING, State.REPLY_AUDIT, State.REPLIED, State.CLOSED]
    with_units = Proposal.objects.annotate(n=Count("assignments"))
    assert not with_units.filter(state__in=assigned, n=0).exists()
    assert not with_units.exclude(state__in=assigned).filter(n__gt=0).exists()
    assert not Assignment.objects.filter(proposal__state=State.ASSIGNED, signed_at__isnull=False).exists()
    assert not Assignment.objects.filter(proposal__state__in=assigned[1:], signed_at__isnull=True).exists()
    assert not Reply.objects.filter(proposal__state=State.REPLY_AUDIT).exclude(status=Reply.Status.PENDING).exists()
    assert not Reply.objects.filter(proposal__state__in=[State.REPLIED, State.CLOSED]).exclude(
        status=Reply.Status.APPROVED).exists()
    replying = Assignment.objects.filter(proposal__state__in=assigned[2:]).exclude(mode=Assignment.Mode.CO)
    assert not replying.annotate(r=Count("replies")).filter(r=0).exists()
    closed = Proposal.objects.filter(state=State.CLOSED)
    accepted = Proposer.objects.filter(proposal__state=State.CLOSED, status=Proposer.Status.ACCEPTED)
    assert Evaluation.objects.count() == accepted.count()
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not Proposal.objects.filter(state=State.DRAFT, submitted_at__isnull=False).exists()
    assert not Proposer.objects.filter(proposal__state=State.COSIGNING).filter(
        role=Proposer.Role.COSIGNER).exclude(status=Proposer.Status.PENDING).exists()
    assert not Proposal.objects.filter(state=State.MERGED, merge_host__isnull=True).exists()
    assert Proposal.objects.aggregate(m=Max("created_at"))["m"] <= Proposal.objects.aggregate(
        m=Max("updated_at"))["m"]


def test_generated_publications_are_in_the_search_index(generated):
    published = Publication.objects.filter(status=Publication.Status.PUBLISHED)
    assert published.exists()
    assert not published.exclude(proposal__state=State.CLOSED).exists()
    assert not published.filter(proposal__publish_consent=False).exists()
    words = ["产业", "养老", "服务", "建设", "合成数据", "答复"]
    found = [search.count(w) for w in words]
    assert all(found)
    search.rebuild(published)  # the app's own indexing of the same publications finds the same
    assert [search.count(w) for w in words] == found


def test_generated_accounts_can_use_their_pages(generated, client, settings):
    settings.JIANYAN_ALLOW_DEMO = True
    staff = Profile.objects.filter(role=Role.STAFF).select_related("user").first().user
    client.force_login(staff)
    assert client.get("/staff/review/").status_code == 200
    handling = Proposal.objects.filter(committee=staff.profile.committee, state=State.HANDLING).first()
    assert client.get(f"/proposals/{handling.pk}/").status_code == 200
    client.logout()
    assert client.get("/public/").status_code == 200
