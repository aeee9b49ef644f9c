"""One `Document`, three formats: PDF (its HTML template through WeasyPrint), DOCX (python-docx) and Markdown.

The layout follows GB/T 9704-2012 (党政机关公文格式): A4, margins 37 mm top, 35 mm bottom, 28 mm left
(订口), 26 mm right; 3号 (16 pt) 仿宋 body, about 28 lines of 28 characters; a red 版头 with the issuing
organ, the 文号 and a red line; page numbers “— 1 —” at the foot, odd pages right, even pages left."""

from __future__ import annotations

import hashlib
import io
import os
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from jianyan.documents.fonts import BODY_FONTS, HEADING_FONTS, TITLE_FONTS, css_stack, ensure_cjk_font
from jianyan.documents.layout import Block, Document

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
RED = "C00000"
BODY_PT, TITLE_PT, ORGAN_PT, SMALL_PT = 16, 22, 30, 12
# 版心 225 mm high / 28 lines: the line pitch of GB/T 9704 (about 22.8 pt).
LINE_MM = 225 / 28


def render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(document)
    if fmt == "docx":
        return to_docx(document)
    if fmt == "md":
        return to_markdown(document).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


# ---- HTML and PDF --------------------------------------------------------------------------------

def to_html(document: Document) -> str:
    return render_to_string(f"documents/{document.template}.html", {
        "doc": document,
        "body_font": css_stack(BODY_FONTS, "serif"),
        "title_font": css_stack(TITLE_FONTS, "serif"),
        "heading_font": css_stack(HEADING_FONTS, "sans-serif"),
        "line_mm": f"{LINE_MM:.2f}",
    })


@lru_cache(maxsize=1)
def url_fetcher():
    """One fetcher for every PDF: WeasyPrint's default builds a new one (with an SSL context, ~90 ms) per
    document. Documents load nothing from outside: only data: URLs are allowed."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


# A document whose HTML is longer than this (the annual report, a unit's list, a session's compilation:
# up to hundreds of pages and tens of seconds) is kept as a file named by the hash of its HTML, so it is
# laid out again only when its content changes. Letters (about 4,000 characters) are not worth keeping.
CACHE_OVER_CHARS = 10_000
CACHE_KEEP_FILES = 200


def to_pdf(document: Document) -> bytes:
    ensure_cjk_font()
    html = to_html(document)
    if len(html) <= CACHE_OVER_CHARS:
        return write_pdf(html)
    path = cache_dir() / f"{hashlib.sha256(html.encode('utf-8')).hexdigest()}.pdf"
    if path.is_file():
        return path.read_bytes()
    body = write_pdf(html)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(body)
    partial.replace(path)  # atomic: a concurrent reader never sees half a file
    prune(path.parent)
    return body


def prune(folder: Path) -> None:
    """Keep the newest CACHE_KEEP_FILES PDFs: each change of content leaves an outdated file behind."""
    files = sorted(folder.glob("*.pdf"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[CACHE_KEEP_FILES:]:
        old.unlink(missing_ok=True)


def cache_dir() -> Path:
    return Path(getattr(settings, "DOCUMENTS_CACHE_DIR", None) or Path(settings.VAR_DIR) / "documents")


def write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which only PDF users need

    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


# ---- DOCX ----------------------------------------------------------------------------------------

def to_docx(document: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    d = Docx()
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    set_default_font(d)
    page_number_footers(d, section)
    if document.organ:
        docx_header(d, document)
    if document.title:
        title = d.add_paragraph()
        title.alignment = 1
        font(title.add_run(xml_safe(document.title)), TITLE_FONTS[0], TITLE_FONTS[2], TITLE_PT)
        if document.subtitle:
            sub = d.add_paragraph()
            sub.alignment = 1
            font(sub.add_run(xml_safe(document.subtitle)), BODY_FONTS[0], BODY_FONTS[5], BODY_PT)
    for block in document.blocks:
        docx_block(d, block, document)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def font(run, latin: str, east_asia: str, size: float, *, bold: bool = False, color: str | None = None):
    """Set a run's font for Latin and East Asian text: Word ignores `font.name` for Chinese unless
    w:eastAsia is set too. The East Asian face is the free fallback (Noto), the Latin name the 仿宋 family:
    Word picks whichever of them the machine has."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), latin if latin in ("仿宋", "黑体") else east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    return run


def set_default_font(d) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    style = d.styles["Normal"]
    style.font.name = BODY_FONTS[0]
    style.font.size = Pt(BODY_PT)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONTS[5])
    fmt = style.paragraph_format
    fmt.line_spacing = Mm(LINE_MM)
    fmt.space_before = fmt.space_after = Pt(0)


