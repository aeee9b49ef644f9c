"""A tiny web server for the fault tests (tests/test_faults.py), run as a separate process that a test can kill:
Django's WSGI application on a free port of 127.0.0.1, one request at a time (so a persistent database
connection lives from one request to the next, as in a gunicorn sync worker). Prints "PORT <n>" once it listens.

FAULT_PAUSE_AFTER=<audit action> makes it stop in the middle of that transition: right after the audit event is
written, inside the still open transaction, it writes the event's id to FAULT_PAUSE_FILE and sleeps, so that
the test can SIGKILL the process there. The hook is a post_save signal connected here only: nothing in the
application knows about it.

    python tests/fault_server.py      (settings from the environment: DATABASE_URL, DEBUG, ...)"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")


def pause_after_audit(action: str, marker: Path) -> None:
    from django.db.models.signals import post_save

    from jianyan.core.models import AuditEvent

    def pause(sender, instance, created, **kwargs):
        if created and instance.action == action:
            marker.write_text(str(instance.pk))
            time.sleep(120)  # the test kills the process long before

    post_save.connect(pause, sender=AuditEvent, weak=False)


def main() -> None:
    import django

    django.setup()
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    if os.environ.get("FAULT_PAUSE_AFTER"):
        pause_after_audit(os.environ["FAULT_PAUSE_AFTER"], Path(os.environ["FAULT_PAUSE_FILE"]))
    run("127.0.0.1", 0, get_wsgi_application(), threading=False, server_cls=WSGIServer,
        on_bind=lambda port: print(f"PORT {port}", flush=True))


if __name__ == "__main__":
    main()
