"""A failed benchmark step names a log that still exists after the run (issue 13): the scratch
folder the step wrote in is deleted when the benchmark exits."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from benchmarks import run as bench


def test_a_failed_tap_run_points_at_a_log_that_outlives_the_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "FAILURE_LOGS", tmp_path / "logs")
    config = {
        "auth_token": "not-a-real-token",
        "api_url": "http://127.0.0.1:9/graphql",
        "repositories": ["not-a-repository"],  # refused before any request
    }
    with tempfile.TemporaryDirectory() as scratch:
        tap = bench.TapProcess(config, None, Path(scratch))
        with pytest.raises(SystemExit) as failure:
            tap.run()
    assert not Path(scratch).exists()
    message = str(failure.value)
    kept = Path(re.search(r"see (\S+);", message).group(1))
    assert kept.parent == tmp_path / "logs"
    assert "Config validation failed" in kept.read_text()
    assert "Config validation failed" in message  # the log's last lines come with the hint
