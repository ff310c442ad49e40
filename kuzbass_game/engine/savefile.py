"""The save file format: encoding a game, and decoding a file that we never trust.

A save holds the seed and the list of actions (so the game can be replayed and verified on
any version of the story) plus a snapshot of the state (a fallback when the story changed
so much that the actions no longer apply). Older format versions go through `MIGRATIONS`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from kuzbass_game.engine.markup import strip_markup
from kuzbass_game.engine.model import Story
from kuzbass_game.engine.runtime import Game
from kuzbass_game.engine.state import Action, GameState

FORMAT = "kuzbass-save"
VERSION = 2
MAX_SAVE_BYTES = 8 * 1024 * 1024
MAX_ACTIONS = 200_000
EXCERPT_CHARS = 200


class SaveError(Exception):
    """A save that cannot be written or read; the message is meant for the player."""


@dataclass(frozen=True)
class SaveMeta:
    name: str
    kind: str  # manual | auto | quick
    saved_at: datetime
    play_seconds: float


@dataclass(frozen=True)
class Decoded:
    """A save file's content, checked for shape and types but not yet played on a story."""

    meta: SaveMeta
    story_id: str
    fingerprint: str
    seed: int
    base: dict | None
    actions: list[Action]
    snapshot: dict
    summary: dict


@dataclass(frozen=True)
class Restored:
    game: Game
    notice: str | None  # what the player should know, e.g. that the story changed
    exact: bool  # the actions replayed exactly onto the same story


# ---------------------------------------------------------------- encoding


def encode(game: Game, meta: SaveMeta) -> tuple[str, dict]:
    """The file's text, and the summary it holds (what a save screen shows)."""
    view = game.view()
    excerpt = strip_markup(view.paragraphs[-1]) if view.paragraphs else ""
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = "…" + excerpt[-(EXCERPT_CHARS - 1):].lstrip()
    summary = {"chapter": view.chapter, "date": view.date, "turn": view.turn, "node": view.node_id,
               "excerpt": excerpt, "ending": view.ending}
    head = {
        "format": FORMAT,
        "version": VERSION,
        "story": {"id": game.story.id, "title": game.story.title, "fingerprint": game.story.fingerprint},
        "slot": {
            "name": meta.name,
            "kind": meta.kind,
            "saved_at": meta.saved_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "play_seconds": round(meta.play_seconds, 1),
        },
        "summary": summary,
    }
    game_part = {
        "seed": game.seed,
        "base": game.base.to_json() if game.rebased else None,
        "state": game.state.to_json(),
    }
    return _layout(head, game_part, [a.to_json() for a in game.actions]), summary


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _layout(head: dict, game_part: dict, actions: list[dict]) -> str:
    """One JSON object laid out a section per line: readable like an indented file, but each
    piece goes through json's C encoder (an `indent` falls back to the pure-Python encoder,
    five times slower on a long game). The actions share one line, written in a single call."""
    dump = _ENCODER.encode
    lines = ["{"]
    lines += [f" {dump(key)}: {dump(value)}," for key, value in head.items()]
    lines.append(' "game": {')
    lines += [f"  {dump(key)}: {dump(value)}," for key, value in game_part.items()]
    lines.append(f'  "actions": {dump(actions)}')
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- decoding


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise SaveError(message)


