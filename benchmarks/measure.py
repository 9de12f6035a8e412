"""Run one whole command as a subprocess and measure its wall time, CPU time and peak memory.

Wall time is ``time.perf_counter`` around the child; CPU time (user and system, of the child and
every process under it) is what this process's waited-for children gained meanwhile
(``getrusage(RUSAGE_CHILDREN)``). Peak RSS comes from GNU time
(``/usr/bin/time -f %M``, written to a side file so it never mixes with the command's
output); when GNU time is missing, psutil polls the child tree instead, and when both are
missing the peak is left as ``None``.
"""

from __future__ import annotations

import mmap
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

GNU_TIME = "/usr/bin/time"
TIMED_OUT = -999  # returncode recorded when a command was killed at its time limit


@dataclass(frozen=True)
class Measurement:
    """One timed run of one command."""

    command: list[str]             # the argv that was measured
    wall_s: float                  # wall-clock seconds (perf_counter)
    peak_rss_mb: float | None      # peak resident set of the largest process in the tree, MiB
    returncode: int                # exit status of the command
    log: str                       # file holding the command's stdout and stderr
    rss_method: str                # "gnu-time", "psutil" or "none"
    user_s: float = 0.0            # CPU seconds in user mode, the whole process tree
    sys_s: float = 0.0             # CPU seconds in the kernel (file creation is most of it)

    def as_dict(self) -> dict:
        """Return the measurement as plain JSON-ready values."""
        return asdict(self)


def rss_method() -> str:
    """Return which peak-RSS method this machine supports, preferring GNU time."""
    if Path(GNU_TIME).exists() and os.access(GNU_TIME, os.X_OK):
        return "gnu-time"
    try:
        import psutil  # noqa: F401
    except ImportError:
        return "none"
    return "psutil"


def kb_command() -> list[str]:
    """Return the argv that starts kb: its console script beside this Python, else ``-c``."""
    script = Path(sys.executable).parent / "kb"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]


def command_environment() -> dict[str, str]:
    """The environment of measured commands: ours, with Python's bytecode cache allowed.

    A shell with PYTHONDONTWRITEBYTECODE=1 (this machine's has it) makes every start of an
    editable install compile all of its modules again, which an installed tool never does.
    """
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_measured(command: list[str], log: Path, cwd: Path | None = None,
                 timeout: float | None = None) -> Measurement:
    """Run ``command`` with its output in ``log`` and return its wall time, peak RSS and status."""
    log.parent.mkdir(parents=True, exist_ok=True)
    method, before = rss_method(), resource.getrusage(resource.RUSAGE_CHILDREN)
    if method == "gnu-time":
        measured = _run_gnu_time(command, log, cwd, timeout)
    else:
        measured = _run_polled(command, log, cwd, timeout, method)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return replace(measured, user_s=after.ru_utime - before.ru_utime, sys_s=after.ru_stime - before.ru_stime)


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with every run's wall time and the highest peak RSS of them all."""
    middle = sorted(runs, key=lambda run: run["wall_s"])[len(runs) // 2]
    peaks = [run["peak_rss_mb"] for run in runs if run["peak_rss_mb"] is not None]
    return {**middle, "wall_s_runs": [run["wall_s"] for run in runs], "peak_rss_mb": max(peaks, default=None),
            "ok": all(run["ok"] for run in runs)}


def run_name(name: str, number: int) -> str:
    """The log name of a command's run `number` (from 0): ``name``, then ``name_1``, ``name_2``, ..."""
    return f"{name}_{number}" if number else name


def timed_runs(count: int, name: str, run: Callable[[str], dict]) -> dict:
    """``run(log name)`` ``count`` times (logs named by run_name) and the median run (median_run)."""
    return median_run([run(run_name(name, n)) for n in range(count)])


def filesystem_of(folder: Path, mounts: Path = Path("/proc/self/mounts")) -> str:
    """The type of the file system holding ``folder`` (``ext4``, ``tmpfs``), or ``"unknown"``."""
    try:
        table = [line.split()[1:3] for line in mounts.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return "unknown"
    target, best = str(folder.resolve()), ("", "unknown")
    for point, kind in table:
        point = point.replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best[0]):
            best = (point, kind)
    return best[1]


def new_file_us(folder: Path, count: int = 2000) -> float:
    """Microseconds to create one empty file in a new folder under ``folder`` (then removed).

    Every page a site generator writes is a new file, so this machine's price for one is a
    share of every build here, kb's and the peers' alike.
    """
    scratch = Path(tempfile.mkdtemp(prefix="new-files-", dir=folder))
    try:
        start = time.perf_counter()
        for number in range(count):
            (scratch / f"{number}.html").touch()
        return (time.perf_counter() - start) / count * 1e6
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fresh_memory_ms_per_gib(mib: int = 256) -> float:
    """Milliseconds to write to one GiB of memory the process never had: a page fault per page.

    Every process pays this for the memory it grows to. On a virtual machine that hands freed
    memory back to its host (virtio-balloon free page reporting) the host must provide each page
    again, and the price varies with what ran before.
    """
    size = mib << 20
    with mmap.mmap(-1, size) as block:
        start = time.perf_counter()
        for offset in range(0, size, mmap.PAGESIZE):
            block[offset] = 1
        return (time.perf_counter() - start) * 1000 * 1024 / mib


def python_start_ms(runs: int = 5) -> float:
    """Median milliseconds of ``python -c pass`` as the commands run it: part of every kb command and of MkDocs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=command_environment())
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def _run_gnu_time(command: list[str], log: Path, cwd: Path | None, timeout: float | None) -> Measurement:
    """Run under ``/usr/bin/time -f %M -o FILE`` and read the peak in KiB from FILE."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as side:
        side_path = Path(side.name)
    try:
        wrapped = [GNU_TIME, "-f", "%M", "-o", str(side_path), *command]
        with log.open("wb") as out:
            start = time.perf_counter()
            child = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                     start_new_session=True, env=command_environment())
            returncode = _wait(child, timeout)
            wall = time.perf_counter() - start
        peak = _last_int(side_path.read_text(errors="replace"))
    finally:
        side_path.unlink(missing_ok=True)
    return Measurement(command, wall, None if peak is None else peak / 1024, returncode,
                       str(log), "gnu-time")


