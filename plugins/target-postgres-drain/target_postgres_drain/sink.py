"""target-postgres's sink, with a short bounded retry when PostgreSQL goes away mid-run.

A batch is written in one transaction (temporary table, COPY, upsert), so writing it again
after a dropped connection is safe. A server restart takes seconds: the batch is retried with a
doubling pause until `write_retry_seconds` have passed, then the run fails in one line.
"""

from __future__ import annotations

import logging
import time
import typing as t

import sqlalchemy.exc
from target_postgres.sinks import PostgresSink

from target_postgres_drain.warehouse import failure

DEFAULT_WRITE_RETRY_SECONDS = 30.0
FIRST_PAUSE_SECONDS = 0.5


class _DebugForPerBatchLines(logging.Filter):
    """target-postgres logs each batch's SQL at info; these are debug detail."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith("Inserting with SQL"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class RetryingPostgresSink(PostgresSink):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger.addFilter(_DebugForPerBatchLines())

    def process_batch(self, context: dict[str, t.Any]) -> None:
        budget = float(self.config.get("write_retry_seconds", DEFAULT_WRITE_RETRY_SECONDS))
        deadline = time.monotonic() + budget
        pause = FIRST_PAUSE_SECONDS
        while True:
            try:
                super().process_batch(context)
                return
            except sqlalchemy.exc.OperationalError as error:
                url = self.connector.get_sqlalchemy_url(self.config)
                if time.monotonic() + pause > deadline:
                    raise failure(url, error, doing=f"write {self.full_table_name}") from None
                self.logger.warning(
                    "Writing %s failed (%s); retrying in %.1f s.",
                    self.full_table_name,
                    " ".join(str(getattr(error, "orig", error)).split())[:200],
                    pause,
                )
                # The pool's other connections died with the server: start afresh.
                self.connector._engine.dispose()  # target-postgres keeps no public handle
                time.sleep(pause)
                pause *= 2
