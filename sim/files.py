"""Writing files so that a reader never sees half of one.

Every file the simulator writes goes through `write_atomic`: the content goes to a hidden
temporary file beside the target (`.<name>.tmp-<pid>`), which is then renamed over it. A run
that fails or is killed leaves either the old file or the new one, never a torn mix; sweeps
clean up the temporaries of killed jobs by that name pattern (`TMP_MARK`).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP_MARK = ".tmp-"  # temporary files are named .<name>.tmp-<pid>


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")


def write_atomic(path: Path | str, write: Callable[[Path], Any]) -> Path:
    """Call `write(tmp)` to write a temporary file, then move it over `path` in one step."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def folder_problem(path: Path | str) -> str | None:
    """Why `path` cannot be an output folder, or None if it can: it is a file, it is under a
    file, or the nearest folder of it that exists cannot be written to."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{path} is under {parent}, which is a file"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{path} cannot be written: no permission to write in {parent}"
    return None


def write_text_atomic(path: Path | str, text: str, *, make_parents: bool = False) -> Path:
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: Path | str, obj: Any, *, make_parents: bool = False) -> Path:
    return write_text_atomic(path, json.dumps(obj, indent=2, default=str) + "\n",
                             make_parents=make_parents)