def page_number_footers(d, section) -> None:
    """Odd pages numbered at the right, even pages at the left, one character in (GB/T 9704)."""
    d.settings.odd_and_even_pages_header_footer = True
    page_number_footer(section.footer, alignment=2)
    page_number_footer(section.even_page_footer, alignment=0)


def page_number_footer(footer, *, alignment: int) -> None:
    """— 1 — with a PAGE field, so Word numbers the pages itself."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = alignment
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(14)
    font(p.add_run("— "), "宋体", "Noto Serif CJK SC", 14)
    run = font(p.add_run(), "宋体", "Noto Serif CJK SC", 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    run._element.addnext(field)
    font(p.add_run(" —"), "宋体", "Noto Serif CJK SC", 14)


def red_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    ppr.append(border)


def docx_header(d, document: Document) -> None:
    organ = d.add_paragraph()
    organ.alignment = 1
    font(organ.add_run(xml_safe(document.organ)), TITLE_FONTS[0], TITLE_FONTS[2], ORGAN_PT, bold=True, color=RED)
    number = d.add_paragraph()
    number.alignment = 1
    font(number.add_run(document.doc_no or " "), BODY_FONTS[0], BODY_FONTS[5], BODY_PT)
    if document.signer:
        font(number.add_run(f"　　签发人：{document.signer}"), BODY_FONTS[0], BODY_FONTS[5], BODY_PT)
    red_rule(number)
    d.add_paragraph()


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """Word's XML cannot hold control characters (python-docx raises on them): drop them."""
    return CONTROL_CHARS.sub("", str(text))


def body_run(paragraph, text: str, *, size: float = BODY_PT, bold: bool = False):
    return font(paragraph.add_run(xml_safe(text)), BODY_FONTS[0], BODY_FONTS[5], size, bold=bold)


def docx_block(d, block: Block, document: Document) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    kind = block.kind
    if kind == "p":
        p = d.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        body_run(p, block.text)
    elif kind == "plain":
        body_run(d.add_paragraph(), block.text)
    elif kind == "heading":
        p = d.add_paragraph(style="Heading 1" if block.level == 1 else "Heading 2")
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2) if block.level > 1 else None
        if block.level == 1:
            font(p.add_run(xml_safe(block.text)), HEADING_FONTS[1], HEADING_FONTS[2], BODY_PT, color="000000")
        else:
            font(p.add_run(xml_safe(block.text)), BODY_FONTS[0], BODY_FONTS[5], BODY_PT, bold=True, color="000000")
    elif kind == "table":
        docx_table(d, block)
    elif kind == "sign":
        for line in block.lines:
            p = d.add_paragraph()
            p.alignment = 2
            body_run(p, line + "　　")
    elif kind == "blank":
        for _ in range(block.count or 3):
            p = d.add_paragraph()
            body_run(p, "　" * 28).font.underline = True
    elif kind == "note":
        p = d.add_paragraph()
        body_run(p, block.text, size=SMALL_PT)
    elif kind == "toc":
        for _anchor, label in document.toc:
            body_run(d.add_paragraph(), label)
    elif kind == "pagebreak":
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def docx_table(d, block: Block) -> None:
    columns = len(block.headers) or max((len(r) for r in block.rows), default=1)
    table = d.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    if block.headers:
        cells = table.add_row().cells
        for cell, text in zip(cells, block.headers, strict=False):
            body_run(cell.paragraphs[0], text, size=14, bold=True)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            lines = str(text).split("\n")
            body_run(cell.paragraphs[0], lines[0], size=14)
            for extra in lines[1:]:
                body_run(cell.add_paragraph(), extra, size=14)
    d.add_paragraph()


# ---- Markdown ------------------------------------------------------------------------------------

def md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(document: Document) -> str:
    out = []
    if document.organ:
        out.append(f"**{document.organ}**\n")
    if document.doc_no:
        out.append(f"{document.doc_no}\n")
    if document.title:
        out.append(f"# {document.title}\n")
    if document.subtitle:
        out.append(f"{document.subtitle}\n")
    for b in document.blocks:
        if b.kind in ("p", "plain"):
            out.append(f"{b.text}\n")
        elif b.kind == "heading":
            out.append(f"{'#' * (b.level + 1)} {b.text}\n")
        elif b.kind == "table":
            headers = b.headers or [""] * max((len(r) for r in b.rows), default=1)
            out.append("| " + " | ".join(md_cell(h) for h in headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in b.rows]
            out.append("")
        elif b.kind == "sign":
            out += [f"{line}  " for line in b.lines] + [""]
        elif b.kind == "blank":
            out.append("（此处填写）\n")
        elif b.kind == "note":
            out.append(f"> {b.text}\n")
        elif b.kind == "toc":
            out += [f"- {label}" for _a, label in document.toc] + [""]
    return "\n".join(out).rstrip() + "\n"
