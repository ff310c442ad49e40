"""The save file format: encoding a game, and decoding a file that we never trust.

A save holds the seed and the list of actions (so the game can be replayed and verified on
any version of the story) plus a snapshot of the state (a fallback when the story changed
so much that the actions no longer apply), and the id of the game it belongs to (each game
keeps its own autosaves). Older format versions go through `MIGRATIONS`.

A file is never trusted: every way it can fail (bad JSON, a 5,000-digit number, a time stamp
out of range, strings full of terminal escapes, a replay that fails) ends in a `SaveError`
with a message for the player, and every string decoded from it goes through `plain_text`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, UTC
from typing import TYPE_CHECKING, Any, TypedDict, cast
from collections.abc import Callable

from kuzbass_game.engine.core.text import escape_markup, strip_markup
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.core.gcpause import collector_paused
from kuzbass_game.engine.core.text import plain_text, plain_tree
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.state import Action, GameState

if TYPE_CHECKING:
    from kuzbass_game.engine.play.state import ActionJSON

FORMAT = "kuzbass-save"
VERSION = 3  # 3: the slot holds the game's id (`game_id`), and its time to the microsecond
MAX_SAVE_BYTES = 8 * 1024 * 1024
MAX_ACTIONS = 200_000
MAX_INT_DIGITS = 100  # more than any seed, counter or variable needs; Python refuses 4,300
MAX_NAME_CHARS = 1000  # a node name in an action
EXCERPT_CHARS = 200
CHECKPOINT_EVERY = 1000  # a save of this many actions or more keeps the state after the last multiple of it
GAME_ID = re.compile(r"[0-9a-f]{16}\Z")
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

# A JSON object as decoded from a file: nothing in it is trusted until it has been checked, field
# by field, where it is read.
JSONObject = dict[str, Any]


class Summary(TypedDict, total=False):
    """What a save screen shows of a save (all of it when encoding; read back, the fields that
    have the right type)."""

    chapter: str | None
    date: str | None
    turn: int
    node: str
    excerpt: str
    ending: str | None


class SaveError(Exception):
    """A save that cannot be written or read; the message is meant for the player."""


@dataclass(frozen=True)
class SaveMeta:
    name: str
    kind: str  # manual | auto | quick
    saved_at: datetime
    play_seconds: float
    game_id: str | None = None  # None when encoding: derived from the game's seed
    journal: str | None = None  # an autosave's token, which its journal's lines name (journal.py)


def seed_game_id(seed: object) -> str:
    """The game id of a save made before games had ids: its seed, which a new game draws at random."""
    return f"{seed & (2**64 - 1):016x}" if type(seed) is int else "0" * 16


@dataclass(frozen=True)
class Decoded:
    """A save file's content, checked for shape and types but not yet played on a story."""

    meta: SaveMeta
    story_id: str
    fingerprint: str
    seed: int
    base: JSONObject | None
    actions: list[Action]
    snapshot: JSONObject
    summary: Summary
    layers: tuple[str, ...] = ()  # the layers over the story it was made with (see docs: Layers)
    layer_titles: Mapping[str, str] = field(default_factory=dict)  # layer id -> its title (only shown: plain text)
    layer_folders: Mapping[str, str] = field(default_factory=dict)  # layer id -> the folder it was loaded from
    checkpoint: tuple[int, JSONObject] | None = None  # (actions before it, the state they led to): a long save's
    journal: str | None = None  # the token its journal's lines name (an autosave's), if any
    journaled: bool = False  # lines of its journal were applied: `actions` go past `snapshot`

    @property
    def game_id(self) -> str:
        return self.meta.game_id or seed_game_id(self.seed)


@dataclass(frozen=True)
class Restored:
    game: Game
    notice: str | None  # what the player should know, e.g. that the story changed
    exact: bool  # the actions replayed exactly onto the same story


# ---------------------------------------------------------------- encoding


def summarize(game: Game) -> Summary:
    """What a save screen shows of the game as it is now."""
    view = game.view()
    excerpt = strip_markup(view.paragraphs[-1]) if view.paragraphs else ""
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = "…" + excerpt[-(EXCERPT_CHARS - 1) :].lstrip()
    return {
        "chapter": view.chapter,
        "date": view.date,
        "turn": view.turn,
        "node": view.node_id,
        "excerpt": excerpt,
        "ending": view.ending,
    }


