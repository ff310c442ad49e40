"""The engine's layers, held by reading every module's imports (docs/dev/architecture.md draws them).

- The engine (`kuzbass_game/engine/`) imports no face (`ui`, `commands`, line mode, the CLI: of the
  game's own modules, only the engine's and the package's version), no Textual and no Rich; `core`, `files` and `play` import no PyYAML (a cached launch compiles nothing).
- Each engine package imports only the packages below it (`ALLOWED`), function-local and
  type-checking imports included.
- A face imports the engine's public API only: `kuzbass_game.engine`, one of its packages, or a
  package's `__all__`, never a module inside a package and never a private name.
- A function-local import (the game's own modules, a third-party package or the standard library)
  says why it is not at the top (a comment on its line or the line above): launch time, or an
  optional extra.

`violations` is a plain function of a folder, so the last tests plant a violation of each kind in
a copy of the tree and show that it is caught.
"""

from __future__ import annotations

import ast
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO

PACKAGES = ("core", "files", "format", "play", "tools", "load", "storage")
ALLOWED = {
    "core": {"core"},
    "files": {"core", "files"},
    "format": {"core", "files", "format"},
    "play": {"core", "play"},
    "tools": {"core", "files", "format", "play", "tools"},
    "load": {"core", "files", "format", "play", "tools", "load"},
    "storage": {"core", "files", "play", "tools", "storage"},
}
NO_YAML = {"core", "files", "play"}


@dataclass(frozen=True)
class Import:
    module: str  # what is imported from (absolute)
    names: tuple[str, ...]  # the names taken from it ("" for `import module`)
    line: int
    local: bool  # inside a function
    explained: bool  # a comment on its line or the line above


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    found: list[Import] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def explained(line: int) -> bool:
        return "#" in lines[line - 1] or (line >= 2 and lines[line - 2].strip().startswith("#"))

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(alias.name, ("",), child.lineno, local, explained(child.lineno)))
            elif isinstance(child, ast.ImportFrom):
                module = child.module or ""
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join([*base, module] if module else base)
                found.append(Import(module, tuple(a.name for a in child.names), child.lineno, local, explained(child.lineno)))
            visit(child, inner)

    visit(tree, False)
    return found


