"""README.md's troubleshooting quotes, held against the lines real failures print.

Each probe makes one failure happen on the walkthrough's clone (a rejected token, a repository
that does not exist, a missing database, a second run of a running pipeline, an unreachable
API, a malformed setting) and checks that the README quotes the line it prints. A quote may
elide with `…`; numbers (counts, times, dates, ports) match any number, so the README can
paste a real line as it came.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from readme_shell import Shell, WalkthroughError, free_port

SECTION = "## Troubleshooting"
# **`text`**, or **``text with `code` in it``**
QUOTE = re.compile(r"\*\*(?P<ticks>`+) ?(?P<text>(?:(?!\*\*).)+?) ?(?P=ticks)\*\*", re.DOTALL)


def troubleshooting_quotes(readme: str) -> list[str]:
    """The bold code spans of the README's troubleshooting section, whitespace collapsed."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else len(readme)]
    return [" ".join(match["text"].split()) for match in QUOTE.finditer(section)]


def quote_pattern(quote: str) -> re.Pattern[str]:
    """`…` matches anything; a run of digits matches any run of digits; spaces any space."""
    pieces = []
    for piece in quote.split("…"):
        tokens = re.findall(r"\d+|\s+|.", piece)
        pieces.append(
            "".join(
                r"\d+" if token.isdigit() else r"\s+" if token.isspace() else re.escape(token)
                for token in tokens
            )
        )
    return re.compile(".*?".join(pieces))


def find_quote(quotes: list[str], starts: str) -> str:
    for quote in quotes:
        if quote.lstrip("… ").startswith(starts):
            return quote
    raise WalkthroughError(
        f"README.md's troubleshooting no longer quotes a line starting {starts!r}"
    )


@dataclass(frozen=True)
class Probe:
    name: str
    command: str
    quotes: tuple[str, ...]  # the beginnings of the README quotes its output must bear out


PIPELINE = ".venv/bin/meltano run tap-github-prs target-postgres"
PROD = "MELTANO_ENVIRONMENT=prod TAP_GITHUB_PRS_REPOSITORIES='[\"acme/widgets\"]'"


def probes(database: str) -> list[Probe]:
    return [
        Probe(
            "a rejected token",
            f"{PROD} TAP_GITHUB_PRS_AUTH_TOKEN=walkthrough-wrong-token {PIPELINE}",
            ("GitHub rejected token #", "Every configured GitHub token was rejected"),
        ),
        Probe(
            "a repository that does not exist (the README's placeholder, not replaced)",
            "MELTANO_ENVIRONMENT=prod "
            f"TAP_GITHUB_PRS_REPOSITORIES='[\"your-org/your-repo\"]' {PIPELINE}",
            ("None of the configured repositories", "Repository your-org/your-repo"),
        ),
        Probe(
            "a database that does not exist",
            f"PGDATABASE={database}_missing {PIPELINE}",
            ("Warehouse failure (connect and create schema",),
        ),
        Probe(
            "a malformed setting",
            f"TAP_GITHUB_PRS_REPOSITORIES='[\"not-a-repository\"]' {PIPELINE}",
            ("Config validation failed",),
        ),
    ]


def check_output(output: str, quotes: list[str], starts: tuple[str, ...], log: Path) -> None:
    for beginning in starts:
        quote = find_quote(quotes, beginning)
        if not quote_pattern(quote).search(output):
            raise WalkthroughError(
                f"no line of the output bears out README.md's quote {quote!r}", log
            )


def run_probes(shell: Shell, readme: str, database: str, say) -> None:
    quotes = troubleshooting_quotes(readme)
    say("troubleshooting: a run that goes well starts with the lines quoted for it")
    normal = shell.run(PIPELINE, label="probe normal run")
    if normal.returncode != 0:
        raise WalkthroughError("a plain dev run failed", normal.log)
    check_output(normal.output, quotes, ("Waiting for the loader", "Loader ready"), normal.log)
    for probe in probes(database):
        say(f"troubleshooting: {probe.name}")
        result = shell.run(probe.command, label=f"probe {probe.name}")
        if result.returncode == 0:
            raise WalkthroughError(f"{probe.name}: the run succeeded", result.log)
        check_output(result.output, quotes, probe.quotes, result.log)
        say(f"  exit {result.returncode} in {result.seconds:.1f} s, quotes match")
    second_run_while_first_runs(shell, quotes, say)


def second_run_while_first_runs(shell: Shell, quotes: list[str], say) -> None:
    """A run held up in its API retries (nothing listens at its API URL), and the same pipeline
    started again meanwhile: the second is refused; the first fails naming the URL."""
    say("troubleshooting: the same pipeline twice at once, the first unable to reach the API")
    dead_api = f"http://127.0.0.1:{free_port()}/graphql"
    first_log = shell.log_dir / "probe-first-run.log"
    with first_log.open("w") as out:
        first = subprocess.Popen(
            ["bash", "-c", f"{PROD} exec {PIPELINE}"],
            cwd=shell.cwd,
            env={**shell.env, "TAP_GITHUB_PRS_API_URL": dead_api},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_line(first_log, "Waiting for the loader", first)
        second = shell.run(f"{PROD} {PIPELINE}", label="probe second run")
        if second.returncode == 0:
            raise WalkthroughError("the second run was not refused", second.log)
        check_output(second.output, quotes, ("Another '",), second.log)
        say(f"  second run refused: exit {second.returncode} in {second.seconds:.1f} s")
        returncode = first.wait(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    if returncode == 0:
        raise WalkthroughError("the run against a dead API succeeded", first_log)
    check_output(first_log.read_text(errors="replace"), quotes, ("Cannot reach",), first_log)
    say(f"  first run: exit {returncode}, the API named; quotes match")


def wait_for_line(log: Path, text: str, process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise WalkthroughError(f"the run ended before printing {text!r}", log)
        time.sleep(0.2)  # polling a log another process writes
    raise WalkthroughError(f"no {text!r} within {seconds:.0f} s", log)
