"""Play time: a monotonic clock that only runs while the story screen is in front."""

from __future__ import annotations

from time import monotonic


class PlayClock:
    """Seconds played; `start()` when the story is shown, `stop()` when something covers it."""

    def __init__(self, seconds: float = 0.0) -> None:
        self._banked = float(seconds)
        self._since: float | None = None

    def start(self) -> None:
        if self._since is None:
            self._since = monotonic()

    def stop(self) -> None:
        if self._since is not None:
            self._banked += monotonic() - self._since
            self._since = None

    @property
    def seconds(self) -> float:
        running = monotonic() - self._since if self._since is not None else 0.0
        return self._banked + running
