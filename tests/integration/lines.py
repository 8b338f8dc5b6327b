"""A CLI command run as a child process whose output lines the test waits on, one by one."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tests.integration.server import POLICYMAKER

# Long enough for a whole bot game on a slow machine; a hung command fails, never hangs.
WAIT = 120.0


class Running:
    """`policymaker ARGS` with stdout and stderr read as they come, line by line."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(
            [str(POLICYMAKER), *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self._closed = 0  # streams read to their end
        assert self.proc.stdout is not None and self.proc.stderr is not None
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))
        self.lines.put((name, None))

    def until(self, wanted: Callable[[str, str], bool]) -> str:
        """Lines until one that `wanted(stream, line)` accepts; it is returned."""
        while self._closed < 2:
            try:
                name, line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                self.stop()
                raise AssertionError(f"no such line in {WAIT} s: {self.out} {self.err}") from None
            if line is None:
                self._closed += 1
                continue
            (self.out if name == "out" else self.err).append(line)
            if wanted(name, line):
                return line
        raise AssertionError(f"the command ended without that line: {self.out} {self.err}")

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it to the command; its exit code."""
        self.proc.send_signal(signal.SIGINT)
        return self.wait()

    def wait(self) -> int:
        code = self.proc.wait(timeout=WAIT)
        # The rest of what it wrote, once both streams are closed.
        while self._closed < 2:
            name, line = self.lines.get(timeout=WAIT)
            if line is None:
                self._closed += 1
            else:
                (self.out if name == "out" else self.err).append(line)
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)
