"""Settings of the code location, from the environment (so a run launcher needs no code change)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _json_list(name: str) -> list[str]:
    text = os.environ.get(name, "").strip()
    if not text:
        return []
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{name} must be a JSON list of strings")
    return value


def _meltano(root: Path) -> str:
    """The project's .venv Meltano (make install), else the one on PATH (e.g. in an image)."""
    in_project = root / ".venv/bin/meltano"
    return str(in_project) if in_project.exists() else shutil.which("meltano") or "meltano"


@dataclass(frozen=True)
class OrchestrationSettings:
    project_root: Path = PROJECT_ROOT
    meltano_executable: Path = PROJECT_ROOT / ".venv/bin/meltano"
    # Meltano's environment (meltano.yml): dev points the tap at the stand-in.
    meltano_environment: str = "dev"
    # Target number of repositories per shard (the shard count is a power of two, see shards.py).
    shard_size: int = 25
    # Schema of Meltano's system database (state, run records) in the warehouse.
    state_schema: str = "meltano"
    # Tokens to spread over shards; empty: every shard uses Meltano's configured token.
    tokens: tuple[str, ...] = field(default=(), repr=False)
    dbt_executable: Path = PROJECT_ROOT / ".meltano/utilities/dbt-postgres/venv/bin/dbt"
    dbt_target_path: Path = PROJECT_ROOT / "orchestration/.dbt-target"
    # Schema of the webhook receiver's queue (tap_github_prs_webhooks), read by its sensor.
    webhook_schema: str = "tap_github_prs_webhooks"

    def __repr__(self) -> str:  # never show tokens
        return f"OrchestrationSettings(shard_size={self.shard_size}, tokens={len(self.tokens)})"

    @property
    def token_count(self) -> int:
        return max(1, len(self.tokens))

    @classmethod
    def from_env(cls) -> OrchestrationSettings:
        """DAGSTER_GITHUB_* settings; tokens are the tap's own variables (see README)."""
        defaults = cls()
        root = Path(os.environ.get("DAGSTER_GITHUB_PROJECT_ROOT", defaults.project_root))
        tokens = [
            *(
                [os.environ["TAP_GITHUB_PRS_AUTH_TOKEN"]]
                if "TAP_GITHUB_PRS_AUTH_TOKEN" in os.environ
                else [os.environ["GITHUB_TOKEN"]]
                if "GITHUB_TOKEN" in os.environ
                else []
            ),
            *_json_list("TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS"),
        ]
        return cls(
            project_root=root,
            meltano_executable=Path(os.environ.get("DAGSTER_GITHUB_MELTANO", _meltano(root))),
            meltano_environment=os.environ.get("MELTANO_ENVIRONMENT", "dev"),
            shard_size=int(os.environ.get("DAGSTER_GITHUB_SHARD_SIZE", defaults.shard_size)),
            state_schema=os.environ.get("DAGSTER_GITHUB_STATE_SCHEMA", defaults.state_schema),
            tokens=tuple(token for token in tokens if token),
            dbt_executable=Path(
                os.environ.get(
                    "DAGSTER_GITHUB_DBT", root / ".meltano/utilities/dbt-postgres/venv/bin/dbt"
                )
            ),
            dbt_target_path=Path(
                os.environ.get("DAGSTER_GITHUB_DBT_TARGET", root / "orchestration/.dbt-target")
            ),
            # The receiver's own variable, so the sensor reads the queue the receiver writes.
            webhook_schema=os.environ.get("TAP_GITHUB_PRS_WEBHOOK_SCHEMA", defaults.webhook_schema),
        )
