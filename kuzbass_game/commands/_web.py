"""The web half of `kuzbass serve`: textual-serve's server and app process, subclassed where a visitor is not trusted.

Imported only to serve (aiohttp and textual-serve are the optional web extra); `serve.py` has the
rules in plain functions, and says what each limit is for.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shlex
import signal
import time
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from kuzbass_game.commands.serve import (
    COOKIE,
    COOKIE_AGE,
    MAX_INPUT,
    MAX_GAMES_PER_VISITOR,
    MAX_MESSAGE,
    MAX_STDERR,
    STOP_GRACE,
    VISITOR_ID,
    VISITORS_FOLDER,
    Settings,
    banner,
    clamp_size,
    play_command,
    read_envelope,
    tidy_visitors,
    visitor_folder,
)

log = logging.getLogger("kuzbass.serve")
PAGE_FOLDER = Path(__file__).resolve().parent / "web"  # app_index.html, the page every visitor loads


def arrived_at(request: web.Request) -> tuple[str, int] | None:
    """The address and port `request` came in on (its socket's own end), when it came over IP."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(sockname, tuple) and len(sockname) >= 2 and isinstance(sockname[0], str) and isinstance(sockname[1], int):
        return sockname[0], sockname[1]
    return None


class Game(AppService):
    """textual-serve's app process, started in a process group of its own and killed if it will not quit."""

    def __init__(self, folder: Path, settings: Settings, **kwargs: Any) -> None:
        super().__init__(play_command(folder, settings.stories, settings.game_memory), **kwargs)
        self.secret = folder.name.encode()

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        self._stdin = process.stdin
        errors, process.stderr = process.stderr, asyncio.StreamReader()
        self.errors_task = asyncio.create_task(self.pass_errors(errors, process.stderr))
        return process

    async def pass_errors(self, source: asyncio.StreamReader | None, sink: asyncio.StreamReader) -> None:
        """The game's error output, at most `MAX_STDERR` bytes of it, with the visitor's id hidden."""
        kept = b""
        while source is not None and (chunk := await source.read(4096)):
            kept = (kept + chunk)[: MAX_STDERR + len(self.secret)]
        sink.feed_data(kept[:MAX_STDERR].replace(self.secret, b"<visitor>"))
        sink.feed_eof()

    async def stop(self) -> None:
        process = self._process
        try:
            await asyncio.wait_for(super().stop(), STOP_GRACE)
        except (TimeoutError, ConnectionError):
            pass
        finally:
            if process is not None:
                if process.returncode is None:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                await process.wait()


class VisitorServer(Server):
    """textual-serve's server, with a visitor id cookie, a saves folder per visitor, and limits."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            play_command(settings.saves_dir / VISITORS_FOLDER / "ID", settings.stories),
            host=settings.host,
            port=settings.port,
            title=settings.title,
            public_url=settings.public_url,
            templates_path=PAGE_FOLDER,  # our page: a title, an icon, the font from this server, no margin
        )
        self.settings = settings
        self.games = 0
        self.playing: dict[Path, int] = {}

    async def on_startup(self, app: web.Application) -> None:
        """Our banner: the page's address and the command each visitor runs (upstream's shows the
        placeholder command this server was built with)."""
        self.console.print(banner(self.settings), highlight=False, markup=False, soft_wrap=True)

    def initialize_logging(self) -> None:
        super().initialize_logging()
        for handler in logging.getLogger().handlers:
            if hasattr(handler, "tracebacks_show_locals"):
                handler.tracebacks_show_locals = False  # locals hold cookies and visitors' folders

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page (upstream's own handler), with a visitor id cookie if the browser has none.

        Its addresses come from `public_url`, set here for this request: upstream's handler reads it
        without awaiting anything, so no other request can come between the two lines."""
        self.public_url = self.settings.public_url or self.settings.page_url(request.headers.get("Host", ""), arrived_at(request))
        response = await super().handle_index(request)
        visitor = request.cookies.get(COOKIE, "")
        if not VISITOR_ID.match(visitor):
            # Secure behind https (the page's own, or the --public-url a proxy serves it at): never sent in clear.
            secure = request.secure or (self.settings.public_url or "").lower().startswith("https://")
            response.set_cookie(COOKIE, secrets.token_hex(16), max_age=COOKIE_AGE, httponly=True, samesite="Lax", path="/", secure=secure)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's own, but checked, limited, and started in the visitor's saves folder."""
        origin = request.headers.get("Origin")
        if origin is not None and not self.settings.allows(origin, request.headers.get("Host", ""), arrived_at(request)):
            raise web.HTTPForbidden(text="This game is played from its own page.")
        size = clamp_size(request.query.get("width", "80"), request.query.get("height", "24")) or (80, 24)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        if self.games >= self.settings.max_games:
            await websocket.close(message=b"Too many games are being played here right now; try again later.")
            return websocket
        folder = visitor_folder(self.settings.saves_dir, request.cookies.get(COOKIE))
        if self.playing.get(folder, 0) >= MAX_GAMES_PER_VISITOR:
            await websocket.close(message=b"You have too many games open here already; close one of them first.")
            return websocket
        self.games += 1
        self.playing[folder] = self.playing.get(folder, 0) + 1
        try:
            tidy_visitors(self.settings.saves_dir / VISITORS_FOLDER, self.settings.max_visitors - (0 if folder.exists() else 1), self.playing)
            if folder.exists():
                os.utime(folder)  # played now: the last to be tidied away
            await self.play(websocket, folder, size)
        except Exception as error:  # one visitor's failure is logged in a line and ends that game only
            log.warning("a game ended with %s", type(error).__name__)
        finally:
            self.games -= 1
            self.playing[folder] -= 1
            if not self.playing[folder]:
                del self.playing[folder]
        return websocket

    async def play(self, websocket: web.WebSocketResponse, folder: Path, size: tuple[int, int]) -> None:
        service = Game(
            folder,
            self.settings,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        try:
            await service.start(*size)
            await self.relay(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            await service.stop()

    async def relay(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """The visitor's messages to their game, each checked: typed input bounded per message and per
        second, sizes clamped, anything else ignored. (This replaces upstream's private message loop:
        textual-serve has no hook to check a message, so `handle_websocket` and this are our own.)"""
        budget, since = float(MAX_INPUT), time.monotonic()
        async for message in websocket:
            envelope = read_envelope(message.data) if message.type == WSMsgType.TEXT else None
            if envelope is None:
                continue
            kind, data = envelope
            now = time.monotonic()
            budget, since = min(MAX_INPUT, budget + (now - since) * MAX_INPUT), now
            if kind == "stdin" and isinstance(data, str) and len(data) <= budget:
                budget -= len(data)
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict) and (size := clamp_size(data.get("width"), data.get("height"))):
                await app_service.set_terminal_size(*size)
            elif kind == "ping" and isinstance(data, str) and len(data) <= 100:
                await websocket.send_json(["pong", data])
            elif kind in ("blur", "focus"):
                await (app_service.blur() if kind == "blur" else app_service.focus())
