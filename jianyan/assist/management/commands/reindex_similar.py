"""`jianyan reindex-similar [--committee CODE] [--changed]`: rebuild the similar-proposal index in the database.

Every proposal's signature, LSH band hashes and vector are computed again and written in batches
(each batch one transaction, which bumps the committee's index version: running processes pick the
new rows up on their next query). ``--changed`` only indexes proposals that have no rows yet or whose
text changed."""

import time

from django.core.management.base import BaseCommand

from jianyan.assist import index
from jianyan.core.cli import ProgressBar, resolve_committee
from jianyan.people.models import Committee
from jianyan.proposals.models import Proposal


class Command(BaseCommand):
    help = "重建相似提案索引（签名、LSH 段哈希和特征向量）。"

    def add_arguments(self, parser):
        parser.add_argument("--committee", help="只重建这个政协（代码），默认全部")
        parser.add_argument("--changed", action="store_true", help="只索引尚未索引或文字有改动的提案")

    def handle(self, *args, **options):
        code = options.get("committee")
        committees = [resolve_committee(code)] if code else list(Committee.objects.order_by("pk"))
        if not committees:
            self.stdout.write("数据库中还没有政协，无需索引。")
            return
        for committee in committees:
            started = time.monotonic()
            total = Proposal.objects.filter(committee=committee).count()
            bar = ProgressBar(self.stderr, f"{committee.short_name or committee.code} 索引中")
            written = index.reindex(committee.pk, force=not options["changed"], progress=bar)
            bar.close()
            self.stdout.write(f"{committee.name}：共 {total} 件提案，本次写入 {written} 件，"
                              f"用时 {time.monotonic() - started:.1f} 秒。")
        index.clear_cache()
