"""Follow README.md and plugins/README.md literally on a fresh clone, and check what they promise.

    .venv/bin/python scripts/readme_walkthrough.py                 # a clone of HEAD
    .venv/bin/python scripts/readme_walkthrough.py --overlay README.md  # HEAD + my edit of it
    .venv/bin/python scripts/readme_walkthrough.py --keep          # keep the clone afterwards

1. `git clone` of the repository's HEAD into a temporary folder;
2. the README's set-up blocks (`make install`, `cp .env.example .env`), then the reader fills in
   `.env`'s token (a token only the walkthrough's GitHub accepts, so a dev run that sent it
   would be refused);
3. a GitHub stand-in on a free port, as the README starts one, playing both dev's stand-in and
   github.com (`TAP_GITHUB_PRS_API_URL` points everything at it): it accepts dev's
   `fake-token-1` and the reader's token, and counts requests per token, so every dev command is
   checked to have sent only dev's token and every prod command only the reader's;
4. every marked shell block of both READMEs in reading order (scripts/readme_commands.py),
   one terminal per block; blocks marked "embedded warehouse" run without PG*, as on a fresh
   clone, the others against a database of their own on the PG* server (default
   127.0.0.1:5432), dropped at the end;
5. README.md's troubleshooting quotes against real failures (scripts/readme_troubleshooting.py);
6. every command named in the prose, by the plan in scripts/readme_walkthrough_plan.py.

Exit codes and key output are checked; a failure prints the tail of the command's log (all
logs are kept in logs/readme-walkthrough/). Placeholders, prompts, servers and commands only
checked to parse are listed, with reasons, in readme_walkthrough_plan.py.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path

import readme_commands as readme
import readme_walkthrough_plan as plan
from readme_shell import Progress, Result, Server, Shell, WalkthroughError, fail, free_port
from readme_troubleshooting import run_probes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = PROJECT_ROOT / "logs" / "readme-walkthrough"
DEV_TOKEN = "fake-token-1"  # noqa: S105 (dev's stand-in token, in meltano.yml)
STANDIN_PRS = 600  # enough for every preset's repositories; small enough to keep runs short
# Variables of the caller that would change what the READMEs' commands do.
CALLER_ONLY = ("PG", "MELTANO_", "TAP_GITHUB_PRS_", "TARGET_POSTGRES_", "DBT_", "DAGSTER_")
CALLER_ONLY_NAMES = ("GITHUB_TOKEN", "VIRTUAL_ENV", "REPORT_OUTPUT", "REPORT_WEEKS")
LIBPQ = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")


def server_settings() -> dict[str, str]:
    """The PostgreSQL server the walkthrough's own database lives on (PG*, default local)."""
    return {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
        **({"PGPASSWORD": os.environ["PGPASSWORD"]} if os.environ.get("PGPASSWORD") else {}),
    }


def admin_connection(server: dict[str, str]):
    import psycopg

    return psycopg.connect(
        host=server["PGHOST"],
        port=server["PGPORT"],
        user=server["PGUSER"],
        password=server.get("PGPASSWORD"),
        dbname="postgres",
        autocommit=True,
    )


