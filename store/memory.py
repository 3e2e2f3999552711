"""Memory policy for building many objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that are all kept.

    Loading a board creates about a hundred dicts and lists per requirement; the collector would
    rescan all of them again and again while they are made (half the load time at 10,000).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