def _wait(child: subprocess.Popen, timeout: float | None) -> int:
    """Wait for ``child``; past ``timeout`` kill its whole process group and return ``TIMED_OUT``.

    The wait itself blocks until the child ends and a timer thread does the killing:
    ``Popen.wait(timeout=...)`` polls with sleeps of up to 50 ms, which rounded every wall time
    up to the next poll (0.215, 0.265, 0.365, 0.415 s were all that sub-second runs measured).
    """
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill) if timeout is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        returncode = child.wait()
    finally:
        if timer is not None:
            timer.cancel()
    return TIMED_OUT if killed.is_set() and returncode < 0 else returncode  # (killed just after it ended: its own status)


def _last_int(text: str) -> int | None:
    """Return the last line of ``text`` that is an integer (GNU time may print a status line first)."""
    for line in reversed(text.strip().splitlines()):
        if line.strip().isdigit():
            return int(line.strip())
    return None


def _run_polled(command: list[str], log: Path, cwd: Path | None, timeout: float | None,
                method: str) -> Measurement:
    """Run ``command`` while a thread samples the RSS of its whole process tree every 20 ms."""
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                 start_new_session=True, env=command_environment())
        peak = [0]
        poller = threading.Thread(target=_poll_tree, args=(child.pid, peak), daemon=True)
        if method == "psutil":
            poller.start()
        returncode = _wait(child, timeout)
        wall = time.perf_counter() - start
    if method == "psutil":
        poller.join(timeout=1)
    peak_mb = peak[0] / 2**20 if method == "psutil" else None
    return Measurement(command, wall, peak_mb, returncode, str(log), method)


def _poll_tree(pid: int, peak: list[int]) -> None:
    """Record in ``peak[0]`` the largest single-process RSS seen in the tree under ``pid``."""
    import psutil

    try:
        root = psutil.Process(pid)
        while root.is_running() and root.status() != psutil.STATUS_ZOMBIE:
            for proc in [root, *root.children(recursive=True)]:
                try:
                    peak[0] = max(peak[0], proc.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.02)
    except psutil.Error:
        return


def tool_version(command: list[str]) -> str:
    """Return the first output line of a ``--version``-style command, or ``"missing"``."""
    if not shutil.which(command[0]) and not Path(command[0]).exists():
        return "missing"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else "missing"
