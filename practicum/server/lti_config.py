"""The LTI tool's key pair and its platform registrations, from configuration (docs/lti.md).

Registrations live in a JSON file (PRACTICUM_LTI_CONFIG, default `instance/lti.json`) that
`practicum lti add-platform` writes; the private key comes from PRACTICUM_LTI_PRIVATE_KEY (PEM
text) or the file `instance/lti_private_key.pem`, made by `practicum lti keys` or at first use.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGISTRATION_FIELDS = (
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
)
KEY_FILE = "lti_private_key.pem"
CONFIG_FILE = "lti.json"


class LtiConfigError(Exception):
    """A registration file or key that cannot be used, with a human message."""


def config_path(config: dict[str, Any]) -> Path:
    """Return the path of the registrations file."""
    return Path(config.get("LTI_CONFIG") or Path(config["INSTANCE_DIR"]) / CONFIG_FILE)


def key_path(config: dict[str, Any]) -> Path:
    """Return the path of the private key file (when no key is given in the environment)."""
    return Path(config["INSTANCE_DIR"]) / KEY_FILE


def generate_private_key() -> str:
    """Return a new 2048-bit RSA private key as PEM."""
    from jwcrypto.jwk import JWK

    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode()


def write_private_key(path: Path, pem: str) -> None:
    """Write a private key file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    temporary.replace(path)


def private_key(config: dict[str, Any], create: bool = True) -> str | None:
    """Return the tool's private key PEM: from the environment, the key file, or a new file."""
    if config.get("LTI_PRIVATE_KEY"):
        return str(config["LTI_PRIVATE_KEY"]).replace("\\n", "\n")
    path = key_path(config)
    if path.exists():
        return path.read_text()
    if not create:
        return None
    pem = generate_private_key()
    write_private_key(path, pem)
    return pem


def public_jwk(pem: str) -> dict[str, Any]:
    """Return the public JWK of a private key, with its thumbprint as `kid`."""
    from jwcrypto.jwk import JWK

    key = JWK.from_pem(pem.encode())
    public = key.export_public(as_dict=True)
    public.update({"kid": key.thumbprint(), "alg": "RS256", "use": "sig"})
    return public


def public_pem(pem: str) -> str:
    """Return the public key PEM of a private key."""
    from jwcrypto.jwk import JWK

    return JWK.from_pem(pem.encode()).export_to_pem().decode()


def check_registration(entry: Any) -> dict[str, Any]:
    """Return a registration with its fields checked, or raise LtiConfigError."""
    if not isinstance(entry, dict):
        raise LtiConfigError("each platform is a JSON object")
    missing = [f for f in REGISTRATION_FIELDS if not entry.get(f)]
    if missing:
        raise LtiConfigError(f"a platform lacks {', '.join(missing)}")
    if not isinstance(entry["deployment_ids"], list) or not all(
        isinstance(d, str) for d in entry["deployment_ids"]
    ):
        raise LtiConfigError("deployment_ids is a list of strings")
    return entry


def read_registrations(path: Path) -> list[dict[str, Any]]:
    """Return the platform registrations of a file (none when the file does not exist)."""
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise LtiConfigError(f"{path}: not readable JSON ({exc})") from exc
    platforms = data.get("platforms", []) if isinstance(data, dict) else None
    if not isinstance(platforms, list):
        raise LtiConfigError(f'{path}: expected {{"platforms": [...]}}')
    return [check_registration(p) for p in platforms]


def write_registrations(path: Path, platforms: list[dict[str, Any]]) -> None:
    """Write the registrations file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"platforms": platforms}, indent=2) + "\n")
    temporary.replace(path)


@dataclass
class Tool:
    """What pylti1p3 needs: the tool configuration object and the public JWKS."""

    conf: Any
    jwks: dict[str, Any]
    platforms: list[dict[str, Any]]


class ToolSource:
    """Build the tool configuration, again whenever the registrations file changes.

    `practicum lti add-platform` takes effect at the next launch, without a restart.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.path = config_path(config)
        self._lock = threading.Lock()
        self._memo: tuple[float, Tool] | None = None
        self._keys: tuple[str, str, dict[str, Any]] | None = None

    def _key_pair(self) -> tuple[str, str, dict[str, Any]]:
        # Made on first use, not at start-up: a server without LTI never pays for an RSA key.
        with self._lock:
            if self._keys is None:
                pem = private_key(self.config)
                self._keys = (pem, public_pem(pem), public_jwk(pem))
            return self._keys

    @property
    def pem(self) -> str:
        """Return the tool's private key (PEM)."""
        return self._key_pair()[0]

    @property
    def jwk(self) -> dict[str, Any]:
        """Return the tool's public key as a JWK."""
        return self._key_pair()[2]

    def tool(self) -> Tool:
        """Return the current tool configuration (raises LtiConfigError for a bad file)."""
        stamp = self.path.stat().st_mtime if self.path.exists() else 0.0
        pem, public, jwk = self._key_pair()
        with self._lock:
            if self._memo is not None and self._memo[0] == stamp:
                return self._memo[1]
            tool = self._build(read_registrations(self.path), pem, public, jwk)
            self._memo = (stamp, tool)
            return tool

    def _build(
        self, platforms: list[dict[str, Any]], pem: str, public: str, jwk: dict[str, Any]
    ) -> Tool:
        from pylti1p3.tool_config import ToolConfDict

        settings: dict[str, list[dict[str, Any]]] = {}
        for entry in platforms:
            settings.setdefault(entry["issuer"], []).append(
                {
                    "default": not settings.get(entry["issuer"]),
                    "client_id": entry["client_id"],
                    "auth_login_url": entry["auth_login_url"],
                    "auth_token_url": entry["auth_token_url"],
                    "auth_audience": entry.get("auth_audience"),
                    "key_set_url": entry["key_set_url"],
                    "key_set": None,
                    "deployment_ids": list(entry["deployment_ids"]),
                }
            )
        conf = ToolConfDict(settings)
        for entry in platforms:
            conf.set_private_key(entry["issuer"], pem, client_id=entry["client_id"])
            conf.set_public_key(entry["issuer"], public, client_id=entry["client_id"])
        return Tool(conf, {"keys": [jwk]}, platforms)
