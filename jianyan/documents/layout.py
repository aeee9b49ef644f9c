"""A document's content, independent of its format: the 版头 (issuing organ, 文号, red line), a title and a
list of blocks. `render` turns the same `Document` into HTML (then PDF), DOCX and Markdown, so the formats
never drift apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass
class Block:
    """One piece of the body.

    kinds: `p` an indented paragraph; `plain` a paragraph without indent (salutation, 抄送);
    `heading` (level 1: 黑体 “一、”, level 2: bold); `table` (headers and rows); `sign` right-aligned
    lines (issuing organ and date); `blank` n empty ruled lines to fill in by hand; `note` small print;
    `toc` the table of contents (entries of `Document.toc`); `pagebreak`."""

    kind: str
    text: str = ""
    level: int = 1
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    anchor: str = ""
    count: int = 0
    widths: list[int] = field(default_factory=list)

    @property
    def blank_range(self) -> range:
        return range(self.count or 3)


@dataclass
class Document:
    template: str  # documents/<template>.html
    title: str
    filename: str  # without extension
    blocks: list[Block] = field(default_factory=list)
    organ: str = ""  # 发文机关 in the red 版头; empty: no 版头
    doc_no: str = ""  # 文号, e.g. 阳政协提〔2024〕12号
    signer: str = ""  # 签发人 (shown right of the 文号 for up-going letters)
    subtitle: str = ""
    toc: list[tuple[str, str]] = field(default_factory=list)  # (anchor, label)

    def add(self, kind: str, text: str = "", **kw) -> Block:
        block = Block(kind, text, **kw)
        self.blocks.append(block)
        return block

    def paragraphs(self, text: str) -> None:
        """Each non-empty line of a text as an indented paragraph."""
        for line in (text or "").splitlines():
            if line.strip():
                self.add("p", line.strip().lstrip("\u3000"))

    def fingerprint(self) -> str:
        """A hash of everything the document says, in every format: a file made from a document with the
        same fingerprint is still current (DOCX files differ byte by byte even then: they carry a time)."""
        content = [self.template, self.title, self.subtitle, self.organ, self.doc_no, self.signer, self.toc,
                   [asdict(b) for b in self.blocks]]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def plain_text(self) -> str:
        """Every word of the document, in order (for tests and search)."""
        parts = [self.organ, self.doc_no, self.title, self.subtitle]
        for b in self.blocks:
            parts += [b.text, *b.headers, *(c for r in b.rows for c in r), *b.lines]
        return "\n".join(p for p in parts if p)


def chinese_date(value: dt.date | dt.datetime | None) -> str:
    """2024年3月5日 (GB/T 9704-2012 writes the date in Arabic numerals)."""
    if value is None:
        return "　　年　　月　　日"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def doc_number(prefix: str, year: int, number: int | None) -> str:
    """阳政协提〔2024〕12号; with no number yet, a blank to fill in."""
    return f"{prefix}〔{year}〕{number}号" if number else f"{prefix}〔{year}〕　　号"
