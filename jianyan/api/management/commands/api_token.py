"""`jianyan api-token USERNAME [--name NAME]`: issue an API token for a user and print it (once)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jianyan.api.tokens import create_token
from jianyan.core.errors import DomainError


class Command(BaseCommand):
    help = "为用户创建一个接口令牌并输出（令牌只显示这一次，服务器只保存其散列值）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="命令行创建", help="令牌名称（默认：命令行创建）")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为 {username} 的有效用户")
        try:
            _, raw = create_token(actor=user, name=name)
        except DomainError as e:
            raise CommandError(e.message)
        self.stdout.write(raw)
