"""`kuzbass serve` under hostile visitors (issue 17): every test on 127.0.0.1, bounded in time and memory.

The server runs in a subprocess held to an address-space limit (each game it starts inherits
it); the load test opens and drops hundreds of websocket sessions, some of them hostile (a
megabyte of input, a 20,000 x 20,000 terminal, garbage frames), and samples the server's game
processes the whole time: never more than `--max-games`, never more memory than they may use,
and none left once the visitors have gone.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from kuzbass_game.commands.serve import (
    MAX_GAMES_PER_VISITOR,
    MAX_INPUT,
    MAX_STDERR,
    STOP_GRACE,
    VISITORS_FOLDER,
    Settings,
    banner,
    clamp_size,
    public_host_warning,
    read_envelope,
    tidy_visitors,
)
from tests.ui.conftest import FERRY
from tests.ui.test_serve import START_SECONDS, free_port

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

SERVER_MEMORY = 2 * 1024**3  # the server's own address space; each game it starts is held to --game-memory
GAME_MEMORY_MB = 600
MAX_GAMES = 3
VISITOR = "0123456789abcdef0123456789abcdef"
LIMITED = "import resource, sys, runpy; resource.setrlimit(resource.RLIMIT_AS, ({0}, {0})); sys.argv = ['kuzbass'] + sys.argv[1:]; runpy.run_module('kuzbass_game', run_name='__main__')"


def start_server(saves: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-c", LIMITED.format(SERVER_MEMORY), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--saves", str(saves), "--story", str(FERRY), "--max-games", str(MAX_GAMES), "--game-memory", str(GAME_MEMORY_MB), *extra]
    log = (saves.parent / "server.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"kuzbass serve ended early: {(saves.parent / 'server.log').read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return process, url
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("kuzbass serve did not answer")
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest):
    saves = tmp_path / "saves"
    process, url = start_server(saves, *getattr(request, "param", ()))
    try:
        yield process, url, saves, tmp_path / "server.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for pid, _rss in games_of(process.pid):  # none should be left; if one is, it is ours to end
            os.kill(pid, 9)


def games_of(server: int) -> list[tuple[int, int]]:
    """(pid, resident bytes) of each process the server started, and theirs (a shell's game too)."""
    parents, sizes = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            pages = int(Path(f"/proc/{entry}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        sizes[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    found, frontier = [], {server}
    while frontier:
        children = {pid for pid, parent in parents.items() if parent in frontier}
        found += [(pid, sizes[pid]) for pid in children]
        frontier = children
    return found


class Sampler(threading.Thread):
    """Counts the server's games and their memory every 50 ms until stopped."""

    def __init__(self, server: int) -> None:
        super().__init__(daemon=True)
        self.server, self.most_games, self.most_memory = server, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            games = games_of(self.server)
            self.most_games = max(self.most_games, len(games))
            self.most_memory = max(self.most_memory, sum(rss for _pid, rss in games))
            time.sleep(0.05)


async def visit(url: str, hostile: str, *, linger: float = 0.05, cookie: str | None = None, headers: dict[str, str] | None = None) -> str:
    """One websocket session: open, do one hostile thing (or nothing), drop. Returns how it ended."""
    cookies = {"kuzbass_visitor": cookie} if cookie else None
    async with aiohttp.ClientSession(cookies=cookies) as session:
        query = "ws?width=20000&height=20000" if hostile == "huge url" else "ws?width=100&height=30"
        try:
            async with session.ws_connect(url.replace("http", "ws") + query, headers=headers, max_msg_size=0) as socket_:
                if hostile == "megabyte":
                    await socket_.send_str(json.dumps(["stdin", "x" * 1_000_000]))
                elif hostile == "flood":
                    for _ in range(20):
                        await socket_.send_str(json.dumps(["stdin", "x" * (MAX_INPUT - 10)]))
                elif hostile == "resize":
                    await socket_.send_str(json.dumps(["resize", {"width": 20000, "height": 20000}]))
                elif hostile == "garbage":
                    for frame in ("not json", "[]", "{}", '["resize", 5]', '["stdin", 7]', '["resize", {"width": "x"}]', "[" * 5000):
                        await socket_.send_str(frame)
                deadline = time.monotonic() + linger
                while time.monotonic() < deadline:  # let the game draw what it was asked to (a full screen is streamed)
                    message = await socket_.receive(timeout=max(0.01, deadline - time.monotonic()))
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                return "opened"
        except TimeoutError:
            return "opened"
        except aiohttp.WSServerHandshakeError as error:
            return f"refused {error.status}"


async def crowd(url: str, sessions: int, at_once: int) -> list[str]:
    kinds = ["nothing", "megabyte", "flood", "resize", "huge url", "garbage"]
    gate = asyncio.Semaphore(at_once)

    async def one(number: int) -> str:
        async with gate:
            return await visit(url, kinds[number % len(kinds)], linger=2.0 if number % 4 == 0 else 0.05)

    return await asyncio.gather(*(one(n) for n in range(sessions)))


@pytest.mark.timeout(240)
def test_hundreds_of_dropped_and_hostile_sessions_never_pass_the_game_limit(served):
    process, url, saves, log = served
    sampler = Sampler(process.pid)
    sampler.start()
    try:
        ended = asyncio.run(asyncio.wait_for(crowd(url, 240, 12), 150))
        deadline = time.monotonic() + STOP_GRACE + 10
        while games_of(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = games_of(process.pid)
    finally:
        sampler.done.set()
        sampler.join()
    assert process.poll() is None, log.read_text(errors="replace")[-3000:]  # the server held
    assert set(ended) == {"opened"}
    assert 1 <= sampler.most_games <= MAX_GAMES
    assert sampler.most_memory <= MAX_GAMES * 250 * 1024**2, sampler.most_memory  # a game is ~40 MB; 20,000 x 20,000 was 2.4 GB
    assert left == []  # every game ended (killed after the grace if it would not quit)


@pytest.mark.timeout(120)
def test_a_game_that_will_not_quit_is_killed_and_counted_until_it_has_gone(served):
    process, url, _saves, _log = served

    async def scenario() -> list[int]:
        counts = []
        async with aiohttp.ClientSession() as session:
            sockets = [await session.ws_connect(url.replace("http", "ws") + "ws") for _ in range(MAX_GAMES)]
            await asyncio.sleep(1)
            for pid, _rss in games_of(process.pid):
                os.kill(pid, 19)  # SIGSTOP: a game that hears nothing and will never quit by itself
            for socket_ in sockets:
                await socket_.close()
            counts.append(len(games_of(process.pid)))
            extra = await session.ws_connect(url.replace("http", "ws") + "ws")  # the slots are still taken
            message = await extra.receive(timeout=10)
            counts.append(message.type == aiohttp.WSMsgType.CLOSE and "Too many" in (message.extra or ""))
        return counts

    counts = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert counts == [MAX_GAMES, True]
    deadline = time.monotonic() + STOP_GRACE + 10
    while games_of(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert games_of(process.pid) == []


@pytest.mark.timeout(120)
def test_a_page_of_another_site_cannot_open_a_game_and_the_log_keeps_no_secret(served):
    _process, url, _saves, log = served
    port = url.split(":")[2].rstrip("/")

    async def scenario() -> list[str]:
        return [
            await visit(url, "nothing", headers={"Origin": "http://evil.example"}),
            await visit(url, "nothing", headers={"Origin": f"http://evil.example:{port}", "Host": f"evil.example:{port}"}),  # DNS rebinding
            await visit(url, "garbage", cookie=VISITOR, headers={"Origin": f"http://127.0.0.1:{port}"}),
            await visit(url, "nothing", cookie=VISITOR, headers={"Origin": f"http://localhost:{port}"}),
        ]

    assert asyncio.run(asyncio.wait_for(scenario(), 60)) == ["refused 403", "refused 403", "opened", "opened"]
    time.sleep(STOP_GRACE + 1)
    text = log.read_text(errors="replace")
    assert VISITOR not in text and "Cookie" not in text and "Traceback" not in text, text[-3000:]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("served", [("--max-visitors", "3")], indirect=True)
def test_visitor_folders_are_capped_and_the_longest_idle_go_first(served):
    process, url, saves, _log = served
    folders = saves / VISITORS_FOLDER
    folders.mkdir(parents=True)
    for number in range(3):
        (folders / f"{number:032x}").mkdir()
        os.utime(folders / f"{number:032x}", (1000 + number, 1000 + number))

    async def scenario() -> None:
        for _ in range(4):  # no cookie: a new folder each time
            await visit(url, "nothing")
            deadline = time.monotonic() + STOP_GRACE + 5
            while games_of(process.pid) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)

    asyncio.run(asyncio.wait_for(scenario(), 90))
    names = sorted(path.name for path in folders.iterdir())
    assert len(names) <= 3
    assert f"{0:032x}" not in names and f"{2:032x}" in names  # the longest idle went first, to make room


def test_the_page_names_the_address_its_browser_used_not_a_wildcard(served):
    _process, url, _saves, _log = served
    request = urllib.request.Request(url, headers={"Host": "games.example:8123"})
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    assert 'data-session-websocket-url="ws://games.example:8123/ws"' in page
    request = urllib.request.Request(url, headers={"Host": '"><script>x</script>'})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "<script>x" not in response.read().decode()  # a Host that is not a host name is never written into the page


def test_without_a_host_name_the_page_names_the_address_it_came_in_on_never_a_wildcard():
    wildcard = Settings([], Path("."), "0.0.0.0", 8000, "t")
    assert wildcard.page_url("games.example:8123", ("192.168.1.5", 8000)) == "http://games.example:8123"  # the browser's name first
    for named in ("", '"><script>x</script>', "games example"):
        assert wildcard.page_url(named, ("192.168.1.5", 8000)) == "http://192.168.1.5:8000"  # the socket's own address
        assert wildcard.page_url(named, ("0.0.0.0", 8000)) == wildcard.page_url(named) == "http://127.0.0.1:8000"  # not known
    six = Settings([], Path("."), "::", 8000, "t")
    assert six.page_url("", ("2001:db8::5", 8000)) == "http://[2001:db8::5]:8000" and six.page_url("") == "http://127.0.0.1:8000"
    assert six.page_url("", ("fe80::1%eth0", 8000)) == "http://[fe80::1%25eth0]:8000"
    assert Settings([], Path("."), "192.168.1.5", 8000, "t").page_url("") == "http://192.168.1.5:8000"  # --host, when it names a machine
    assert wildcard.allows("http://192.168.1.5:8000", "", ("192.168.1.5", 8000))  # the page's own address, as it came in
    assert not wildcard.allows("http://evil.example", "", ("192.168.1.5", 8000))


async def page_of(port: int, request: bytes) -> str:
    """The page served for one raw HTTP `request` (a browser always sends `Host`; a raw request need not)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    page = (await reader.read()).decode(errors="replace")
    writer.close()
    return page


def test_each_request_gets_its_own_address_and_none_a_wildcard(tmp_path: Path):
    """A server asked to listen on --host 0.0.0.0 (run here on 127.0.0.1 only), three requests at once:
    one with no `Host` is given the address it came in on, not ws://0.0.0.0, and each page names
    the address its own request used, whatever the others asked."""
    from aiohttp.test_utils import TestServer

    from kuzbass_game.commands.serve import make_server

    server = make_server([FERRY], tmp_path / "saves", host="0.0.0.0", port=8000, title="t")

    async def scenario() -> tuple[list[str], int]:
        listening = TestServer(await server._make_app(), host="127.0.0.1", port=0)
        await listening.start_server()
        try:
            pages = await asyncio.gather(
                page_of(listening.port, b"GET / HTTP/1.0\r\n\r\n"),
                page_of(listening.port, b"GET / HTTP/1.1\r\nHost: games.example:8123\r\nConnection: close\r\n\r\n"),
                page_of(listening.port, b"GET / HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n"),
            )
            return pages, listening.port
        finally:
            await listening.close()

    (no_host, named, malformed), port = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in no_host, no_host[-2000:]
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in malformed, malformed[-2000:]
    assert 'data-session-websocket-url="ws://games.example:8123/ws"' in named and "0.0.0.0" not in no_host + named + malformed


def test_sizes_are_clamped_and_malformed_messages_ignored():
    assert clamp_size(20000, 20000) == (400, 150)
    assert clamp_size("20000", "20000") == (400, 150)
    assert clamp_size("9" * 5000, "24") is None and clamp_size(True, 5) is None and clamp_size(-5, 0) == (10, 5)
    assert clamp_size("80", "24") == (80, 24)
    for frame in ("x", "[]", "{}", "[1, 2]", "[" * 100_000, "null"):
        assert read_envelope(frame) is None
    assert read_envelope('["stdin", "a"]') == ("stdin", "a") and read_envelope('["blur"]') == ("blur", None)


def test_origins_are_the_served_host_only():
    loopback = Settings([], Path("."), "127.0.0.1", 8000, "t")
    assert loopback.allows("http://localhost:8000", "localhost:8000") and loopback.allows("http://127.0.0.1:8000", "x")
    assert not loopback.allows("http://evil.example", "127.0.0.1:8000")
    assert not loopback.allows("http://evil.example:8000", "evil.example:8000")  # DNS rebinding
    public = Settings([], Path("."), "0.0.0.0", 8000, "t", public_url="https://games.example")
    assert public.allows("https://games.example", "games.example") and not public.allows("http://games.example:8000", "games.example:8000")
    wildcard = Settings([], Path("."), "0.0.0.0", 8000, "t")
    assert wildcard.allows("http://192.168.1.5:8000", "192.168.1.5:8000") and not wildcard.allows("http://evil.example", "192.168.1.5:8000")


def test_a_public_host_is_warned_of_and_loopback_is_not(tmp_path: Path):
    assert public_host_warning("localhost", 8000, tmp_path, 20) is None and public_host_warning("::1", 8000, tmp_path, 20) is None
    warning = public_host_warning("0.0.0.0", 8000, tmp_path, 20)
    assert warning and "no password" in warning and str(tmp_path / VISITORS_FOLDER) in warning and "--public-url" in warning


def test_tidy_visitors_never_removes_a_busy_folder(tmp_path: Path):
    for number in range(5):
        (tmp_path / f"{number:032x}").mkdir()
        os.utime(tmp_path / f"{number:032x}", (1000 + number, 1000 + number))
    (tmp_path / "not-a-visitor").mkdir()
    removed = tidy_visitors(tmp_path, 2, [tmp_path / f"{0:032x}"])
    assert sorted(p.name for p in removed) == [f"{1:032x}", f"{2:032x}", f"{3:032x}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{0:032x}", f"{4:032x}", "not-a-visitor"]
    assert re.fullmatch(r"[0-9a-f]{32}", f"{4:032x}")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("served", [("--max-games", "8")], indirect=True)
def test_one_visitor_cannot_take_every_game_slot(served):
    process, url, saves, log = served

    async def scenario() -> tuple[list[str], str]:
        jar = aiohttp.CookieJar(unsafe=True)  # (the default jar sends no cookie to an address like 127.0.0.1)
        async with aiohttp.ClientSession(cookies={"kuzbass_visitor": VISITOR}, cookie_jar=jar) as session:
            address = url.replace("http", "ws") + "ws?width=100&height=30"
            playing, held = [], []  # (held: a socket let go is closed, and its game with it)
            for _ in range(MAX_GAMES_PER_VISITOR):
                held.append(await session.ws_connect(address, max_msg_size=0))
                first = await held[-1].receive(timeout=60)  # the game draws: it is counted
                playing.append(first.type.name)
            extra = await session.ws_connect(address, max_msg_size=0)
            refused = await extra.receive(timeout=60)
            told = f"{refused.type.name}: {refused.extra}"
            async with aiohttp.ClientSession() as other:  # another visitor still gets a game
                someone = await other.ws_connect(address, max_msg_size=0)
                playing.append((await someone.receive(timeout=60)).type.name)
            return playing, told

    playing, told = asyncio.run(scenario())
    assert told == "CLOSE: You have too many games open here already; close one of them first."
    assert all(kind in ("TEXT", "BINARY") for kind in playing), playing


def test_the_banner_names_the_page_and_the_command_each_visitor_runs(tmp_path: Path):
    settings = Settings([tmp_path / "my story"], tmp_path / "saves", "127.0.0.1", 8123, "The Ferry", max_games=7)
    lines = banner(settings).splitlines()
    assert lines[0] == "Serving 'The Ferry' on http://127.0.0.1:8123"
    assert lines[1] == f"Each visitor plays: kuzbass play --story '{tmp_path / 'my story'}' --saves {tmp_path / 'saves' / 'visitors'}/<visitor id>"
    assert lines[2] == f"At most 7 games at once, {MAX_GAMES_PER_VISITOR} per visitor. Press Ctrl+C to stop."
    assert "ID" not in banner(settings).replace("visitor id", "")  # never the placeholder the server was built with


class FakeSocket:
    """The visitor's side of a websocket: the messages it sends, and what the server answers."""

    def __init__(self, messages: list[tuple[object, object]], clock: list[float], steps: list[float]) -> None:
        self.messages, self.clock, self.steps = messages, clock, steps
        self.answered: list[object] = []

    async def __aiter__(self):
        for (kind, data), step in zip(self.messages, self.steps, strict=True):
            self.clock[0] += step
            yield type("Message", (), {"type": kind, "data": data})()

    async def send_json(self, data: object) -> None:
        self.answered.append(data)


class FakeGame:
    """A game process as the relay sees it: what reached it."""

    def __init__(self) -> None:
        self.typed: list[bytes] = []
        self.sizes: list[tuple[int, int]] = []
        self.focus_changes: list[str] = []

    async def send_bytes(self, data: bytes) -> bool:
        self.typed.append(data)
        return True

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.sizes.append((width, height))

    async def blur(self) -> None:
        self.focus_changes.append("blur")

    async def focus(self) -> None:
        self.focus_changes.append("focus")


def test_what_a_visitor_sends_reaches_the_game_bounded(monkeypatch: pytest.MonkeyPatch):
    """The relay itself: typed input at most MAX_INPUT characters a message and a second, sizes
    clamped, anything malformed dropped (the load test shows the server holds; this, what it lets through)."""
    from kuzbass_game.commands import _web

    clock = [1000.0]
    monkeypatch.setattr(_web.time, "monotonic", lambda: clock[0])
    text = aiohttp.WSMsgType.TEXT
    sent: list[tuple[object, object]] = [
        (text, json.dumps(["stdin", "a" * (MAX_INPUT + 1)])),  # more than one message may hold: dropped
        (text, json.dumps(["stdin", "b" * MAX_INPUT])),  # the whole second's budget
        (text, json.dumps(["stdin", "c"])),  # nothing left this second: dropped
        (text, json.dumps(["stdin", "d" * (MAX_INPUT // 2)])),  # half a second later: half the budget back
        (text, json.dumps(["stdin", "e" * MAX_INPUT])),  # more than is back: dropped
        (text, json.dumps(["resize", {"width": 20000, "height": 20000}])),
        (text, json.dumps(["resize", {"width": "9" * 5000, "height": 24}])),
        (text, json.dumps(["ping", "p" * 101])),
        (text, json.dumps(["ping", "ok"])),
        (text, "[" * 100_000),
        (aiohttp.WSMsgType.BINARY, b'["stdin", "binary"]'),
        (text, json.dumps(["blur"])),
        (text, json.dumps(["focus"])),
        (text, json.dumps(["quit-the-server", 1])),
    ]
    steps = [0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    socket_, game = FakeSocket(sent, clock, steps), FakeGame()
    asyncio.run(asyncio.wait_for(_web.VisitorServer.relay(None, socket_, game), 30))  # type: ignore[arg-type]
    assert game.typed == [b"b" * MAX_INPUT, b"d" * (MAX_INPUT // 2)]
    assert game.sizes == [(400, 150)]
    assert socket_.answered == [["pong", "ok"]]
    assert game.focus_changes == ["blur", "focus"]


def test_a_games_error_output_is_bounded_and_never_names_the_visitor():
    from kuzbass_game.commands import _web

    async def scenario() -> bytes:
        source, sink = asyncio.StreamReader(), asyncio.StreamReader()
        source.feed_data(f"Traceback: --saves /srv/saves/visitors/{VISITOR}\n".encode() + b"x" * (2 * 1024 * 1024))
        source.feed_eof()
        holder = type("Holder", (), {"secret": VISITOR.encode()})()
        await _web.Game.pass_errors(holder, source, sink)  # type: ignore[arg-type]
        return await sink.read()

    kept = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert VISITOR.encode() not in kept and b"visitors/<visitor>" in kept
    assert len(kept) <= MAX_STDERR


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("192.168.1.5", True), ("localhost", False), ("127.0.0.1", False)])
def test_serve_says_what_a_public_host_means_before_it_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, host: str, warned: bool):
    from kuzbass_game.commands import serve

    served = []
    monkeypatch.setattr(serve, "make_server", lambda *args, **kwargs: type("Server", (), {"serve": lambda self: served.append(kwargs["host"])})())
    assert serve.run_serve([FERRY], tmp_path / "saves", host=host, port=8123) == 0
    assert served == [host]
    err = capsys.readouterr().err
    if warned:
        assert f"--host {host} serves every machine that can reach port 8123, with no password and no encryption" in err
        assert str((tmp_path / "saves" / VISITORS_FOLDER).resolve()) in err and "--public-url" in err
    else:
        assert "warning" not in err


@pytest.mark.timeout(120)
def test_a_traceback_in_the_servers_log_shows_no_local_variables(tmp_path: Path):
    """textual-serve logs tracebacks with their local variables (a visitor's folder, the Cookie
    header); ours keeps the traceback and drops the locals. Run in a child: logging is set up once."""
    code = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, ({SERVER_MEMORY}, {SERVER_MEMORY}))
import logging
from pathlib import Path
from kuzbass_game.commands.serve import make_server
server = make_server([Path({str(FERRY)!r})], Path({str(tmp_path)!r}), host="127.0.0.1", port=1, title="t")
server.initialize_logging()
def handler(cookie):
    folder = "visitors/" + cookie
    raise ValueError("a malformed frame")
try:
    handler({VISITOR!r})
except ValueError:
    logging.getLogger("aiohttp.server").exception("Error handling request")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    logged = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0 and "a malformed frame" in logged and "Traceback" in logged, logged[-3000:]
    assert VISITOR not in logged, logged[-3000:]


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.decode(errors="replace").partition("=")[::2] for entry in raw.split(b"\0") if b"=" in entry)


@pytest.mark.timeout(120)
def test_the_size_in_the_pages_address_is_clamped_before_a_game_starts(served):
    """A game starts at the size its page's address asks for (COLUMNS and ROWS in its environment):
    20,000 x 20,000 starts it at the most a game may have; a size that is no number at the default."""
    process, url, _saves, _log = served

    async def started_at(query: str) -> set[tuple[str, str]]:
        async with aiohttp.ClientSession() as session:
            socket_ = await session.ws_connect(url.replace("http", "ws") + "ws?" + query, max_msg_size=0)
            await socket_.receive(timeout=60)  # the game has drawn: it is running
            sizes = set()
            for pid, _rss in games_of(process.pid):
                try:
                    environment = environment_of(pid)
                except OSError:
                    continue
                if "COLUMNS" in environment:
                    sizes.add((environment["COLUMNS"], environment["ROWS"]))
            await socket_.close()
        deadline = time.monotonic() + STOP_GRACE + 10
        while games_of(process.pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return sizes

    assert asyncio.run(asyncio.wait_for(started_at("width=20000&height=20000"), 90)) == {("400", "150")}
    assert asyncio.run(asyncio.wait_for(started_at("width=" + "9" * 5000 + "&height=x"), 90)) == {("80", "24")}
