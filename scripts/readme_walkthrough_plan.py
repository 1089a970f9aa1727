"""What the README walkthrough does besides typing the commands: every exception, with its reason.

The commands themselves come from README.md and plugins/README.md (scripts/readme_commands.py).
This module only lists what a reader would do that the text cannot say literally (replace a
placeholder, answer a prompt, wait for a server), which inline commands are only named, which
are only checked to parse, and what each command must print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Placeholders a reader replaces with their own values, and the stand-in's values used instead.
# `{…}` names a value the walkthrough makes at run time.
SUBSTITUTIONS: tuple[tuple[str, str, str], ...] = (
    ("your-org/your-repo", "acme/widgets", "the reader's repository: one the stand-in serves"),
    ('["owner/repo"]', '["acme/widgets"]', "the reader's repository: one the stand-in serves"),
    ('["org/a","org/b"]', '["antiwork/gumroad","antiwork/helper"]', "shard 1's repositories"),
    ('["org/c","org/d"]', '["polarsource/polar","fastapi/fastapi"]', "shard 2's repositories"),
    ("/path/to/tap-github-prs", "{clone}", "where the reader cloned the project"),
    ("--port 8780", "--port {webhook_port}", "a free port: the machine may be shared"),
    (
        "TAP_GITHUB_PRS_WEBHOOK_SECRET='…'",
        "TAP_GITHUB_PRS_WEBHOOK_SECRET='{webhook_secret}'",
        "the webhook's secret, made up for the run",
    ),
    ("tap-github-prs NAME VALUE", "tap-github-prs page_size 50", "a setting and its value"),
    ("--info DIR", "--info {cache_dir}", "a cache folder"),
)

# Tools the project does not install: a command using one runs where it is installed.
OPTIONAL_TOOLS: dict[str, str] = {
    "psql": "PostgreSQL's client, which the project does not install",
}

# Commands that ask a question on a terminal, and the reader's answer.
ANSWERS: dict[str, str] = {
    # "This will clear state for the job(s). Continue? [y/N]"
    "meltano state clear": "y\n",
}

# Commands that start a server and keep running: started in the background, waited for until
# they listen, stopped (SIGTERM) at the end of their block.
SERVERS: dict[str, str] = {
    "tap-github-prs-webhooks serve": "webhook_port",
}


@dataclass(frozen=True)
class Inline:
    """What the walkthrough does with a command named in the prose."""

    action: str  # run | dry | mention | covered
    reason: str = ""


RUN = Inline("run")

# Every command-like inline code span of both READMEs that is not exactly a command of a fenced
# block (those are covered by the block). tests/test_readme_commands.py keeps this complete.
INLINE: dict[str, Inline] = {
    "python -m github_standin": Inline("mention", "the stand-in's entry point, by name"),
    ".venv/bin/python -m github_standin --port 8765": Inline(
        "covered",
        "the walkthrough's stand-in is started by this command, on a free port (the machine "
        "may be shared) with a second token playing the reader's real one",
    ),
    "make bench": Inline(
        "dry",
        "every scenario at full size (up to 10,000 PRs at 300 ms a request); the smoke "
        "run below runs",
    ),
    ".venv/bin/python -m benchmarks.run --quick": RUN,
    ".venv/bin/tap-github-prs-report --output report.html --weeks 13": RUN,
    "meltano state get prod:tap-github-prs-to-target-postgres": RUN,
    "tap-github-prs --config config.json --state state.json": Inline(
        "covered", "plugins/README.md's state-file block runs the tap with these arguments"
    ),
    "pip install -e '.[dagster]'": Inline(
        "dry", "installs Dagster and its web UI into .venv; tests/orchestration cover it"
    ),
    "make dagster": Inline("dry", "a UI server that runs until stopped, in a venv of its own"),
    "meltano run": Inline("mention", "names the command"),
    "meltano invoke": Inline("mention", "names the command"),
    "meltano run …": Inline("mention", "the elided pipeline command"),
    "meltano run --full-refresh …": Inline(
        "covered", "plugins/README.md's state block runs `meltano run --full-refresh`"
    ),
    "meltano run --state-id-suffix <shard> …": Inline(
        "covered", "plugins/README.md's shard block runs `meltano run --state-id-suffix`"
    ),
    "tap-github-prs-webhooks sync": Inline(
        "covered", "README.md's webhook block runs it (`MELTANO_ENVIRONMENT=prod` in front)"
    ),
    "meltano config set tap-github-prs NAME VALUE": RUN,
    "git diff": RUN,
    "tap-github-prs --about": RUN,
    "python -m tap_github_prs.cache --info DIR": RUN,
    "make check RESUME=1": RUN,
    "make check": RUN,
    "meltano state clear prod:tap-github-prs-to-target-postgres": RUN,
    "meltano invoke dbt:debug": RUN,
    ".venv/bin/meltano invoke dbt:debug": RUN,
    ".venv/bin/meltano config list tap-github-prs": RUN,
    "meltano invoke tap-github-prs": RUN,
    "tap-github-prs-check --resume --skip-dbt --skip-warehouse": RUN,
    "meltano run tap-github-prs--antiwork target-postgres tap-github-prs--polar target-postgres "
    "dbt:build": RUN,
    "make lint": Inline("dry", "CI runs it on the same commit in the step before"),
    "make test-fast": Inline("dry", "a part of `make test`, which CI runs in the step before"),
    "make test-long": Inline("dry", "CI runs it in the step before the walkthrough"),
    "make walkthrough": Inline("mention", "this walkthrough"),
    "git clone": Inline("mention", "how this walkthrough starts"),
    "dbt run": Inline("mention", "what not to type: plain dbt does not load the seeds"),
    "dbt deps": Inline("mention", "what the project never runs"),
}


@dataclass(frozen=True)
class Expectation:
    prefix: str  # the command, without `.venv/bin/` and leading VAR=value assignments
    pattern: str  # searched in its output (stdout and stderr)


EXPECTATIONS: tuple[Expectation, ...] = (
    Expectation("make demo", r"==> done"),
    Expectation("make report", r"report written: .*report\.html"),
    Expectation("meltano invoke report", r"report written: .*report\.html"),
    Expectation("tap-github-prs-report", r"report written: .*report\.html"),
    Expectation("make install", r"Installed|Skipped installing|Nothing to be done"),
    Expectation("meltano install", r"Installed|Skipped installing"),
    Expectation("meltano state list", r"tap-github-prs-to-target-postgres"),
    Expectation("meltano state get", r'"singer_state"'),
    Expectation("meltano state clear", r"This will clear state for the job\(s\)\. Continue\?"),
    Expectation(
        "meltano job list", r"github-elt: \['tap-github-prs target-postgres dbt-postgres:build'\]"
    ),
    Expectation("meltano schedule list", r"\[@hourly\] .*github-elt-hourly"),
    Expectation("meltano schedule run", r"Done\. PASS=\d+ WARN=\d+ ERROR=0"),
    Expectation("meltano config list tap-github-prs", r"api_url \[env: TAP_GITHUB_PRS_API_URL\]"),
    Expectation("meltano config set", r"setting 'page_size' was set"),
    Expectation("meltano invoke dbt:debug", r"All checks passed!"),
    Expectation("meltano invoke tap-github-prs", r'"type": ?"STATE"'),
    Expectation("tap-github-prs-check", r"All checks passed\."),
    Expectation("make check", r"All checks passed\."),
    Expectation("tap-github-prs --about", r"Name: tap-github-prs"),
    Expectation("tap-github-prs-webhooks sync", r"Syncing 1 queued repositories: acme/widgets"),
    Expectation("python -m tap_github_prs.cache --info", r"No cached responses|PRs"),
    Expectation("python -m benchmarks.run --quick", r'"scenario": "pipeline"'),
    Expectation("psql", r"\(\d+ rows?\)"),
    Expectation("make warehouse-stop", r"stopped|was not running"),
    Expectation(
        ".meltano/extractors/tap-github-prs/venv/bin/tap-github-prs", r"Synced \d+ pull requests"
    ),
)

# A `meltano run` (or a job or schedule run) must end like this, with no error-level line.
PIPELINE_DONE = re.compile(r"Block run completed")
ERROR_LINE = re.compile(r"\[error\s*\]")
PIPELINE_COMMAND = re.compile(r"\bmeltano (run|schedule run)\b|\btap-github-prs-webhooks sync\b")


def without_comment(text: str) -> str:
    """The command without a trailing `# comment`."""
    return re.sub(r"\s+#.*$", "", text)


def command_name(text: str) -> str:
    """The command without leading `VAR=value` assignments, `.venv/bin/` and a trailing
    comment."""
    words = without_comment(text).split()
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words = words[1:]
    return " ".join(words).removeprefix(".venv/bin/")


def expectations_for(text: str) -> list[str]:
    name = command_name(text)
    return [item.pattern for item in EXPECTATIONS if name.startswith(item.prefix)]


def substitute(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """The command with the reader's placeholders replaced; and what was replaced, for the log."""
    replaced = []
    for placeholder, replacement, _reason in SUBSTITUTIONS:
        if placeholder in text:
            text = text.replace(placeholder, replacement.format(**values))
            replaced.append(placeholder)
    return text, replaced


def answer_for(text: str) -> str | None:
    name = command_name(text)
    return next((answer for prefix, answer in ANSWERS.items() if name.startswith(prefix)), None)


def server_port_key(text: str) -> str | None:
    name = command_name(text)
    return next((key for prefix, key in SERVERS.items() if name.startswith(prefix)), None)
