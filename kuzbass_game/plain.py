"""Line mode: the story on stdin/stdout, for screen readers, transcripts and scripted play.

One number per line picks a choice. Words do the rest: `help`, `status`, `codex`, `back`,
`save NAME`, `load NAME`, `quit`. No Textual screen is involved, only the same engine as the app.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from pathlib import Path
from typing import TextIO
from collections.abc import Callable

from kuzbass_game.engine.play import search_codex
from kuzbass_game.engine.core import plain_text
from kuzbass_game.engine.play import Game, InvalidAction, SceneView, StoryRuntimeError, changes_text
from kuzbass_game.engine.play import Tally, describe_moves, run_sections, summarize
from kuzbass_game.text import markup_to_plain
from kuzbass_game.engine.storage import SaveError
from kuzbass_game.engine.storage import PLAYER_FOLDER, AutosaveFailed, SaveStore, SlotExists, load_profile

HELP = """Type the number of a choice and press Enter. An empty line repeats the choices.
Other commands:
  look: the scene again, and its choices
  status: where and when you are, and your values
  vote: the last vote's whole count, group by group
  codex: what you have learned; codex N or codex WORD reads an entry
  intro: the story's introduction; afterword: what became of it all, after an ending
  back: undo the last choice
  save NAME, load NAME, help, quit"""
END_HELP = "The story has ended. Type afterword, back to undo your last choice, look, or quit."


class PlainSession:
    """Runs one game in line mode. Save and load are passed in, so this stays a thin face."""

    def __init__(
        self,
        game: Game,
        out: TextIO,
        width: int = 78,
        save: Callable[[Game, str], str] | None = None,
        load: Callable[[str], tuple[Game, str]] | None = None,
        autosave: Callable[[Game], None] | None = None,
        autosaved: Callable[[], bool] | None = None,
        ended: Callable[[Game], str | None] | None = None,
    ) -> None:
        self.game = game
        self.out = out
        self.width = max(20, min(width, 100))
        self.save = save
        self.load = load
        self.autosave = autosave
        self.autosaved = autosaved  # whether the game is safely autosaved now (not after a failure)
        self.ended = ended  # records an ending reached in the profile; says "Ending 3 of 26 found."
        self.introduction = game.story.introduction
        self.afterword = game.story.afterword
        self.pending_overwrite: str | None = None  # a slot name awaiting "overwrite it?" from the player
        self._last_heading: tuple[str | None, str | None] = (None, None)
        self.quitting = False

    def say(self, text: str = "") -> None:
        """One or more lines out, each made plain: error lines repeat what was typed or read from a file."""
        self.out.write(plain_lines(text) + "\n")

    def tell(self, text: str) -> None:
        """A sentence to the player, wrapped at the terminal's width (messages, errors, hints)."""
        self.say(self.wrap(text))

    def wrap(self, text: str, indent: str = "") -> str:
        return textwrap.fill(text, self.width, initial_indent=indent, subsequent_indent=indent + "   " if indent else "")

    def show(self, scene: SceneView) -> None:
        heading = (scene.chapter, scene.date)
        if heading != self._last_heading and any(heading):
            self.say("")
            self.tell(", ".join(markup_to_plain(h) for h in heading if h) + ".")
            self._last_heading = heading
        if scene.paragraphs:
            self.aftermath(scene)
        self.say("")
        for paragraph in scene.paragraphs:
            self.say(self.wrap(markup_to_plain(paragraph)))
            self.say("")
        if scene.fault is not None:
            fault = markup_to_plain(scene.fault)
            self.tell(f"A fault in the story: {fault}. Your game is kept; type back to undo your last choice, or choose again.")
        if scene.ending is not None:
            self.tell(f"The end: {markup_to_plain(scene.ending)}.")
            return
        self.choices(scene)

    def aftermath(self, scene: SceneView) -> None:
        """What the last choice did, above the new scene: the choice, its reply, a vote, the changes, new codex entries."""
        if scene.chosen is not None:
            self.say("")
            self.tell(f"You chose: {markup_to_plain(scene.chosen)}")
        if scene.reply is not None:
            self.tell(markup_to_plain(scene.reply))
        if scene.tally is not None:
            self.say("")
            self.tally(scene.tally)
        if scene.changes:
            self.tell("Changes: " + markup_to_plain(changes_text(scene.changes, "; ")) + ".")
        if scene.unlocked:
            self.tell("New in the codex: " + "; ".join(markup_to_plain(t) for t in scene.unlocked) + ". Type codex to read.")

    def choices(self, scene: SceneView) -> None:
        """The scene's question or its numbered choices (a locked one says why)."""
        if scene.input is not None:
            self.tell(markup_to_plain(scene.input.prompt) + f" Type up to {scene.input.max_length} letters.")
            return
        for choice in scene.choices:
            text = markup_to_plain(choice.text)
            if choice.enabled:
                self.say(self.wrap(f"{choice.number}. {text}", "  "))
            else:
                reason = markup_to_plain(choice.reason or "not available").rstrip()
                stop = "" if reason.endswith((".", "!", "?", "…")) else "."  # a reason that ends a sentence keeps its own stop
                self.say(self.wrap(f"{choice.number}. Locked: {reason}{stop} {text}", "  "))
        if scene.stuck:
            self.tell("The story has nowhere to go from here: a fault in the story. Type back to undo your last choice.")

    def tally(self, tally: Tally, detail: bool = False) -> None:
        """A vote in one line per group ("Hewers: 30 for, 12 against."), the total and the verdict;
        `detail` adds what moved each group (the vote command)."""
        self.tell(f"The vote: {markup_to_plain(tally.question)}")
        for row in tally.rows:
            self.say(self.wrap(f"{markup_to_plain(row.name)}: {row.yes} for, {row.no} against.", "  "))
            if detail:
                self.say(self.wrap(f"{markup_to_plain(describe_moves(row))}.", "    "))
        ballot = {"for": "You voted for", "against": "You voted against", "abstain": "You abstained"}[tally.ballot]
        self.tell(f"In all: {tally.yes} for, {tally.no} against: {tally.verdict}. {ballot}.")
        if not detail:
            self.tell("Type vote for what moved each group.")

    def codex(self, query: str) -> None:
        entries = self.game.codex()
        if not entries:
            self.tell("Your codex is empty: entries are added as you meet what they explain.")
            return
        if not query:
            for number, entry in enumerate(entries, 1):
                self.say(f"  {number:>2}. {markup_to_plain(entry.title)}")
            self.tell("Type codex N to read an entry, or codex WORD to search.")
            return
        found = (
            [entries[int(query) - 1]] if query.isdecimal() and len(query) < 5 and 1 <= int(query) <= len(entries) else search_codex(entries, query)
        )
        if not found:
            self.tell(f"No entry you have unlocked mentions {query}.")
            return
        if len(found) > 1:
            for entry in found:
                self.say(f"  {entries.index(entry) + 1:>2}. {markup_to_plain(entry.title)}")
            return
        entry = found[0]
        self.say("")
        self.tell(markup_to_plain(entry.title) + ".")
        for paragraph in entry.text:
            self.say(self.wrap(markup_to_plain(paragraph)))
            self.say("")
        if entry.sources:
            self.tell("Sources: " + "; ".join(markup_to_plain(src) for src in entry.sources) + ".")

    def status(self) -> None:
        scene = self.game.view()
        parts = [f"{label}: {value}" for label, value in scene.status]
        where = ", ".join(h for h in (scene.chapter, scene.date) if h)
        if where:
            self.tell(markup_to_plain(where) + ".")
        self.tell("; ".join(markup_to_plain(p) for p in parts) + "." if parts else "The story shows no values.")

    def run(self, lines: TextIO) -> int:
        # Piped input is not echoed by a terminal: print each line read after its prompt, so a
        # transcript reads as the game was played (control characters are left out).
        echo = not _is_terminal(lines)
        if self.introduction and not self.game.actions:
            self.tell("This story has an introduction: type intro to read it, or choose to begin.")
        self.show(self.game.view())
        while not self.quitting:
            self.out.write("> ")
            self.out.flush()
            line = lines.readline()
            if not line:
                self.say("")
                return 0
            if echo:
                self.say(plain_text(line.rstrip("\r\n")))
            self.handle(line.strip())
        return 0

    def handle(self, line: str) -> None:
        if self.pending_overwrite is not None:
            name, self.pending_overwrite = self.pending_overwrite, None
            if line.strip().lower() in ("y", "yes"):
                self.save_or_load("save", name, overwrite=True)
            else:
                self.tell(f"Not saved; '{name}' is unchanged.")
            return
        word, _, rest = line.partition(" ")
        command = COMMANDS.get(word.lower())
        scene = self.game.view()
        if command is not None and (scene.input is None or word.lower() not in NOT_WHILE_TYPING):
            command(self, rest.strip())
        elif scene.input is not None and line:
            self.act(lambda: self.game.submit(line), repeat_text=False)
        elif scene.ending is not None:
            self.tell(END_HELP)
        elif not line:
            self.choices(scene)
        elif line.isascii() and line.isdigit():  # not '²' or '①', which isdigit() accepts and int() refuses
            self.pick(line, scene)
        else:
            self.tell(f"There is no command {plain_text(word)[:20]}. Type a choice number, 1 to {len(scene.choices)}, or help.")

    def pick(self, line: str, scene: SceneView) -> None:
        if len(line) > 2 or not 1 <= int(line) <= len(scene.choices):
            self.tell(f"There is no choice {line[:12]}{'…' if len(line) > 12 else ''}. Type a number from 1 to {len(scene.choices)}.")
            return
        self.act(lambda: self.game.choose_number(int(line)))

    # ------------------------------------------------------------ the commands
    def do_quit(self, _rest: str) -> None:
        safe = self.autosave is not None and (self.autosaved is None or self.autosaved())
        self.tell("Goodbye." + (" Your game is autosaved." if safe else ""))
        self.quitting = True

    def do_help(self, _rest: str) -> None:
        self.say(HELP if not self.game.finished else f"{HELP}\n{END_HELP}")

    def do_look(self, _rest: str) -> None:
        self._last_heading = (None, None)
        self.show(self.game.view()._replace(chosen=None, reply=None, tally=None, changes=(), unlocked=()))

    def do_back(self, _rest: str) -> None:
        if not self.game.can_rewind:
            self.tell("There is nothing to undo yet.")
            return
        # What the last step took, as it read then: the scene's chosen line (no journal rebuilt for it), or the typed answer.
        chosen = self.game.view().chosen
        typed = self.game.actions[-1].text
        undone = markup_to_plain(chosen) if chosen is not None else f'your answer "{typed}"' if typed is not None else "your last choice"
        scene = self.game.rewind(1)
        ends = undone.rstrip("\"”’'").endswith((".", "!", "?", "…"))  # (a choice that ends its own sentence gets no second stop)
        self.tell(f"Undone: {undone}" + ("" if ends else "."))
        self.show(scene._replace(chosen=None, reply=None, tally=None, changes=(), unlocked=()))

    def do_vote(self, _rest: str) -> None:
        scene = self.game.view()
        tally = scene.tally or self.game.last_vote()
        if tally is None:
            self.tell("There has been no vote yet.")
            return
        self.tally(tally, detail=True)

    def do_intro(self, _rest: str) -> None:
        self.reading("Introduction", self.introduction, "The story has no introduction.")

    def do_afterword(self, _rest: str) -> None:
        if not self.game.finished:
            self.tell("The afterword is read after an ending.")
            return
        self.reading("Afterword", self.afterword, "The story has no afterword.")

    def reading(self, heading: str, paragraphs: tuple[str, ...], none: str) -> None:
        if not paragraphs:
            self.tell(none)
            return
        self.say("")
        self.tell(f"{heading}.")
        self.say("")
        for paragraph in paragraphs:
            self.say(self.wrap(markup_to_plain(paragraph)))
            self.say("")
        self.tell(f"End of the {heading.lower()}.")
        if not self.game.finished:
            self.choices(self.game.view())  # back to where the player was: the question, or the choices

    def do_status(self, _rest: str) -> None:
        self.status()

    def do_codex(self, rest: str) -> None:
        self.codex(rest)

    def do_save(self, rest: str) -> None:
        self.save_or_load("save", rest)

    def do_load(self, rest: str) -> None:
        self.save_or_load("load", rest)

    def act(self, step: Callable[[], SceneView], repeat_text: bool = True) -> None:
        try:
            scene = step()
        except InvalidAction as err:
            self.tell(sentence(markup_to_plain(str(err))))
            return
        except StoryRuntimeError as err:
            self.tell(f"The story hit a fault and could not go on: {err}. Type back, or choose again.")
            return
        if self.autosave is not None:
            self.autosave(self.game)
        self.show(scene if repeat_text else scene._replace(paragraphs=()))
        if scene.ending is not None:
            self.after_ending()

    def after_ending(self) -> None:
        """Which ending of how many, the run told, and what can be done now."""
        if self.ended is not None:
            found = self.ended(self.game)
            if found:
                self.tell(found)
        for heading, lines in run_sections(summarize(self.game)):
            self.say("")
            self.tell(f"{heading}.")
            for line in lines:
                self.say(self.wrap(markup_to_plain(line), "  "))
        self.say("")
        self.tell(("Type afterword to read what became of it all. " if self.afterword else "") + "Type back to undo your last choice, or quit.")

    def save_or_load(self, command: str, name: str, overwrite: bool = False) -> None:
        handler = self.save if command == "save" else self.load
        if handler is None:
            self.tell(f"{command.capitalize()} is not available in this session.")
            return
        if not name:
            self.tell(f"Give the slot a name: {command} NAME.")
            return
        try:
            if command == "save":
                self.say(self.save(self.game, name, overwrite))  # type: ignore[misc, call-arg]
            else:
                self.game, message = self.load(name)  # type: ignore[misc]
                self.say(message)
                self._last_heading = (None, None)
                self.show(self.game.view())
        except SlotTaken:
            self.pending_overwrite = name
            self.tell(f"There is already a save named '{name}'. Overwrite it? Type yes or no.")
        except (OSError, ValueError) as err:
            self.tell(sentence(f"Could not {command} {name}: {err}"))


