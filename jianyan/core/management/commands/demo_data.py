"""`jianyan demo-data [--reset] [--if-empty]`: load the demo data (contract §3) into the configured database."""

import time

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.errors import DomainError
from jianyan.demo import DEMO_COMMITTEES, DEMO_LABEL, DEMO_LOGINS, DEMO_PASSWORD, build_demo, reset_demo
from jianyan.people.models import Committee
from jianyan.proposals.models import State


class Command(BaseCommand):
    help = "载入演示数据：阳泉市政协（2024 年与年度报告一致，2025 年办理中）及城区政协。"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="先删除已有的演示数据（演示政协 yq、cq 的全部数据、审计记录和演示账号）再重建")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有任何政协时什么也不做（make run 使用）")

    def handle(self, *args, reset: bool = False, if_empty: bool = False, **options):
        if if_empty and Committee.objects.exists():
            self.stdout.write("数据库中已有数据，跳过演示数据载入。")
            return
        if reset:
            n = reset_demo()
            self.stdout.write(f"已删除原有演示数据（{n} 件提案）。")
        elif Committee.objects.filter(code__in=DEMO_COMMITTEES).exists():
            raise CommandError("演示数据已存在；如需重建，请使用 --reset")

        self.stdout.write(f"正在生成{DEMO_LABEL}……")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:  # one line on stderr, rewritten with \r
            if done == total or done % 10 == 0:
                self.stderr.write(f"\r  进度 {done}/{total} 件（{done * 100 // total}%）", style_func=str, ending="")
                self.stderr.flush()

        try:
            summary = build_demo(progress=progress)
        except DomainError as e:
            raise CommandError(e.message)
        except RuntimeError as e:
            raise CommandError(f"演示数据生成失败：{e}（可使用 --reset 清除后重试）")
        self.stderr.write("", style_func=str)
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"演示数据已生成，用时 {elapsed:.1f} 秒。{DEMO_LABEL}"))
        labels = dict(State.choices)
        for session, counts in summary.items():
            total = sum(counts.values())
            parts = "、".join(f"{labels[s]} {n}" for s, n in counts.items())
            self.stdout.write(f"  {session}：共 {total} 件 —— {parts}")
        self.stdout.write(f"演示账号（密码 {DEMO_PASSWORD}）：{' '.join(DEMO_LOGINS)}")
