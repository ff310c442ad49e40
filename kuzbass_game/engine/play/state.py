"""The state of one game at one moment: immutable, so the history of states is the rewind buffer."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, TypeVar, overload
from collections.abc import Iterator, Mapping

if TYPE_CHECKING:  # (types only: a launch need not build these classes)
    from typing import NotRequired, TypedDict

    from kuzbass_game.engine.core.expr import Value

    class ActionJSON(TypedDict):
        """An action as a save file holds it (see `Action.to_json`)."""

        node: str
        choice: NotRequired[int]
        sig: NotRequired[str]
        text: NotRequired[str]

    class StateJSON(TypedDict):
        """A state as a save file holds it (see `GameState.to_json`)."""

        node: str
        variables: dict[str, Value]
        visits: dict[str, int]
        rng: int
        used_once: list[str]
        chapter: str | None
        date: str | None
        turn: int
        awaiting_input: bool


class Action(NamedTuple):
    """One thing the player did: chose a choice (by its index in the node) or typed text.

    Saves store the list of actions, so a game can be replayed and verified on any story version.
    A named tuple, not a dataclass: a long save holds thousands, and tuples build 3x faster.
    """

    node: str
    choice: int | None = None
    text: str | None = None
    signature: str | None = None  # the choice's signature when it was taken (see Choice.signature)

    def to_json(self) -> ActionJSON:
        data: ActionJSON = {"node": self.node}
        if self.choice is not None:
            data["choice"] = self.choice
        if self.signature:
            data["sig"] = self.signature
        if self.text is not None:
            data["text"] = self.text
        return data


_MISSING: object = object()
_T = TypeVar("_T")


class _Shared:
    """The one dict that every version of a game's visit counts shares, and which version it holds now."""

    __slots__ = ("counts",)

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts


class Visits(Mapping[str, int]):
    """A game's visit counts at one moment: a persistent map, where counting a visit makes a new
    version and leaves every older one readable, without copying the table.

    All versions of one game share one dict, which holds the version read last; every other version
    keeps the one change that leads from it toward that one (Baker's rerooting). Reading the newest
    state, or the one just before it, is a dict lookup; reading an old version first walks the
    changes between it and the last one read (and the dict then holds that version). So a step costs
    the same at turn 10 and turn 30,000, where a copy per step grew with the nodes visited.
    """

    __slots__ = ("_shared", "_toward", "_key", "_value")

    def __init__(self, counts: dict[str, int] | None = None) -> None:
        """A first version, holding `counts` (the dict is the new version's own: pass a copy)."""
        self._shared = _Shared({} if counts is None else counts)
        self._toward: Visits | None = None  # None: the shared dict holds this version
        self._key = ""
        self._value: object = _MISSING  # this version's count of `_key` (_MISSING: not visited)

    @staticmethod
    def of(counts: Mapping[str, int]) -> Visits:
        """`counts` as a version of its own (a Visits is kept as it is: it cannot change)."""
        return counts if isinstance(counts, Visits) else Visits(dict(counts))

    def _counts(self) -> dict[str, int]:
        """The shared dict, made to hold this version."""
        if self._toward is None:
            return self._shared.counts
        path = []
        version: Visits | None = self
        while version is not None and version._toward is not None:
            path.append(version)
            version = version._toward
        counts = self._shared.counts
        for step in reversed(path):  # from the version held now back to this one, one change at a time
            newer = step._toward
            assert newer is not None
            key, value = step._key, step._value
            old = counts.get(key, _MISSING)
            if value is _MISSING:
                counts.pop(key, None)
            else:
                counts[key] = value  # type: ignore[assignment]  # an int: only ints are stored
            newer._toward, newer._key, newer._value = step, key, old
            step._toward, step._value = None, _MISSING
        return counts

    def with_count(self, key: str, count: int) -> Visits:
        """A new version with `key` counted `count` times (0: never visited); this one is unchanged."""
        counts = self._counts()
        old = counts.get(key, _MISSING)
        if count:
            counts[key] = count
        else:
            counts.pop(key, None)
        newer = Visits.__new__(Visits)
        newer._shared, newer._toward, newer._key, newer._value = self._shared, None, "", _MISSING
        self._toward, self._key, self._value = newer, key, old
        return newer

    def counted(self, key: str) -> Visits:
        """A new version with one more visit of `key`."""
        counts = self._counts()
        return self.with_count(key, counts.get(key, 0) + 1)

    @overload
    def get(self, key: str, /) -> int | None: ...
    @overload
    def get(self, key: str, /, default: int | _T) -> int | _T: ...
    def get(self, key: str, /, default: object = None) -> object:
        if self._toward is None:
            return self._shared.counts.get(key, default)
        return self._counts().get(key, default)

    def __getitem__(self, key: str) -> int:
        return self._counts()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._counts()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._counts()))

    def __len__(self) -> int:
        return len(self._counts())

    def copy(self) -> dict[str, int]:
        """This version as a plain dict of its own."""
        return dict(self._counts())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self.copy() == (other.copy() if isinstance(other, Visits) else dict(other))

    __hash__ = None  # type: ignore[assignment]  # a mapping

    def __repr__(self) -> str:
        return f"Visits({self.copy()!r})"


class GameState(NamedTuple):
    """A snapshot after one action (a tuple for the same reason as `Action`: one per step)."""

    node: str
    variables: Mapping[str, Value]
    visits: Mapping[str, int]
    rng: int
    used_once: frozenset[str] = frozenset()
    chapter: str | None = None
    date: str | None = None
    turn: int = 0
    awaiting_input: bool = False

    def to_json(self) -> StateJSON:
        return {
            "node": self.node,
            "variables": dict(self.variables),
            "visits": self.visits.copy() if isinstance(self.visits, Visits) else dict(self.visits),
            "rng": self.rng,
            "used_once": sorted(self.used_once),
            "chapter": self.chapter,
            "date": self.date,
            "turn": self.turn,
            "awaiting_input": self.awaiting_input,
        }
