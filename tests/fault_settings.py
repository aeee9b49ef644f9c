"""Settings for the worker process of the fault tests (tests/test_faults.py): jianyan.settings, with e-mail
written as files to FAULT_MAIL_DIR (one file per message) so that the test can count what went out."""

import os

from jianyan.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["FAULT_MAIL_DIR"]},
    }
}
