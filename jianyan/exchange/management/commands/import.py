"""`jianyan import FILE.xlsx|FILE.csv [--dry-run] [--map 列名=字段 ...]`: import past years' proposals.

Every row is checked first; one bad row and nothing is imported (all-or-nothing, one transaction). Rows
imported before are recognised and skipped, so running the same file twice changes nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jianyan.core.cli import ProgressBar, resolve_committee
from jianyan.core.errors import DomainError
from jianyan.exchange.importer import FIELD_LABELS, Outcome, apply_overrides, auto_mapping, import_table
from jianyan.exchange.reading import read_table
from jianyan.people.models import Role

User = get_user_model()
MAX_SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "从 Excel（.xlsx）或 CSV 文件导入往年提案：先逐行检查，全部正确才一次性导入；重复导入不会重复建立。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件（第一行为表头）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")
        parser.add_argument("--map", action="append", default=[], metavar="列名=字段",
                            help=f"指定某列对应的字段（可多次使用；字段留空表示忽略该列）。字段：{', '.join(FIELD_LABELS)}")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")
        parser.add_argument("--user", help="记为导入人的用户名（默认该政协的第一位提案委工作人员）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        committee = resolve_committee(options.get("committee"))
        actor = self.actor(options.get("user"), committee)
        try:
            table = read_table(path.read_bytes(), path.name)
            mapping = apply_overrides(table.headers, auto_mapping(table.headers), options["map"])
            self.show_mapping(table.headers, mapping)
            checking, writing = ProgressBar(self.stderr, "检查"), ProgressBar(self.stderr, "写入")
            outcome = import_table(table, committee=committee, actor=actor, mapping=mapping,
                                   dry_run=options["dry_run"], check_progress=checking, write_progress=writing)
            checking.close()
            writing.close()
        except DomainError as e:
            raise CommandError(e.message)
        self.report(outcome, dry_run=options["dry_run"])

    def actor(self, username, committee):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户名为“{username}”的用户")
            return user
        user = (User.objects.filter(profile__committee=committee, profile__role=Role.STAFF).order_by("id").first()
                or User.objects.filter(is_superuser=True).order_by("id").first())
        if user is None:
            raise CommandError("没有可记为导入人的用户，请用 --user 指定")
        return user

    def show_mapping(self, headers, mapping):
        shown = [f"{headers[i]}→{FIELD_LABELS[f]}" for i, f in sorted(mapping.items())]
        ignored = [h for i, h in enumerate(headers) if i not in mapping and h]
        self.stdout.write("列映射：" + "，".join(shown))
        if ignored:
            self.stdout.write("忽略的列：" + "，".join(ignored))

    def report(self, outcome: Outcome, *, dry_run: bool):
        if outcome.errors:
            for row, reason in outcome.errors[:MAX_SHOWN_ERRORS]:
                self.stderr.write(f"第{row}行：{reason}")
            if len(outcome.errors) > MAX_SHOWN_ERRORS:
                self.stderr.write(f"……另有 {len(outcome.errors) - MAX_SHOWN_ERRORS} 行有错误")
            raise CommandError(f"共 {outcome.total} 行，其中 {len(outcome.errors)} 行有错误；未导入任何数据")
        skipped = f"，{outcome.skipped} 行此前已导入（跳过）" if outcome.skipped else ""
        if dry_run:
            self.stdout.write(f"检查完毕：共 {outcome.total} 行，全部正确{skipped}。（试导入，未写入数据）")
        else:
            self.stdout.write(f"导入完成：共 {outcome.total} 行，新导入 {outcome.imported} 件提案{skipped}。")
