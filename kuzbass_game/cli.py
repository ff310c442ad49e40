"""The `kuzbass` command: a table of verbs, each a module of `kuzbass_game.commands`, and dispatch.

`kuzbass` with no verb (or with only `play`'s options, e.g. `kuzbass --plain`) plays.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import pkgutil
import sys
from types import ModuleType

from kuzbass_game import __version__, commands
from kuzbass_game.engine.core import plain_text

DEFAULT_VERB = "play"


def verb_modules() -> dict[str, ModuleType]:
    """Every verb, by name: the modules of `kuzbass_game.commands` (play first, then by name)."""
    found = [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    ]
    found.sort(key=lambda module: (module.VERB != DEFAULT_VERB, module.VERB))
    return {module.VERB: module for module in found}


def asked_verb(argv: list[str]) -> dict[str, ModuleType] | None:
    """The one verb `argv` runs, imported alone (`kuzbass check`, a launch), or None when every verb
    is needed to tell (help, the version, a word that is not a verb). Importing every verb to build
    the whole parser imported the web server's, the graph's and the others' modules on each run."""
    if not argv or argv[0].startswith("-"):
        if argv and argv[0] in ("-h", "--help", "--version"):
            return None
        word = DEFAULT_VERB
    else:
        word = argv[0]
    name = word.replace("-", "_")
    if not name.isidentifier() or name.startswith("_"):
        return None
    try:
        module = importlib.import_module(f"{commands.__name__}.{name}")
    except ImportError:
        return None
    return {word: module} if getattr(module, "VERB", None) == word else None


def build_parser(verbs: dict[str, ModuleType] | None = None) -> argparse.ArgumentParser:
    verbs = verb_modules() if verbs is None else verbs
    parser = argparse.ArgumentParser(
        prog="kuzbass",
        description="Kuzbass: live through the Kuzbass Autonomous Industrial Colony, Siberia, 1922-1926.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kuzbass {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for name, module in verbs.items():
        sub = subparsers.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(sub)
        if name == DEFAULT_VERB:
            parser.epilog = _default_verb_help(sub)
    return parser


def _default_verb_help(play: argparse.ArgumentParser) -> str:
    """Without a verb, kuzbass plays: the top-level help lists play's options too."""
    lines = play.format_help().splitlines()
    options = lines[next((i for i, line in enumerate(lines) if line.startswith("options:")), 0) + 1 :]
    options = [line for line in options if "-h, --help" not in line]
    return "\n".join(
        [f"Without a VERB, kuzbass plays ('kuzbass --plain' is 'kuzbass {DEFAULT_VERB} --plain'), with these options:", *options, ""]
        + ["'kuzbass VERB --help' explains each verb."]
    )


def _unknown_verb(word: str, verbs: dict[str, ModuleType]) -> int:
    """`kuzbass nosuchverb`: say so, list the verbs, and guess the one meant."""
    close = difflib.get_close_matches(word, verbs, n=1)
    guess = f" Did you mean '{close[0]}'?" if close else ""
    print(f"kuzbass: '{plain_text(word)[:40]}' is not a verb.{guess} The verbs: {', '.join(verbs)}. 'kuzbass --help' explains them.", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbs = asked_verb(argv) or verb_modules()
    if argv and not argv[0].startswith("-") and argv[0] not in verbs:
        return _unknown_verb(argv[0], verbs)
    if not argv or (argv[0] not in verbs and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, DEFAULT_VERB)
    args = build_parser(verbs).parse_args(argv)
    try:
        return int(verbs[args.verb or DEFAULT_VERB].run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kuzbass ... | head` closed the pipe: end quietly, and keep Python from complaining
        # again when it flushes stdout on exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 0
