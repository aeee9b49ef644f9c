"""Is a Chinese (CJK) font installed? Without one WeasyPrint silently draws boxes instead of characters,
so every PDF is checked for it first and the set-up gets a system-check warning."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from jianyan.core.errors import DomainError

# The font stack of the documents: 仿宋 (the GB/T 9704 body face) where an office has it installed,
# then the free Noto CJK faces that Debian's fonts-noto-cjk provides.
BODY_FONTS = ("FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312", "STFangsong", "Noto Serif CJK SC",
              "Source Han Serif SC", "WenQuanYi Zen Hei")
TITLE_FONTS = ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei")
HEADING_FONTS = ("SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
INSTALL_HINT = "请安装中文字体后重试：sudo apt-get install fonts-noto-cjk（Debian/Ubuntu）"


class FontMissing(DomainError):
    """No CJK font: a PDF would show boxes instead of Chinese characters."""

    status = 503
    code = "font_missing"

    def __init__(self, message: str = f"未找到中文字体（如 Noto Serif CJK SC），无法生成 PDF。{INSTALL_HINT}", **kw):
        super().__init__(message, **kw)


def css_stack(names: tuple[str, ...], generic: str) -> str:
    return ", ".join(f'"{n}"' for n in names) + f", {generic}"


@lru_cache(maxsize=1)
def cjk_font_families() -> tuple[str, ...]:
    """The font families fontconfig knows for Simplified Chinese (`fc-list :lang=zh-cn family`)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        command = [fc_list, ":lang=zh-cn", "family"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ()
    names = {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}
    return tuple(sorted(names))


def cjk_font_available() -> bool:
    return bool(cjk_font_families())


def ensure_cjk_font() -> None:
    """Raise FontMissing (a clear Chinese message) when no CJK font is installed."""
    if not cjk_font_available():
        raise FontMissing()
