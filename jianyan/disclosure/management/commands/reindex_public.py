"""`jianyan reindex-public`: rebuild the public full-text index from the published publications (after a
restore, or a change of the segmenter's dictionary). The workflow keeps it in step otherwise."""

from django.core.management.base import BaseCommand
from django.db import transaction

from jianyan import search
from jianyan.disclosure.public import public_publications


class Command(BaseCommand):
    help = "重建公开提案的全文检索索引"

    def handle(self, *args, **options):
        with transaction.atomic():
            n = search.rebuild(public_publications().order_by("id").iterator(chunk_size=1000))
        self.stdout.write(f"已重建全文检索索引：{n} 件公开提案。")
