"""One sweep per folder: a lock file that names its holder and is taken over when the holder is
gone.

A sweep holds `<sweep dir>/.sweep/lock` from its start to its end. The file records the
holder's host, pid, the start time of that process (a pid reused by another process is not the
holder) and the time and command of the sweep. A second sweep on the same folder, e.g. the same
command started again in another terminal, is refused with the holder's details before it
touches anything: it would otherwise delete the first sweep's running jobs as leftovers of a
killed sweep and each would report the other's jobs as lost.

A lock whose holder is gone is stale and is taken over: on the holder's host, when its pid no
longer runs (or runs another process); from another host (a cluster's shared folder), when the
holder has not refreshed the lock's time for `STALE_AFTER` seconds (it does every `HEARTBEAT`
seconds from a background thread). The lock appears complete or not at all (written to a
temporary file, then hard-linked into place, which fails if a lock exists), and taking over a
stale lock is guarded by a second exclusive file so that two sweeps arriving at once cannot
both take it.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

from sim.config import ConfigError

LOCK = "lock"
HEARTBEAT = 30.0        # seconds between refreshes of the lock's time by its holder
STALE_AFTER = 600.0     # a lock from another host not refreshed for this long is stale
GUARD_STALE_AFTER = 60.0


class SweepBusy(ConfigError):
    """The sweep folder is held by another live sweep (refused like bad input: exit code 2)."""


def process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None   # field 22 of proc(5); fields start at 3


def alive(holder: dict) -> bool | None:
    """Whether the holder still runs: True or False on its own host, None from another host."""
    if holder.get("host") != socket.gethostname():
        return None
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass   # another user's process: it runs
    start = process_start(pid)
    return not (start is not None and holder.get("process_start") not in (None, start))


def describe(holder: dict) -> str:
    return (f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}: "
            f"{holder.get('command', '')}")


class SweepLock:
    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self.me = {"host": socket.gethostname(), "pid": os.getpid(),
                   "process_start": process_start(os.getpid()),
                   "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                   "command": " ".join([os.path.basename(sys.argv[0]), *sys.argv[1:]])}
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # ---------------------------------------------------------------------------- reading
    def read(self) -> dict | None:
        try:
            holder = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}   # unreadable: judged by its age alone
        return holder if isinstance(holder, dict) else {}

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return 0.0

    def stale(self, holder: dict) -> bool:
        live = alive(holder) if holder else None
        if live is not None:
            return not live
        return self._age() > STALE_AFTER

    # ---------------------------------------------------------------------------- writing
    def _create(self) -> bool:
        """Put our lock in place if there is none: True if it is ours now."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{LOCK}.{self.me['host']}-{self.me['pid']}")
        tmp.write_text(json.dumps(self.me) + "\n")
        try:
            os.link(tmp, self.path)
            return True
        except FileExistsError:
            return False
        except OSError:   # a file system without hard links: exclusive creation instead
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps(self.me) + "\n")
            return True
        finally:
            tmp.unlink(missing_ok=True)

    def _take_over(self, holder: dict) -> None:
        """Remove a stale lock, unless another sweep is doing the same right now."""
        guard = self.path.with_name(f"{LOCK}.takeover")
        try:
            fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                if time.time() - guard.stat().st_mtime > GUARD_STALE_AFTER:
                    guard.unlink(missing_ok=True)   # left by a sweep killed while taking over
            except OSError:
                pass
            return
        os.close(fd)
        try:
            if self.read() == holder:
                self.path.unlink(missing_ok=True)
        finally:
            guard.unlink(missing_ok=True)

    def acquire(self, attempts: int = 20) -> dict | None:
        """Hold the lock; returns the stale holder taken over, if any. Raises `SweepBusy`
        naming the holder if another live sweep has it."""
        taken = None
        for _ in range(attempts):
            if self._create():
                self._start_heartbeat()
                return taken
            holder = self.read()
            if holder is None:
                continue   # released in between
            if not self.stale(holder):
                raise SweepBusy(
                    f"{self.path.parent.parent} is in use by another sweep ({describe(holder)}). Two "
                    "sweeps on one folder would remove each other's running jobs: wait for it to end "
                    "(then rerun this command: finished jobs are skipped) or stop it first")
            taken = holder
            self._take_over(holder)
            time.sleep(0.05)
        raise SweepBusy(f"{self.path}: could not take the sweep folder's lock; try again")

    def _start_heartbeat(self) -> None:
        def beat() -> None:
            while not self._stop.wait(HEARTBEAT):
                if self.read() == self.me:
                    try:
                        os.utime(self.path)
                    except OSError:
                        pass
        self._beat = threading.Thread(target=beat, name="sweep-lock", daemon=True)
        self._beat.start()

    def release(self) -> None:
        self._stop.set()
        if self.read() == self.me:
            self.path.unlink(missing_ok=True)
