"""The exchange pages: one download view for every export, and the import pages (upload, column mapping,
dry run and import as a background task, progress polled with htmx)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jianyan.core.access import profile_of, role_of
from jianyan.core.errors import DomainError
from jianyan.exchange.exporters import CONTENT_TYPES, EXPORTERS, FORMATS, export_file
from jianyan.exchange.importer import FIELD_LABELS, auto_mapping, clean_mapping
from jianyan.exchange.models import ImportBatch
from jianyan.exchange.reading import MAX_IMPORT_BYTES, read_table
from jianyan.exchange.tasks import read_progress, run_import
from jianyan.people.models import Role, Session, Unit
from jianyan.workspace.web import Crumb

Status = ImportBatch.Status
RUNNING = {Status.QUEUED, Status.CHECKING, Status.IMPORTING}
MAPPABLE = {Status.UPLOADED, Status.CHECKED, Status.REJECTED, Status.FAILED}
SHOWN_ERRORS = 500


def committee_staff_only(view):
    """Staff of the committee (or an admin with a profile); anyone else gets 404, as for a missing page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        profile = profile_of(request.user)
        if profile is None or role_of(request.user) not in (Role.STAFF, Role.ADMIN):
            raise Http404()
        return view(request, profile.committee, *args, **kwargs)

    return wrapped


def bad_request(request, message: str) -> HttpResponse:
    return render(request, "exchange/error.html", {"message": message}, status=400)


# ---- export ---------------------------------------------------------------------------------------

def export_scope(request, kind: str):
    """(committee, unit) the user may export: staff and leaders anything of their committee, a unit
    liaison only its own 办理情况一览表; everyone else gets 404."""
    profile, role = profile_of(request.user), role_of(request.user)
    if profile is None:
        raise Http404()
    if role in (Role.STAFF, Role.LEADER, Role.ADMIN):
        unit_id = request.GET.get("unit", "")
        if unit_id and kind == "handling":
            pk = int(unit_id) if unit_id.isdigit() and len(unit_id) < 18 else 0
            unit = Unit.objects.filter(committee=profile.committee, pk=pk).first()
            if unit is None:
                raise Http404()
            return profile.committee, unit
        return profile.committee, None
    if role == Role.UNIT and kind == "handling" and profile.unit_id:
        return profile.committee, profile.unit
    raise Http404()


@login_required
@require_http_methods(["GET"])
def download(request):
    kind = request.GET.get("kind", "catalogue")
    fmt = request.GET.get("format", "xlsx")
    if kind not in EXPORTERS:
        raise Http404()
    committee, unit = export_scope(request, kind)
    if fmt not in FORMATS:
        return bad_request(request, "导出格式应为 xlsx 或 csv")
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else 0
    if not year:
        return bad_request(request, "请选择年度（四位数字，如 2024）")
    if not Session.objects.filter(term__committee=committee, year=year).exists():
        return bad_request(request, f"{committee.short_name}没有 {year} 年的会次")
    name, content = export_file(kind=kind, committee=committee, year=year, fmt=fmt, unit=unit, actor=request.user)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(name)
    return response


def content_disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"export.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"


# ---- import ---------------------------------------------------------------------------------------

def crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb("工作台", reverse("workspace:home")), Crumb("导入往年提案", reverse("exchange:import")), *extra]


@committee_staff_only
@require_http_methods(["GET", "POST"])
def upload(request, committee):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要导入的 .xlsx 或 .csv 文件"
        elif upload.size > MAX_IMPORT_BYTES:
            error = f"文件过大（超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB），请分批导入"
        else:
            content = upload.read()
            try:
                table = read_table(content, upload.name)
            except DomainError as e:
                error = e.message
            else:
                batch = ImportBatch.objects.create(
                    committee=committee, created_by=request.user, file_name=upload.name[:200], content=content,
                    headers=table.headers, total=len(table.rows),
                    mapping={str(i): f for i, f in auto_mapping(table.headers).items()},
                )
                return redirect("exchange:batch", pk=batch.pk)
    batches = ImportBatch.objects.filter(committee=committee).defer("content").select_related("created_by")[:20]
    return render(request, "exchange/upload.html", {
        "error": error, "batches": batches, "fields": FIELD_LABELS, "crumbs": crumbs()[:-1] + [Crumb("导入往年提案")],
    }, status=400 if error else 200)


def batch_of(committee, pk) -> ImportBatch:
    batch = ImportBatch.objects.filter(committee=committee, pk=pk).defer("content").first() if pk < 2**62 else None
    if batch is None:
        raise Http404()
    return batch


def batch_context(batch: ImportBatch) -> dict:
    mapping = clean_mapping(batch.headers, batch.mapping)
    progress = read_progress(batch.pk) if batch.status in RUNNING else {}
    share = int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0
    return {
        "batch": batch, "running": batch.status in RUNNING, "mappable": batch.status in MAPPABLE,
        "columns": [(i, header, mapping.get(i, "")) for i, header in enumerate(batch.headers)],
        "fields": FIELD_LABELS, "progress": progress, "share": share,
        "errors": batch.errors[:SHOWN_ERRORS], "more_errors": max(0, len(batch.errors) - SHOWN_ERRORS),
    }


@committee_staff_only
@require_http_methods(["GET"])
def batch(request, committee, pk):
    b = batch_of(committee, pk)
    return render(request, "exchange/batch.html", {**batch_context(b), "crumbs": crumbs(Crumb(b.file_name))})


@committee_staff_only
@require_http_methods(["GET"])
def progress(request, committee, pk):
    """The status panel alone, polled by htmx while the task runs."""
    return render(request, "exchange/batch.html#status", batch_context(batch_of(committee, pk)))


@committee_staff_only
@require_POST
def check(request, committee, pk):
    """Save the column mapping and start the dry run."""
    b = batch_of(committee, pk)
    if b.status not in MAPPABLE:
        messages.warning(request, "该文件正在处理或已导入")
        return redirect("exchange:batch", pk=b.pk)
    raw = {str(i): request.POST.get(f"col_{i}", "") for i in range(len(b.headers))}
    mapping = clean_mapping(b.headers, raw)
    missing = [FIELD_LABELS[f] for f in ("year", "title") if f not in mapping.values()]
    ImportBatch.objects.filter(pk=b.pk).update(mapping={str(i): f for i, f in mapping.items()})
    if missing:
        messages.error(request, f"缺少必需的列：{'、'.join(missing)}，请在列映射中指定")
        return redirect("exchange:batch", pk=b.pk)
    start(b, dry_run=True)
    return redirect("exchange:batch", pk=b.pk)


@committee_staff_only
@require_POST
def run(request, committee, pk):
    """Import a file whose dry run passed (checked again inside the import's transaction)."""
    b = batch_of(committee, pk)
    if b.status != Status.CHECKED:
        messages.warning(request, "请先检查文件，全部正确后才能导入")
        return redirect("exchange:batch", pk=b.pk)
    start(b, dry_run=False)
    return redirect("exchange:batch", pk=b.pk)


def start(batch: ImportBatch, *, dry_run: bool) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.QUEUED, dry_run=dry_run, errors=[], message="")
    run_import.enqueue(batch.pk, dry_run)


