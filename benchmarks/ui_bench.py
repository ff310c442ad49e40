"""The user-interface figures: launch to the first screen (the campaign, or a generated story),
and CPU time and wall time per key press (after 0, 1,000 or 10,000 steps of history).

Each is measured beside a bare Textual app with the same widgets, in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The whole `kuzbass` process, headless, quitting as soon as the title screen has been drawn.
KUZBASS_LAUNCH = textwrap.dedent("""
    import sys
    from kuzbass_game.ui.app import KuzbassApp
    original_run = KuzbassApp.run
    def run_headless(self, *args, **kwargs):
        self.call_after_refresh(lambda: self.call_after_refresh(self.exit))
        return original_run(self, headless=True, size=(100, 30))
    KuzbassApp.run = run_headless
    from kuzbass_game.cli import main
    sys.exit(main(["play", "--saves", sys.argv[1], *sys.argv[2:]]))
""")

# A bare Textual app with the same widgets as the title screen: header, menu, footer.
BARE_LAUNCH = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Header, OptionList, Static
    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("Kuzbass", id="title")
            yield OptionList("New game", "Continue", "Load", "Quit")
            yield Footer()
        def on_mount(self):
            self.call_after_refresh(lambda: self.call_after_refresh(self.exit))
    Bare().run(headless=True, size=(100, 30))
""")


def _wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def bench_launch(repeat: int, story: Path | None = None) -> dict:
    """`kuzbass play` (the campaign, or `story`: its cache filled by a first launch) to the title
    screen, against the bare app; `nodes` is left to the caller."""
    # Byte-compiled, as after `pip install` or `scripts/setup` (Textual's own modules are too):
    # otherwise PYTHONDONTWRITEBYTECODE, set on some machines, makes every launch compile the game.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kuzbass_game")], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as saves:
        kuzbass = [sys.executable, "-c", KUZBASS_LAUNCH, saves, *([str(story)] if story else [])]
        bare = [sys.executable, "-c", BARE_LAUNCH]
        _wall(kuzbass)  # warm the story cache and the OS file cache once for both
        _wall(bare)
        kuzbass_times, bare_times = [], []
        for _ in range(max(2 * repeat, 11)):  # interleaved, so machine noise hits both alike
            kuzbass_times.append(_wall(kuzbass))
            bare_times.append(_wall(bare))
    k, b = statistics.median(kuzbass_times), statistics.median(bare_times)
    return {"kuzbass_s": k, "bare_s": b, "ratio": k / b}


LOOP_TEXT = (
    "The shaft lamp gutters and the cage rattles down into the dark; coal dust settles on your "
    "sleeves while the timber creaks overhead and somebody far below is singing. "
) * 3


