"""`kuzbass serve`: the game over the web with textual-serve (the `web` extra; the test extra has it).

A real server on a free local port, in a subprocess with a time limit: the page loads with an HTTP
client and hands out a visitor cookie; a game played over the websocket (as the browser's page
does) saves into that visitor's own folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kuzbass_game.cli import build_parser
from kuzbass_game.commands.serve import VISITORS_FOLDER, play_command, visitor_folder
from tests.ui.conftest import FERRY

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

START_SECONDS = 20
SAVE_SECONDS = 60  # a game on a loaded machine may take long to autosave; the wait ends as soon as it has


def free_port() -> int:
    """A port free a moment ago: only a proposal, since another process may take it before a server binds it
    (`start_serving` tries the next one then, and checks that the server holds the port it answers on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_inodes(port: int) -> set[str]:
    """The socket inodes listening on 127.0.0.1:`port` (Linux's /proc/net/tcp; state 0A is LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and address == f"0100007F:{port:04X}":
            found.add(inode)
    return found


def holds_port(pid: int, port: int) -> bool:
    """Whether process `pid` itself holds the socket listening on `port` (not some other process)."""
    inodes = listening_inodes(port)
    if not inodes:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    links = set()
    for fd in fds:
        try:
            links.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed since it was listed (a busy server opens and closes many): not the listener
            continue
    return any(f"socket:[{inode}]" in links for inode in inodes)


ADDRESS_TAKEN = ("address already in use", "errno 98", "[errno 48]")  # Linux, and macOS's errno


def start_serving(command: Callable[[int], list[str]], attempts: int = 5, **popen: Any) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server (`command(port)`) that binds and holds its own port, and wait until it listens there.

    The port is proposed free; if another process takes it first, the server cannot bind it and ends
    saying so, and the next proposal is tried. Ready means this very process holds the listening
    socket (read from /proc), so a test never talks to a stranger that took the port.
    """
    for _ in range(attempts):
        port = free_port()
        process = subprocess.Popen(command(port), stdin=subprocess.DEVNULL, **popen)
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and not holds_port(process.pid, port):
            if time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"kuzbass serve did not listen on port {port} within {START_SECONDS} s")
            time.sleep(0.1)
        if process.poll() is None:
            return process, port
        said = process.stdout.read().decode(errors="replace") if process.stdout else ""
        if not any(sign in said.lower() for sign in ADDRESS_TAKEN):
            pytest.fail(f"kuzbass serve ended early: {said}")
    pytest.fail(f"kuzbass serve found no free port in {attempts} tries")


