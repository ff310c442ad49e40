"""Pausing Python's cycle collector around work that builds many objects and no cycles.

Loading a large story or exploring it creates hundreds of thousands of small objects; left on,
the collector rescans all of them again and again and more than doubles the time taken.

When the pause ends, what it built is handed to the oldest generation at once (`gc.freeze` then
`gc.unfreeze`, which move every tracked object there without looking at one): otherwise the first
allocation after it starts a young collection that walks every object the load kept (a third of a
second after a 50,000-node story, about 4% of its load). Those objects are still collected, by the
full collections that come when enough new ones have aged. Whatever a caller had frozen before is
let go to the oldest generation too (a freeze is only a hint to the collector; the benchmarks freeze
their own data around each timed call, and freeze it again before the next).
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
            gc.freeze()
            gc.unfreeze()
            gc.enable()