def plain_lines(text: str) -> str:
    """`text` with its line breaks kept and each line through `plain_text` (no escape codes, no bidi controls)."""
    return text if text.isprintable() else "\n".join(plain_text(line) for line in text.split("\n"))


def survive_any_locale(*streams: TextIO) -> None:
    """Standard streams that never raise on a character the locale cannot hold.

    Under `PYTHONIOENCODING=ascii` the first dash would end the game with UnicodeEncodeError, and
    under `utf-8:strict` a typed byte that is not UTF-8 would end it at `readline`: such a character
    is shown, or read, as a replacement instead.
    """
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a stream already read from in a way that cannot change: leave it
                pass


def sentence(text: str) -> str:
    """Every message in one form: a capital, and a full stop at the end ("There is no choice 9.")."""
    text = text.strip().strip("()").strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


COMMANDS: dict[str, Callable[[PlainSession, str], None]] = {
    **dict.fromkeys(("quit", "q", "exit"), PlainSession.do_quit),
    **dict.fromkeys(("help", "?", "h"), PlainSession.do_help),
    **dict.fromkeys(("look", "l", "again", "repeat"), PlainSession.do_look),
    "back": PlainSession.do_back,
    "undo": PlainSession.do_back,
    **dict.fromkeys(("vote", "count"), PlainSession.do_vote),
    **dict.fromkeys(("intro", "introduction"), PlainSession.do_intro),
    "afterword": PlainSession.do_afterword,
    "status": PlainSession.do_status,
    "codex": PlainSession.do_codex,
    "save": PlainSession.do_save,
    "load": PlainSession.do_load,
}
NOT_WHILE_TYPING = ("look", "l", "again", "repeat", "undo", "vote", "count", "afterword")  # typed as a name


