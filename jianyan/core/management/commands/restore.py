"""`jianyan restore FILE [--force]`: put a backup made by `jianyan backup` into this instance (an empty one,
unless --force), checking every checksum first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从备份文件恢复数据库与上传文件（目标须为空实例，除非使用 --force）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="jianyan backup 生成的 .tar.gz 文件")
        parser.add_argument("--force", action="store_true", help="目标实例已有数据时仍然覆盖（原有数据将丢失）")

    def handle(self, *args, file: str, force: bool = False, **options):
        try:
            manifest = restore_backup(Path(file), force=force, stdout=self.stdout)
        except BackupError as e:
            raise CommandError(str(e)) from e
        files = sum(1 for m in manifest["members"] if m["name"].startswith("media/"))
        self.stdout.write(f"恢复完成：{manifest['created_at']} 的备份（数据库 {manifest['database']['format']}，"
                          f"上传文件 {files} 个）")
