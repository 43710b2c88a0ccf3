"""pylti1p3's launch data storage on the event store's database, so the login step (state,
nonce) and the launch step may be served by different processes."""

from __future__ import annotations

from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage

from practicum.server.lti_store import LtiStore

DEFAULT_SECONDS = 3600


class DbLaunchStorage(LaunchDataStorage[Any]):
    """Keep launch values in the `lti_kv` table, with an expiry."""

    def __init__(self, store: LtiStore) -> None:
        super().__init__()
        self._store = store

    def get_session_cookie_name(self) -> str | None:
        # Over plain HTTP (a laptop, the tests) a browser may drop the SameSite=None cookie the
        # library sets; keys then go without the per-browser prefix, like its own cache
        # storage does. Over HTTPS every key is scoped to the browser's cookie.
        assert self._request is not None
        if not self._request.is_secure():
            return None
        return super().get_session_cookie_name()

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._store.kv_get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._store.kv_set(self._prepare_key(key), value, float(exp or DEFAULT_SECONDS))

    def check_value(self, key: str) -> bool:
        return self._store.kv_get(self._prepare_key(key)) is not None
