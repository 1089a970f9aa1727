"""A reader's terminal for the README walkthrough: one bash per command, the environment carried on.

Each command runs in `bash -c` with the environment the previous command left (so `export` and
`eval "$(...)"` lines work as in a terminal), its output in a log file of its own, and a line of
progress with the seconds since the walkthrough started.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Variables bash sets for itself; carrying them from one command to the next would be wrong.
BASH_OWN = frozenset({"_", "PWD", "OLDPWD", "SHLVL", "__walkthrough_rc"})
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str
    seconds: float
    log: Path


class Progress:
    """Progress lines with the seconds since the start."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def say(self, message: str) -> None:
        print(f"[{self.elapsed():6.1f}s] {message}", flush=True)


class Shell:
    def __init__(self, cwd: Path, env: dict[str, str], log_dir: Path, progress: Progress):
        self.cwd = cwd
        self.env = dict(env)
        self.log_dir = log_dir
        self.progress = progress
        self._count = 0

    def _log_path(self, label: str) -> Path:
        self._count += 1
        slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")[:60]
        return self.log_dir / f"{self._count:03d}-{slug}.log"

    def run(
        self,
        command: str,
        *,
        label: str,
        stdin: str | None = None,
        timeout: float = 1800,
        shown: str | None = None,
    ) -> Result:
        """Run one command as typed; the environment it leaves is the next command's. `shown`
        is what the log says was typed (the README's text), when not the command itself."""
        log = self._log_path(label)
        env_file = log.with_suffix(".env")
        script = (
            "set -o pipefail\n"
            f"{command}\n"
            "__walkthrough_rc=$?\n"
            f"env -0 > {shlex.quote(str(env_file))}\n"
            "exit $__walkthrough_rc\n"
        )
        started = time.monotonic()
        with log.open("w") as out:
            out.write(f"$ {shown or command}\n")
            out.flush()
            # Its own process group, so a timeout or an interrupt also ends what it started
            # (a demo's stand-in, Meltano's plugins).
            process = subprocess.Popen(
                ["bash", "-c", script],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            try:
                process.communicate(stdin or "", timeout=timeout)
                returncode = process.returncode
            except subprocess.TimeoutExpired:
                stop_group(process)
                returncode = -1
                out.write(f"\n[walkthrough] timed out after {timeout:.0f} s\n")
            except BaseException:
                stop_group(process)
                raise
        seconds = time.monotonic() - started
        if env_file.exists():
            self.env = _read_env(env_file)
            env_file.unlink()
        output = ANSI.sub("", log.read_text(errors="replace"))
        return Result(returncode, output, seconds, log)

    def start_server(
        self, command: str, *, label: str, port: int, shown: str | None = None
    ) -> Server:
        log = self._log_path(label)
        out = log.open("w")
        out.write(f"$ {shown or command}\n")
        out.flush()
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(process, log, port)
        server.wait_until_listening()
        return server


class Server:
    def __init__(self, process: subprocess.Popen, log: Path, port: int) -> None:
        self.process = process
        self.log = log
        self.port = port

    def wait_until_listening(self, deadline_seconds: float = 90) -> None:
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WalkthroughError(f"the server exited {self.process.returncode}", self.log)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)  # polling a starting server
        raise WalkthroughError(f"nothing listened on port {self.port}", self.log)

    def stop(self) -> int:
        """SIGTERM to its process group; the exit status (a clean stop is 0 or -15)."""
        return stop_group(self.process)


def stop_group(process: subprocess.Popen) -> int:
    """SIGTERM to the process group a command leads, SIGKILL if it lingers; its exit status."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            process.wait()
    return process.returncode


class WalkthroughError(Exception):
    """A step went wrong; `log` is the file with its whole output."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


def _read_env(path: Path) -> dict[str, str]:
    env = {}
    for entry in path.read_bytes().split(b"\0"):
        if b"=" not in entry:
            continue
        name, _, value = entry.decode(errors="surrogateescape").partition("=")
        if name not in BASH_OWN and not name.startswith("BASH_FUNC_"):
            env[name] = value
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    text = ANSI.sub("", path.read_text(errors="replace")) if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def fail(message: str, log: Path | None = None) -> None:
    print(f"\nFAILED: {message}", file=sys.stderr, flush=True)
    if log is not None:
        print(f"--- last lines of {log} ---\n{tail(log)}\n---", file=sys.stderr, flush=True)
