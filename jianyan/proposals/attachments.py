"""Attachments (附件): the proposer's supporting files and a unit's signed reply letter (答复函).

A file is accepted only if its content is a PDF, a Word document (DOCX), a PNG or a JPEG image — the
name and the browser's declared type are not trusted — and if it is no larger than
`settings.JIANYAN_MAX_UPLOAD_BYTES`. Files are stored under MEDIA_ROOT and served only through an
access-checked view (jianyan.workspace). Who may add a file follows the workflow: the author while the
proposal may be edited (草稿 / 退回修改); the replying unit together with its reply."""

import errno
import logging
import os
import re
import zipfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from jianyan.core.access import ensure_can
from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput, StorageFull
from jianyan.handling import workflow as handling
from jianyan.handling.models import Reply
from jianyan.proposals.models import Attachment, Proposal
from jianyan.proposals.workflow import ensure_state, lock_proposal

FileType = Attachment.FileType
CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
}
MAX_FILES_PER_PROPOSAL = 10
# A DOCX is a ZIP: refuse one that would unpack to more than this (a "zip bomb") or holds too many parts.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 200
# Active content a proposal's supporting file has no reason to carry: PDF scripts and launch actions,
# Word macros. (Compressed object streams can hide a PDF name; the viewer's own sandbox is the next line.)
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
DOCX_ACTIVE = ("word/vbaProject.bin", "word/vbaData.xml")
SCAN_CHUNK = 1024 * 1024
STORAGE_FULL = "服务器存储空间已满，文件未能保存，本次操作未生效。请稍后重试或联系系统管理员。"
STORAGE_FAILED = "服务器暂时无法保存文件，本次操作未生效。请稍后重试或联系系统管理员。"
log = logging.getLogger(__name__)


def max_bytes() -> int:
    return getattr(settings, "JIANYAN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def sniff(upload) -> str | None:
    """The file's type from its first bytes (and, for DOCX, from the ZIP's table of contents), or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return FileType.DOCX
    return None


def active_content_problem(upload, file_type: str) -> str | None:
    """Why a file of an accepted type is still refused (a zip bomb, a macro, a PDF script), or None."""
    if file_type == FileType.DOCX:
        return docx_problem(upload)
    if file_type == FileType.PDF and pdf_has_active_content(upload):
        return "含有脚本或可执行内容的 PDF 不予接收，请另存为普通 PDF 后再上传"
    return None


def docx_problem(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "文件已损坏，无法读取"
    finally:
        upload.seek(0)
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        return "文件解压后过大或结构异常，疑似压缩炸弹，不予接收"
    if any(i.filename in DOCX_ACTIVE or ("vba" in i.filename.lower() and i.filename.lower().endswith(".bin"))
           for i in infos):
        return "含有宏的 Word 文件不予接收，请另存为不含宏的 DOCX 后再上传"
    return None


def pdf_has_active_content(upload) -> bool:
    """Scans the file in overlapping chunks for the PDF names of scripts, launch actions and embedded files."""
    upload.seek(0)
    tail = b""
    try:
        while chunk := upload.read(SCAN_CHUNK):
            if PDF_ACTIVE.search(tail + chunk):
                return True
            tail = chunk[-32:]
    finally:
        upload.seek(0)
    return False


def clean_name(name: str, file_type: str) -> str:
    """The user's file name without any folder part, ending in the extension of its real type."""
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "附件"
    stem, ext = os.path.splitext(base)
    wanted = {"jpg": (".jpg", ".jpeg")}.get(file_type, (f".{file_type}",))
    if ext.lower() not in wanted:
        stem = base
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '<>:"/\\|?*')[:150] or "附件"
    return f"{stem}{ext.lower() if ext.lower() in wanted else wanted[0]}"


def check_upload(upload: UploadedFile, *, field: str = "attachments") -> str:
    """Raise InvalidInput unless the upload is a non-empty PDF/DOCX/PNG/JPEG within the size limit."""
    label = getattr(upload, "name", "") or "附件"
    if not upload.size:
        raise InvalidInput(f"文件“{label}”是空的", fields={field: "文件为空"})
    limit = max_bytes()
    if upload.size > limit:
        raise InvalidInput(f"文件“{label}”超过 {limit // (1024 * 1024)} MB 的大小上限",
                           fields={field: f"单个文件不超过 {limit // (1024 * 1024)} MB"})
    file_type = sniff(upload)
    if file_type is None:
        raise InvalidInput(f"文件“{label}”不是 PDF、Word（DOCX）或 PNG/JPEG 图片（按文件内容判断，与扩展名无关）",
                           fields={field: "只接受 PDF、DOCX、PNG、JPEG 文件"})
    problem = active_content_problem(upload, file_type)
    if problem:
        raise InvalidInput(f"文件“{label}”：{problem}", fields={field: problem})
    return file_type


