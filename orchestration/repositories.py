"""The repositories to load: Meltano's configuration of the tap, organisations expanded."""

from __future__ import annotations

import json
import logging
import os

from orchestration.meltano_runs import MeltanoShards
from orchestration.settings import OrchestrationSettings


def configured_repositories(
    meltano: MeltanoShards, settings: OrchestrationSettings, log: logging.Logger
) -> list[str]:
    """`repositories` plus every repository of `organizations`, as the tap itself resolves them.

    Read from Meltano (meltano.yml, .env, TAP_GITHUB_PRS_*), so the code location and a plain
    `meltano run` never disagree. Organisations are listed with the tap's own client (retries,
    rate-limit waits), using the first token.
    """
    config = _from_environment() or meltano.tap_config()
    if not config.get("organizations"):
        return _unique(config.get("repositories") or [])
    if not settings.tokens:
        raise ValueError(
            "Listing organisations needs a token in the environment: set "
            "TAP_GITHUB_PRS_AUTH_TOKEN (or GITHUB_TOKEN)."
        )
    from tap_github_prs.settings import Settings
    from tap_github_prs.sync import SyncSession

    tap_settings = Settings.from_config(
        {**config, "auth_token": settings.tokens[0], "additional_auth_tokens": []}
    )
    return _unique(SyncSession(tap_settings, log).resolve_repositories())


def _from_environment() -> dict | None:
    """Both TAP_GITHUB_PRS_REPOSITORIES and _ORGANIZATIONS set: Meltano would take them as they
    are (the environment wins over meltano.yml), so skip asking it (a few seconds per run)."""
    names = ("TAP_GITHUB_PRS_REPOSITORIES", "TAP_GITHUB_PRS_ORGANIZATIONS")
    if not all(name in os.environ for name in names):
        return None
    config = {
        key: json.loads(os.environ[name])
        for key, name in zip(("repositories", "organizations"), names, strict=True)
    }
    if config["organizations"]:
        return None  # listing them needs the rest of the tap's settings
    return config


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return sorted(seen.values())
