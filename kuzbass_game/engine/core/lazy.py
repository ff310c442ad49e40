"""Exports imported on first use (PEP 562), so importing a package does not import all its modules.

A launch from the cache must not pay for the YAML compiler, the explorer or the save store's
replays until something asks for them; each package's `__init__` names where each of its
public names lives, and `exports` turns that table into the package's `__getattr__` and `__dir__`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def exports(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose public name N lives in module `homes[N]`."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