def engine_package(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["kuzbass_game", "engine"] and len(parts) >= 3 and parts[2] in PACKAGES:
        return parts[2]
    return None


def public_names(root: Path, package: str) -> set[str]:
    """The `__all__` of an engine package (or of the engine), read without importing it."""
    path = root / Path(*package.split(".")) / "__init__.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {ast.literal_eval(element) for element in node.value.elts}  # type: ignore[attr-defined]
    return set()


def _engine_rules(where: str, package: str | None, item: Import) -> list[str]:
    problems = []
    top = item.module.split(".")[0]
    outside = item.module.startswith("kuzbass_game.") and engine_package(item.module) is None and item.module != "kuzbass_game.engine"
    if top in ("textual", "rich") or outside:
        problems.append(f"{where}: the engine imports {item.module}")
    target = engine_package(item.module)
    if package is not None and target is not None and target not in ALLOWED[package]:
        problems.append(f"{where}: engine.{package} imports engine.{target} (allowed: {', '.join(sorted(ALLOWED[package]))})")
    if package in NO_YAML and top == "yaml":
        problems.append(f"{where}: engine.{package} imports PyYAML")
    return problems


def _face_rules(root: Path, where: str, item: Import) -> list[str]:
    if not item.module.startswith("kuzbass_game.engine"):
        return []
    parts = item.module.split(".")
    if len(parts) > 3 or (len(parts) == 3 and parts[2] not in PACKAGES):
        return [f"{where}: a face imports {item.module}, a module inside the engine (use its package's __all__)"]
    public = public_names(root, item.module)
    if item.module == "kuzbass_game.engine":  # a package itself (`from kuzbass_game.engine import tools`): its names load on first use
        public |= set(PACKAGES)
    hidden = [n for n in item.names if n not in public]
    return [f"{where}: a face imports {', '.join(hidden)} from {item.module}, not in its __all__"] if hidden else []


def violations(root: Path) -> list[str]:
    """Every broken rule in the tree under `root` (the folder that holds `kuzbass_game`)."""
    problems: list[str] = []
    for path in sorted((root / "kuzbass_game").rglob("*.py")):
        name = module_name(root, path)
        in_engine = name.startswith("kuzbass_game.engine")
        package = engine_package(name)
        for item in imports_of(path, name):
            where = f"{path.relative_to(root)}:{item.line}"
            if in_engine:
                problems += _engine_rules(where, package, item)
            else:
                problems += _face_rules(root, where, item)
            if item.local and not item.explained:
                problems.append(f"{where}: a function-local import of {item.module} without a comment saying why it is not at the top")
    return problems


def shadowed_exports(root: Path) -> list[str]:
    """Exported names that are also a module of their package: importing the module would replace the name."""
    problems = []
    for package in PACKAGES:
        folder = root / "kuzbass_game" / "engine" / package
        modules = {p.stem for p in folder.glob("*.py")}
        problems += [
            f"engine.{package} exports '{n}', which is also a module's name" for n in public_names(root, f"kuzbass_game.engine.{package}") & modules
        ]
    return problems


def test_the_layers_hold():
    assert violations(REPO) == []


def test_no_export_shares_a_module_name():
    assert shadowed_exports(REPO) == []


def test_the_engine_folder_holds_only_packages():
    engine = REPO / "kuzbass_game" / "engine"
    loose = sorted(p.name for p in engine.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    assert sorted(p.name for p in engine.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(PACKAGES)


def test_each_package_says_what_it_owns_and_may_import():
    for package in PACKAGES:
        doc = ast.get_docstring(ast.parse((REPO / "kuzbass_game" / "engine" / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, package


def test_every_public_name_resolves():
    import importlib

    for package in ("kuzbass_game.engine", *(f"kuzbass_game.engine.{p}" for p in PACKAGES)):
        module = importlib.import_module(package)
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{package}.{name}"


# ------------------------------------------------------------ the contract catches what it should


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(REPO / "kuzbass_game", tmp_path / "kuzbass_game", ignore=shutil.ignore_patterns("__pycache__", "_bundled_story"))
    return tmp_path


def _plant(tree: Path, relative: str, code: str) -> None:
    path = tree / "kuzbass_game" / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("relative", "code", "expected"),
    [
        ("engine/play/state.py", "from kuzbass_game.engine.format.compiler import StoryBuilder", "engine.play imports engine.format"),
        ("engine/core/model.py", "from kuzbass_game.engine.play.game import Game", "engine.core imports engine.play"),
        ("engine/storage/profile.py", "from kuzbass_game.engine.load.cache import read", "engine.storage imports engine.load"),
        ("engine/tools/graph.py", "from kuzbass_game.ui.app import KuzbassApp", "the engine imports kuzbass_game.ui"),
        ("engine/load/loader.py", "from kuzbass_game.paths import default_story_dir", "the engine imports kuzbass_game.paths"),
        ("engine/files/atomic.py", "import textual", "the engine imports textual"),
        ("engine/play/stepper.py", "import yaml", "engine.play imports PyYAML"),
        ("ui/app.py", "from kuzbass_game.engine.play.game import Game", "a module inside the engine"),
        ("plain.py", "from kuzbass_game.engine.play import _private", "not in its __all__"),
        ("commands/check.py", "def late():\n    from kuzbass_game.engine.play import Game", "without a comment"),
        ("engine/storage/profile.py", "def late():\n    import json", "a function-local import of json without a comment"),
    ],
)
def test_a_planted_violation_is_caught(tree, relative, code, expected):
    assert violations(tree) == []
    _plant(tree, relative, code)
    found = violations(tree)
    assert any(expected in problem for problem in found), found


def test_a_shadowing_export_is_caught(tree):
    init = tree / "kuzbass_game" / "engine" / "tools" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace("__all__ = [", '__all__ = ["graph", ', 1), encoding="utf-8")
    assert shadowed_exports(tree) == ["engine.tools exports 'graph', which is also a module's name"]


def test_the_engine_really_imports_neither_textual_nor_rich():
    """The static rules above, confirmed once at run time: every engine module imported in a fresh process."""
    import subprocess

    code = (
        "import importlib, pkgutil, sys; import kuzbass_game.engine as e; "
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(e.__path__, 'kuzbass_game.engine.')]; "
        "bad=[m for m in sys.modules if m.split('.')[0] in ('textual','rich')]; assert not bad, bad"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_building_the_command_line_loads_no_verb_s_machinery():
    """Every verb's module is imported to build the parser: each keeps what running needs inside `run`
    (or behind a package's lazy names), so `kuzbass --help` and a launch pay only for argparse."""
    import subprocess

    code = (
        "import sys; from kuzbass_game.cli import build_parser; build_parser(); "
        "heavy=[m for m in sys.modules if m.split('.')[0] in ('textual','rich','yaml','aiohttp','textual_serve')]; "
        "engine=[m for m in sys.modules if m.startswith('kuzbass_game.engine.') and m.split('.')[2] != 'core' and m.count('.') > 2]; "
        "assert not heavy and not engine, (heavy, engine)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
