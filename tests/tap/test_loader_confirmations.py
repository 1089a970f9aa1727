"""Flow control with the loader: a repository's next page waits until its last one is saved.

The tap side (tap_github_prs/loader_confirmations.py, fetcher.py) is tested in process; the
protocol with the real loader module (plugins/target-postgres-drain, ready.py) runs that module
in the loader's own virtualenv, as `meltano run` does.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from singer_sdk.singerlib import RecordMessage, StateMessage

from tap_github_prs.fetcher import ParallelFetcher
from tap_github_prs.loader_confirmations import LoaderConfirmations, StateCountingWriter
from tap_github_prs.loader_ready import marker_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOADER_PYTHON = PROJECT_ROOT / ".meltano/loaders/target-postgres/venv/bin/python"
LOGGER = logging.getLogger("test-loader-confirmations")

# A stand-in loader process: the real ready.py, fed one line per STATE message it "saves".
LOADER_SCRIPT = """
import sys
from target_postgres_drain.ready import signal_ready
confirmations = signal_ready()
print("ready", flush=True)
for line in sys.stdin:
    confirmations.state_received()
    confirmations.saved()
    print("saved", flush=True)
"""


def test_the_writer_counts_state_messages_only(capsys):
    writer = StateCountingWriter()
    writer.write_message(RecordMessage(stream="pull_requests", record={"id": 1}))
    writer.write_message(StateMessage(value={"bookmarks": {}}))
    writer.write_message(StateMessage(value={"bookmarks": {"a": 1}}))
    assert writer.states_written == 2
    assert capsys.readouterr().out.count('"type":"STATE"') == 2


def test_a_worker_fetches_the_next_page_only_after_the_last_one_is_saved():
    """The order is deterministic: the worker waits before asking its walk for the next page."""
    log: list[str] = []

    def walk(repository: str):
        for number in (1, 2, 3):
            log.append(f"fetch {repository} {number}")
            yield number

    def wait_saved(state_number: int, stop: threading.Event) -> None:
        log.append(f"saved {state_number}")

    fetcher = ParallelFetcher(["acme/one"], walk, 1, LOGGER, wait_saved=wait_saved)
    states = 0
    for event in fetcher.events():
        if event.page is not None:
            states += 1
            event.acknowledge(saved_as=states)
    assert log == [
        "fetch acme/one 1",
        "saved 1",
        "fetch acme/one 2",
        "saved 2",
        "fetch acme/one 3",
        "saved 3",
    ]


def test_without_confirmations_the_worker_does_not_wait():
    calls: list[int] = []
    fetcher = ParallelFetcher(
        ["acme/one"], lambda _: iter((1, 2)), 1, LOGGER, wait_saved=lambda n, _: calls.append(n)
    )
    pages = 0
    for event in fetcher.events():
        if event.page is not None:
            pages += 1
            event.acknowledge()  # no loader confirms: no number to wait for
    assert (pages, calls) == (2, [])


def test_no_confirmations_without_a_confirming_loader(tmp_path):
    marker = tmp_path / "4242"
    marker.write_text(str(os.getpid()))
    # The marker alone: a loader that does not confirm pages is not waited for.
    assert LoaderConfirmations.find(marker, StateCountingWriter(), LOGGER) is None
    (tmp_path / "4242.confirmed").write_text("0")
    # A writer that does not count STATE messages cannot be matched with the loader's count.
    assert LoaderConfirmations.find(marker, object(), LOGGER) is None
    assert LoaderConfirmations.find(marker, StateCountingWriter(), LOGGER) is not None


@pytest.mark.skipif(not LOADER_PYTHON.exists(), reason="the loader is not installed")
def test_the_loader_confirms_each_saved_state_and_cleans_up(capsys):
    loader = subprocess.Popen(
        [str(LOADER_PYTHON), "-c", LOADER_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    marker = marker_path(os.getpid())  # the loader's parent is this test, as `meltano` for it
    try:
        assert loader.stdout.readline() == "ready\n"
        writer = StateCountingWriter()
        confirmations = LoaderConfirmations.find(marker, writer, LOGGER)
        assert confirmations is not None
        assert confirmations.loader_pid == loader.pid
        assert stat.S_IMODE(confirmations.path.stat().st_mode) == 0o600
        assert confirmations.saved() == 0

        for number in (1, 2):
            writer.write_message(StateMessage(value={"page": number}))
            assert confirmations.states_written() == number
            loader.stdin.write("STATE\n")
            loader.stdin.flush()
            assert loader.stdout.readline() == "saved\n"
            confirmations.wait_until_saved(number, threading.Event())  # returns: it is saved
            assert confirmations.saved() == number
    finally:
        loader.stdin.close()
        loader.wait(timeout=30)
    capsys.readouterr()
    # The loader removed its files at exit; a wait on a gone loader returns rather than hang.
    assert not marker.exists()
    assert not confirmations.path.exists()
    confirmations.wait_until_saved(3, threading.Event())


def test_a_stop_ends_the_wait(tmp_path):
    marker = tmp_path / "1"
    marker.write_text(str(os.getpid()))  # a live "loader": this process
    (tmp_path / "1.confirmed").write_text("0")
    confirmations = LoaderConfirmations.find(marker, StateCountingWriter(), LOGGER)
    stop = threading.Event()
    stop.set()
    confirmations.wait_until_saved(1, stop)
    assert confirmations.saved() == 0
