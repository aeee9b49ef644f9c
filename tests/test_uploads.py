"""Uploads: the type is read from the content, dangerous files are refused with a Chinese message, files live
outside the static root and are served only through the access-checked view, and a full disk saves nothing."""

import errno
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from jianyan.core.errors import InvalidInput, StorageFull
from jianyan.core.models import AuditEvent
from jianyan.proposals import attachments
from jianyan.proposals.models import Attachment

pytestmark = pytest.mark.django_db


def upload(name, body, content_type="application/pdf"):
    return SimpleUploadedFile(name, body, content_type=content_type)


def docx_with(entries: dict[str, bytes]):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **entries}.items():
            z.writestr(name, body)
    return upload("报告.docx", buf.getvalue(), "application/octet-stream")


MALICIOUS = {
    "html renamed pdf": upload("说明.pdf", b"<!doctype html><script>alert(1)</script>"),
    "svg with script": upload("图.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                              "image/svg+xml"),
    "executable renamed pdf": upload("病毒.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100),
    "elf renamed docx": upload("a.docx", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
    "empty zip as docx": upload("a.docx", b"PK\x05\x06" + b"\x00" * 18),
}


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_malicious_files_are_refused_by_content(name):
    with pytest.raises(InvalidInput, match="不是 PDF、Word（DOCX）或 PNG/JPEG 图片"):
        attachments.check_upload(MALICIOUS[name])


def test_the_accepted_types_pass(uploads):
    assert attachments.check_upload(uploads.pdf()) == "pdf"
    assert attachments.check_upload(uploads.docx()) == "docx"
    assert attachments.check_upload(uploads.png()) == "png"
    assert attachments.check_upload(upload("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg")) == "jpg"


def test_a_pdf_with_a_script_is_refused():
    body = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"
    with pytest.raises(InvalidInput, match="含有脚本"):
        attachments.check_upload(upload("说明.pdf", body))


def test_a_zip_bomb_is_refused_by_its_unpacked_size():
    bomb = docx_with({"word/media/zeros.bin": b"\x00" * (5 * 1024 * 1024)})  # packs ~1000:1
    assert bomb.size < 100 * 1024
    with pytest.raises(InvalidInput, match="压缩炸弹"):
        attachments.check_upload(bomb)


def test_a_word_file_with_macros_is_refused():
    with pytest.raises(InvalidInput, match="含有宏"):
        attachments.check_upload(docx_with({"word/vbaProject.bin": b"macro" * 10}))


def test_an_oversized_file_is_refused_before_its_content_is_read(settings, uploads):
    settings.JIANYAN_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(InvalidInput, match="大小上限"):
        attachments.check_upload(uploads.pdf(size=1001))


def test_uploaded_files_live_outside_the_static_files_and_no_url_serves_them(web, member, uploads):
    media = Path(django_settings.MEDIA_ROOT).resolve()
    for static_dir in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        static_dir = Path(static_dir).resolve()
        assert not media.is_relative_to(static_dir) and not static_dir.is_relative_to(media)
    assert not any("media" in str(p.pattern) for p in get_resolver().url_patterns)
    p = build_with_file(member, uploads.pdf())
    stored = p.attachments.get().file.name
    assert (media / stored).is_file()
    for url in (f"/{stored}", f"/media/{stored}", f"/static/{stored}"):
        assert web(member).get(url).status_code == 404


def test_a_full_disk_saves_nothing_and_says_so(build, member, uploads, media_root, monkeypatch):
    p = build.draft(member)

    def disk_full(self, name, content):
        Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
        Path(self.path(name)).write_bytes(b"%PDF-half")  # a partly written file, as a real ENOSPC leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    before = AuditEvent.objects.count()
    with pytest.raises(StorageFull, match="存储空间已满") as raised:
        attachments.add_attachments(p, actor=member, uploads=[uploads.pdf()])
    assert raised.value.status == 507
    assert not Attachment.objects.exists() and AuditEvent.objects.count() == before
    assert not [f for f in Path(media_root).rglob("*") if f.is_file()]


def test_a_full_disk_on_the_web_form_gives_a_clear_message(web, member, uploads, monkeypatch):
    def disk_full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    response = web(member).post(reverse("proposals:new"), {
        "title": "关于加强社区养老服务的提案", "background": "老龄化程度加深。", "suggestions": ["增加社区养老服务点"],
        "attachments": [uploads.pdf()]})
    assert response.status_code == 400
    assert "存储空间已满" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_malicious_file_on_the_web_form_is_refused_in_chinese(web, member):
    response = web(member).post(reverse("proposals:new"), {
        "title": "关于加强社区养老服务的提案", "background": "老龄化程度加深。", "suggestions": ["增加社区养老服务点"],
        "attachments": [MALICIOUS["html renamed pdf"]]})
    assert response.status_code == 400
    assert "不是 PDF、Word（DOCX）或 PNG/JPEG 图片" in response.content.decode()
    assert not Attachment.objects.exists()


def test_files_are_sent_with_their_real_type_and_never_sniffed(web, member, uploads):
    p = build_with_file(member, uploads.png())
    a = p.attachments.get()
    response = web(member).get(reverse("proposals:attachment", args=[p.pk, a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def build_with_file(member, file):
    from tests.conftest import draft

    p = draft(member)
    attachments.add_attachments(p, actor=member, uploads=[file])
    return p
