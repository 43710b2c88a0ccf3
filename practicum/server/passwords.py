"""Password hashing with scrypt (Python's hashlib): per-hash salt and cost, constant-time checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
# OWASP's password storage cheat sheet lists N=2^15, r=8, p=3 as one of its equivalent scrypt
# settings: 32 MiB per hash, about a quarter second here. A sign-in is rate-limited, and the
# hash runs in an OS thread (auth.off_loop) so the event loop keeps serving meanwhile.
DEFAULT_LOG2_N = 15
BLOCK_SIZE = 8
PARALLELISM = 3
KEY_BYTES = 32
SALT_BYTES = 16
MAX_PASSWORD_CHARS = 200


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    # maxmem: scrypt needs 128 * n * r bytes (plus a little); OpenSSL's default cap is 32 MiB.
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=128 * n * r + 2**20,
        dklen=KEY_BYTES,
    )


def hash_password(password: str, log2_n: int = DEFAULT_LOG2_N) -> str:
    """Return an encoded scrypt hash of a password with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, log2_n, BLOCK_SIZE, PARALLELISM)
    return f"{SCHEME}${log2_n}${BLOCK_SIZE}${PARALLELISM}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, encoded: str) -> bool:
    """Say whether a password matches an encoded hash (False for anything malformed)."""
    try:
        scheme, log2_n, r, p, salt, key = encoded.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key)
        derived = _derive(password, base64.b64decode(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, expected)

