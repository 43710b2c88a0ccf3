"""Start Practicum: `python wsgi.py` (what `make run` does), or import `app` into a WSGI server."""

import importlib.util
import os
import sys
import warnings

# The server never runs a Socket.IO *client*, yet python-socketio and python-engineio import
# their client classes unconditionally, and those import aiohttp and requests whenever they are
# installed. Only the dev extras install them (the bench and the tests drive the server with
# them); a production install has neither. Hiding them keeps this process as lean as a
# production one: they were 0.3 s of a restart. PRACTICUM_CLIENT_LIBS=1 keeps them importable.
# The LTI tool (the `lti` extra) does post grades with requests, through pylti1p3: it stays
# importable where that extra is installed.
if os.environ.get("PRACTICUM_CLIENT_LIBS", "") not in ("1", "true", "yes"):
    _lti = importlib.util.find_spec("pylti1p3") is not None
    for _client_only in ("aiohttp",) if _lti else ("aiohttp", "requests"):
        sys.modules.setdefault(_client_only, None)  # type: ignore[assignment]

# Monkey-patching must happen before anything else imports socket or threading.
_ASYNC_MODE = os.environ.get("PRACTICUM_ASYNC_MODE", "eventlet")
if _ASYNC_MODE == "eventlet":
    # eventlet's green DNS resolver imports dnspython (0.25 s at start). The server resolves no
    # names while it runs (it binds an address once; clients are not reverse-looked-up; SQLite
    # needs no network), so the blocking system resolver is enough. Set
    # EVENTLET_NO_GREENDNS=no to have it back, e.g. for a database server named by host name.
    os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")
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
