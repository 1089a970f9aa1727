"""`tap-github-prs-check`: everything a scheduled run needs, checked in seconds, in one table.

Run it from the project (`make check`, or `.venv/bin/tap-github-prs-check`) before scheduling,
and after a crash with `--resume`. It reads the settings Meltano would give the pipeline (see
meltano_project.py) and checks:

- the API URL, and each token: valid, login, remaining GraphQL quota, scopes (GitHub sends
  X-OAuth-Scopes for classic PATs and OAuth tokens only). One request per token:
  `query { viewer { login } rateLimit { remaining } }`;
- each repository and organization: reachable with the first valid token (one request for
  all of them, aliased fields);
- the warehouse: connect and create the raw schema, through the loader's own check;
- dbt's profile: `dbt debug --connection` with dbt's environment;
- Meltano's state backend, and runs a crash left RUNNING (`--resume` marks them failed once
  their heartbeat has stopped; a live run is never touched). `--resume` sends no GitHub
  request: what blocks a rerun is Meltano's job, and the rerun's tap reports GitHub problems.

Exit status 1 if any row failed. Tokens are never printed: a token is named by its position.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import typing as t
from dataclasses import dataclass
from pathlib import Path

import requests

from tap_github_prs import meltano_project

TOKEN_QUERY = "query { viewer { login } rateLimit { remaining } }"  # noqa: S105 (a query)
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Row:
    check: str
    subject: str
    ok: bool | None  # None: information only
    detail: str


def _token_list(config: t.Mapping[str, t.Any], env: t.Mapping[str, str]) -> list[str]:
    primary = (
        config.get("auth_token") or env.get("TAP_GITHUB_PRS_AUTH_TOKEN") or env.get("GITHUB_TOKEN")
    )
    additional = config.get("additional_auth_tokens")
    if not additional and env.get("TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS", "").strip():
        additional = json.loads(env["TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS"])
    tokens: list[str] = []
    for token in [primary, *(additional or [])]:
        if token and token not in tokens:
            tokens.append(token)
    return tokens


def _post(api_url: str, token: str, query: str) -> requests.Response:
    return requests.post(
        api_url,
        json={"query": query},
        headers={"Authorization": f"bearer {token}", "User-Agent": "tap-github-prs-check"},
        timeout=TIMEOUT_SECONDS,
    )


def check_tokens(api_url: str, tokens: list[str]) -> tuple[list[Row], str | None]:
    """One row per token, and the first valid token (for the repository check)."""
    if not tokens:
        return [
            Row("token", "-", False, "no token: set TAP_GITHUB_PRS_AUTH_TOKEN in .env"),
        ], None
    rows, usable = [], None
    for position, token in enumerate(tokens, start=1):
        subject = f"#{position}"
        try:
            response = _post(api_url, token, TOKEN_QUERY)
        except requests.RequestException as error:
            rows.append(Row("token", subject, False, f"{api_url} unreachable: {error}"))
            continue
        if response.status_code == 401:
            rows.append(Row("token", subject, False, "401 Bad credentials: invalid or expired"))
            continue
        if response.status_code != 200:
            rows.append(Row("token", subject, False, f"HTTP {response.status_code}"))
            continue
        data = (response.json().get("data") or {}) if response.content else {}
        login = (data.get("viewer") or {}).get("login", "?")
        remaining = (data.get("rateLimit") or {}).get("remaining", "?")
        scopes = response.headers.get("X-OAuth-Scopes")
        scope_text = f"scopes: {scopes or '(none)'}" if scopes is not None else "scopes: n/a"
        rows.append(Row("token", subject, True, f"login {login}, {remaining} left, {scope_text}"))
        usable = usable or token
    return rows, usable


def check_sources(
    api_url: str, token: str, repositories: list[str], organizations: list[str]
) -> list[Row]:
    """Every repository and organization in one aliased query."""
    fields, subjects = [], {}
    for index, name in enumerate(repositories):
        owner, _, repo = name.partition("/")
        fields.append(
            f"r{index}: repository(owner: {json.dumps(owner)}, name: {json.dumps(repo)}) {{ id }}"
        )
        subjects[f"r{index}"] = ("repository", name)
    for index, login in enumerate(organizations):
        fields.append(f"o{index}: organization(login: {json.dumps(login)}) {{ id }}")
        subjects[f"o{index}"] = ("organization", login)
    if not fields:
        return [Row("repository", "-", False, "no repositories or organizations configured")]
    try:
        response = _post(api_url, token, "query { " + " ".join(fields) + " }")
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        return [Row("repository", "*", False, f"request failed: {error}")]
    data = body.get("data") or {}
    problems = {
        (error.get("path") or ["?"])[0]: error.get("message", "")
        for error in body.get("errors") or []
    }
    rows = []
    for alias, (kind, name) in subjects.items():
        if data.get(alias):
            rows.append(Row(kind, name, True, "reachable"))
        else:
            rows.append(Row(kind, name, False, problems.get(alias) or "not found"))
    return rows


def check_warehouse(loader: meltano_project.PluginSettings) -> Row:
    """The loader's own start-up check (connect, create the schema), with its environment."""
    python = (loader.venv_bin / "python") if loader.venv_bin else None
    if python is None or not python.exists():
        return Row("warehouse", "-", False, "loader not installed: run `make install`")
    url = str(loader.config.get("sqlalchemy_url") or "postgresql+psycopg://")
    schema = str(loader.config.get("default_target_schema") or "raw_github")
    result = subprocess.run(
        [str(python), "-m", "target_postgres_drain.warehouse", url, schema],
        env=loader.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = (result.stdout.strip() or result.stderr.strip()).splitlines()[-1:] or ["?"]
    return Row("warehouse", schema, result.returncode == 0, line[0])


def check_dbt(dbt: meltano_project.PluginSettings) -> Row:
    executable = (dbt.venv_bin / "dbt") if dbt.venv_bin else None
    if executable is None or not executable.exists():
        return Row("dbt profile", "-", False, "dbt not installed: run `make install`")
    project_dir = dbt.env.get("DBT_PROJECT_DIR", "transform")
    profiles_dir = dbt.env.get("DBT_PROFILES_DIR", project_dir)
    result = subprocess.run(
        [
            str(executable),
            "debug",
            "--connection",
            "--no-use-colors",
            "--project-dir",
            project_dir,
            "--profiles-dir",
            profiles_dir,
        ],
        env=dbt.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode == 0:
        return Row("dbt profile", f"{profiles_dir}/profiles.yml", True, "connection ok")
    lines = [line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    reason = next(
        (line for line in lines if "Error" in line or "error" in line), lines[-1:] or ["?"]
    )
    return Row("dbt profile", f"{profiles_dir}/profiles.yml", False, str(reason)[:300])


def check_state(environment: str | None, *, resume: bool, stale_after: float) -> list[Row]:
    rows = []
    try:
        uri, count = meltano_project.state_backend(environment)
        rows.append(Row("state backend", uri, True, f"{count} state ids"))
        jobs = meltano_project.resume_killed_runs(
            environment, stale_after=stale_after, mark_failed=resume
        )
    except Exception as error:  # any failure of the backend is the finding
        return [Row("state backend", "-", False, str(error).splitlines()[0][:300])]
    for job in jobs:
        if job.alive:
            rows.append(
                Row("running job", job.state_id, None, "alive (heartbeat advancing): left alone")
            )
        elif resume:
            rows.append(
                Row(
                    "running job",
                    job.state_id,
                    True,
                    "killed run marked failed: `meltano run` resumes from its state",
                )
            )
        else:
            rows.append(
                Row(
                    "running job",
                    job.state_id,
                    False,
                    "killed run still marked RUNNING: rerun this check with --resume",
                )
            )
    return rows


def render(rows: list[Row]) -> str:
    marks = {True: "ok", False: "FAIL", None: "info"}
    table = [("check", "subject", "result", "detail")] + [
        (row.check, row.subject, marks[row.ok], row.detail) for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line[:3], widths, strict=True))
        + "  "
        + line[3]
        for line in table
    )


def run_checks(args: argparse.Namespace) -> list[Row]:
    tap = meltano_project.plugin_settings(args.extractor, "extractors", args.environment)
    api_url = str(tap.config.get("api_url") or "https://api.github.com/graphql")
    rows = [Row("api url", api_url, None, f"environment {args.environment or 'default'}")]
    if args.resume or args.skip_github:
        # After a crash the job is what blocks the next run; the run's tap says any GitHub
        # problem itself, so resuming costs no request.
        token_rows, token = [Row("github", "-", None, "not checked (--resume/--skip-github)")], None
    else:
        token_rows, token = check_tokens(api_url, _token_list(tap.config, tap.env))
    rows += token_rows
    if token:
        rows += check_sources(
            api_url,
            token,
            list(tap.config.get("repositories") or []),
            list(tap.config.get("organizations") or []),
        )
    if not args.skip_warehouse:
        rows.append(
            check_warehouse(
                meltano_project.plugin_settings(args.loader, "loaders", args.environment)
            )
        )
    if not args.skip_dbt:
        rows.append(
            check_dbt(
                meltano_project.plugin_settings("dbt-postgres", "utilities", args.environment)
            )
        )
    rows += check_state(args.environment, resume=args.resume, stale_after=args.stale_after)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tap-github-prs-check",
        description="Check tokens, repositories, warehouse, dbt profile and Meltano state.",
    )
    parser.add_argument("--environment", help="Meltano environment (default: the project's)")
    parser.add_argument("--extractor", default="tap-github-prs")
    parser.add_argument("--loader", default="target-postgres")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="mark runs killed by a crash as failed, so `meltano run` resumes at once "
        "(checks state and warehouse; no GitHub request)",
    )
    parser.add_argument(
        "--stale-after",
        type=float,
        default=meltano_project.DEFAULT_STALE_AFTER_SECONDS,
        help="seconds a RUNNING job's heartbeat must stand still to count as killed",
    )
    parser.add_argument("--skip-github", action="store_true", help="no token or repository check")
    parser.add_argument("--skip-warehouse", action="store_true")
    parser.add_argument("--skip-dbt", action="store_true")
    args = parser.parse_args(argv)
    if not Path("meltano.yml").exists():
        print("tap-github-prs-check: run it from the Meltano project's folder.", file=sys.stderr)
        return 2
    rows = run_checks(args)
    print(render(rows))
    failed = [row for row in rows if row.ok is False]
    print(f"{len(failed)} problem(s)." if failed else "All checks passed.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
