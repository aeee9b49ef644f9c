import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
application = get_wsgi_application()


def freeze_startup_objects() -> None:
    """What a server process loads at start (modules, models, URL patterns, views) lives as long as the process:
    moved out of the garbage collector's reach, a full collection scans only what requests left behind. On the
    load-test server a full collection took 50–80 ms, paid by whichever request triggered it (issue 8)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now rather than at the first request)
    gc.freeze()


freeze_startup_objects()
