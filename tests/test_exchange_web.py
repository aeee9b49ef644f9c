"""The exchange pages: the shared download view (access-checked, audited) and the import pages (upload,
column mapping, dry run and import as a background task with progress)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jianyan.core.models import AuditEvent
from jianyan.exchange.models import ImportBatch
from jianyan.proposals.models import Proposal
from tests import test_exchange_import as importing
from tests.test_exchange_import import GOOD, csv_bytes

history = importing.history  # the 2024 session fixture


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def handled(stage):
    return stage.replied()


def export_url(**params):
    from urllib.parse import urlencode

    return reverse("exchange:export") + "?" + urlencode(params)


def test_staff_download_the_catalogue_as_xlsx_and_it_is_audited(web, staff, handled):
    year = timezone.now().year
    response = web(staff).get(export_url(kind="catalogue", year=year, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][2] == "关于加快传统产业改造升级的提案"
    assert AuditEvent.objects.filter(action="exchange.exported", actor=staff).exists()


def test_a_leader_downloads_the_statistics_as_csv(web, leader, handled):
    response = web(leader).get(export_url(kind="stats", year=timezone.now().year, format="csv"))
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")


def test_a_unit_liaison_downloads_only_its_own_handling_table(web, liaison2, handled, unit_gxj):
    year = timezone.now().year
    response = web(liaison2).get(export_url(kind="handling", year=year, format="csv", unit=unit_gxj.pk))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "市科技局" in body and "市工信局" not in body
    assert web(liaison2).get(export_url(kind="catalogue", year=year, format="csv")).status_code == 404


@pytest.mark.parametrize("who", ["member", "outsider", "clerk"])
def test_others_get_404_from_the_download_view(web, everyone, handled, who):
    response = web(everyone[who]).get(export_url(kind="handling", year=timezone.now().year, format="csv"))
    assert response.status_code == 404


def test_bad_export_parameters_give_400_not_500(web, staff, handled):
    client = web(staff)
    assert client.get(export_url(kind="catalogue", year="abc", format="xlsx")).status_code == 400
    assert client.get(export_url(kind="catalogue", year=1999, format="xlsx")).status_code == 400
    assert client.get(export_url(kind="catalogue", year=2024, format="pdf")).status_code == 400
    assert client.get(export_url(kind="nope", year=2024, format="csv")).status_code == 404
    assert client.get(export_url(kind="catalogue", year=10**30, format="csv")).status_code == 400
    assert client.get(export_url(kind="handling", year=2024, format="csv", unit=10**30)).status_code == 404
    assert client.get(reverse("exchange:batch", args=[10**30])).status_code == 404
    assert web().get(export_url(kind="catalogue", year=2024)).status_code == 302  # to the login page


def test_the_staff_queue_offers_the_downloads(web, staff, handled):
    page = web(staff).get(reverse("staff:queue")).content.decode()
    assert reverse("exchange:export") in page and reverse("exchange:import") in page


@pytest.mark.parametrize("who", ["member", "liaison", "leader", "outsider", "clerk"])
def test_the_import_pages_are_404_for_everyone_but_staff(web, everyone, who):
    client = web(everyone[who])
    assert client.get(reverse("exchange:import")).status_code == 404
    assert client.post(reverse("exchange:import")).status_code == 404


def upload(client, content, name="history.csv"):
    return client.post(reverse("exchange:import"), {"file": SimpleUploadedFile(name, content)})


def test_upload_map_check_and_import(web, staff, history):
    client = web(staff)
    assert client.get(reverse("exchange:import")).status_code == 200
    response = upload(client, csv_bytes(GOOD))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'name="col_2"' in page and '<option value="title" selected>' in page
    mapping = {f"col_{i}": f for i, f in batch.mapping.items()}
    client.post(reverse("exchange:check", args=[batch.pk]), mapping)
    batch.refresh_from_db()
    assert batch.status == "checked" and Proposal.objects.count() == 0
    assert "正式导入" in client.get(reverse("exchange:batch", args=[batch.pk])).content.decode()
    client.post(reverse("exchange:run", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("imported", 5)
    assert Proposal.objects.count() == 5
    from jianyan.reports.facts import stale_proposal_ids

    assert stale_proposal_ids(batch.committee_id, 2024) == []  # the statistics' facts made by the worker
    panel = client.get(reverse("exchange:progress", args=[batch.pk])).content.decode()
    assert "新导入 5 件提案" in panel and "<html" not in panel


def test_a_bad_row_is_shown_with_its_number_and_nothing_is_imported(web, staff, history):
    client = web(staff)
    bad = "2024,4,关于完善养老服务的提案,张委员,委员个人,公共服务与民生,已办结,市不存在局,,2024-05-10,A,满意,满意,,"
    upload(client, csv_bytes([*GOOD[:2], bad]))
    batch = ImportBatch.objects.get()
    client.post(reverse("exchange:check", args=[batch.pk]), {f"col_{i}": f for i, f in batch.mapping.items()})
    page = client.get(reverse("exchange:batch", args=[batch.pk])).content.decode()
    assert "第4行" in page and "未知承办单位“市不存在局”" in page
    assert client.post(reverse("exchange:run", args=[batch.pk])).status_code == 302
    assert Proposal.objects.count() == 0


def test_the_mapping_can_be_changed_on_the_page(web, staff, history):
    client = web(staff)
    upload(client, csv_bytes(GOOD[:1]).replace("案由".encode(), "提案名称".encode(), 1))
    batch = ImportBatch.objects.get()
    assert "title" not in batch.mapping.values()
    mapping = {f"col_{i}": f for i, f in batch.mapping.items()}
    response = client.post(reverse("exchange:check", args=[batch.pk]), mapping, follow=True)
    assert "缺少必需的列：案由" in response.content.decode()
    client.post(reverse("exchange:check", args=[batch.pk]), {**mapping, "col_2": "title"})
    batch.refresh_from_db()
    assert batch.status == "checked"


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "empty.csv", "文件为空"),
    (b"not a zip at all", "fake.xlsx", "文件不是有效的 Excel"),
    (b"\x00\x01\x02binary\x00", "x.csv", "文件不是文本表格"),
    (b"\xff\xfe\xfa\x80\x81" * 10, "x.csv", "无法识别 CSV 文件的编码"),
    (("年度,案由\r\n2024," + "长" * 200_000 + "\r\n").encode(), "huge.csv", "单元格"),
])
def test_garbage_uploads_give_400_with_a_message(web, staff, history, content, name, message):
    response = upload(web(staff), content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_another_committees_batch_is_404(web, staff, history, outsider):
    from jianyan.people.models import Profile, Role

    client = web(staff)
    upload(client, csv_bytes(GOOD))
    batch = ImportBatch.objects.get()
    other_staff = outsider
    Profile.objects.filter(user=other_staff).update(role=Role.STAFF)
    assert web(other_staff).get(reverse("exchange:batch", args=[batch.pk])).status_code == 404
