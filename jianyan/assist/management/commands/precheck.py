"""`jianyan precheck FILE.txt|- [--committee CODE] [--json]`: the draft pre-check (慧预审) of a plain-text proposal.

The first line is the title (案由); the parts are found by their headings (情况分析, 具体建议) where
marked, else the numbered items at the end are the suggestions. The committee (default yq, or the only
one) sets the length limit and the units; with no committee in the database textlab's defaults apply."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jianyan.assist import services
from jianyan.core.cli import read_text, resolve_committee

SEVERITY = {"error": "须修改", "warning": "建议修改", "info": "提示"}
PART = {"title": "案由", "background": "情况分析", "suggestions": "具体建议", "all": "全文"}


def place(location) -> str:
    where = PART.get(location.part, location.part)
    if location.item is not None:
        where += f"第{location.item + 1}条"
    if location.end > location.start:
        where += f"（第{location.start + 1}–{location.end}字）"
    return where


class Command(BaseCommand):
    help = "提案预审（慧预审）：检查提案文本的结构、建议是否具体、一事一案、字数和不予立案情形。"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="提案文本文件（UTF-8 纯文本），“-”表示从标准输入读取")
        parser.add_argument("--committee", help="政协代码（字数上限和承办单位），默认 yq（若存在）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        text = read_text(options["file"], options.get("stdin") or sys.stdin)
        if not text.strip():
            raise CommandError("提案文本为空")
        committee = resolve_committee(options.get("committee"), required=False)
        draft, findings = services.precheck_text(text, committee)
        counts = services.precheck_summary(findings)
        if options["json"]:
            self.stdout.write(json.dumps({
                "committee": committee.code if committee else None,
                "draft": {"title": draft.title, "background": draft.background, "suggestions": draft.suggestions},
                "counts": counts, "findings": [f.as_dict() for f in findings],
            }, ensure_ascii=False))
            return
        self.stdout.write(f"案由：{draft.title or '（未找到）'}")
        self.stdout.write(f"情况分析 {len(draft.background)} 字；具体建议 {len(draft.suggestions)} 条。")
        if not findings:
            self.stdout.write(self.style.SUCCESS("预审未发现问题。"))
            return
        self.stdout.write(f"预审发现：须修改 {counts['error']} 项，建议修改 {counts['warning']} 项，提示 {counts['info']} 项。")
        for n, f in enumerate(findings, 1):
            self.stdout.write(f"{n:>2}. [{SEVERITY[f.severity]}] {f.message}")
            self.stdout.write(f"    位置：{place(f.location)}；修改建议：{f.fix}")
