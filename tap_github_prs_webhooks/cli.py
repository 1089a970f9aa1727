"""`tap-github-prs-webhooks serve | sync | status`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from tap_github_prs_webhooks.debounce import Debouncer
from tap_github_prs_webhooks.queue import DEFAULT_SCHEMA, SyncAlreadyRunning, WebhookQueue
from tap_github_prs_webhooks.receiver import WebhookReceiver
from tap_github_prs_webhooks.settings import (
    DEFAULT_SYNC_COMMAND,
    SettingsError,
    WebhookSecret,
    connection_arguments,
    describe,
    env_float,
)
from tap_github_prs_webhooks.sync import run_sync

LOGGER = logging.getLogger("tap_github_prs_webhooks")


def parser() -> argparse.ArgumentParser:
    env = os.environ
    root = argparse.ArgumentParser(
        prog="tap-github-prs-webhooks",
        description="Receive GitHub webhooks into a queue of changed repositories, and sync "
        "only those. The webhook secret comes from TAP_GITHUB_PRS_WEBHOOK_SECRET, the queue's "
        "warehouse from PG*.",
    )
    root.add_argument(
        "--schema",
        default=env.get("TAP_GITHUB_PRS_WEBHOOK_SCHEMA", DEFAULT_SCHEMA),
        help="schema of the queue tables (default %(default)s)",
    )
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the webhook receiver")
    serve.add_argument("--host", default=env.get("TAP_GITHUB_PRS_WEBHOOK_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(env.get("TAP_GITHUB_PRS_WEBHOOK_PORT", "8780"))
    )
    serve.add_argument(
        "--sync-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="start a sync this many seconds after the last queued delivery "
        "(TAP_GITHUB_PRS_WEBHOOK_SYNC_AFTER; default: never, run `sync` on a schedule)",
    )
    _sync_options(serve)

    sync = commands.add_parser("sync", help="run the pipeline for the queued repositories")
    _sync_options(sync)
    sync.add_argument(
        "--limit", type=int, default=None, help="at most N repositories, most recent first"
    )

    commands.add_parser("status", help="list the queued repositories")
    return root


def _sync_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--sync-command",
        default=os.environ.get("TAP_GITHUB_PRS_WEBHOOK_SYNC_COMMAND", DEFAULT_SYNC_COMMAND),
        help="pipeline to run for the queued repositories (default: %(default)s)",
    )
    command.add_argument(
        "--project-dir",
        default=os.environ.get("MELTANO_PROJECT_ROOT", "."),
        help="Meltano project the command runs in (default: the current directory)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    options = parser().parse_args(argv)
    try:
        # Checked before anything else: a receiver that cannot verify would refuse everything.
        secret = WebhookSecret.from_environment() if options.command == "serve" else None
    except SettingsError as error:
        print(f"tap-github-prs-webhooks: {error}", file=sys.stderr)
        return 2
    arguments = connection_arguments()
    queue = WebhookQueue(arguments, schema=options.schema)
    try:
        queue.open()
    except Exception as error:
        print(
            f"tap-github-prs-webhooks: cannot open the queue at {describe(arguments)} "
            f"(schema {options.schema}): {_first_line(error)}. Check the PG* variables.",
            file=sys.stderr,
        )
        return 2
    try:
        if options.command == "serve":
            assert secret is not None
            return _serve(options, queue, secret)
        if options.command == "sync":
            return _sync(options, queue)
        return _status(queue)
    except SettingsError as error:
        print(f"tap-github-prs-webhooks: {error}", file=sys.stderr)
        return 2
    finally:
        queue.close()


def _serve(options: argparse.Namespace, queue: WebhookQueue, secret: WebhookSecret) -> int:
    sync_after = options.sync_after
    if sync_after is None:
        sync_after = env_float("TAP_GITHUB_PRS_WEBHOOK_SYNC_AFTER", -1)
    debouncer = None
    if sync_after >= 0:
        debouncer = Debouncer(sync_after, lambda: _sync(options, queue))
    receiver = WebhookReceiver(
        (options.host, options.port),
        secret=secret,
        queue=queue,
        on_queued=debouncer.poke if debouncer else None,
    )
    # SIGTERM (systemd, docker stop) ends serve_forever like Ctrl-C; each delivery is already
    # committed when it is answered, so stopping loses nothing.
    signal.signal(signal.SIGTERM, _interrupt)
    LOGGER.info(
        "Receiving GitHub webhooks at %s; queue %s.queue at %s%s",
        receiver.url,
        options.schema,
        describe(connection_arguments()),
        f"; sync {sync_after:g} s after the last delivery" if debouncer else "",
    )
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server_close()
        if debouncer:
            debouncer.close()
    return 0


def _interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def _sync(options: argparse.Namespace, queue: WebhookQueue) -> int:
    try:
        outcome = run_sync(
            queue,
            options.sync_command,
            cwd=options.project_dir,
            limit=getattr(options, "limit", None),
        )
    except SyncAlreadyRunning as error:
        LOGGER.warning("Not syncing: %s", error)
        return 75  # EX_TEMPFAIL: try again later
    except FileNotFoundError as error:
        LOGGER.error("Cannot start the sync command: %s", error)
        return 127
    return outcome.returncode


def _status(queue: WebhookQueue) -> int:
    pending = queue.pending()
    print(f"{len(pending)} repositories queued")
    for row in pending:
        claimed = f"  claimed {row.claimed_at:%Y-%m-%d %H:%M:%S}" if row.claimed_at else ""
        first, last = f"{row.first_event_at:%Y-%m-%d %H:%M:%S}", f"{row.last_event_at:%H:%M:%S}"
        print(
            f"{row.repository}\t{row.event_count} events\tfirst {first}\t"
            f"last {last} ({row.last_event}){claimed}"
        )
    return 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