def encode(game: Game, meta: SaveMeta) -> tuple[str, Summary]:
    """The file's text, and the summary it holds (what a save screen shows)."""
    summary = summarize(game)
    head = {
        "format": FORMAT,
        "version": VERSION,
        "story": {
            "id": game.story.id,
            "title": game.story.title,
            "fingerprint": game.story.fingerprint,
            "layers": list(game.story.layers),
            # What a player without the layers is told to load: each one's title and folder (optional, shown only).
            **_layer_names(game.story),
        },
        "slot": {
            "name": meta.name,
            "kind": meta.kind,
            "saved_at": meta.saved_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "play_seconds": round(meta.play_seconds, 1),
            "game_id": meta.game_id if meta.game_id and GAME_ID.match(meta.game_id) else seed_game_id(game.seed),
            **({"journal": meta.journal} if meta.journal else {}),
        },
        "summary": summary,
    }
    actions = game.actions
    at = len(actions) - len(actions) % CHECKPOINT_EVERY
    game_part = {
        "seed": game.seed,
        "base": game.base.to_json() if game.rebased else None,
        # A load replays only the actions after the checkpoint (fewer than CHECKPOINT_EVERY).
        "checkpoint": {"at": at, "state": game.state_at(at).to_json()} if at else None,
        "state": game.state.to_json(),
    }
    return _layout(head, game_part, [a.to_json() for a in actions]), summary


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _layout(head: Mapping[str, object], game_part: Mapping[str, object], actions: list[ActionJSON]) -> str:
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


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    _need(isinstance(obj, dict), f"the save is damaged: {where} is not an object")
    _need(key in obj, f"the save is damaged: {where} has no '{key}'")
    value = obj[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    _need(ok, f"the save is damaged: '{key}' in {where} has the wrong type")
    return value


def parse_json(data: bytes) -> JSONObject:
    """Bytes -> JSON object, with a message a player can act on for each way this fails.

    Every string in it (keys too) comes out as `plain_text`; no integer may have more than
    MAX_INT_DIGITS digits (Python's own limit raises ValueError from deep inside json).
    """
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"the file is too large to be a save ({len(data) // 1024} KB)")
    if not data.strip():
        raise SaveError("the file is empty (perhaps a crash while it was first written)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError("the file is not a save: it holds binary data, not text") from None
    obj = _loads(text, data)
    if not isinstance(obj, dict):
        raise SaveError("the file is not a Kuzbass save")
    if "\\" in text or not text.replace("\n", " ").isprintable():  # else no string can hold anything to remove
        try:
            plain_tree(obj)
        except ValueError:
            raise SaveError("the save is damaged: it holds too many values") from None
    return obj


# Every byte that is an ASCII digit as b"0", any other as b" ": a run of digits becomes a run of zeros.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * (MAX_INT_DIGITS + 1)


def has_long_number(raw: bytes) -> bool:
    """Whether the bytes hold a run of more than MAX_INT_DIGITS ASCII digits (all json reads as a number).

    Two passes in C (a byte table, then a substring search): a tenth of a regular expression's time
    on a long save, whose text is mostly short numbers at which a pattern must start and fail."""
    return _LONG_NUMBER in raw.translate(_DIGITS_AS_ZEROS)


def _loads(text: str, raw: bytes) -> Any:
    # Each integer is read by `parse_int` (which refuses a long one) only if the file holds a run of
    # digits that long at all, where a Python call per number cost a long save a third of its load.
    ints = parse_int if has_long_number(raw) else None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=ints)
    except json.JSONDecodeError as err:
        if not text.lstrip().startswith(("{", "[")):
            raise SaveError("the file is not a Kuzbass save (it is not JSON)") from None
        truncated = not text.rstrip().endswith("}")
        why = "it ends too early (truncated)" if truncated else f"broken JSON at line {err.lineno}, column {err.colno}"
        raise SaveError(f"the save is damaged: {why}") from None
    except RecursionError:
        raise SaveError("the save is damaged: it nests too deeply") from None
    except (ValueError, OverflowError, MemoryError) as err:  # anything else json or int() may raise
        raise SaveError(f"the save is damaged: {plain_text(str(err))[:200]}") from None


