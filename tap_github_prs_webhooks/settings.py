"""Settings of the receiver and the sync, from the environment (never from a file in the repo)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECRET_VARIABLE = "TAP_GITHUB_PRS_WEBHOOK_SECRET"  # noqa: S105 (the name, not a secret)
DEFAULT_SYNC_COMMAND = "meltano run tap-github-prs target-postgres dbt:run"


class SettingsError(ValueError):
    pass


def connection_arguments(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """libpq arguments from PG*, with dbt's and the loader's defaults (transform/profiles.yml)."""
    env = os.environ if environ is None else environ
    arguments: dict[str, Any] = {
        "host": env.get("PGHOST", "127.0.0.1"),
        "port": env.get("PGPORT", "5432"),
        "user": env.get("PGUSER", "postgres"),
        "dbname": env.get("PGDATABASE", "warehouse"),
    }
    if env.get("PGPASSWORD"):
        arguments["password"] = env["PGPASSWORD"]
    return arguments


def describe(arguments: Mapping[str, Any]) -> str:
    """Where the queue lives, for logs and errors: never the password."""
    return " ".join(f"{key}={arguments[key]}" for key in ("host", "port", "dbname", "user"))


@dataclass(frozen=True, repr=False)
class WebhookSecret:
    """The webhook secret; its repr never shows it, so a logged object cannot leak it."""

    value: str

    def __repr__(self) -> str:
        return "WebhookSecret(<hidden>)"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> WebhookSecret:
        env = os.environ if environ is None else environ
        value = env.get(SECRET_VARIABLE, "")
        if not value.strip():
            raise SettingsError(
                f"{SECRET_VARIABLE} is not set: set it to the secret of the GitHub webhook "
                "(the receiver rejects every delivery it cannot verify)."
            )
        return cls(value)


def env_float(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be 0 or more, not {raw!r}")
    return value
