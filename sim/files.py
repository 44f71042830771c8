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


def write_text_atomic(path: Path | str, text: str, *, make_parents: bool = False) -> Path:
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: Path | str, obj: Any, *, make_parents: bool = False) -> Path:
    return write_text_atomic(path, json.dumps(obj, indent=2, default=str) + "\n",
                             make_parents=make_parents)
