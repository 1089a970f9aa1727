"""The dbt project (transform/) for dagster-dbt, run with the dbt of Meltano's utility.

Why Meltano's dbt (`.meltano/utilities/dbt-postgres/venv/bin/dbt`) and not one in the extra:
it is the dbt `meltano run ... dbt:run` uses (dbt-core ~1.11 pinned in plugins/), so both paths
build the marts with the same version, and dagster-dbt needs no dbt-core in its own environment
(it reads the manifest and runs the `dbt` executable).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import OrchestrationSettings

# Same as the Meltano utility's env: no calls home.
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}


def dbt_project(settings: OrchestrationSettings) -> DbtProject:
    transform = settings.project_root / "transform"
    return DbtProject(
        project_dir=transform, profiles_dir=transform, target_path=settings.dbt_target_path
    )


def ensure_manifest(settings: OrchestrationSettings) -> Path:
    """`dbt parse` when the manifest is missing or older than any file of the project."""
    project = dbt_project(settings)
    manifest = project.manifest_path
    transform = settings.project_root / "transform"
    sources = [
        path
        for folder in ("models", "macros", "seeds", "tests")
        for path in (transform / folder).rglob("*")
        if path.is_file()
    ] + [transform / "dbt_project.yml"]
    newest = max(path.stat().st_mtime for path in sources)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    result = subprocess.run(
        [
            str(settings.dbt_executable),
            "parse",
            "--quiet",
            "--project-dir",
            str(transform),
            "--profiles-dir",
            str(transform),
            "--target-path",
            str(settings.dbt_target_path),
        ],
        env={**os.environ, **DBT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return manifest


def _project_args(settings: OrchestrationSettings) -> list[str]:
    transform = str(settings.project_root / "transform")
    target = str(settings.dbt_target_path)
    return ["--project-dir", transform, "--profiles-dir", transform, "--target-path", target]


def dbt_resource(settings: OrchestrationSettings) -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(settings),
        profiles_dir=str(settings.project_root / "transform"),
        dbt_executable=str(settings.dbt_executable),
    )
