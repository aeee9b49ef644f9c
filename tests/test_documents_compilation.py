"""The 提案汇编 as a background job: started from the session's compilation page, its progress polled, the
finished file downloaded through an access-checked view; a job left running by a dead worker does not block."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from jianyan.core.models import AuditEvent
from jianyan.documents import compilations, tasks, views
from jianyan.documents.models import CompilationJob
from jianyan.people.models import Profile, Role
from tests.test_documents import assert_cjk_pdf, docx_text

pytestmark = pytest.mark.django_db
Status = CompilationJob.Status
TITLES = ["关于推进第一项民生工程建设的提案", "关于推进第二项民生工程建设的提案"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _pdf_cache_in_tmp(settings, tmp_path):
    settings.DOCUMENTS_CACHE_DIR = tmp_path / "pdf-cache"


@pytest.fixture
def registered(stage):
    return [stage.registered(title=title) for title in TITLES]


def page(session):
    return reverse("documents:compilation_jobs", args=[session.pk])


def panel(session):
    return reverse("documents:compilation_jobs_panel", args=[session.pk])


def start(client, session, fmt):
    return client.post(reverse("documents:compilation_start", args=[session.pk]), {"format": fmt})


def file_url(job):
    return reverse("documents:compilation_file", args=[job.session_id, job.pk])


def old_url(session, fmt):
    return reverse("documents:compilation", kwargs={"pk": session.pk, "fmt": fmt})


def running_job(session, user, *, started_ago=dt.timedelta(0), fmt="docx"):
    """A job as a worker leaves it while it works (or when it died `started_ago`)."""
    at = timezone.now() - started_ago
    return CompilationJob.objects.create(session=session, format=fmt, status=Status.RUNNING, requested_by=user,
                                         created_at=at, started_at=at)


def test_staff_start_a_word_compilation_and_download_it(web, staff, session, registered, media_root):
    client = web(staff)
    response = start(client, session, "docx")
    assert response.status_code == 302 and response["Location"] == page(session)
    job = CompilationJob.objects.get()
    assert (job.status, job.format, job.proposals, job.requested_by) == (Status.DONE, "docx", 2, staff)
    assert (Path(media_root) / job.file).is_file() and job.file.startswith("compilations/")
    html = client.get(page(session)).content.decode()
    assert file_url(job) in html and "已完成" in html and "内容已有变化" not in html
    download = client.get(file_url(job))
    assert download.status_code == 200
    assert "filename*=utf-8''%E6%8F%90%E6%A1%88%E6%B1%87%E7%BC%96" in download["Content-Disposition"]
    text = docx_text(b"".join(download.streaming_content))
    assert all(title in text for title in TITLES)
    assert AuditEvent.objects.filter(action="documents.compilation_requested", actor=staff).exists()


def test_a_leader_makes_the_pdf_and_its_text_has_the_titles(web, leader, session, registered, tmp_path):
    client = web(leader)
    start(client, session, "pdf")
    job = CompilationJob.objects.get()
    assert job.status == Status.DONE, job.message
    body = b"".join(client.get(file_url(job)).streaming_content)
    assert_cjk_pdf(body, tmp_path, "提案汇编", *TITLES)


def test_the_task_reports_each_proposal_then_a_phase_without_figures(web, staff, session, registered,
                                                                     monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(compilations, "write_progress", lambda job_id, *args: calls.append(args))
    start(web(staff), session, "docx")
    assert calls == [("汇编", 0, 0), ("汇编", 0, 2), ("汇编", 1, 2), ("汇编", 2, 2), ("写入", 2, 2)]


def test_the_poll_view_shows_the_progress_file(web, staff, session, registered):
    client = web(staff)
    earlier = timezone.now() - dt.timedelta(days=1)
    CompilationJob.objects.create(session=session, format="docx", status=Status.DONE, created_at=earlier,
                                  started_at=earlier, finished_at=earlier + dt.timedelta(seconds=7))
    job = running_job(session, staff)
    compilations.write_progress(job.pk, "汇编", 12, 40)
    html = client.get(panel(session)).content.decode()
    assert "12 / 40 件" in html and 'aria-valuenow="30"' in html and "width: 30%" in html
    assert 'hx-trigger="every 2s"' in html and "<html" not in html  # the panel alone, still polling
    assert "Word版生成中" in html  # its button is disabled meanwhile
    compilations.write_progress(job.pk, "排版", 40, 40)
    html = client.get(panel(session)).content.decode()
    assert "排版中" in html and "progress indeterminate" in html and "上次共用时约 7 秒" in html
    CompilationJob.objects.filter(pk=job.pk).update(status=Status.FAILED, message="字体缺失")
    html = client.get(panel(session)).content.decode()
    assert "hx-trigger" not in html and "字体缺失" in html


def test_a_stale_running_job_does_not_block_a_new_one(web, staff, session, registered):
    dead = running_job(session, staff, started_ago=dt.timedelta(hours=1))
    assert "已中断" in web(staff).get(page(session)).content.decode()
    start(web(staff), session, "docx")
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.message == compilations.STALE_MESSAGE
    assert CompilationJob.objects.filter(status=Status.DONE).count() == 1


def test_a_job_under_way_is_joined_not_repeated(web, staff, session, registered):
    busy = running_job(session, staff, started_ago=dt.timedelta(seconds=30), fmt="pdf")
    client = web(staff)
    response = start(client, session, "pdf")
    assert "PDF版提案汇编正在生成中" in client.get(response["Location"]).content.decode()
    assert list(CompilationJob.objects.all()) == [busy]
    start(client, session, "docx")  # the other format is not blocked
    assert CompilationJob.objects.get(format="docx").status == Status.DONE


def test_a_job_whose_worker_died_is_finished_when_its_task_runs_again(staff, session, registered):
    job = running_job(session, staff, started_ago=dt.timedelta(minutes=2))  # as `recover-tasks` finds it
    tasks.build_compilation.call(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.file and job.started_at > timezone.now() - dt.timedelta(minutes=1)


def test_the_worker_leaves_a_job_that_was_expired_meanwhile(staff, session, registered):
    job = CompilationJob.objects.create(session=session, format="docx", status=Status.FAILED, requested_by=staff)
    assert tasks.build_compilation.call(job.pk) == {"skipped": job.pk}
    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.file


@pytest.mark.parametrize("who", ["member", "liaison", "outsider", "clerk"])
def test_others_get_404_everywhere(web, everyone, staff, session, registered, who):
    start(web(staff), session, "docx")
    job = CompilationJob.objects.get()
    client = web(everyone[who])
    for url in (page(session), panel(session), file_url(job)):
        assert client.get(url).status_code == 404, url
    assert start(client, session, "docx").status_code == 404
    assert CompilationJob.objects.count() == 1


def test_staff_of_another_committee_get_404(web, staff, outsider, session, registered):
    start(web(staff), session, "docx")
    Profile.objects.filter(user=outsider).update(role=Role.STAFF)
    client = web(outsider)
    assert client.get(page(session)).status_code == 404
    assert client.get(file_url(CompilationJob.objects.get())).status_code == 404


def test_bad_requests_give_no_job_and_no_500(web, staff, session, registered):
    client = web(staff)
    response = start(client, session, "exe")
    assert response.status_code == 302 and CompilationJob.objects.count() == 0
    assert "请选择 PDF 或 Word 格式" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("documents:compilation_start", args=[session.pk])).status_code == 405
    assert client.get(page(session).replace(str(session.pk), str(10**30))).status_code == 404
    assert client.get(reverse("documents:compilation_file", args=[session.pk, 10**30])).status_code == 404


def test_the_old_url_serves_the_current_file_or_sends_to_the_page(web, staff, stage, session, registered,
                                                                 monkeypatch):
    monkeypatch.setattr(views, "INLINE_DOCX_PROPOSALS", 0)  # as for a large session
    client = web(staff)
    response = client.get(old_url(session, "docx"))
    assert response.status_code == 302 and response["Location"] == page(session) + "?format=docx"
    start(client, session, "docx")
    job = CompilationJob.objects.get()
    response = client.get(old_url(session, "docx"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (Path(compilations.folder().parent) / job.file).read_bytes()
    stage.registered(title="关于推进第三项民生工程建设的提案")  # the content changes: the file is outdated
    assert client.get(old_url(session, "docx")).status_code == 302
    assert "内容已有变化" in client.get(page(session)).content.decode()
    assert "第三项" in client.get(old_url(session, "md")).content.decode()  # Markdown is always made at once


def test_only_the_newest_files_are_kept(web, staff, session, registered, monkeypatch):
    monkeypatch.setattr(compilations, "KEEP_FILES", 1)
    client = web(staff)
    start(client, session, "docx")
    start(client, session, "docx")
    old, new = CompilationJob.objects.order_by("id")
    assert not old.file and new.file
    assert client.get(file_url(old)).status_code == 404
    assert client.get(file_url(new)).status_code == 200
    assert "已清理" in client.get(page(session)).content.decode()


def test_the_staff_home_links_the_page(web, staff, session):
    assert page(session) in web(staff).get(reverse("workspace:home")).content.decode()
