"""Start Practicum: `python wsgi.py` (what `make run` does), or import `app` into a WSGI server."""

import os
import warnings

# Monkey-patching must happen before anything else imports socket or threading.
_ASYNC_MODE = os.environ.get("PRACTICUM_ASYNC_MODE", "eventlet")
if _ASYNC_MODE == "eventlet":
    # eventlet is in maintenance upstream; we know, and gevent is one variable away
    # (PRACTICUM_ASYNC_MODE=gevent). Its import-time banner would only confuse `make run` users.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
elif _ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from practicum.server.app import create_app  # noqa: E402
from practicum.server.serve import serve  # noqa: E402

app = create_app()

if __name__ == "__main__":
    serve(app)
