"""`manage.py check` warns when no CJK font is installed: PDFs would show boxes instead of Chinese."""

from django.core.checks import Warning, register

from jianyan.documents.fonts import INSTALL_HINT, cjk_font_available


@register()
def cjk_font_check(app_configs=None, **kwargs):
    if cjk_font_available():
        return []
    return [Warning("未找到中文字体：生成的 PDF 公文和报告将无法显示汉字。", hint=INSTALL_HINT, id="documents.W001")]
