"""JSON text for packets and the event log, encoded by orjson (a C encoder) where it can.

Encoding was a tenth of an action's handling (bench/README.md): the ack, the team patch, the
event row and the action row, and the size check of every payload. orjson encodes the same
trees 5-10 times faster than the standard library. Where it refuses (an integer beyond 64
bits, a tree deeper than 254 levels), the standard encoder takes over with the output the
server always had, and raises what it always raised for what is not JSON at all.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Non-string keys are written as strings, as json.dumps does (never raised on).
_OPTIONS = orjson.OPT_NON_STR_KEYS
_fallback = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def dumps_bytes(obj: Any) -> bytes:
    """Return compact UTF-8 JSON for a tree of dicts, lists, strings, numbers and None."""
    try:
        return orjson.dumps(obj, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a big integer, a deep tree, or not JSON
        return _fallback.encode(obj).encode()


def dumps(obj: Any) -> str:
    """Return compact JSON text (see `dumps_bytes`)."""
    return dumps_bytes(obj).decode()
