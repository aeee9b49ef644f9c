"""`jianyan export proposals --year 2024 --format xlsx|csv -o FILE [--kind catalogue|handling|stats]
[--unit 单位] [--committee CODE]`: 提案目录, 办理情况一览表 or the statistics tables as a spreadsheet."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.cli import resolve_committee
from jianyan.exchange.exporters import EXPORTERS, FORMATS, export_file
from jianyan.people.models import Unit
from jianyan.reports.statistics import years_with_sessions


class Command(BaseCommand):
    help = "导出提案目录、办理情况一览表或统计表（Excel .xlsx 或 CSV）。"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["proposals", "stats"], help="proposals（提案）或 stats（统计表）")
        parser.add_argument("--year", required=True, help="年度，如 2024")
        parser.add_argument("--format", default="xlsx", help="xlsx 或 csv")
        parser.add_argument("-o", "--output", required=True, help="输出文件")
        parser.add_argument("--kind", help="catalogue（提案目录，默认）、handling（办理情况一览表）或 stats（统计表）")
        parser.add_argument("--unit", help="只导出该承办单位的办理情况（单位简称或全称）")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")

    def handle(self, *args, **options):
        fmt = str(options["format"]).lower().strip()
        if fmt not in FORMATS:
            raise CommandError(f"格式应为 xlsx 或 csv，而不是“{options['format']}”")
        kind = options.get("kind") or ("stats" if options["what"] == "stats" else "catalogue")
        if kind not in EXPORTERS:
            raise CommandError(f"--kind 应为 {' / '.join(EXPORTERS)}，而不是“{kind}”")
        committee = resolve_committee(options.get("committee"))
        try:
            year = int(str(options["year"]).strip())
        except ValueError:
            raise CommandError(f"年度无效：{options['year']}（应为四位数字，如 2024）")
        if year not in years_with_sessions(committee):
            raise CommandError(f"{committee.short_name}没有 {year} 年的会次")
        unit = self.unit(options.get("unit"), committee, kind)
        name, content = export_file(kind=kind, committee=committee, year=year, fmt=fmt, unit=unit)
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as e:
            raise CommandError(f"无法写入 {output}：{e.strerror or e}")
        self.stdout.write(f"已导出 {name}（{len(content)} 字节）到 {output}")

    @staticmethod
    def unit(name, committee, kind):
        if not name:
            return None
        if kind != "handling":
            raise CommandError("--unit 只用于办理情况一览表（--kind handling）")
        unit = (Unit.objects.filter(committee=committee, name=name).first()
                or Unit.objects.filter(committee=committee, full_name=name).first())
        if unit is None:
            raise CommandError(f"没有名为“{name}”的承办单位")
        return unit
