"""An installed copy (not a checkout) must carry the campaign and the styles, and find them."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kuzbass_game import paths

REPO = Path(__file__).resolve().parents[1]


def test_outside_a_checkout_the_bundled_story_and_user_saves_are_used(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.STORY_ENV, raising=False)
    monkeypatch.delenv(paths.SAVES_ENV, raising=False)
    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.default_story_dir() == paths.BUNDLED_STORY
    if sys.platform.startswith("linux"):
        assert paths.default_saves_dir() == tmp_path / "data" / "kuzbass" / "saves"


def test_in_a_checkout_story_and_saves_are_the_checkouts(monkeypatch):
    monkeypatch.delenv(paths.STORY_ENV, raising=False)
    monkeypatch.delenv(paths.SAVES_ENV, raising=False)
    assert paths.in_checkout()
    assert paths.default_story_dir() == REPO / "story"
    assert paths.default_saves_dir() == REPO / "saves"


def test_environment_variables_override_both(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.STORY_ENV, str(tmp_path / "s"))
    monkeypatch.setenv(paths.SAVES_ENV, str(tmp_path / "v"))
    assert paths.default_story_dir() == tmp_path / "s"
    assert paths.default_saves_dir() == tmp_path / "v"


@pytest.mark.slow
def test_the_wheel_carries_the_story_and_the_styles(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("kuzbass-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    story_files = {p.relative_to(REPO / "story").as_posix() for p in (REPO / "story").rglob("*.yaml")}
    assert {f"kuzbass_game/_bundled_story/{name}" for name in story_files} <= names
    assert "kuzbass_game/ui/app.tcss" in names
    assert "kuzbass_game/commands/web/app_index.html" in names  # the page `kuzbass serve` gives a browser
    assert "kuzbass_game/engine/load/loader.py" in names
    assert not [n for n in names if n.startswith(("tests/", "saves/", "benchmarks/"))]


def test_the_readmes_web_install_names_an_extra_the_package_declares():
    """The README's `.venv/bin/pip install -e '.[web]'` (not run by tests/test_readme.py): the `web`
    extra exists and brings textual-serve; nothing tells a newcomer to fetch 'kuzbass[web]' from
    PyPI, where Kuzbass is not (issue 22)."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("textual-serve") for requirement in extras["web"])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[web]'" in readme
    assert "pip install 'kuzbass[web]'" not in readme


def test_serve_without_the_web_extra_gives_the_checkout_form_first(monkeypatch, capsys, tmp_path):
    from kuzbass_game.cli import main
    from kuzbass_game.commands import serve

    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if the extra were not installed
    assert serve.run_serve([REPO / "docs" / "examples" / "ferry"], tmp_path, host="127.0.0.1", port=8000) == 2
    said = capsys.readouterr().err
    assert said.startswith("kuzbass serve needs the web extra. In a checkout: .venv/bin/pip install -e '.[web]'.")
    assert "pip install 'kuzbass[web]'" not in said and "not on PyPI" in said
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "pip install 'kuzbass[web]'" not in capsys.readouterr().out
