"""`jianyan report annual --year 2024 [--committee CODE] --format docx|pdf|md -o FILE`: the annual
proposal-work report (提案工作情况报告)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.cli import resolve_committee
from jianyan.documents.fonts import FontMissing
from jianyan.documents.render import FORMATS, render
from jianyan.reports.annual import annual_report
from jianyan.reports.statistics import years_with_sessions

REPORTS = ("annual",)


class Command(BaseCommand):
    help = "生成报告：annual 为年度提案工作情况报告（DOCX、PDF 或 Markdown）。"

    def add_arguments(self, parser):
        parser.add_argument("report", help="报告种类：annual（年度提案工作情况报告）")
        parser.add_argument("--year", required=True, help="年度，如 2024（按会次年度统计）")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")
        parser.add_argument("--format", dest="fmt", default="docx", help="输出格式：docx、pdf 或 md（默认 docx）")
        parser.add_argument("-o", "--output", required=True, help="输出文件；- 表示标准输出（仅限 md）")

    def handle(self, *args, **options):
        if options["report"] not in REPORTS:
            raise CommandError(f"未知的报告种类：{options['report']}（可用：{'、'.join(REPORTS)}）")
        fmt = str(options["fmt"]).strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"不支持的格式：{options['fmt']}（可用：docx、pdf、md）")
        year = parse_year(options["year"])
        committee = resolve_committee(options.get("committee"))
        years = years_with_sessions(committee)
        if year not in years:
            known = "、".join(str(y) for y in years) or "无"
            raise CommandError(f"{committee.short_name}没有 {year} 年的会次（已有年度：{known}）")
        output = options["output"]
        if output == "-" and fmt != "md":
            raise CommandError("只有 md 格式可以输出到标准输出，请用 -o 指定文件")
        try:
            body = render(annual_report(year=year, committee=committee), fmt)
        except FontMissing as e:
            raise CommandError(e.message)
        if output == "-":
            self.stdout.write(body.decode("utf-8"), ending="")
            return
        write(Path(output), body)
        self.stderr.write(f"已生成 {committee.short_name}{year} 年度提案工作情况报告：{output}（{len(body):,} 字节）")


def parse_year(value) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not 1949 <= year <= 2100:
        raise CommandError(f"年度无效：{value}（应为四位数字，如 2024）")
    return year


def write(path: Path, body: bytes) -> None:
    if path.is_dir():
        raise CommandError(f"输出路径是一个目录：{path}")
    if not path.parent.exists():
        raise CommandError(f"输出目录不存在：{path.parent}")
    try:
        path.write_bytes(body)
    except OSError as e:
        raise CommandError(f"无法写入 {path}：{e.strerror or e}")
