"""The similarity index in the database: kept current by the workflow, shared across processes through
the version counter, caught up when rows were written behind the workflow's back, rebuilt by command."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jianyan.assist import index as ix
from jianyan.assist import services
from jianyan.assist.models import IndexVersion, ProposalBand, ProposalIndex
from jianyan.people.models import Session, Term
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal
from jianyan.textlab import similar

TITLE = "关于加快老旧小区既有住宅加装电梯的提案"
BODY = "我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。"
ADVICE = ["设立加装电梯专项补助资金，每户补助不低于5万元", "简化加装电梯审批流程，推行一窗受理"]


def write(author, title=TITLE, background=BODY, suggestions=ADVICE):
    return proposals.create_proposal(actor=author, title=title, background=background, suggestions=list(suggestions))


def write_other(author, title):
    return write(author, title=title, background="情况另述。", suggestions=["由有关部门研究制定实施方案"])


@pytest.fixture
def other_session(outsider):
    committee = outsider.profile.committee
    term = Term.objects.create(committee=committee, number=9, start_year=2022)
    now = timezone.now()
    return Session.objects.create(term=term, sitting=1, year=now.year, plenary_start=now.date(),
                                  plenary_end=now.date(), submission_deadline=now + dt.timedelta(days=30))


def version(committee) -> int:
    return IndexVersion.objects.get(committee=committee).version


def test_creating_a_draft_writes_its_signature_bands_and_vector(member, committee):
    p = write(member)
    row = ProposalIndex.objects.get(proposal=p)
    assert row.committee_id == committee.pk
    assert row.text_hash == ix.text_hash(TITLE, ix.proposal_body(BODY, ADVICE))
    sig = similar.signature(similar.document_text(TITLE, ix.proposal_body(BODY, ADVICE)))
    assert list(ix.unpack_signature(row.signature)) == sig
    bands = ProposalBand.objects.filter(proposal=p).order_by("band")
    assert [b.hash for b in bands] == similar.band_hashes(sig)
    assert ix.unpack_vector(row.features).keys() == similar.vector(TITLE, ix.proposal_body(BODY, ADVICE)).keys()
    assert row.version == version(committee) == 1


def test_editing_rewrites_the_rows_and_submitting_leaves_them(member, committee):
    p = write(member)
    old_bands = set(ProposalBand.objects.filter(proposal=p).values_list("hash", flat=True))
    proposals.edit_proposal(p, actor=member, changes={"title": "关于发展社区老年助餐服务的提案"})
    row = ProposalIndex.objects.get(proposal=p)
    assert row.version == version(committee) == 2
    new_bands = set(ProposalBand.objects.filter(proposal=p).values_list("hash", flat=True))
    assert ProposalBand.objects.filter(proposal=p).count() == similar.BANDS
    assert new_bands != old_bands
    proposals.submit_proposal(p, actor=member)
    assert version(committee) == 2  # same text: nothing rewritten
    assert ProposalIndex.objects.get(proposal=p).indexed_at >= row.indexed_at


def test_a_near_duplicate_submitted_in_another_process_is_found(member, cosigner, staff, committee):
    first = proposals.submit_proposal(write(member), actor=member)
    assert [r.id for r in services.similar_proposals(staff, title="关于推进老旧小区加装电梯的建议")] == [first.pk]
    cached = ix._cache[committee.pk]
    # Another process: the workflow writes rows and bumps the version, this process's copy is untouched.
    again = write(cosigner, title="关于加快老旧小区既有住宅加装电梯的建议", suggestions=ADVICE[:1])
    again = proposals.submit_proposal(again, actor=cosigner)
    assert ix._cache[committee.pk] is cached and len(cached.index) == 1
    found = services.similar_proposals(staff, title="关于加快老旧小区既有住宅加装电梯的建议", body=BODY)
    assert {r.id for r in found} == {first.pk, again.pk}
    assert len(cached.index) == 2 and cached.version == version(committee)
    ix.clear_cache()  # a process starting now loads everything from the tables
    found = services.similar_proposals(staff, proposal=first)
    assert found[0].id == again.pk and found[0].near_duplicate
    sig = similar.signature(similar.document_text(again.title, ix.proposal_body(again.background, again.suggestions)))
    assert again.pk in ix.lsh_candidates(committee.pk, similar.band_hashes(sig))


def test_proposals_written_behind_the_workflow_are_indexed_on_first_query(member, staff, committee, session):
    p = Proposal.objects.create(committee=committee, session=session, created_by=member, title=TITLE,
                                background=BODY, suggestions=ADVICE, state="submitted")
    assert not ProposalIndex.objects.filter(proposal=p).exists()
    assert [r.id for r in services.similar_proposals(staff, title=TITLE)] == [p.pk]
    assert ProposalIndex.objects.filter(proposal=p).exists()
    p.title = "关于发展乡村旅游的提案"
    p.background = "乡村旅游基础设施薄弱。"
    p.suggestions = ["建设乡村旅游公路和停车场"]
    p.save()  # an edit in the admin: no hook
    ix.clear_cache()
    assert services.similar_proposals(staff, title=TITLE) == []
    assert [r.id for r in services.similar_proposals(staff, title="关于发展乡村旅游的建议")] == [p.pk]


def test_a_deleted_proposal_leaves_results_at_once_and_the_cached_index_on_the_next_write(
        member, staff, committee, session):
    kept = proposals.submit_proposal(write_other(member, "关于发展乡村旅游的提案"), actor=member)
    gone = Proposal.objects.create(committee=committee, session=session, created_by=member, title=TITLE,
                                   background=BODY, suggestions=ADVICE, state="submitted")
    assert ix.index_proposal(gone)
    assert [r.id for r in services.similar_proposals(staff, title=TITLE)] == [gone.pk]
    gone.delete()
    assert services.similar_proposals(staff, title=TITLE) == []
    assert len(ix._cache[committee.pk].index) == 2
    write_other(member, "关于建设城市绿道的提案")  # any write moves the version on: the copy is reloaded
    assert services.similar_proposals(staff, title="关于发展乡村旅游的建议")[0].id == kept.pk
    assert len(ix._cache[committee.pk].index) == 2


def test_a_failing_index_never_breaks_the_workflow(member, staff, monkeypatch, committee):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(ix, "prepare", broken)
        p = write(member)
    assert Proposal.objects.filter(pk=p.pk).exists()
    assert not ProposalIndex.objects.filter(proposal=p).exists()
    proposals.submit_proposal(p, actor=member)  # the next hook repairs it
    assert ProposalIndex.objects.filter(proposal=p).exists()


def test_reindex_rebuilds_every_committee_with_a_progress_bar(member, outsider, other_session, committee):
    ours = write(member)
    theirs = write(outsider)
    ProposalIndex.objects.all().delete()
    ProposalBand.objects.all().delete()
    before = version(committee)
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex_similar", stdout=out, stderr=err)
    assert ProposalIndex.objects.filter(proposal__in=[ours, theirs]).count() == 2
    assert ProposalBand.objects.filter(proposal=ours).count() == similar.BANDS
    assert version(committee) > before
    assert "100%" in err.getvalue() and "1/1" in err.getvalue()
    assert "本次写入 1 件" in out.getvalue()
    out = io.StringIO()
    call_command("reindex_similar", "--committee", "yq", "--changed", stdout=out, stderr=io.StringIO())
    assert "本次写入 0 件" in out.getvalue()
