"""Where the story and the saves live, for a checkout and for an installed copy alike."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent
BUNDLED_STORY = PACKAGE_DIR / "_bundled_story"  # the wheel carries story/ here
STORY_ENV = "KUZBASS_STORY"
SAVES_ENV = "KUZBASS_SAVES"


def in_checkout() -> bool:
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "story" / "manifest.yaml").is_file()


def default_story_dir() -> Path:
    """`$KUZBASS_STORY`, else the checkout's `story/`, else the copy bundled into the package."""
    if os.environ.get(STORY_ENV):
        return Path(os.environ[STORY_ENV])
    if in_checkout():
        return CHECKOUT_DIR / "story"
    return BUNDLED_STORY


def default_saves_dir() -> Path:
    """`$KUZBASS_SAVES`, else the checkout's `saves/`, else the user's data folder."""
    if os.environ.get(SAVES_ENV):
        return Path(os.environ[SAVES_ENV])
    if in_checkout():
        return CHECKOUT_DIR / "saves"
    return user_data_dir() / "saves"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kuzbass"
