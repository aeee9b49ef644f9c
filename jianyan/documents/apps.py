from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jianyan.documents"
    label = "documents"
    verbose_name = "公文与报告"

    def ready(self) -> None:
        from jianyan.documents import checks  # noqa: F401  registers the font check
