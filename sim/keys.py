"""Dotted keys ("leaving.burnout_weight") into a config held as plain nested dicts."""
from __future__ import annotations

import json
from typing import Any


def get_key(tree: dict, key: str) -> Any:
    """The value at `key`; KeyError if any part of it is missing."""
    node = tree
    for p in key.split("."):
        if not isinstance(node, dict) or p not in node:
            raise KeyError(key)
        node = node[p]
    return node


def set_key(tree: dict, key: str, value: Any) -> None:
    node = tree
    parts = key.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def with_values(base: dict, values: dict[str, float]) -> dict:
    """A copy of the config (a plain dict) with these dotted keys set to floats."""
    cfg = json.loads(json.dumps(base, default=str))
    for key, v in values.items():
        set_key(cfg, key, float(v))
    return cfg
