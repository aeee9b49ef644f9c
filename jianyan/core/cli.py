"""Shared by the `jianyan` commands: the committee option, reading input, a progress bar."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import CommandError

from jianyan.people.models import Committee

DEFAULT_COMMITTEE = "yq"


def resolve_committee(code: str | None, *, required: bool = True) -> Committee | None:
    """The committee named by ``--committee``; without it the demo's (yq) if present, else the only one.
    None (when not ``required``) if the database has no committee at all."""
    if code:
        found = Committee.objects.filter(code=code.strip()).first()
        if found is None:
            raise CommandError(f"没有代码为“{code}”的政协")
        return found
    found = Committee.objects.filter(code=DEFAULT_COMMITTEE).first()
    if found:
        return found
    committees = list(Committee.objects.order_by("code").values_list("code", flat=True)[:10])
    if len(committees) == 1:
        return Committee.objects.get(code=committees[0])
    if committees:
        raise CommandError(f"请用 --committee 指定政协代码（已有：{'、'.join(committees)}）")
    if required:
        raise CommandError("数据库中还没有政协，请先载入数据（jianyan demo-data）")
    return None


def text_argument(options) -> str:
    """The TEXT argument of a command, read from standard input when it is ``-``."""
    text = options["text"]
    return read_text("-", options.get("stdin") or sys.stdin) if text == "-" else text


def read_text(source: str, stdin=None) -> str:
    """The text of a file, or of standard input for ``-``; UTF-8 (with or without BOM), else GB18030."""
    if source == "-":
        data = (stdin or sys.stdin).read()
        return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"找不到文件：{source}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CommandError(f"无法读取文件 {source}：{e.strerror or e}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"无法识别文件 {source} 的编码，请保存为 UTF-8 纯文本")


def parse_top(value, *, default: int, limit: int = 50) -> int:
    if value is None:
        return default
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if not 1 <= n <= limit:
        raise CommandError(f"--top 应为 1 到 {limit} 之间的整数，而不是“{value}”")
    return n


class ProgressBar:
    """One line on stderr, redrawn with a carriage return at most ten times a second:
    ``正在建立索引 [##########----------]  50%  500/1000``. Call it with (done, total); `close` ends the line."""

    def __init__(self, stream, label: str, width: int = 24) -> None:
        self.stream, self.label, self.width = stream, label, width
        self.drawn_at = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}  {done}/{total}", style_func=str, ending="")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("", style_func=str)
            self.shown = False