def storage():
    return Attachment._meta.get_field("file").storage


def store(proposal: Proposal, upload: UploadedFile, file_type: str, *, actor, kind: str, stored: list[str],
          reply=None) -> Attachment:
    attachment = Attachment(proposal=proposal, kind=kind, reply=reply, name=clean_name(upload.name, file_type),
                            file_type=file_type, size=upload.size, uploaded_by=actor)
    upload.seek(0)
    field = attachment.file.field
    target = storage().get_available_name(field.generate_filename(attachment, attachment.name),
                                          max_length=field.max_length)
    try:
        attachment.file.name = storage().save(target, upload, max_length=field.max_length)
    except OSError as e:
        # A full disk or a read-only volume: the partly written file goes, the caller's transaction rolls
        # back, and the user is told that nothing was saved.
        log.error("storing an attachment failed: %s", e)
        if storage().exists(target):
            stored.append(target)
        raise StorageFull(STORAGE_FULL if e.errno in (errno.ENOSPC, errno.EDQUOT) else STORAGE_FAILED,
                          fields={"attachments": "文件未能保存"}) from e
    stored.append(attachment.file.name)
    attachment.save()
    return attachment


@contextmanager
def files_kept_only_on_success():
    """Yields a list to note stored files in; deletes them again if the block fails (the rows roll back)."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            storage().delete(name)
        raise


def add_attachments(proposal: Proposal, *, actor, uploads) -> list[Attachment]:
    """The author adds supporting files to a proposal that may still be edited."""
    uploads = [u for u in uploads or [] if u]
    if not uploads:
        return []
    ensure_can(actor, "edit", proposal)
    types = [check_upload(u) for u in uploads]
    with files_kept_only_on_success() as stored, transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "edit")
        existing = proposal.attachments.filter(kind=Attachment.Kind.MATERIAL).count()
        if existing + len(uploads) > MAX_FILES_PER_PROPOSAL:
            raise InvalidInput(f"每件提案最多{MAX_FILES_PER_PROPOSAL}个附件",
                               fields={"attachments": f"最多{MAX_FILES_PER_PROPOSAL}个"})
        added = [store(proposal, u, t, actor=actor, kind=Attachment.Kind.MATERIAL, stored=stored)
                 for u, t in zip(uploads, types, strict=True)]
        record(actor=actor, action="attachment.added", proposal=proposal, from_state=proposal.state,
               to_state=proposal.state, data={"files": [a.name for a in added]})
    return added


def remove_attachment(attachment: Attachment, *, actor) -> None:
    """The author removes a supporting file while the proposal may still be edited."""
    proposal = attachment.proposal
    ensure_can(actor, "edit", proposal)
    if attachment.kind != Attachment.Kind.MATERIAL:
        raise InvalidInput("答复函不能在此删除")
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "edit")
        stored, name = attachment.file.name, attachment.name
        attachment.delete()
        record(actor=actor, action="attachment.removed", proposal=proposal, from_state=proposal.state,
               to_state=proposal.state, data={"files": [name]})
    transaction.on_commit(lambda: storage().delete(stored))


def submit_reply_with_letter(proposal: Proposal, *, actor, result_class: str, body: str, signer: str,
                             doc_no: str = "", letter: UploadedFile | None = None) -> Reply:
    """The lead or a separate unit submits its reply (handling.workflow.submit_reply) together with the
    scanned, signed reply letter, in one transaction: both are kept, or neither."""
    letter_type = check_upload(letter, field="letter") if letter else None
    with files_kept_only_on_success() as stored, transaction.atomic():
        reply = handling.submit_reply(proposal, actor=actor, result_class=result_class, body=body, signer=signer,
                                      doc_no=doc_no)
        if letter:
            attachment = store(reply.proposal, letter, letter_type, actor=actor, kind=Attachment.Kind.REPLY_LETTER,
                               reply=reply, stored=stored)
            record(actor=actor, action="attachment.added", proposal=reply.proposal, from_state=reply.proposal.state,
                   to_state=reply.proposal.state, data={"files": [attachment.name], "reply": reply.pk})
    return reply
