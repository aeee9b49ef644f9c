"""`jianyan backup -o FILE [--format json]`: a consistent copy of the database and the uploaded files, taken
while the site runs (see jianyan.core.backup for what the archive holds)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个 .tar.gz 文件（可在网站运行时进行）"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份文件（.tar.gz），已存在时拒绝覆盖")
        parser.add_argument("--format", choices=["native", "json"], default="native",
                            help="native：SQLite 在线备份或 pg_dump（默认）；json：与数据库种类无关的数据文件")

    def handle(self, *args, output: str, format: str = "native", **options):
        try:
            manifest = create_backup(Path(output), requested_format=None if format == "native" else format)
        except BackupError as e:
            raise CommandError(str(e)) from e
        files = sum(1 for m in manifest["members"] if m["name"].startswith("media/"))
        size = Path(output).stat().st_size
        self.stdout.write(f"备份完成：{output}（数据库 {manifest['database']['format']}，上传文件 {files} 个，"
                          f"共 {size / 1024 / 1024:.1f} MB）")
