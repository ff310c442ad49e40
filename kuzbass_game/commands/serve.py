"""`kuzbass serve`: the same game in a web browser, through textual-serve (`pip install kuzbass[web]`).

Each browser connection runs its own `kuzbass play` process (textual-serve's model: one app
process per visitor, its screen streamed over a websocket). Each visitor keeps their own saves:
the first page load gives the browser a random visitor id in a cookie (HttpOnly, SameSite=Lax),
and that visitor's game is started with `--saves SAVES/visitors/ID`. So a visitor who reloads
the page, or comes back after the server restarted, finds their game under Continue, and never
sees anyone else's. A browser that refuses the cookie plays in a fresh folder each time.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import shlex
import sys
from pathlib import Path
from typing import Any

from kuzbass_game.commands import _story

COOKIE = "kuzbass_visitor"
VISITOR_ID = re.compile(r"[0-9a-f]{32}\Z")
VISITORS_FOLDER = "visitors"
COOKIE_AGE = 365 * 24 * 3600
NEEDS_EXTRA = "kuzbass serve needs the web extra: pip install 'kuzbass[web]' (in a checkout: .venv/bin/pip install -e '.[web]')."


VERB = "serve"
HELP = "serve the game to web browsers (needs: pip install 'kuzbass[web]')"
DESCRIPTION = (
    "Serve the full-screen game to web browsers with textual-serve: one game process per visitor, each visitor's saves in a folder of their own."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="localhost", help="the address to listen on (default localhost)")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (behind a proxy, or --host 0.0.0.0)",
    )
    _story.add_saves_option(parser, "where the visitors' folders of saves go")
    _story.add_story_options(parser, "the story folder to serve")
    parser.add_argument("--max-games", type=int, default=20, metavar="N", help="at most N games at once, one per open browser tab (default 20)")


def run(args: argparse.Namespace) -> int:
    return run_serve(
        _story.story_dirs(args), _story.saves_dir(args), host=args.host, port=args.port, public_url=args.public_url, max_games=args.max_games
    )


def visitor_folder(saves_dir: Path, visitor: str | None) -> Path:
    """The saves folder of one visitor; an id that is not ours gets a fresh folder, never a path."""
    if visitor is None or not VISITOR_ID.match(visitor):
        visitor = secrets.token_hex(16)
    return saves_dir / VISITORS_FOLDER / visitor


def play_command(saves: Path, story_dirs: list[Path]) -> str:
    """The shell command textual-serve runs for one visitor: this Python, this game, their folder."""
    args = [sys.executable, "-m", "kuzbass_game", "play", "--saves", str(saves)]
    for folder in story_dirs:
        args += ["--story", str(folder)]
    return shlex.join(args)


def make_server(
    story_dirs: list[Path], saves_dir: Path, *, host: str, port: int, title: str, public_url: str | None = None, max_games: int = 20
) -> Any:
    """A textual-serve `Server` that starts each visitor's game in that visitor's saves folder."""
    from aiohttp import web  # the web extra is optional: imported only to serve
    from textual_serve.app_service import AppService  # (as above)
    from textual_serve.server import Server, to_int  # (as above)

    saves_dir = Path(saves_dir).resolve()
    stories = [Path(folder).resolve() for folder in story_dirs]

    class VisitorServer(Server):
        """textual-serve's server, with a visitor id cookie and a saves folder per visitor."""

        def __init__(self) -> None:
            super().__init__(play_command(saves_dir / VISITORS_FOLDER / "ID", stories), host=host, port=port, title=title, public_url=public_url)
            self.games = 0

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            response = await super().handle_index(request)
            visitor = request.cookies.get(COOKIE, "")
            if not VISITOR_ID.match(visitor):
                response.set_cookie(COOKIE, secrets.token_hex(16), max_age=COOKIE_AGE, httponly=True, samesite="Lax", path="/")
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """As textual-serve's own, but the game is started in the visitor's saves folder."""
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await websocket.prepare(request)
            if self.games >= max_games:
                await websocket.close(message=b"Too many games are being played here right now; try again later.")
                return websocket
            folder = visitor_folder(saves_dir, request.cookies.get(COOKIE))
            service = AppService(
                play_command(folder, stories),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # a coroutine returning a bool; the service ignores it
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.games += 1
            try:
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            finally:
                self.games -= 1
                await service.stop()
            return websocket

    return VisitorServer()


def run_serve(story_dirs: list[Path], saves_dir: Path, *, host: str, port: int, public_url: str | None = None, max_games: int = 20) -> int:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print(NEEDS_EXTRA, file=sys.stderr)
        return 2
    result = _story.load(story_dirs)
    if result.story is None:  # say so here, once, rather than in every visitor's browser
        print("The story cannot be played because it has errors (run 'kuzbass check'):", file=sys.stderr)
        _story.print_errors(result.errors, indent="  ")
        return 1
    server = make_server(story_dirs, saves_dir, host=host, port=port, title=result.story.title, public_url=public_url, max_games=max_games)
    print(f"Each visitor's saves go to {Path(saves_dir).resolve() / VISITORS_FOLDER}/<visitor id>.", flush=True)
    server.serve()
    return 0
