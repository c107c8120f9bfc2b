"""A Redis cache that treats an unreachable Redis as a cache miss.

Pages and the API keep serving when Redis is down (throttling and idempotency fall back to
"nothing cached"); Django's own RedisCache would raise and turn every request into a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def _guard(self, name: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as e:
            logger.warning("cache %s failed: %s", name, e.__class__.__name__)
            return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", default, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard("set", None, key, value, timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard("add", False, key, value, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", False, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        return self._guard("get_many", {}, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._guard("incr", 0, key, delta, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard("touch", False, key, timeout, version)

    def clear(self) -> None:
        self._guard("clear", None)
