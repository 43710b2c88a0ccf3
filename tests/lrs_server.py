"""Run Ralph's LRS API as `ralph runserver -b fs` does, in the Ralph venv, without the reloader.

Ralph 5.1.0's file-system backend writes each request with the CREATE operation, so every
write after the first fails with "fs_lrs.jsonl already exists" (a 500): `ralph runserver -b fs`
stores only its first statement. Here the backend appends instead; everything else (the API,
its validation, auth, dedupe by id, the query endpoint) is Ralph's own.

Usage: .venv-lrs/bin/python tests/lrs_server.py HOST PORT (RALPH_APP_DIR and
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH in the environment).
"""

import os
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

os.environ.setdefault("RALPH_RUNSERVER_BACKEND", "fs")
FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - reads the environment set above

uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
