"""Run the tap in-process or as a real subprocess and collect its Singer messages."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tap_github_prs.tap import TapGitHubPRs

STREAMS = ("pull_requests", "reviews", "commits", "files", "check_runs")


@dataclass
class TapRun:
    messages: list[dict]
    stderr: str = ""
    returncode: int = 0
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    states: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        for message in self.messages:
            if message["type"] == "RECORD":
                self.records[message["stream"]].append(message["record"])
            elif message["type"] == "STATE":
                self.states.append(message["value"])

    @property
    def final_state(self) -> dict:
        return self.states[-1] if self.states else {}

    def counts(self) -> dict[str, int]:
        return {stream: len(self.records.get(stream, [])) for stream in STREAMS}


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip().startswith("{")]


def run_in_process(config: dict, state: dict | None = None, clock=None) -> TapRun:
    """Sync with the tap in this process; `clock` replaces the real one (no real sleeping)."""
    tap = TapGitHubPRs(config=config, state=state or {}, parse_env_config=False)
    if clock is not None:
        tap.clock = clock
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    return TapRun(parse_messages(buffer.getvalue()))


def tap_command(config_path: Path, state_path: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "tap_github_prs", "--config", str(config_path)]
    if state_path is not None:
        command += ["--state", str(state_path)]
    return command


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_GITHUB_PRS_")}
    env.pop("GITHUB_TOKEN", None)
    env.update(extra)
    return env


def run_subprocess(
    config: dict, tmp_path: Path, state: dict | None = None, timeout: float = 120
) -> TapRun:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    state_path = None
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
    completed = subprocess.run(
        tap_command(config_path, state_path),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(),
        check=False,
    )
    run = TapRun(parse_messages(completed.stdout), completed.stderr, completed.returncode)
    run.stdout = completed.stdout  # type: ignore[attr-defined]
    return run