def parse_int(digits: str) -> int:
    """An integer literal from a save, refused past MAX_INT_DIGITS digits (before Python's 4,300)."""
    count = len(digits) - digits.startswith("-")
    if count > MAX_INT_DIGITS:
        raise SaveError(f"the save is damaged: it holds a number with {count} digits")
    return int(digits)


def _reject_constant(name: str) -> None:
    raise SaveError(f"the save is damaged: it holds {name}")


def decode(data: bytes) -> Decoded:
    obj = parse_json(data)
    _need(obj.get("format") == FORMAT or "story_id" in obj, "the file is not a Kuzbass save")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError("the save has no format version")
    if version > VERSION:
        shown = version if version < 10**6 else "?"
        raise SaveError(f"the save was made by a newer Kuzbass (save format {shown}; this version reads up to {VERSION}): update the game")
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
    _need(kind in ("manual", "auto", "quick"), f"the save is damaged: unknown slot kind '{kind[:40]}'")
    seed = _get(game, "seed", int, "the game")
    game_id = slot.get("game_id")
    if not (isinstance(game_id, str) and GAME_ID.match(game_id)):
        game_id = seed_game_id(seed)  # a missing or odd id costs the grouping, never the game
    meta = SaveMeta(_get(slot, "name", str, "the slot")[:200], kind, saved_at, float(play_seconds), game_id)
    raw_actions = _get(game, "actions", list, "the game")
    _need(len(raw_actions) <= MAX_ACTIONS, "the save is damaged: too many actions")
    with collector_paused():  # a hundred thousand small tuples, no cycle among them
        actions = _actions(raw_actions)
    base = game.get("base")
    _need(base is None or isinstance(base, dict), "the save is damaged: 'base' has the wrong type")
    summary = _summary(obj.get("summary"))
    _get(_get(game, "state", dict, "the game"), "node", str, "the saved state")
    checkpoint = _checkpoint(game.get("checkpoint"), len(actions))
    layers = story.get("layers", [])
    _need(
        isinstance(layers, list) and len(layers) <= 100 and all(isinstance(layer, str) and len(layer) <= 200 for layer in layers),
        "the save is damaged: its list of layers",
    )
    return Decoded(
        meta,
        _get(story, "id", str, "the story")[:200],
        _get(story, "fingerprint", str, "the story")[:200],
        seed,
        base,
        actions,
        _get(game, "state", dict, "the game"),
        summary,
        tuple(layers),
        _shown_names(story.get("layer_titles"), 200),
        _shown_names(story.get("layer_folders"), 4096),
        checkpoint,
        _token(slot.get("journal")),
    )


def _checkpoint(raw: object, actions: int) -> tuple[int, JSONObject] | None:
    """A long save's checkpoint, checked for shape (its state is checked against the story by `restore`)."""
    if raw is None:
        return None
    at = _get(raw, "at", int, "the checkpoint")
    _need(0 < at <= actions, "the save is damaged: its checkpoint is out of place")
    state = _get(raw, "state", dict, "the checkpoint")
    _get(state, "node", str, "the checkpoint's state")
    return at, state


def _token(value: object) -> str | None:
    return value if isinstance(value, str) and GAME_ID.match(value) else None


def apply_journal(decoded: Decoded, data: bytes) -> Decoded:
    """The save as its journal leaves it: each whole line of this snapshot applied in order; the
    first line that is cut short, damaged, of another snapshot or out of place ends the journal."""
    token = decoded.journal
    if token is None or not data:
        return decoded
    actions = list(decoded.actions)
    meta, summary, applied, lowest = decoded.meta, decoded.summary, False, len(actions)
    for raw in data.split(b"\n")[:-1]:  # the last piece has no newline: a line being written, or nothing
        line = _journal_line(raw, token)
        if line is None or line[0] > len(actions) or line[0] + len(line[1]) > MAX_ACTIONS:
            break
        at, added, saved_at, play_seconds, line_summary = line
        lowest = min(lowest, at)
        del actions[at:]
        actions.extend(added)
        meta = replace(meta, saved_at=saved_at, play_seconds=play_seconds)
        summary, applied = line_summary, True
    if not applied:
        return decoded
    checkpoint = decoded.checkpoint if decoded.checkpoint is not None and decoded.checkpoint[0] <= lowest else None
    return replace(decoded, meta=meta, actions=actions, summary=summary, journaled=True, checkpoint=checkpoint)


