"""Cleaning what a visitor writes: plain text only. Markup is removed here and templates escape the rest,
so nothing a visitor writes is ever rendered as HTML."""

import re
import unicodedata

from django.utils.html import strip_tags

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(value: str, *, multiline: bool = False) -> str:
    """NFC, no control or direction-override characters, no markup, trimmed."""
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL.sub("", text)
    text = strip_tags(text)
    if multiline:
        text = BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    else:
        text = " ".join(text.split())
    return text.strip()
