"""`kuzbass serve`: the same game in a web browser, through textual-serve (the `web` extra).

Each browser connection runs its own `kuzbass play` process (textual-serve's model: one app
process per visitor, its screen streamed over a websocket). Each visitor keeps their own saves:
the first page load gives the browser a random visitor id in a cookie (HttpOnly, SameSite=Lax, Secure behind https),
and that visitor's game is started with `--saves SAVES/visitors/ID`. So a visitor who reloads
the page, or comes back after the server restarted, finds their game under Continue, and never
sees anyone else's. A browser that refuses the cookie plays in a fresh folder each time.

What a visitor sends is not trusted (textual-serve trusts it; this subclass does not):

- A game counts against `--max-games` until its process has exited, and one visitor (one cookie)
  holds at most `MAX_GAMES_PER_VISITOR` of them: a page opened in many tabs cannot take every slot. Closing the page asks the
  game to quit; one that has not ended after `STOP_GRACE` seconds is killed, with anything it
  started (each game is its own process group). Each game process is held to `--game-memory`.
- Typed input is bounded per message and per second, a websocket message past `MAX_MESSAGE`
  bytes closes the connection, and the terminal size (in the URL and in a resize) is clamped.
  A malformed message is ignored.
- A websocket opened from a page of another site (its `Origin`) is refused.
- Logs never hold a visitor's id (the cookie is the only key to their saves): tracebacks are
  logged without local variables, and a game's error output has the id replaced.
- At most `--max-visitors` folders of saves are kept; past that, the folder of the visitor idle
  the longest is removed (the README says so).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import re
import secrets
import shlex
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kuzbass_game.commands import _story

COOKIE = "kuzbass_visitor"
VISITOR_ID = re.compile(r"[0-9a-f]{32}\Z")
VISITORS_FOLDER = "visitors"
COOKIE_AGE = 365 * 24 * 3600
NEEDS_EXTRA = (
    "kuzbass serve needs the web extra. In a checkout: .venv/bin/pip install -e '.[web]'."
    " From a built wheel (Kuzbass is not on PyPI): pip install 'kuzbass-VERSION-py3-none-any.whl[web]'."
)

STOP_GRACE = 3.0  # seconds a game has to quit once its page is gone, before it is killed
MAX_MESSAGE = 64 * 1024  # bytes in one websocket message; a bigger one closes the connection
MAX_INPUT = 4096  # characters of typed input in one message, and per second
SIZE_LIMITS = ((10, 400), (5, 150))  # (least, most) columns, then rows
MAX_STDERR = 64 * 1024  # bytes of a game's error output kept for the log
MAX_GAMES_PER_VISITOR = 3  # games one visitor may have running at once (a few tabs; not every slot)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?\Z|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?\Z")

log = logging.getLogger("kuzbass.serve")

VERB = "serve"
HELP = "serve the game to web browsers (needs the web extra: in a checkout, .venv/bin/pip install -e '.[web]')"
DESCRIPTION = (
    "Serve the full-screen game to web browsers with textual-serve: one game process per visitor, each visitor's saves in a folder of their own."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="localhost", help="the address to listen on (default localhost; any other is public: see the README)")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (behind a proxy, or --host 0.0.0.0)",
    )
    _story.add_saves_option(parser, "where the visitors' folders of saves go")
    _story.add_story_options(parser, "the story folder to serve", positional=True)
    parser.add_argument("--max-games", type=int, default=20, metavar="N", help="at most N games at once, one per open browser tab (default 20)")
    parser.add_argument(
        "--max-visitors",
        type=int,
        default=1000,
        metavar="N",
        help="keep at most N visitors' folders of saves; past that the longest idle is removed (default 1000)",
    )
    parser.add_argument("--game-memory", type=int, default=1024, metavar="MB", help="each game process may use at most MB megabytes (default 1024)")


def run(args: argparse.Namespace) -> int:
    return run_serve(
        _story.story_dirs(args),
        _story.saves_dir(args),
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        max_games=args.max_games,
        max_visitors=args.max_visitors,
        game_memory=args.game_memory,
    )


def banner(settings: Settings) -> str:
    """What `kuzbass serve` prints once it listens: the page's address and what each visitor runs."""
    stories = " ".join(f"--story {shlex.quote(str(folder))}" for folder in settings.stories)
    url = settings.public_url or f"http://{settings.host}:{settings.port}"
    return (
        f"Serving '{settings.title}' on {url}\n"
        f"Each visitor plays: kuzbass play {stories} --saves {shlex.quote(str(settings.saves_dir / VISITORS_FOLDER))}/<visitor id>\n"
        f"At most {settings.max_games} games at once, {MAX_GAMES_PER_VISITOR} per visitor. Press Ctrl+C to stop."
    )


