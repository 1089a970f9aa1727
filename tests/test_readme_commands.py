"""The README walkthrough's reading of README.md and plugins/README.md (no command is run here).

scripts/readme_walkthrough.py runs every command the READMEs give (in CI, after `make test`);
these checks make sure it can: every shell block says how it is walked, every command named in
the text is in the walkthrough's plan, and the plan names nothing the READMEs no longer say.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import readme_commands as readme  # noqa: E402
import readme_troubleshooting as troubleshooting  # noqa: E402
import readme_walkthrough_plan as plan  # noqa: E402

BLOCKS = readme.shell_blocks()
BLOCK_COMMANDS = [command for block in BLOCKS for command in block.commands()]


def readme_text() -> str:
    return "\n".join(readme.read(path) for path in readme.READMES)


def test_the_readmes_have_shell_blocks_of_each_kind():
    kinds = {block.mode.kind for block in BLOCKS if block.mode is not None}
    assert {"setup", "run", "skip"} <= kinds
    assert any(block.mode and block.mode.embedded for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.where)
def test_every_shell_block_says_how_it_is_walked(block):
    assert block.mode is not None, (
        f"{block.where}: a shell block needs a `<!-- walkthrough: run -->` (or setup, or "
        "skip: REASON) marker on the line above its fence (scripts/readme_commands.py)"
    )
    assert block.commands(), f"{block.where}: a marked block with no command"


def test_every_dry_marker_names_a_command_of_its_block():
    for block in BLOCKS:
        for marker in (m for m in block.markers if m.kind == "dry"):
            matched = [c for c in block.commands() if block.dry_reason(c) == marker.reason]
            assert matched, f"{block.where}: dry {marker.prefix!r} matches no command"


def test_unknown_markers_are_refused():
    with pytest.raises(readme.MarkerError):
        readme.parse_marker("maybe", "README.md:1")
    assert readme.parse_marker("skip: needs an App", "x").reason == "needs an App"
    dry = readme.parse_marker('dry "make test": CI runs it', "x")
    assert (dry.kind, dry.prefix, dry.reason) == ("dry", "make test", "CI runs it")


def test_commands_are_read_as_a_reader_types_them():
    texts = [command.text for command in BLOCK_COMMANDS]
    # A cron line is its command; continued lines stay one command; comments are no command.
    assert any(text.startswith("cd /path/to/tap-github-prs && ") for text in texts)
    piped = [text for text in texts if "state get" in text and "> state.json" in text]
    assert piped and "\\\n" in piped[0]
    assert not any(text.startswith("#") for text in texts)
    setup = [c.text for b in BLOCKS if b.mode and b.mode.kind == "setup" for c in b.commands()]
    assert any(text.startswith("cp .env.example .env") for text in setup)


def test_every_command_named_in_the_text_is_in_the_plan():
    missing = [
        f"{inline.where}: `{inline.text}`"
        for inline in readme.all_inline_commands()
        if inline.text not in plan.INLINE
        and not any(readme.same_command(inline.text, c.text) for c in BLOCK_COMMANDS)
    ]
    assert not missing, (
        "commands named in the READMEs' text that scripts/readme_walkthrough_plan.py's INLINE "
        f"does not list (run, dry with a reason, covered, or mention): {missing}"
    )


def test_the_plan_names_nothing_the_readmes_no_longer_say():
    named = {inline.text for inline in readme.all_inline_commands()}
    assert not set(plan.INLINE) - named
    for entry in plan.INLINE.values():
        assert entry.action in ("run", "dry", "mention", "covered")
        assert entry.action == "run" or entry.reason
    text = readme_text()
    stale = [placeholder for placeholder, _, _ in plan.SUBSTITUTIONS if placeholder not in text]
    assert not stale


def test_the_inline_commands_are_found_in_the_prose_only():
    inline = {command.text for command in readme.all_inline_commands()}
    assert "meltano state list" in inline  # in a sentence of README.md
    assert "make check RESUME=1" in inline
    assert not any(text.startswith("pip_url") for text in inline)  # a YAML key, not a command


def test_every_troubleshooting_probe_finds_its_quote():
    quotes = troubleshooting.troubleshooting_quotes(readme.read("README.md"))
    beginnings = [b for probe in troubleshooting.probes("db") for b in probe.quotes]
    beginnings += ["Another '", "Cannot reach", "Waiting for the loader", "Loader ready"]
    for beginning in beginnings:
        troubleshooting.find_quote(quotes, beginning)


def test_a_quote_matches_the_line_it_was_pasted_from_with_other_numbers():
    pattern = troubleshooting.quote_pattern(
        "GitHub rejected token #1 (HTTP 401 Bad credentials); dropping it, 0 token(s) left."
    )
    line = "[error ] GitHub rejected token #2 (HTTP 401 Bad credentials); dropping it, 1 token(s) "
    line += "left."
    assert pattern.search(line)
    assert not pattern.search(line.replace("Bad credentials", "Forbidden"))
    elided = troubleshooting.quote_pattern('FATAL: database "…" does not exist. Check: …')
    assert elided.search('x FATAL: database "w_1" does not exist. Check: PGDATABASE must ...')


def test_a_copied_env_example_sets_nothing():
    """`cp .env.example .env` must not change a dev run: an empty token in it used to override
    the dev environment's stand-in token."""
    values = dotenv_values(PROJECT_ROOT / ".env.example")
    assert values == {}, f".env.example sets {sorted(values)} before it is filled in"
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    # The line the walkthrough (and the reader) fills in.
    assert any(line.startswith("# TAP_GITHUB_PRS_AUTH_TOKEN=") for line in lines)