def end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path):
    """`kuzbass serve` on a port it holds itself, ended (by its own handle) however the test ends."""
    saves = tmp_path / "saves"

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "kuzbass_game",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--saves",
            str(saves),
            "--story",
            str(FERRY),
        ]

    process, port = start_serving(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = (response.status, response.headers.get_all("Set-Cookie") or [], response.read().decode())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kuzbass serve did not answer within {START_SECONDS} s")
                time.sleep(0.2)
        assert holds_port(process.pid, port)  # the page came from our server, which still holds its port
        yield url, saves, page
    finally:
        end(process)


def test_a_server_is_started_again_when_its_proposed_port_is_taken(tmp_path: Path, monkeypatch):
    """The race `free_port` cannot close: another process takes the port before the server binds it."""
    with socket.socket() as taker:
        taker.bind(("127.0.0.1", 0))
        taker.listen()
        taken = taker.getsockname()[1]
        proposals = iter([taken])
        real_free_port = free_port
        monkeypatch.setitem(globals(), "free_port", lambda: next(proposals, None) or real_free_port())
        tried = []

        def command(port: int) -> list[str]:
            tried.append(port)
            return [
                sys.executable,
                "-m",
                "kuzbass_game",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--story",
                str(FERRY),
                "--saves",
                str(tmp_path),
            ]

        process, port = start_serving(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert tried[0] == taken and port != taken and holds_port(process.pid, port)
            assert not holds_port(process.pid, taken) and not holds_port(os.getpid(), port)
        finally:
            end(process)


def test_the_page_loads_and_names_the_game(server):
    url, _saves, (status, cookies, html) = server
    assert status == 200
    assert "The Ferry on the Tom" in html  # the page's title is the story's
    assert f'data-session-websocket-url="ws://127.0.0.1:{url.split(":")[2].rstrip("/")}/ws"' in html
    [cookie] = [c for c in cookies if c.startswith("kuzbass_visitor=")]
    assert re.match(r"kuzbass_visitor=[0-9a-f]{32};", cookie)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def play_over_the_websocket(url: str, visitor: str, saved: Path | None = None) -> str:
    """Do what the page does: open the websocket, read the screen, start a game and sign a name.

    With `saved`, the page stays open until an autosave is in that folder: closing it stops the
    game (asked to quit, then killed), as a visitor's closed tab does."""
    screen = ""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, cookies={"kuzbass_visitor": visitor}) as session:
        async with session.ws_connect(url.replace("http", "ws") + "ws?width=100&height=30") as socket_:

            async def read_until(text: str, done: Callable[[], bool] | None = None, seconds: float = START_SECONDS) -> None:
                """Read the screen until `text` shows (or `done()` holds), for at most `seconds`.

                The socket is read all the while: a page that stops reading lets the game's output
                back up until the game blocks writing it, and then it saves nothing."""
                nonlocal screen
                deadline = time.monotonic() + seconds
                while not (done() if done is not None else text in screen):
                    try:
                        message = await socket_.receive(timeout=max(0.1, min(0.5, deadline - time.monotonic())))
                    except TimeoutError:
                        message = None
                    if time.monotonic() > deadline:
                        shown = re.sub(r"\x1b\[[0-9;?$]*[a-zA-Z]", "", screen)[-2500:]
                        raise AssertionError(f"{text!r} did not appear within {seconds} s; the last of the screen: {shown}") from None
                    if message is None:
                        continue  # nothing new: look at the condition again
                    if message.type == aiohttp.WSMsgType.BINARY:
                        screen += message.data.decode("utf-8", errors="replace")
                    elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        raise AssertionError(f"the game closed before showing {text!r}")

            await read_until("New game")
            await socket_.send_str(json.dumps(["stdin", "n"]))
            await read_until("Give your name to the ferryman")
            await socket_.send_str(json.dumps(["stdin", "Vera\r"]))
            await read_until("Vera")
            if saved is not None:  # the name is an action: the game autosaves it, however slowly a loaded machine runs it
                await read_until("an autosave", lambda: any(saved.glob("autosave-*.json")), SAVE_SECONDS)
    return screen


@pytest.mark.timeout(120)
def test_a_visitor_plays_in_a_folder_of_their_own(server):
    url, saves, _page = server
    visitor = "0123456789abcdef0123456789abcdef"
    folder = saves / VISITORS_FOLDER / visitor
    asyncio.run(play_over_the_websocket(url, visitor, saved=folder))
    assert any(folder.glob("autosave-*.json")), sorted(p.name for p in saves.rglob("*"))
    assert [p.name for p in (saves / VISITORS_FOLDER).iterdir()] == [visitor]  # nobody else's


def test_a_forged_visitor_id_never_becomes_a_path(tmp_path: Path):
    for forged in ("../../etc", "", "ABC", "0123456789abcdef0123456789abcdeg", None):
        folder = visitor_folder(tmp_path, forged)
        assert folder.parent == tmp_path / VISITORS_FOLDER and re.fullmatch(r"[0-9a-f]{32}", folder.name)
    assert visitor_folder(tmp_path, "0" * 32).name == "0" * 32


def test_the_command_for_a_visitor_quotes_its_paths(tmp_path: Path):
    saves, story = tmp_path / "a b" / "c", tmp_path / "story; rm -rf ~"
    args = shlex.split(play_command(saves, [story]))
    assert args == [sys.executable, "-m", "kuzbass_game", "play", "--saves", str(saves), "--story", str(story)]


def test_serve_is_a_verb_with_host_and_port():
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.verb, args.host, args.port) == ("serve", "0.0.0.0", 9000)
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("localhost", 8000)
    from kuzbass_game.commands._story import story_dirs

    # the story's folder and its layers' after the verb, as every verb that loads a story takes them
    args = build_parser().parse_args(["serve", "docs/examples/ferry", "--story", "docs/examples/ferry_tea"])
    assert story_dirs(args) == [Path("docs/examples/ferry"), Path("docs/examples/ferry_tea")]
