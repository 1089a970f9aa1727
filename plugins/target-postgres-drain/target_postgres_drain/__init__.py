"""MeltanoLabs target-postgres, wrapped for operating it: page-sized state, warehouse first.

- State after every page: the SDK drains a target's sinks, and only then emits the state it
  has confirmed, when a sink is full or its oldest record is 5 minutes old (a class constant).
  A run killed before that loses every bookmark since. Here every new STATE message from the
  tap drains all sinks at once (COPY of one page takes milliseconds), so each page the tap
  confirms is in the warehouse, and its state in Meltano, before the next page piles up.
  `drain_interval_seconds` still bounds how long a record waits when no state comes.
- Warehouse first: the target connects and creates its schema when it starts, before any
  record, so a bad PG* setting fails in seconds and in one line (see warehouse.py); then it
  tells the tap, which waits for that before its first request (ready.py).
- Flow control: after each drain on state, it tells the tap how many STATE messages are saved;
  the tap fetches a repository's next page only once its previous page is saved (ready.py).
- PostgreSQL going away mid-run: each batch is retried for `write_retry_seconds` (sink.py).
- Quiet: per-batch SQL and METRIC lines are debug.
"""

from __future__ import annotations

import logging
import sys
import typing as t

import sqlalchemy.exc
from target_postgres.target import TargetPostgres

from target_postgres_drain.ready import signal_ready
from target_postgres_drain.sink import DEFAULT_WRITE_RETRY_SECONDS, RetryingPostgresSink
from target_postgres_drain.warehouse import WarehouseError, check, failure

DEFAULT_DRAIN_INTERVAL_SECONDS = 5.0

_BASE_SCHEMA = TargetPostgres.config_jsonschema


class TargetPostgresDrain(TargetPostgres):
    """MeltanoLabs target-postgres that drains on state and checks the warehouse first."""

    name = "target-postgres"
    default_sink_class = RetryingPostgresSink
    # libpq's own resolution from PG* until the config is read.
    _sqlalchemy_url = "postgresql+psycopg://"
    config_jsonschema = {
        **_BASE_SCHEMA,
        "properties": {
            **_BASE_SCHEMA["properties"],
            "drain_interval_seconds": {
                "type": ["number"],
                "default": DEFAULT_DRAIN_INTERVAL_SECONDS,
                "description": (
                    "Longest time a record waits in memory before every sink is written to "
                    "PostgreSQL and the confirmed state is emitted."
                ),
            },
            "drain_on_state": {
                "type": ["boolean"],
                "default": True,
                "description": (
                    "Write every sink and emit the state as soon as the tap sends a new STATE "
                    "message (the tap sends one per page)."
                ),
            },
            "write_retry_seconds": {
                "type": ["number"],
                "minimum": 0,
                "default": DEFAULT_WRITE_RETRY_SECONDS,
                "description": (
                    "How long a batch is retried when the connection to PostgreSQL is lost, "
                    "before the run fails."
                ),
            },
        },
    }

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.logger.isEnabledFor(logging.DEBUG):
            logging.getLogger("singer_sdk.metrics").setLevel(logging.WARNING)
        url = self.default_sink_class.connector_class(config=self.config).get_sqlalchemy_url(
            self.config
        )
        type(self)._sqlalchemy_url = url  # for the one-line failure in `invoke`
        check(url, str(self.config.get("default_target_schema") or "melty"))
        self.logger.info("Warehouse reachable; schema ready.")
        # The tap of this `meltano run` waits for it before its first request, then for each
        # page's state to be confirmed before it fetches that repository's next page.
        # Without a drain on each state there is nothing to confirm page by page.
        self._confirmations = signal_ready(confirm=bool(self.config.get("drain_on_state", True)))

    def _process_state_message(self, message_dict: dict) -> None:
        before = self._latest_state
        super()._process_state_message(message_dict)
        if self._confirmations is None:
            return
        self._confirmations.state_received()
        if self._latest_state != before:
            self.drain_all()
        # Drained (or nothing new to drain): this state and the records before it are saved.
        self._confirmations.saved()

    def _handle_max_record_age(self) -> None:
        interval = float(self.config.get("drain_interval_seconds", DEFAULT_DRAIN_INTERVAL_SECONDS))
        if self._max_record_age_in_minutes * 60 >= interval:
            self.logger.debug("Drain interval of %.1f s reached: draining all sinks.", interval)
            self.drain_all()

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        """Run; any warehouse failure ends in one error line and exit code 1, no traceback."""
        try:
            super().invoke(*args, **kwargs)
        except WarehouseError as error:
            cls.logger.error("%s", error)
            sys.exit(1)
        except sqlalchemy.exc.OperationalError as error:  # outside a batch, e.g. creating a table
            cls.logger.error("%s", failure(cls._sqlalchemy_url, error, doing="write"))
            sys.exit(1)
