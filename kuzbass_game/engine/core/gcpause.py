"""Pausing Python's cycle collector around work that builds many objects and no cycles.

Loading a large story or exploring it creates hundreds of thousands of small objects; left on,
the collector rescans all of them again and again and more than doubles the time taken.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from collections.abc import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