def _get(obj: Any, key: str, kind: type | tuple, where: str) -> Any:
    _need(isinstance(obj, dict), f"the save is damaged: {where} is not an object")
    _need(key in obj, f"the save is damaged: {where} has no '{key}'")
    value = obj[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    _need(ok, f"the save is damaged: '{key}' in {where} has the wrong type")
    return value


def parse_json(data: bytes) -> dict:
    """Bytes -> JSON object, with a message a player can act on for each way this fails."""
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"the file is too large to be a save ({len(data) // 1024} KB)")
    if not data.strip():
        raise SaveError("the file is empty (perhaps a crash while it was first written)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError("the file is not a save: it holds binary data, not text") from None
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        if not text.lstrip().startswith(("{", "[")):
            raise SaveError("the file is not a Kuzbass save (it is not JSON)") from None
        truncated = not text.rstrip().endswith("}")
        why = "it ends too early (truncated)" if truncated else f"broken JSON at line {err.lineno}, column {err.colno}"
        raise SaveError(f"the save is damaged: {why}") from None
    except RecursionError:
        raise SaveError("the save is damaged: it nests too deeply") from None
    _need(isinstance(obj, dict), "the file is not a Kuzbass save")
    return obj


def _reject_constant(name: str) -> None:
    raise SaveError(f"the save is damaged: it holds {name}")


def decode(data: bytes) -> Decoded:
    obj = parse_json(data)
    _need(obj.get("format") == FORMAT or "story_id" in obj, "the file is not a Kuzbass save")
    version = obj.get("version")
    _need(isinstance(version, int) and not isinstance(version, bool), "the save has no format version")
    if version > VERSION:
        raise SaveError(f"the save was made by a newer Kuzbass (save format {version}; this version reads up to {VERSION}): update the game")
    _need(version >= 1, f"unknown save format version {version}")
    while version < VERSION:
        obj = MIGRATIONS[version](obj)
        version += 1
    story = _get(obj, "story", dict, "the save")
    slot = _get(obj, "slot", dict, "the save")
    game = _get(obj, "game", dict, "the save")
    saved_at = _parse_time(_get(slot, "saved_at", str, "the slot"))
    play_seconds = _get(slot, "play_seconds", (int, float), "the slot")
    _need(math.isfinite(play_seconds) and play_seconds >= 0, "the save is damaged: negative play time")
    kind = _get(slot, "kind", str, "the slot")
    _need(kind in ("manual", "auto", "quick"), f"the save is damaged: unknown slot kind '{kind}'")
    meta = SaveMeta(_get(slot, "name", str, "the slot"), kind, saved_at, float(play_seconds))
    raw_actions = _get(game, "actions", list, "the game")
    _need(len(raw_actions) <= MAX_ACTIONS, "the save is damaged: too many actions")
    actions = [_action(item) for item in raw_actions]
    base = game.get("base")
    _need(base is None or isinstance(base, dict), "the save is damaged: 'base' has the wrong type")
    summary = obj.get("summary") if isinstance(obj.get("summary"), dict) else {}
    _get(_get(game, "state", dict, "the game"), "node", str, "the saved state")
    return Decoded(meta, _get(story, "id", str, "the story"), _get(story, "fingerprint", str, "the story"),
                   _get(game, "seed", int, "the game"), base, actions, _get(game, "state", dict, "the game"), summary)


def _action(item: Any) -> Action:
    """One recorded action, checked field by field (written flat: a long game holds thousands)."""
    if type(item) is not dict:
        raise SaveError("the save is damaged: an action is not an object")
    node, choice, text, signature = item.get("node"), item.get("choice"), item.get("text"), item.get("sig")
    if type(node) is not str:
        raise SaveError("the save is damaged: an action names no scene")
    if (choice is None) == (text is None):
        raise SaveError("the save is damaged: an action must be a choice or a text")
    if choice is not None and not (type(choice) is int and 0 <= choice < 100):
        raise SaveError("the save is damaged: a choice number is invalid")
    if text is not None and not (type(text) is str and len(text) <= 1000):
        raise SaveError("the save is damaged: a typed text is invalid")
    if signature is not None and not (type(signature) is str and len(signature) <= 64):
        raise SaveError("the save is damaged: a choice signature is invalid")
    return Action(node, choice, text, signature)


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SaveError("the save is damaged: its time stamp is unreadable") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def state_from_json(data: dict, story: Story, strict: bool) -> GameState:
    """A snapshot back into a `GameState`, fitted to the story's declarations.

    `strict` (the save was made with this very story): any value outside its declared type or
    range means the file was tampered with. Otherwise the story changed: new variables take
    their defaults, removed ones are dropped, values are clamped into new ranges.
    """
    node = _get(data, "node", str, "the saved state")
    _need(node in story.nodes, f"the saved scene '{node}' no longer exists in the story")
    raw_vars = _get(data, "variables", dict, "the saved state")
    variables = story.defaults()
    for name, var in story.variables.items():
        if name not in raw_vars:
            _need(not strict, f"the save is damaged: variable '{name}' is missing")
            continue
        value = raw_vars[name]
        kind = {"int": int, "bool": bool, "text": str}[var.type]
        ok = isinstance(value, kind) and (var.type == "bool" or not isinstance(value, bool))
        if not ok:
            _need(not strict, f"the save is damaged: variable '{name}' should be {var.type}")
            continue
        if var.type == "int" and var.clamp(value) != value:
            _need(not strict, f"the save is damaged: variable '{name}' is {value}, outside its range {var.minimum}..{var.maximum}")
            value = var.clamp(value)
        if var.type == "text" and len(value) > 10_000:
            raise SaveError(f"the save is damaged: variable '{name}' is too long")
        variables[name] = value
    if strict:
        extra = sorted(set(raw_vars) - set(story.variables))
        if extra:
            raise SaveError(f"the save is damaged: unknown variable '{extra[0]}'")
    visits_raw = _get(data, "visits", dict, "the saved state")
    visits = {k: v for k, v in visits_raw.items() if k in story.nodes and isinstance(v, int) and not isinstance(v, bool) and v > 0}
    used_raw = data.get("used_once", [])
    _need(isinstance(used_raw, list), "the save is damaged: 'used_once' has the wrong type")
    used = frozenset(u for u in used_raw if isinstance(u, str))
    rng_state = _get(data, "rng", int, "the saved state")
    _need(0 <= rng_state < 2**64, "the save is damaged: random state out of range")
    turn = _get(data, "turn", int, "the saved state")
    chapter, date = data.get("chapter"), data.get("date")
    _need(chapter is None or isinstance(chapter, str), "the save is damaged: chapter")
    _need(date is None or isinstance(date, str), "the save is damaged: date")
    awaiting = bool(data.get("awaiting_input")) and story.nodes[node].input is not None
    return GameState(node, variables, visits, rng_state, used, chapter, date, max(0, turn), awaiting)


def restore(decoded: Decoded, story: Story) -> Restored:
    """Rebuild the game: replay its actions; if the story changed, say what happened to the game."""
    if decoded.story_id != story.id:
        raise SaveError(f"the save belongs to another story ('{decoded.story_id}', not '{story.id}')")
    same_story = decoded.fingerprint == story.fingerprint
    snapshot = state_from_json(decoded.snapshot, story, strict=same_story) if decoded.snapshot.get("node") in story.nodes else None
    try:
        base = state_from_json(decoded.base, story, strict=same_story) if decoded.base is not None else None
    except SaveError:
        if same_story:
            raise
        base = None
    game = Game(story, decoded.seed, base=base)
    done = game.replay(decoded.actions)
    total = len(decoded.actions)
    if done == total:
        if same_story:
            if snapshot is not None and not _same_state(game.state, snapshot):
                raise SaveError("the save is damaged: its choices do not lead to its saved state")
            if snapshot is None:
                raise SaveError("the save is damaged: its saved scene does not exist")
            return Restored(game, None, exact=True)
        return Restored(game, f"The story was updated since this save; all {total} of your choices still apply.", exact=False)
    if same_story:
        raise SaveError(f"the save is damaged: choice {done + 1} of {total} cannot be replayed")
    if snapshot is not None:
        rebased = Game(story, decoded.seed, base=snapshot)
        return Restored(rebased, (f"The story was updated since this save. Your choices replay only up to turn {done} of {total}, "
                                  f"so you resume where you saved, with your saved state, but cannot go back past this point."), exact=False)
    where = game.state.node
    return Restored(game, (f"The story was updated and the scene you saved in is gone. You resume after choice {done} of {total}, "
                           f"the last point that still exists ('{where}')."), exact=False)


def _same_state(a: GameState, b: GameState) -> bool:
    return (a.node, dict(a.variables), dict(a.visits), a.rng, a.used_once, a.turn) == (
        b.node, dict(b.variables), dict(b.visits), b.rng, b.used_once, b.turn)


# ---------------------------------------------------------------- migrations


def _from_v1(obj: dict) -> dict:
    """Format 1 (flat: story_id, fingerprint, seed, choices as [node, index] pairs) -> format 2."""
    choices = obj.get("choices")
    _need(isinstance(choices, list), "the save is damaged: no choices")
    actions = []
    for pair in choices:
        _need(isinstance(pair, list) and len(pair) == 2, "the save is damaged: a choice is malformed")
        node, value = pair
        actions.append({"node": node, "text": value} if isinstance(value, str) else {"node": node, "choice": value})
    state = obj.get("state")
    return {
        "format": FORMAT,
        "version": 2,
        "story": {"id": obj.get("story_id"), "title": obj.get("story_id"), "fingerprint": obj.get("fingerprint")},
        "slot": {"name": obj.get("name", "old save"), "kind": "manual", "saved_at": obj.get("saved_at"), "play_seconds": 0},
        "summary": {},
        "game": {"seed": obj.get("seed"), "base": None, "actions": actions, "state": state},
    }


MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _from_v1}


