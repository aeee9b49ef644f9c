"""`jianyan similar "TEXT" [--top 10] [--json] [--committee CODE]`: proposals similar to a text, with scores.

The text's first line is taken as the title and the rest as the body (``-`` reads it from standard
input). The committee's proposals are searched as its staff see them: every one but the drafts."""

import json

from django.core.management.base import BaseCommand, CommandError

from jianyan.assist import services
from jianyan.core.cli import ProgressBar, parse_top, resolve_committee, text_argument


class Command(BaseCommand):
    help = "查找与一段文字相似的提案（按相似度排序，附相似度和理由）。"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("text", help="案由或提案全文（第一行为案由）；“-”表示从标准输入读取")
        parser.add_argument("--top", help="最多列出几件，1–50，默认 10")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")

    def handle(self, *args, **options):
        text = text_argument(options)
        title, body = services.split_text(text)
        if not title and not body:
            raise CommandError("请提供要查找的文字（案由或提案正文）")
        top = parse_top(options.get("top"), default=services.TOP)
        committee = resolve_committee(options.get("committee"))
        bar = ProgressBar(self.stderr, "正在建立相似提案索引")
        items = services.rank(committee, services.staff_view(committee), title, body, top=top, progress=bar)
        bar.close()
        if options["json"]:
            self.stdout.write(json.dumps({"committee": committee.code, "title": title,
                                          "items": [i.as_dict() for i in items]}, ensure_ascii=False))
            return
        if not items:
            self.stdout.write(f"{committee.name}没有与“{title or body[:20]}”相似的提案。")
            return
        self.stdout.write(f"{committee.name}与“{title or body[:20]}”相似的提案（{len(items)} 件，按相似度排序）：")
        for n, i in enumerate(items, 1):
            facts = [i.session, i.display_number or "", i.state_label,
                     f"答复{i.result_class}类" if i.result_class else ""]
            self.stdout.write(f"{n:>3}. {i.score:.2f}  {i.title}  [{' · '.join(f for f in facts if f)}]"
                              f"  #{i.id}  {i.reason}")
