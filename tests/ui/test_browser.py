"""`kuzbass serve` in a real browser (issue 18): Debian's Chromium, headless, driven over the
DevTools protocol with aiohttp (no browser download, no Playwright).

One visitor plays a new game to its first choice, reloads the page and continues it; a second
visitor (a browser context of its own: its own cookie) sees only its own saves; the page asks
nothing of another machine, has a title and an icon, fills the window, and shows the footer's
keys before the first click; once the pages close, no game process is left.

Chromium is /usr/bin/chromium (or `chromium` on the PATH). Without it the test skips and says why;
under CI=true a missing browser fails the run (.ci/run installs it). KUZBASS_SCREENSHOTS=DIR keeps
the screenshots taken on the way (PNG) in DIR.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import FERRY
from tests.ui.test_serve import free_port

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # as root (CI containers) Chromium will not start without it
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--window-size=1200,780",  # about 120 columns by 40 rows of the page's 16 px font
    "--remote-debugging-port=0",
]
WAIT = 30.0
ESCAPES = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    why = "Debian's chromium is not installed (apt-get install chromium): the real-browser test of kuzbass serve needs it"
    if os.environ.get("CI") == "true":
        pytest.fail(why + "; under CI it is required (.ci/run installs it)")
    pytest.skip(why)


class Page:
    """One tab over the DevTools protocol: commands, events, the terminal's text, keys."""

    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target
        self.requests: list[str] = []
        self.frames: list[bytes] = []  # what the game sent this page over its websocket
        self.since = 0

    async def send(self, method: str, **params: Any) -> dict:
        return await self.browser.send(method, session=self.session, **params)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def text(self) -> str:
        """What the game has drawn since `mark()`: the websocket's frames as the page received them,
        escape codes left out (xterm draws on a canvas, so the page itself holds no text to read)."""
        return ESCAPES.sub("", b"".join(self.frames[self.since :]).decode("utf-8", "replace"))

    def mark(self) -> None:
        self.since = len(self.frames)

    async def wait_for(self, wanted: str, seconds: float = WAIT) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = self.text()
            if wanted in shown:
                return shown
            await asyncio.sleep(0.2)
        raise AssertionError(f"{wanted!r} never appeared; the game drew:\n{self.text()[-3000:]}")

    async def key(self, text: str) -> None:
        """One key as a person types it: Enter, Escape, or a printable character."""
        named = {"Enter": ("Enter", 13, "\r"), "Escape": ("Escape", 27, "")}
        key, code, typed = named[text] if text in named else (text, ord(text.upper()), text)
        await self.send("Input.dispatchKeyEvent", type="keyDown", key=key, windowsVirtualKeyCode=code, text=typed, unmodifiedText=typed)
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key, windowsVirtualKeyCode=code)
        await asyncio.sleep(0.15)

    async def focus(self) -> None:
        """The keyboard to the terminal, as a first click gives it."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await asyncio.sleep(0.2)

    async def type(self, *keys: str) -> None:
        for key in keys:
            await self.key(key)

    async def screenshot(self, name: str) -> None:
        folder = os.environ.get("KUZBASS_SCREENSHOTS")
        if folder:
            shot = await self.send("Page.captureScreenshot", format="png")
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


class Browser:
    """Headless Chromium and its DevTools websocket; a page per visitor, each in its own context."""

    def __init__(self, process: subprocess.Popen, socket: Any) -> None:
        self.process = process
        self.socket = socket
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future] = {}
        self.pages: dict[str, Page] = {}
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.socket:
            data = message.json()
            if "id" in data and data["id"] in self.waiting:
                self.waiting.pop(data["id"]).set_result(data)
            elif data.get("sessionId") in self.pages:
                self.noted(self.pages[data["sessionId"]], data.get("method"), data.get("params", {}))

    @staticmethod
    def noted(page: Page, method: str | None, params: dict) -> None:
        if method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
        elif method == "Network.webSocketCreated":
            page.requests.append(params["url"])
        elif method == "Network.webSocketFrameReceived" and params["response"]["opcode"] == 2:
            page.frames.append(base64.b64decode(params["response"]["payloadData"]))

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict:
        number = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.socket.send_json(message)
        answer = await asyncio.wait_for(future, WAIT)
        assert "error" not in answer, (method, answer["error"])
        return answer.get("result", {})

    async def open(self, url: str) -> Page:
        """A new visitor: a browser context of its own (its own cookies), a tab in it, the page loaded."""
        context = (await self.send("Target.createBrowserContext"))["browserContextId"]
        target = (await self.send("Target.createTarget", url="about:blank", browserContextId=context))["targetId"]
        session = (await self.send("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        page = Page(self, session, target)
        self.pages[session] = page
        for domain in ("Page", "Runtime", "Network"):
            await page.send(f"{domain}.enable")
        await page.send("Page.navigate", url=url)
        return page

    async def close(self, page: Page) -> None:
        await self.send("Target.closeTarget", targetId=page.target)


async def start_browser(profile: Path) -> tuple[Browser, Any]:
    process = subprocess.Popen(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT
    address = None
    assert process.stderr is not None
    while address is None and time.monotonic() < deadline:
        line = await asyncio.to_thread(process.stderr.readline)
        if not line and process.poll() is not None:
            pytest.fail("chromium ended before it listened for DevTools")
        found = re.search(rb"DevTools listening on (ws://\S+)", line)
        address = found.group(1).decode() if found else None
    assert address, "chromium never said where DevTools listens"
    session = aiohttp.ClientSession()
    socket = await session.ws_connect(address, max_msg_size=0)
    return Browser(process, socket), session


def game_processes(saves: Path) -> list[int]:
    """The game processes `kuzbass serve` started for visitors of this saves folder (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if str(saves / "visitors").encode() in command and b" play" in command:
                found.append(int(entry.name))
    return found


@pytest.fixture
def served(tmp_path: Path):
    """`kuzbass serve` of the ferry on a free port (on 127.0.0.1: the page must connect back to the address it was loaded from)."""
    chromium()  # skip (or fail under CI) before starting anything
    port = free_port()
    saves = tmp_path / "saves"
    process = subprocess.Popen(
        [sys.executable, "-m", "kuzbass_game", "serve", "--host", "127.0.0.1", "--port", str(port), "--saves", str(saves), "--story", str(FERRY)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    import urllib.request

    deadline = time.monotonic() + WAIT
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "kuzbass serve did not start"
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}/", saves
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.slow
async def test_two_visitors_play_reload_and_continue_in_chromium(served, tmp_path):
    url, saves = served
    browser, session = await start_browser(tmp_path / "chromium-profile")
    try:
        first = await browser.open(url)
        await first.wait_for("New game")  # the title screen's menu
        await first.wait_for("Endings")  # and the footer's keys, before any click
        assert await first.evaluate("document.title") == "The Ferry on the Tom"
        assert await first.evaluate("!!document.querySelector('link[rel=icon]')")
        assert await first.evaluate("getComputedStyle(document.body).margin") == "0px"  # the browser's 8 px margin is gone
        gap = await first.evaluate("window.innerHeight - document.querySelector('.xterm-screen').getBoundingClientRect().bottom")
        assert 0 <= gap < 19, gap  # under the terminal, less than a row of the 16 px font
        await first.screenshot("1-title")
        await first.focus()
        first.mark()
        await first.type("n")
        await first.wait_for("Up to 20 characters")  # the ferry asks a name first
        await first.type(*"Anna", "Enter")
        await first.wait_for("Wait for the ferry")  # the first choice
        await first.type("1")
        await first.wait_for("Pay the fare")
        await first.screenshot("2-first-choices")
        first.mark()
        await first.send("Page.reload")
        await first.wait_for("The Ferry, October 1922")  # the title screen offers this game to continue
        await first.screenshot("3-after-reload")
        first.mark()
        await first.focus()
        await first.type("c")
        await first.wait_for("Pay the fare")  # the same visitor's game, continued
        await first.wait_for("Journal")  # with its footer
        await asyncio.sleep(1.5)
        await first.screenshot("4-continued")

        second = await browser.open(url)
        await second.wait_for("New game")
        await second.wait_for("No saved games yet.")  # the first visitor's saves are not its
        await second.screenshot("5-second-visitor")

        here = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "about:")
        for page in (first, second):
            assert page.requests and all(request.startswith(here) for request in page.requests), page.requests
        await browser.close(first)
        await browser.close(second)
        deadline = time.monotonic() + 15
        while game_processes(saves) and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        assert not game_processes(saves), "a game process was left after its page closed"
    finally:
        browser.reader.cancel()
        await browser.socket.close()
        await session.close()
        browser.process.terminate()
        try:
            browser.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.process.kill()