def visitor_folder(saves_dir: Path, visitor: str | None) -> Path:
    """The saves folder of one visitor; an id that is not ours gets a fresh folder, never a path."""
    if visitor is None or not VISITOR_ID.match(visitor):
        visitor = secrets.token_hex(16)
    return saves_dir / VISITORS_FOLDER / visitor


def play_command(saves: Path, story_dirs: list[Path], memory_mb: int | None = None) -> str:
    """The shell command textual-serve runs for one visitor: this Python, this game, their folder."""
    args = [sys.executable, "-m", "kuzbass_game", "play", "--saves", str(saves)]
    for folder in story_dirs:
        args += ["--story", str(folder)]
    if memory_mb is not None:
        args += ["--memory-limit", str(memory_mb)]
    return shlex.join(args)


def clamp_size(width: object, height: object) -> tuple[int, int] | None:
    """A terminal size a visitor asked for, held within `SIZE_LIMITS`; None if it is not two numbers."""
    sizes = []
    for value, (least, most) in zip((width, height), SIZE_LIMITS, strict=True):
        if isinstance(value, str):
            value = int(value) if value.isdecimal() and len(value) < 8 else None
        if type(value) is not int:
            return None
        sizes.append(min(max(value, least), most))
    return sizes[0], sizes[1]


def read_envelope(data: str) -> tuple[str, object] | None:
    """`[type, data]` from one websocket text message, or None for anything else."""
    try:
        envelope = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    return envelope[0], envelope[1] if len(envelope) > 1 else None


