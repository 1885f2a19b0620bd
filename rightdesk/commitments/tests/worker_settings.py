"""Settings for the worker processes started by test_workers: mail goes to files."""

import os

from rightdesk.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["RIGHTDESK_TEST_MAIL_DIR"]