def _journal_line(raw: bytes, token: str) -> tuple[int, list[Any], datetime, float, Summary] | None:
    """One journal line, checked; None if it is not a whole, sound line of this snapshot."""
    try:
        obj = _loads(raw.decode("utf-8"), raw)
        if not isinstance(obj, dict) or obj.get("of") != token:
            return None
        plain_tree(obj)
        at, added, seconds, saved_at = obj.get("at"), obj.get("add"), obj.get("play_seconds"), obj.get("saved_at")
        if not (type(at) is int and at >= 0 and type(added) is list and isinstance(saved_at, str)):
            return None
        if not (isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 <= seconds < 10**9):
            return None
        return at, [_action(item) for item in added], _parse_time(saved_at), float(seconds), _summary(obj.get("summary"))
    except (SaveError, UnicodeDecodeError, ValueError, TypeError, AttributeError):
        return None


def _layer_names(story: Story) -> dict[str, dict[str, str]]:
    """The layers' titles and folders, for a save made with layers (a story's own saves hold none)."""
    if not story.layers:
        return {}
    return {
        "layer_titles": {layer: title for layer, title in story.layer_titles.items() if layer in story.layers},
        "layer_folders": dict(zip(story.layers, story.layer_folders, strict=False)),
    }


def _shown_names(raw: Any, longest: int) -> dict[str, str]:
    """A layer id -> text mapping that is only ever shown: what has the right shape, as plain text (an odd one costs the message, never the game)."""
    if not isinstance(raw, dict) or len(raw) > 100:
        return {}
    return {
        plain_text(key)[:200]: plain_text(value)[:longest]
        for key, value in raw.items()
        if isinstance(key, str) and isinstance(value, str) and 0 < len(value) <= longest
    }


def _summary(raw: Any) -> Summary:
    """The summary's fields that have the right type (it is only shown, never played)."""
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, str | int] = {}
    for key, kinds in (("chapter", str), ("date", str), ("node", str), ("excerpt", str), ("ending", str), ("turn", int)):
        value = raw.get(key)
        if isinstance(value, kinds) and not isinstance(value, bool):
            kept[key] = value[:400] if isinstance(value, str) else value
    return cast(Summary, kept)  # (each key above, with a value of its type)


def _actions(raw: list[Any]) -> list[Action]:
    """Every recorded action, checked as `_action` checks one: the common one (a choice, as this
    game writes it) on a path of its own, as a long save holds a hundred thousand."""
    actions: list[Action] = []
    append = actions.append
    new = tuple.__new__
    for item in raw:
        if type(item) is dict:
            node, choice, text, signature = item.get("node"), item.get("choice"), item.get("text"), item.get("sig")
            if (
                type(choice) is int
                and 0 <= choice < 100
                and text is None
                and type(node) is str
                and len(node) <= MAX_NAME_CHARS
                and (signature is None or (type(signature) is str and len(signature) <= 64))
            ):
                append(new(Action, (node, choice, None, signature)))
                continue
        append(_action(item))  # anything else, with the message that says what is wrong
    return actions


def _action(item: Any) -> Action:
    """One recorded action, checked field by field (written flat: a long game holds thousands)."""
    if type(item) is not dict:
        raise SaveError("the save is damaged: an action is not an object")
    node, choice, text, signature = item.get("node"), item.get("choice"), item.get("text"), item.get("sig")
    if type(node) is not str or len(node) > MAX_NAME_CHARS:
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
    """A time stamp that every face can show in local time (astimezone) without an error."""
    try:
        moment = datetime.fromisoformat(value[:64])
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        utc = moment.astimezone(UTC)
    except (ValueError, OverflowError, TypeError):
        raise SaveError("the save is damaged: its time stamp is unreadable") from None
    if not EARLIEST <= utc <= LATEST:
        raise SaveError(f"the save is damaged: its time stamp is out of range (year {utc.year})")
    try:
        utc.astimezone()  # the local time zone's offset keeps it in range
        (utc + timedelta(days=2)).astimezone()
    except (ValueError, OverflowError, OSError):
        raise SaveError("the save is damaged: its time stamp cannot be shown in local time") from None
    return utc