def is_loopback(host: str) -> bool:
    """Whether `--host` serves this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Whether `host` is an address that names no machine (0.0.0.0, ::, or none): one to listen on, never to browse to."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return not host


def url_host(address: str) -> str:
    """An address as a URL writes it: an IPv6 address in brackets (its zone, if any, escaped)."""
    return f"[{address.replace('%', '%25')}]" if ":" in address and not address.startswith("[") else address


def allowed_origins(host: str, port: int, public_url: str | None) -> set[str]:
    """The `Origin`s a websocket may come from: the public URL's, or this host's (by any loopback name)."""
    if public_url:
        parts = urlsplit(public_url)
        return {f"{parts.scheme}://{parts.netloc}".lower()}
    names = ("localhost", "127.0.0.1", "[::1]") if is_loopback(host) else (f"[{host}]" if ":" in host else host,)
    return {f"http://{name}:{port}" for name in names} | ({f"http://{name}" for name in names} if port == 80 else set())


def public_host_warning(host: str, port: int, saves: Path, max_games: int) -> str | None:
    """What serving beyond this machine means, said before the first visitor arrives."""
    if is_loopback(host):
        return None
    return (
        f"kuzbass serve: warning: --host {host} serves every machine that can reach port {port}, with no password and no encryption.\n"
        f"  Anyone who opens the page starts a game process on this machine (at most {max_games} at once)\n"
        f"  and keeps their saves here, under {saves / VISITORS_FOLDER}.\n"
        "  For the internet, put it behind a proxy that adds HTTPS (and a password if you want one), and give --public-url."
    )


def tidy_visitors(folder: Path, keep: int, busy: Iterable[Path]) -> list[Path]:
    """Remove the folders of the longest-idle visitors until at most `keep` are left; never a busy one."""
    playing = {path.name for path in busy}
    try:
        found = [entry for entry in os.scandir(folder) if VISITOR_ID.match(entry.name)]
    except FileNotFoundError:
        return []
    idle = sorted((entry.stat().st_mtime, entry.path) for entry in found if entry.name not in playing)
    removed = []
    for _mtime, path in idle[: max(0, len(found) - keep)]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(Path(path))
    return removed


@dataclass(frozen=True)
class Settings:
    """What one `kuzbass serve` was asked for: where, what, and its limits."""

    stories: list[Path]
    saves_dir: Path
    host: str
    port: int
    title: str
    public_url: str | None = None
    max_games: int = 20
    max_visitors: int = 1000
    game_memory: int | None = 1024

    def page_url(self, named: str, arrived: tuple[str, int] | None = None) -> str:
        """This server's address as a browser named it (its `Host`), when that is a plain host name.

        Else (no `Host`, or one that is not a host name) the address the request came in on
        (`arrived`: the socket's own address and port); if that is not known, --host's, unless
        --host is a wildcard such as 0.0.0.0, which no browser can reach: then 127.0.0.1.
        """
        if HOST_HEADER.match(named):
            return f"http://{named}"
        host, port = arrived if arrived is not None and not is_wildcard(arrived[0]) else (self.host, self.port)
        return f"http://{url_host('127.0.0.1' if is_wildcard(host) else host)}:{port}"

    def allows(self, origin: str, named: str, arrived: tuple[str, int] | None = None) -> bool:
        """Whether a websocket from a page at `origin` is one of ours (`named`: the request's `Host`;
        `arrived`: the address it came in on).

        With --public-url, or on a loopback host, only the addresses we know (a page of another
        site, or one that renamed itself to this machine's address, is refused); on any other host
        with no --public-url, the page's own address as its browser named it.
        """
        known = allowed_origins(self.host, self.port, self.public_url)
        if not self.public_url and not is_loopback(self.host):
            known.add(self.page_url(named, arrived).lower())
        return origin.lower() in known


def make_server(
    story_dirs: list[Path],
    saves_dir: Path,
    *,
    host: str,
    port: int,
    title: str,
    public_url: str | None = None,
    max_games: int = 20,
    max_visitors: int = 1000,
    game_memory: int | None = 1024,
) -> Any:
    """A textual-serve `Server` that starts each visitor's game in that visitor's saves folder."""
    from kuzbass_game.commands._web import VisitorServer  # the web extra is optional: imported only to serve

    stories = [Path(folder).resolve() for folder in story_dirs]
    settings = Settings(stories, Path(saves_dir).resolve(), host, port, title, public_url, max_games, max_visitors, game_memory)
    return VisitorServer(settings)


def run_serve(
    story_dirs: list[Path],
    saves_dir: Path,
    *,
    host: str,
    port: int,
    public_url: str | None = None,
    max_games: int = 20,
    max_visitors: int = 1000,
    game_memory: int | None = 1024,
) -> int:
    try:
        import textual_serve  # noqa: F401  # the web extra is optional: asked for only to serve
    except ImportError:
        print(NEEDS_EXTRA, file=sys.stderr)
        return 2
    result = _story.load(story_dirs)
    if result.story is None:  # say so here, once, rather than in every visitor's browser
        print("The story cannot be played because it has errors (run 'kuzbass check'):", file=sys.stderr)
        _story.print_errors(result.errors, indent="  ")
        return 1
    server = make_server(
        story_dirs,
        saves_dir,
        host=host,
        port=port,
        title=result.story.title,
        public_url=public_url,
        max_games=max_games,
        max_visitors=max_visitors,
        game_memory=game_memory,
    )
    if warning := public_host_warning(host, port, Path(saves_dir).resolve(), max_games):
        print(warning, file=sys.stderr, flush=True)
    print(f"Each visitor's saves go to {Path(saves_dir).resolve() / VISITORS_FOLDER}/<visitor id>.", flush=True)
    server.serve()
    return 0