def base_environment(server: dict[str, str], database: str) -> dict[str, str]:
    """A reader's terminal: none of the caller's project variables, no virtualenv on PATH, the
    warehouse named in the shell (PG*), as the README allows next to `.env`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(CALLER_ONLY) and name not in CALLER_ONLY_NAMES
    }
    path = [entry for entry in env.get("PATH", "").split(os.pathsep) if "/.venv" not in entry]
    env["PATH"] = os.pathsep.join(path)
    return env | server | {"PGDATABASE": database}


class Walkthrough:
    def __init__(self, clone: Path, shell: Shell, values: dict[str, str]) -> None:
        self.clone = clone
        self.shell = shell
        self.say = shell.progress.say
        self.values = values
        self.base_env = dict(shell.env)
        self.standin_url = ""
        self.done: dict[tuple[str, str], str] = {}  # (command, environment) -> where it ran
        self.counts = {"ran": 0, "parsed only": 0, "not run again": 0, "covered or named": 0}
        self.seconds: list[tuple[float, str]] = []
        self._settings: set[str] | None = None

    # --- blocks -----------------------------------------------------------------------------

    def block(self, block: readme.Block) -> None:
        mode = block.mode
        assert mode is not None, block.where  # unmarked blocks fail the plan check first
        embedded = " without PG* (embedded warehouse)" if mode.embedded else ""
        self.say(f"{block.where} ```{block.language}``` {mode.kind}{embedded}")
        env = dict(self.base_env)
        if mode.embedded:
            env = {name: value for name, value in env.items() if name not in LIBPQ}
        self.shell.env = env  # a new terminal per block
        servers: list[Server] = []
        try:
            for command in block.commands():
                reason = block.dry_reason(command)
                if reason is not None:
                    self.dry(command.text, command.where, reason)
                else:
                    self.execute(command.text, command.where, servers)
        finally:
            for server in servers:
                status = server.stop()
                if status not in (0, -15):
                    raise WalkthroughError(f"the server exited {status} when stopped", server.log)

    def execute(self, written: str, where: str, servers: list[Server]) -> Result | None:
        text, replaced = plan.substitute(written, self.values)
        # As the README writes it (a made-up secret stays out of the progress and the logs).
        shown = written if not replaced else f"{written}    (replaced: {', '.join(replaced)})"
        # `.venv/bin/x` and `x` are one command when .venv/bin leads PATH (PATH is in the key).
        same = " ".join(w.removeprefix(".venv/bin/") for w in plan.without_comment(text).split())
        key = (same, json.dumps(sorted(self.shell.env.items())))
        if key in self.done:
            self.say(f"  {where}  $ {written}\n           same command and environment as at "
                     f"{self.done[key]}: not run again")  # fmt: skip
            self.counts["not run again"] += 1
            return None
        tool = plan.command_name(text).split()[0]
        optional = plan.OPTIONAL_TOOLS.get(tool)
        if optional and not shutil.which(tool, path=self.shell.env.get("PATH")):
            self.say(
                f"  {where}  $ {written}\n           not run: {tool} is not installed ({optional})"
            )
            self.counts["parsed only"] += 1
            return None
        self.say(f"  {where}  $ {shown}")
        port_key = plan.server_port_key(text)
        if port_key:
            servers.append(
                self.shell.start_server(
                    text, label=where, port=int(self.values[port_key]), shown=shown
                )
            )
            self.say(f"           listening on port {self.values[port_key]}")
            self.after(text)
            self.done[key] = where
            self.counts["ran"] += 1
            return None
        before = self.token_requests()
        result = self.shell.run(
            text, label=f"{where} {written}", stdin=plan.answer_for(text), shown=shown
        )
        used = self.token_requests_since(before)
        self.check(text, result, used)
        self.say(f"           ok in {result.seconds:.1f} s{self.describe(used)}")
        self.seconds.append((result.seconds, f"{where} {text.splitlines()[0]}"))
        self.done[key] = where
        self.counts["ran"] += 1
        self.after(text)
        return result

    def check(self, text: str, result: Result, used: dict[str, int]) -> None:
        redirected = re.search(r">>?\s*(\S+)\s+2>&1\s*$", text)
        if redirected:  # all of its output went to a file (the cron line's logs/cron.log)
            target = self.clone / redirected.group(1)
            output = target.read_text(errors="replace") if target.exists() else ""
            with result.log.open("a") as log:
                log.write(f"[walkthrough] {redirected.group(1)}:\n{output}")
            result = replace(result, output=output)
        if result.returncode != 0:
            raise WalkthroughError(f"`{text}` exited {result.returncode}", result.log)
        for pattern in plan.expectations_for(text):
            if not re.search(pattern, result.output):
                raise WalkthroughError(f"`{text}` printed nothing matching {pattern!r}", result.log)
        if plan.PIPELINE_COMMAND.search(text):
            if not plan.PIPELINE_DONE.search(result.output):
                raise WalkthroughError(f"`{text}` did not complete its blocks", result.log)
            errors = [line for line in result.output.splitlines() if plan.ERROR_LINE.search(line)]
            if errors:
                raise WalkthroughError(f"`{text}` logged an error: {errors[0]}", result.log)
        environment = self.environment_of(text)
        wrong = "token-2" if environment != "prod" else "token-1"
        if used.get(wrong):
            whose = "the reader's token (.env)" if wrong == "token-2" else "dev's token"
            raise WalkthroughError(
                f"`{text}` ({environment}) sent {used[wrong]} requests with {whose}", result.log
            )

    def environment_of(self, text: str) -> str:
        inline = re.search(r"(?:^|\s)MELTANO_ENVIRONMENT=(\w+)\s", text)
        if inline:
            return inline.group(1)
        return self.shell.env.get("MELTANO_ENVIRONMENT", "dev")

    def after(self, text: str) -> None:
        """What the reader does next that the README says in words, not in a command."""
        name = plan.command_name(text)
        if name == "cp .env.example .env":
            self.fill_in_env()
        elif name.startswith("tap-github-prs-webhooks serve"):
            self.deliver_webhook()

    def fill_in_env(self) -> None:
        """`# fill in the token`: the line .env.example leaves commented, uncommented and set."""
        path = self.clone / ".env"
        lines = path.read_text().splitlines()
        wanted = "# TAP_GITHUB_PRS_AUTH_TOKEN="
        found = [index for index, line in enumerate(lines) if line.startswith(wanted)]
        if not found:
            raise WalkthroughError(".env.example has no `# TAP_GITHUB_PRS_AUTH_TOKEN=` to fill in")
        lines[found[0]] = f"TAP_GITHUB_PRS_AUTH_TOKEN={self.values['prod_token']}"
        path.write_text("\n".join(lines) + "\n")
        self.say("           filled in .env: TAP_GITHUB_PRS_AUTH_TOKEN (the reader's token)")

    def deliver_webhook(self) -> None:
        """GitHub delivers a signed `pull_request` event for acme/widgets."""
        body = json.dumps({"action": "opened", "repository": {"full_name": "acme/widgets"}})
        digest = hmac.new(
            self.values["webhook_secret"].encode(), body.encode(), hashlib.sha256
        ).hexdigest()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.values['webhook_port']}/",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": f"sha256={digest}",
            },
        )
        # S310: an http:// URL the walkthrough built itself.
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            payload = json.load(answer)
            if answer.status != 202 or payload.get("message") != "queued":
                raise WalkthroughError(f"the delivery was answered {answer.status} {payload}")
        self.say("           GitHub delivered a signed pull_request event: queued acme/widgets")

    # --- commands only checked to parse -----------------------------------------------------

    def dry(self, written: str, where: str, reason: str) -> None:
        text, _ = plan.substitute(written, self.values)
        self.say(f"  {where}  $ {text}\n           only parsed: {reason}")
        self.expect_ok(["bash", "-n", "-c", text], "bash -n")
        name = plan.command_name(text)
        words = name.split()
        if words[0] == "make":
            self.expect_ok(["make", "-n", *words[1:]], f"make -n {' '.join(words[1:])}")
        elif name.startswith("meltano run"):
            dry_run = text.replace("meltano run", "meltano run --dry-run", 1)
            self.expect_shell_ok(dry_run)
        elif words[0] == "export":
            variable = words[1].split("=", 1)[0]
            self.expect_setting(variable)
        elif words[0] == "pip":
            extra = re.search(r"\.\[(\w+)\]", name)
            pyproject = (self.clone / "pyproject.toml").read_text()
            if not extra or f"\n{extra.group(1)} = [" not in pyproject:
                raise WalkthroughError(f"`{text}`: no such extra in pyproject.toml")
            self.say(f"           extra [{extra.group(1)}] is in pyproject.toml")
        else:
            leading = [word for word in words[1:] if not word.startswith("-")][:1]
            self.expect_shell_ok(" ".join([text.split()[0], *leading, "--help"]))
        self.counts["parsed only"] += 1

    def expect_ok(self, argv: list[str], what: str) -> None:
        completed = subprocess.run(
            argv, cwd=self.clone, env=self.shell.env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise WalkthroughError(f"{what} exited {completed.returncode}: {completed.stderr}")
        self.say(f"           {what}: ok")

    def expect_shell_ok(self, command: str) -> None:
        self.expect_ok(["bash", "-c", command], command)

    def expect_setting(self, variable: str) -> None:
        prefix = "TAP_GITHUB_PRS_"
        if not variable.startswith(prefix):
            return
        setting = variable.removeprefix(prefix).lower()
        if self._settings is None:
            about = subprocess.run(
                [str(self.clone / ".venv/bin/tap-github-prs"), "--about", "--format", "json"],
                capture_output=True,
                text=True,
                check=True,
            )
            self._settings = set(json.loads(about.stdout)["settings"]["properties"])
        if setting not in self._settings:
            raise WalkthroughError(f"{variable}: the tap has no setting {setting!r}")
        self.say(f"           {variable}: the tap's setting {setting}")

    # --- commands named in the prose --------------------------------------------------------

    def inline_commands(self, block_commands: list[str]) -> None:
        self.say("commands named in the prose (with .venv/bin first on PATH, as when activated)")
        env = dict(self.base_env)
        env["PATH"] = f"{self.clone / '.venv/bin'}{os.pathsep}{env['PATH']}"
        seen: set[str] = set()
        for inline in readme.all_inline_commands(self.clone):
            if inline.text in seen:
                continue
            seen.add(inline.text)
            entry = plan.INLINE.get(inline.text)
            if entry is None:
                match = next(
                    (c for c in block_commands if readme.same_command(inline.text, c)), None
                )
                if match is None:
                    raise WalkthroughError(f"{inline.where}: `{inline.text}` is not in the plan")
                self.counts["covered or named"] += 1
                continue
            if entry.action == "run":
                self.shell.env = dict(env)
                self.execute(inline.text, inline.where, [])
            elif entry.action == "dry":
                self.shell.env = dict(env)
                self.dry(inline.text, inline.where, entry.reason)
            else:
                self.counts["covered or named"] += 1

    # --- the stand-in's accounting ----------------------------------------------------------

    def token_requests(self) -> dict[str, int]:
        if not self.standin_url:
            return {}
        stats_url = f"{self.standin_url}/_stats"  # http://127.0.0.1:<port>, ours
        with urllib.request.urlopen(stats_url, timeout=30) as answer:  # noqa: S310
            stats = json.load(answer)
        return {label: row["requests"] for label, row in stats.get("tokens", {}).items()}

    def token_requests_since(self, before: dict[str, int]) -> dict[str, int]:
        after = self.token_requests()
        return {label: count - before.get(label, 0) for label, count in after.items()}

    @staticmethod
    def describe(used: dict[str, int]) -> str:
        named = {"token-1": "dev's token", "token-2": "the reader's token"}
        parts = [
            f"{count} with {named.get(label, label)}" for label, count in used.items() if count
        ]
        return f"; GitHub requests: {', '.join(parts)}" if parts else ""


def clone_project(target: Path, overlay: list[str]) -> None:
    """A clone of HEAD; then the working tree's version of each `overlay` path (uncommitted
    edits to try before committing them)."""
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(PROJECT_ROOT), str(target)], check=True
    )
    for path in overlay:
        source = PROJECT_ROOT / path
        if not source.is_file():
            raise SystemExit(f"--overlay {path}: not a file of the working tree")
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / path)


def start_standin(shell: Shell, values: dict[str, str]) -> Server:
    """The README's `.venv/bin/python -m github_standin --port 8765`, on a free port, with a
    smaller dataset and the reader's token next to dev's."""
    written = next(key for key in plan.INLINE if key.startswith(".venv/bin/python -m github_"))
    port = values["standin_port"]
    command = (
        written.replace("--port 8765", f"--port {port}")
        + f" --prs {STANDIN_PRS} --tokens {DEV_TOKEN},{values['prod_token']}"
    )
    shell.progress.say(f"GitHub stand-in: {written} (port {port}, {STANDIN_PRS} PRs, 2 tokens)")
    shown = f"{written}    (port {port}, {STANDIN_PRS} PRs, dev's token and the reader's)"
    return shell.start_server(command, label="github stand-in", port=int(port), shown=shown)


def walk(clone: Path, shell: Shell, values: dict[str, str], database: str) -> Walkthrough:
    walkthrough = Walkthrough(clone, shell, values)
    blocks = readme.shell_blocks(clone)
    unmarked = [block.where for block in blocks if block.mode is None]
    if unmarked:
        raise WalkthroughError(f"shell blocks without a walkthrough marker: {unmarked}")
    for block in (b for b in blocks if b.mode.kind == "setup"):
        walkthrough.block(block)
    standin = start_standin(shell, values)
    try:
        url = f"http://127.0.0.1:{values['standin_port']}"
        walkthrough.standin_url = url
        walkthrough.base_env["TAP_GITHUB_PRS_API_URL"] = f"{url}/graphql"
        for block in (b for b in blocks if b.mode.kind != "setup"):
            walkthrough.block(block)
        shell.env = dict(walkthrough.base_env)
        run_probes(shell, (clone / "README.md").read_text(), database, shell.progress.say)
        block_commands = [c.text for b in blocks for c in b.commands()]
        walkthrough.inline_commands(block_commands)
        total = walkthrough.token_requests()
        if not total.get("token-2"):
            raise WalkthroughError("no prod command reached GitHub with the reader's token")
    finally:
        standin.stop()
    return walkthrough


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--overlay", nargs="+", default=[], metavar="PATH", help="working-tree files over HEAD"
    )
    parser.add_argument("--keep", action="store_true", help="keep the clone afterwards")
    args = parser.parse_args(argv)

    progress = Progress()
    # CI's timeout sends SIGTERM: clean up (servers, the database, the clone) as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    LOG_DIR.mkdir(parents=True)
    workdir = Path(tempfile.mkdtemp(prefix="readme-walkthrough-"))
    clone = workdir / "tap-github-prs"
    overlaid = f" with the working tree's {', '.join(args.overlay)}" if args.overlay else ""
    progress.say(f"git clone of HEAD{overlaid}: {clone}")
    clone_project(clone, args.overlay)
    server = server_settings()
    database = f"readme_walkthrough_{secrets.token_hex(4)}"
    with admin_connection(server) as admin:
        admin.execute(f'create database "{database}"')
    progress.say(f"warehouse: database {database} on {server['PGHOST']}:{server['PGPORT']}")
    values = {
        "clone": str(clone),
        "standin_port": str(free_port()),
        "webhook_port": str(free_port()),
        "webhook_secret": secrets.token_hex(16),
        "prod_token": f"walkthrough-{secrets.token_hex(8)}",
        "cache_dir": str(workdir / "cache"),
    }
    shell = Shell(clone, base_environment(server, database), LOG_DIR, progress)
    try:
        walkthrough = walk(clone, shell, values, database)
    except WalkthroughError as error:
        fail(str(error), error.log)
        return 1
    finally:
        stop_embedded_warehouse(clone)
        with admin_connection(server) as admin:
            admin.execute(f'drop database if exists "{database}" with (force)')
        if args.keep:
            progress.say(f"kept: {clone}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    counts = ", ".join(f"{count} {what}" for what, count in walkthrough.counts.items())
    progress.say(f"README walkthrough passed: {counts}; logs in {LOG_DIR}")
    slowest = sorted(walkthrough.seconds, reverse=True)[:5]
    for seconds, what in slowest:
        print(f"    {seconds:6.1f} s  {what}")
    return 0


def stop_embedded_warehouse(clone: Path) -> None:
    python = clone / ".venv/bin/python"
    if python.exists() and (clone / ".pgdata").exists():
        subprocess.run(
            [str(python), "scripts/warehouse.py", "stop"], cwd=clone, capture_output=True
        )


if __name__ == "__main__":
    sys.exit(main())