def state_from_json(data: JSONObject, story: Story, strict: bool) -> GameState:
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
    # Shown as the story's own chapter and date (author markup) when the game resumes from this
    # state: from a file, they may only ever show as written, never act as markup.
    chapter = None if chapter is None else escape_markup(chapter[:400])
    date = None if date is None else escape_markup(date[:400])
    awaiting = bool(data.get("awaiting_input")) and story.nodes[node].input is not None
    return GameState(node, variables, visits, rng_state, used, chapter, date, max(0, turn), awaiting)


def missing_layers(decoded: Decoded, story: Story) -> str | None:
    """What a save made with layers not loaded now needs, named by title and folder; None when none is missing."""
    missing = [layer for layer in decoded.layers if layer not in story.layers]
    if not missing:
        return None
    named = ", ".join(f"'{layer}'" + (f' ("{decoded.layer_titles[layer]}")' if layer in decoded.layer_titles else "") for layer in missing)
    several = len(missing) > 1
    folders = [decoded.layer_folders[layer] for layer in missing if layer in decoded.layer_folders]
    how = (
        f"load {'them' if several else 'it'} from {'their folders' if several else 'its folder'} after the story's: "
        f"--story {' --story '.join(folders)}"
        if len(folders) == len(missing)
        else f"give {'their folders' if several else 'its folder'} with --story after the story's"
    )
    return (
        f"the save was made with the layer{'s' if several else ''} {named} over the story, which {'are' if several else 'is'} not loaded now: {how}"
    )


def restore(decoded: Decoded, story: Story) -> Restored:
    """Rebuild the game: replay its actions; if the story changed, say what happened to the game."""
    if decoded.story_id != story.id:
        raise SaveError(f"the save belongs to another story ('{decoded.story_id}', not '{story.id}')")
    missing = missing_layers(decoded, story)
    if missing:
        raise SaveError(missing)
    same_story = decoded.fingerprint == story.fingerprint
    # A journal's actions go past the snapshot's state: that state then checks nothing, and is no place to resume.
    has_snapshot = decoded.snapshot.get("node") in story.nodes and not decoded.journaled
    snapshot = state_from_json(decoded.snapshot, story, strict=same_story) if has_snapshot else None
    try:
        base = state_from_json(decoded.base, story, strict=same_story) if decoded.base is not None else None
    except SaveError:
        if same_story:
            raise
        base = None
    try:
        game, done = _replayed(decoded, story, base, same_story)
    except SaveError:
        raise
    except (RecursionError, MemoryError) as err:
        raise SaveError(f"the save cannot be replayed: {type(err).__name__}") from err
    except Exception as err:  # a fault in the story met during the replay: the save is not lost, but cannot load here
        raise SaveError(f"the save cannot be replayed on this story: {plain_text(str(err))[:300] or type(err).__name__}") from err
    total = len(decoded.actions)
    if done == total:
        return _replayed_whole(game, decoded, snapshot, same_story)
    if same_story:
        raise SaveError(f"the save is damaged: choice {done + 1} of {total} cannot be replayed")
    if snapshot is not None:
        rebased = Game(story, decoded.seed, base=snapshot)
        return Restored(
            rebased,
            (
                f"The story was updated since this save. Your choices replay only up to turn {done} of {total}, "
                f"so you resume where you saved, with your saved state, but cannot go back past this point."
            ),
            exact=False,
        )
    where = game.state.node
    return Restored(
        game,
        (
            f"The story was updated and the scene you saved in is gone. You resume after choice {done} of {total}, "
            f"the last point that still exists ('{where}')."
        ),
        exact=False,
    )


def _replayed(decoded: Decoded, story: Story, base: GameState | None, same_story: bool) -> tuple[Game, int]:
    """The game replayed from its save, and how many of its actions applied: from its checkpoint
    (checked as any saved state is) when it has one and the story is the one it was made on."""
    if decoded.checkpoint is None or not same_story:
        game = Game(story, decoded.seed, base=base)
        return game, game.replay(decoded.actions)
    at, raw = decoded.checkpoint
    _need(raw.get("node") in story.nodes, "the save is damaged: its checkpoint's scene does not exist")
    checkpoint = state_from_json(raw, story, strict=True)
    game = Game.resumed(story, decoded.seed, decoded.actions[:at], checkpoint, base=base)
    return game, at + game.replay(decoded.actions[at:])