def _loop_story(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text("id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int, label: Shifts}\n")
    (folder / "nodes.yaml").write_text(
        textwrap.dedent(f"""\
        nodes:
          a:
            text: |
              {LOOP_TEXT}
            effects: "n += 1"
            choices:
              - text: "Another shift"
                goto: b
              - text: "Stop"
                goto: end
          b:
            text: |
              {LOOP_TEXT}
            effects: "n += 1"
            choices:
              - text: "Another shift"
                goto: a
              - text: "Stop"
                goto: end
          end:
            text: Done.
            ending: {{title: Done}}
        """)
    )
    return folder


async def _presses(pilot, presses: int) -> tuple[float, float]:
    """CPU time per key press through Pilot, then wall time per key press (the autosave's fsync
    included) with the key sent straight to the app and its screen's messages awaited: Pilot's own
    press and pause sleep for idleness in 20 ms steps, which would swamp a wall-time figure."""
    from textual import events

    cpu = time.process_time()
    for _ in range(presses):
        await pilot.press("1")
        await pilot.pause()
    cpu = (time.process_time() - cpu) / presses
    driver = pilot.app._driver
    wall = time.perf_counter()
    for _ in range(presses):
        driver.send_message(events.Key("1", "1"))
        await pilot._wait_for_screen()
        await pilot._wait_for_screen()  # what the key's handler posted (the new scene's widgets)
    wall = (time.perf_counter() - wall) / presses
    await pilot.pause()
    return cpu, wall


async def _kuzbass_per_key(presses: int, history: int = 0) -> tuple[float, float]:
    """The app's story screen on a game with `history` steps already played (as after a load)."""
    from kuzbass_game.authoring import load_and_check
    from kuzbass_game.engine.play import Game
    from kuzbass_game.ui.app import KuzbassApp

    with tempfile.TemporaryDirectory() as tmp:
        story = load_and_check(_loop_story(Path(tmp) / "story")).story
        game = Game(story, seed=1)
        for _ in range(history):
            game.choose(0)
        app = KuzbassApp(story, saves_dir=Path(tmp) / "saves", seed=1)
        async with app.run_test(size=(100, 30)) as pilot:
            app.open_game(game)
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
            return await _presses(pilot, presses)


async def _bare_per_key(presses: int) -> tuple[float, float]:
    from textual.app import App
    from textual.binding import Binding
    from textual.containers import VerticalScroll
    from textual.widgets import Footer, Header, OptionList, Static

    class Bare(App):
        BINDINGS = [Binding("1", "next", "Next")]
        turn = 0

        def compose(self):
            yield Header()
            with VerticalScroll():
                yield Static(LOOP_TEXT, id="text")
            yield Static("Shifts: 0", id="status")
            yield OptionList("Another shift", "Stop")
            yield Footer()

        def action_next(self) -> None:
            self.turn += 1
            self.query_one("#text", Static).update(LOOP_TEXT + " " * (self.turn % 2))
            self.query_one("#status", Static).update(f"Shifts: {self.turn}")
            options = self.query_one(OptionList)
            options.clear_options()
            options.add_options(["Another shift", "Stop"])

    app = Bare()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        return await _presses(pilot, presses)


def bench_keypress(repeat: int, presses: int = 40, history: int = 0) -> dict:
    """CPU (process time) and wall time (autosave's fsync included) per key press, after `history`
    steps, against the bare app; the two apps in turn, `repeat` times."""
    kuzbass, bare = [], []
    for _ in range(repeat):
        kuzbass.append(asyncio.run(_kuzbass_per_key(presses, history)))
        bare.append(asyncio.run(_bare_per_key(presses)))
    k_cpu, b_cpu = statistics.median(k[0] for k in kuzbass), statistics.median(b[0] for b in bare)
    k_wall, b_wall = statistics.median(k[1] for k in kuzbass), statistics.median(b[1] for b in bare)
    return {
        "history": history,
        "presses": presses,
        "kuzbass_ms": k_cpu * 1000,
        "bare_ms": b_cpu * 1000,
        "ratio": k_cpu / b_cpu,
        "kuzbass_wall_ms": k_wall * 1000,
        "bare_wall_ms": b_wall * 1000,
        "wall_ratio": k_wall / b_wall,
    }


# ---------------------------------------------------------------- wall time per key press, fsync included
# From the key press to the next scene drawn AND its autosave on disk (the thread worker awaited), in
# a game with `history` choices behind it; the bare app draws the same widgets and writes a file of
# the same size the same way (temporary file, fsync, rename, fsync of the folder) in a thread worker.


def _played(story, history: int):
    from kuzbass_game.engine.play import Game

    game = Game(story, seed=1)
    for _ in range(history):
        game.choose(0)  # "Another shift": the loop never ends
    return game


async def _kuzbass_wall_per_key(history: int, presses: int) -> tuple[float, float]:
    """(to the scene drawn, to the autosave written) per key press, in seconds."""
    from kuzbass_game.authoring import load_and_check
    from kuzbass_game.ui.app import KuzbassApp

    with tempfile.TemporaryDirectory() as tmp:
        story = load_and_check(_loop_story(Path(tmp) / "story")).story
        app = KuzbassApp(story, saves_dir=Path(tmp) / "saves", seed=1)
        async with app.run_test(size=(100, 30)) as pilot:
            app.open_game(_played(story, history))
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
            await app.workers.wait_for_complete()
            drawn = written = 0.0
            for _ in range(presses):
                start = time.perf_counter()
                await pilot.press("1")
                await pilot.pause()
                drawn += time.perf_counter() - start
                await app.workers.wait_for_complete()
                written += time.perf_counter() - start
            return drawn / presses, written / presses


def _write_synced(path: Path, data: bytes) -> None:
    import os

    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


async def _bare_wall_per_key(size: int, presses: int) -> tuple[float, float]:
    from textual import work
    from textual.app import App
    from textual.binding import Binding
    from textual.containers import VerticalScroll
    from textual.widgets import Footer, Header, OptionList, Static

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "save.json"

        class Bare(App):
            BINDINGS = [Binding("1", "next", "Next")]
            turn = 0

            def compose(self):
                yield Header()
                with VerticalScroll():
                    yield Static(LOOP_TEXT, id="text")
                yield Static("Shifts: 0", id="status")
                yield OptionList("Another shift", "Stop")
                yield Footer()

            def action_next(self) -> None:
                self.turn += 1
                self.query_one("#text", Static).update(LOOP_TEXT + " " * (self.turn % 2))
                self.query_one("#status", Static).update(f"Shifts: {self.turn}")
                options = self.query_one(OptionList)
                options.clear_options()
                options.add_options(["Another shift", "Stop"])
                self.save(b"x" * size)

            @work(thread=True)
            def save(self, data: bytes) -> None:
                _write_synced(target, data)

        app = Bare()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("1")
            await pilot.pause()
            await app.workers.wait_for_complete()
            drawn = written = 0.0
            for _ in range(presses):
                start = time.perf_counter()
                await pilot.press("1")
                await pilot.pause()
                drawn += time.perf_counter() - start
                await app.workers.wait_for_complete()
                written += time.perf_counter() - start
            return drawn / presses, written / presses


def _autosave_size(history: int) -> int:
    """The bytes one key press's autosave writes in a game `history` choices long (after its first
    autosave, a line of the journal), for the bare app to write as many, the same durable way."""
    from kuzbass_game.authoring import load_and_check
    from kuzbass_game.engine.storage import SaveStore

    with tempfile.TemporaryDirectory() as tmp:
        story = load_and_check(_loop_story(Path(tmp) / "story")).story
        store = SaveStore(Path(tmp) / "saves", story)
        game = _played(story, history)
        first = store.autosave(game)
        journal = first.path.with_suffix(".journal")
        game.choose(0)
        store.autosave(game)
        return journal.stat().st_size if journal.exists() else first.path.stat().st_size


def bench_keypress_wall(repeat: int = 3, histories: tuple[int, ...] = (0, 1_000, 10_000), presses: int = 20) -> list[dict]:
    """Wall time per key press at each length of history: to the next scene drawn, and to its
    autosave on disk (fsync included), beside the bare app writing as much."""
    rows = []
    for history in histories:
        size = _autosave_size(history)
        kuzbass = [asyncio.run(_kuzbass_wall_per_key(history, presses)) for _ in range(repeat)]
        bare = [asyncio.run(_bare_wall_per_key(size, presses)) for _ in range(repeat)]
        k_drawn, k_written = (statistics.median(run[i] for run in kuzbass) for i in (0, 1))
        b_drawn, b_written = (statistics.median(run[i] for run in bare) for i in (0, 1))
        rows.append(
            {
                "history": history,
                "save_bytes": size,
                "kuzbass_drawn_ms": k_drawn * 1000,
                "kuzbass_written_ms": k_written * 1000,
                "bare_drawn_ms": b_drawn * 1000,
                "bare_written_ms": b_written * 1000,
            }
        )
    return rows


if __name__ == "__main__":
    import json

    print(json.dumps(bench_keypress_wall(repeat=int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
