"""`jianyan scan-deadlines`: run the daily deadline scan now (reminders, 催办, escalation, digests), or
with --schedule only make sure the background worker has the next daily scan queued."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.cli import resolve_committee
from jianyan.notifications.channels import send_digests
from jianyan.workdays.scan import scan_deadlines
from jianyan.workdays.tasks import next_scan_time, schedule_next_scan, waiting_scan_exists


class Command(BaseCommand):
    help = "扫描各项期限：临期提醒、超期催办并上报；可只安排后台每日扫描（--schedule）。"

    def add_arguments(self, parser):
        parser.add_argument("--committee", help="只扫描该政协（代码）")
        parser.add_argument("--date", help="按该日期扫描（YYYY-MM-DD），默认今天")
        parser.add_argument("--schedule", action="store_true", help="不扫描，只确保后台已安排下一次每日扫描")

    def handle(self, *args, **options):
        if options["schedule"]:
            result = schedule_next_scan()
            if result is not None:
                self.stdout.write(f"已安排每日期限扫描：{next_scan_time():%Y-%m-%d %H:%M}")
            elif waiting_scan_exists():
                self.stdout.write("后台已有待执行的每日期限扫描。")
            else:
                self.stdout.write("当前任务后端不支持定时任务，请用计划任务每天运行 jianyan scan-deadlines。")
            return
        committee = resolve_committee(options["committee"]) if options["committee"] else None
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD")
        sent = scan_deadlines(on=on, committee=committee)
        digests = send_digests() if on is None else 0
        self.stdout.write(f"临期提醒 {sent['near_due']} 件，超期催办 {sent['overdue']} 件，"
                          f"上报督办 {sent['escalated']} 件，汇总邮件 {digests} 封。")