def _replayed_whole(game: Game, decoded: Decoded, snapshot: GameState | None, same_story: bool) -> Restored:
    """A save whose every action replayed: checked against where it says it ends, on its own story."""
    total = len(decoded.actions)
    if not same_story:
        return Restored(game, f"The story was updated since this save; all {total} of your choices still apply.", exact=False)
    if decoded.journaled:
        if not _journal_ends_where_it_says(game, decoded.summary):
            raise SaveError("the save is damaged: its journal's choices do not lead where it says")
    elif snapshot is None:
        raise SaveError("the save is damaged: its saved scene does not exist")
    elif not _same_state(game.state, snapshot):
        raise SaveError("the save is damaged: its choices do not lead to its saved state")
    return Restored(game, None, exact=True)


def _journal_ends_where_it_says(game: Game, summary: Summary) -> bool:
    """A journaled save holds no state to compare: its last line's scene and turn are checked instead."""
    return summary.get("node") == game.state.node and summary.get("turn") == game.state.turn


def _same_state(a: GameState, b: GameState) -> bool:
    """`a` replayed, `b` read from the file (whose texts went through plain_text, so `a`'s do here too)."""
    played = {name: plain_text(value) if isinstance(value, str) else value for name, value in a.variables.items()}
    return (a.node, played, dict(a.visits), a.rng, a.used_once, a.turn) == (b.node, dict(b.variables), dict(b.visits), b.rng, b.used_once, b.turn)


# ---------------------------------------------------------------- migrations


def _from_v1(obj: JSONObject) -> JSONObject:
    """Format 1 (flat: story_id, fingerprint, seed, choices as [node, index] pairs) -> format 2."""
    choices = obj.get("choices")
    if not isinstance(choices, list):
        raise SaveError("the save is damaged: no choices")
    actions: list[JSONObject] = []
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


def _from_v2(obj: JSONObject) -> JSONObject:
    """Format 2 -> 3: the slot gains its game's id. A format 2 game is known by its seed (drawn at
    random for every new game), so the autosaves and named saves of one old game stay together."""
    slot, game = obj.get("slot"), obj.get("game")
    if isinstance(slot, dict) and "game_id" not in slot:
        slot["game_id"] = seed_game_id(game.get("seed") if isinstance(game, dict) else None)
    obj["version"] = 3
    return obj


MIGRATIONS: dict[int, Callable[[JSONObject], JSONObject]] = {1: _from_v1, 2: _from_v2}


def _choices(count: int) -> str:
    return "1 choice" if count == 1 else f"{count} choices"


def verify(data: bytes, story: Story, journal: bytes = b"") -> tuple[str, str]:
    """How a save fares on `story`: ("ok" | "changed" | "broken" | "other", explanation). For `kuzbass check --saves`.

    "other": a save of another story (or of this story with a layer not loaded now), which this
    story cannot break; it is named and left alone."""
    try:
        decoded = apply_journal(decode(data), journal)
        if decoded.story_id != story.id:
            return "other", f"a save of another story ('{plain_text(decoded.story_id)[:80]}'), not checked against '{story.id}'"
        missing = missing_layers(decoded, story)
        if missing:
            return "other", f"not checked: {missing}"
        restored = restore(decoded, story)
    except SaveError as err:
        return "broken", str(err)
    except Exception as err:  # never a traceback for one bad file
        return "broken", f"the save cannot be read ({type(err).__name__}: {plain_text(str(err))[:200]})"
    if restored.exact:
        return "ok", f"replays exactly ({_choices(len(decoded.actions))})"
    if restored.game.rebased or len(restored.game.actions) < len(decoded.actions):
        return "broken", restored.notice or "the game cannot be replayed"
    before = decoded.snapshot
    after = restored.game.state
    changes = []
    if before.get("node") != after.node:
        changes.append(f"it now ends at '{after.node}' instead of '{before.get('node')}'")
    raw_vars = before.get("variables")
    old_vars = raw_vars if isinstance(raw_vars, dict) else {}
    for name, value in after.variables.items():
        if name in old_vars and old_vars[name] != value:
            changes.append(f"'{name}' becomes {value!r} instead of {old_vars[name]!r}")
    if changes:
        return "changed", f"all {len(decoded.actions)} choices replay, but " + "; ".join(changes[:5])
    return "ok", f"the story changed, but all {len(decoded.actions)} choices replay to the same state"
