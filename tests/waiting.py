"""The one way a test waits: until a condition holds, failing loudly (naming what it waited for) when
it does not within the timeout. No test sleeps for a fixed time or falls through a loop silently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


def wait_until(condition: Callable[[], Any], what: str, *, timeout: float = 10.0, poll: float = 0.01) -> None:
    """Return once `condition()` is true; raise AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(poll)


async def await_until(condition: Callable[[], Any], what: str, *, timeout: float = 10.0,
                      pause: Callable[[], Awaitable[Any]] | None = None) -> None:
    """The same inside an event loop: between checks, `pause()` (e.g. a Pilot's `pause`) or a short sleep
    lets the app run."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        if pause is not None:
            await pause()
        else:
            await asyncio.sleep(0.01)