class SlotTaken(Exception):
    """`save NAME` found a slot of that name: the player is asked before it is overwritten."""


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: treat it as piped
        return False


def run_plain(story, saves_dir, *, load: str | None = None, seed: int | None = None, lines: TextIO | None = None, out: TextIO | None = None) -> int:
    """Line mode with saving: autosave after every choice, `save`/`load` by slot name."""
    if lines is None or out is None:
        survive_any_locale(sys.stdin, sys.stdout)
    lines = lines or sys.stdin
    out = out or sys.stdout
    store = SaveStore(saves_dir, story)
    started = time.monotonic()
    played = 0.0

    def play_seconds() -> float:
        return played + time.monotonic() - started

    def save(game: Game, name: str, overwrite: bool = False) -> str:
        try:
            slot = store.save(game, name, play_seconds(), overwrite=overwrite)
        except SlotExists:
            raise SlotTaken(name) from None
        except SaveError as err:
            raise ValueError(str(err)) from None
        return f"Saved as '{slot.name}'."

    def load_slot(name: str) -> tuple[Game, str]:
        nonlocal played, started
        try:
            loaded = store.load(name)
        except SaveError as err:
            raise ValueError(str(err)) from None
        played, started = loaded.play_seconds, time.monotonic()
        return loaded.game, f"Loaded '{name}'." + (f"\n{loaded.notice}" if loaded.notice else "")

    def autosave(game: Game) -> None:
        try:
            store.autosave(game, play_seconds())
        except AutosaveFailed as err:
            if err.first:  # once, not after every choice
                out.write(
                    plain_lines(
                        f"(Your game could not be autosaved: {err}. You can play on; 'save NAME' tries again, "
                        f"and you will hear again only when autosaving works once more.)"
                    )
                    + "\n"
                )
        except SaveError as err:
            out.write(plain_lines(f"(autosave failed: {err})") + "\n")

    def ended(game: Game) -> str | None:
        """The ending goes into the profile, as the app records it: the gallery shows it either way."""
        profile = load_profile(Path(saves_dir) / PLAYER_FOLDER)
        run = next((action.text for action in game.actions if action.text), None) or "a nameless run"
        profile.record(story, game.state.node, run)
        found = f"Ending {len(profile.found(story))} of {story.ending_count} found."
        return found + (f" ({profile.notice})" if profile.notice else "")

    out.write(f"{markup_to_plain(story.title)}.\nType help for the commands.\n")
    game = Game(story, seed=seed)
    if load is not None:
        try:
            game, message = load_slot(load)
        except ValueError as err:
            out.write(plain_lines(f"Could not load '{load}': {err}") + "\n")
            return 1
        out.write(message + "\n")
    width = shutil.get_terminal_size((80, 24)).columns - 2
    session = PlainSession(
        game, out, width=width, save=save, load=load_slot, autosave=autosave, autosaved=lambda: store.autosave_problem is None, ended=ended
    )
    return session.run(lines)
