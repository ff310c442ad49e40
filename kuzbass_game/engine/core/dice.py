"""A tiny seeded random generator whose whole state is one integer.

Python's `random` state is a 625-number tuple that may change between versions; a save
needs something small and stable, so the game carries SplitMix64 state in `GameState`.
"""

from __future__ import annotations

MASK = (1 << 64) - 1


def step(state: int) -> tuple[int, int]:
    """Advance the generator: returns (new state, a 64-bit output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def weighted_index(state: int, weights: list[int]) -> tuple[int, int]:
    """Pick an index with probability proportional to its weight: returns (new state, index)."""
    total = sum(weights)
    state, out = step(state)
    roll = (out * total) >> 64  # uniform in [0, total) without modulo bias worth noticing
    for index, weight in enumerate(weights):
        if roll < weight:
            return state, index
        roll -= weight
    return state, len(weights) - 1  # pragma: no cover - unreachable while weights are positive


def seed_state(seed: int) -> int:
    return seed & MASK