def _choices(count: int) -> str:
    return "1 choice" if count == 1 else f"{count} choices"


def verify(data: bytes, story: Story) -> tuple[str, str]:
    """How a save fares on `story`: ("ok" | "changed" | "broken", explanation). For `kuzbass check --saves`."""
    try:
        decoded = decode(data)
        restored = restore(decoded, story)
    except SaveError as err:
        return "broken", str(err)
    if restored.exact:
        return "ok", f"replays exactly ({_choices(len(decoded.actions))})"
    if restored.game.rebased or len(restored.game.actions) < len(decoded.actions):
        return "broken", restored.notice or "the game cannot be replayed"
    before = decoded.snapshot
    after = restored.game.state
    changes = []
    if before.get("node") != after.node:
        changes.append(f"it now ends at '{after.node}' instead of '{before.get('node')}'")
    old_vars = before.get("variables") if isinstance(before.get("variables"), dict) else {}
    for name, value in after.variables.items():
        if name in old_vars and old_vars[name] != value:
            changes.append(f"'{name}' becomes {value!r} instead of {old_vars[name]!r}")
    if changes:
        return "changed", f"all {len(decoded.actions)} choices replay, but " + "; ".join(changes[:5])
    return "ok", f"the story changed, but all {len(decoded.actions)} choices replay to the same state"
