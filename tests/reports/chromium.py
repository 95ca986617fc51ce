"""Load a page in real headless Chromium (Debian's) and return the DOM after its scripts
ran, optionally with a screenshot. The browser runs in its own session with a fresh
profile directory; both are removed by pid / by path when it is done."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium")


@dataclass(frozen=True)
class Rendered:
    dom: str
    stderr: str
    seconds: float  # wall time of the whole browser run

    @property
    def console_errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "Uncaught" in line]


def render(
    url: str, screenshot: Path | None = None, size: tuple[int, int] = (1400, 2400),
    timeout: float = 60.0,
) -> Rendered:  # fmt: skip
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed: run make setup")
    profile = tempfile.mkdtemp(prefix="sb-chromium-")
    argv = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", f"--window-size={size[0]},{size[1]}",
        "--virtual-time-budget=10000",
    ]  # fmt: skip
    if screenshot is not None:
        argv.append(f"--screenshot={screenshot}")
    argv += ["--dump-dom", url]
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        # the browser's helpers share its session (process group id == its pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited {proc.returncode}: {err.decode()[-2000:]}")
    return Rendered(out.decode(), err.decode(errors="replace"), time.monotonic() - started)
