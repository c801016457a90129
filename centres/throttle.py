"""Throttling of the public pages (the application form, the tracking-code page): each
address may post a page a limited number of times an hour, counted in Django's cache (Redis
when `REDIS_URL` is set, so every app server counts together). The address is the one
django-axes throttles logins by (`HAMI_PROXY_COUNT` proxies in front are skipped).

A fixed one-hour window is enough here: it stops a script filling the review queue or
guessing tracking codes, and a person who types a form wrong a few times never meets it.
"""

import hashlib
import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache

WINDOW_SECONDS = 60 * 60


def _key(page: str, address: str, now: float) -> str:
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]  # no addresses in the cache
    return f"throttle:{page}:{digest}:{int(now // WINDOW_SECONDS)}"


def allow(request, page: str, *, limit: int, now: float | None = None) -> bool:
    """Count one post of `page` from the request's address; False once the address has
    posted it more than `limit` times within the hour."""
    address = get_client_ip_address(request) or "unknown"
    key = _key(page, address, time.time() if now is None else now)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit
