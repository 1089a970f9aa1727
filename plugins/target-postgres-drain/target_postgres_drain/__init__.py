"""target-postgres with a configurable drain interval.

The Singer SDK drains a target's sinks, and only then emits the state it has confirmed, when a
sink is full or when its oldest buffered record is 5 minutes old (a class constant, not a
setting). A run killed before that loses every bookmark since the last drain, so the next run
extracts those minutes again. This subclass makes the interval a setting,
`drain_interval_seconds`, so state reaches Meltano every few seconds.
"""

from __future__ import annotations

from target_postgres.target import TargetPostgres

DEFAULT_DRAIN_INTERVAL_SECONDS = 5.0

_BASE_SCHEMA = TargetPostgres.config_jsonschema


class TargetPostgresDrain(TargetPostgres):
    """MeltanoLabs target-postgres whose drain (and state) interval is a setting."""

    name = "target-postgres"
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
        },
    }

    def _handle_max_record_age(self) -> None:
        interval = float(self.config.get("drain_interval_seconds", DEFAULT_DRAIN_INTERVAL_SECONDS))
        if self._max_record_age_in_minutes * 60 >= interval:
            self.logger.debug("Drain interval of %.1f s reached: draining all sinks.", interval)
            self.drain_all()
