"""The commands README.md and plugins/README.md tell a reader to type, read out of the Markdown.

Fenced shell blocks (```sh, ```bash, ```shell, ```console, ```cron) carry a marker, an HTML
comment on the line(s) right above the fence, that says what the walkthrough
(scripts/readme_walkthrough.py) does with them:

    <!-- walkthrough: setup -->                 run first, before every other block
    <!-- walkthrough: run -->                   run every command, in the README's order
    <!-- walkthrough: run, embedded warehouse --> the same, with no PG* variables (a fresh clone)
    <!-- walkthrough: skip: REASON -->           only checked to parse (bash -n, --help, --dry-run)
    <!-- walkthrough: dry "PREFIX": REASON -->   in a run block: commands starting with PREFIX are
                                                 only checked to parse

Commands named in the prose (inline code such as `meltano state list`) are found here too; the
walkthrough's table says what happens to each, and tests/test_readme_commands.py checks that no
block and no inline command escapes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READMES = ("README.md", "plugins/README.md")
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "console", "cron"})

MARKER = re.compile(r"^\s*<!--\s*walkthrough:\s*(?P<body>.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<language>[\w-]*)\s*$")
# `code`, or ``code with `backticks` in it``, possibly over two lines.
INLINE_CODE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<text>.+?)(?<!`)(?P=ticks)(?!`)", re.DOTALL)
# The first word of inline code that names a command a reader could type (two words or more:
# `meltano` alone names the tool, `meltano state list` is a command).
COMMAND_WORDS = frozenset(
    {
        "make",
        "meltano",
        "python",
        "pip",
        "eval",
        "psql",
        "dagster",
        "dbt",
        "cp",
        "rm",
        "export",
        "git",
        "tap-github-prs",
        "tap-github-prs-check",
        "tap-github-prs-report",
        "tap-github-prs-webhooks",
    }
)


class MarkerError(ValueError):
    """A walkthrough marker the walkthrough cannot act on."""


@dataclass(frozen=True)
class Marker:
    kind: str  # setup | run | skip | dry
    reason: str = ""
    prefix: str = ""  # dry: the commands it applies to
    embedded: bool = False  # run: without PG* (the embedded warehouse)


@dataclass(frozen=True)
class Command:
    path: str  # README path relative to the project
    line: int  # 1-based line of the command's first line
    text: str  # as written, continuation lines joined with their backslashes

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Block:
    path: str
    line: int  # 1-based line of the opening fence
    language: str
    body: str
    markers: tuple[Marker, ...] = field(default_factory=tuple)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def mode(self) -> Marker | None:
        """The block's setup/run/skip marker (None: unmarked)."""
        modes = [marker for marker in self.markers if marker.kind != "dry"]
        return modes[0] if modes else None

    def dry_reason(self, command: Command) -> str | None:
        """Why this command is only checked to parse, or None when it runs."""
        mode = self.mode
        if mode is not None and mode.kind == "skip":
            return mode.reason
        for marker in self.markers:
            if marker.kind == "dry" and _strip_venv(command.text).startswith(
                _strip_venv(marker.prefix)
            ):
                return marker.reason
        return None

    def commands(self) -> list[Command]:
        """One command per line; a line ending in `\\` continues on the next; comments and blank
        lines are not commands. A cron line is its command, without the five schedule fields."""
        commands: list[Command] = []
        pending: list[str] = []
        start = 0
        for offset, raw in enumerate(self.body.splitlines()):
            line = raw.strip()
            if not pending and (not line or line.startswith("#")):
                continue
            if not pending:
                start = self.line + 1 + offset
            pending.append(line)
            if line.endswith("\\"):
                continue
            text = "\n".join(pending)
            if self.language == "cron":
                text = text.split(maxsplit=5)[5]
            commands.append(Command(self.path, start, text))
            pending = []
        if pending:
            raise MarkerError(f"{self.where}: the block ends inside a continued line")
        return commands


@dataclass(frozen=True)
class InlineCommand:
    path: str
    line: int
    text: str  # whitespace collapsed

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def parse_marker(body: str, where: str) -> Marker:
    if body in ("setup", "run"):
        return Marker(body)
    if body == "run, embedded warehouse":
        return Marker("run", embedded=True)
    skip = re.fullmatch(r"skip:\s*(?P<reason>\S.*)", body)
    if skip:
        return Marker("skip", reason=skip["reason"])
    dry = re.fullmatch(r'dry\s+"(?P<prefix>[^"]+)":\s*(?P<reason>\S.*)', body)
    if dry:
        return Marker("dry", reason=dry["reason"], prefix=dry["prefix"])
    raise MarkerError(f"{where}: unknown walkthrough marker {body!r}")


def read(path: str, root: Path = PROJECT_ROOT) -> str:
    return (root / path).read_text(encoding="utf-8")


def fenced_blocks(path: str, root: Path = PROJECT_ROOT) -> list[Block]:
    """Every fenced block of the file, with the markers right above it."""
    lines = read(path, root).splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        markers: list[Marker] = []
        above = index - 1
        while above >= 0 and (found := MARKER.match(lines[above])):
            markers.insert(0, parse_marker(found["body"], f"{path}:{above + 1}"))
            above -= 1
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        indent = len(opening["indent"])
        body = "\n".join(line[indent:] for line in lines[index + 1 : end])
        blocks.append(Block(path, index + 1, opening["language"], body, tuple(markers)))
        index = end + 1
    return blocks


def shell_blocks(root: Path = PROJECT_ROOT) -> list[Block]:
    """The shell blocks of both READMEs, in reading order."""
    return [
        block
        for path in READMES
        for block in fenced_blocks(path, root)
        if block.language in SHELL_LANGUAGES
    ]


def inline_commands(path: str, root: Path = PROJECT_ROOT) -> list[InlineCommand]:
    """Inline code in the prose (outside fenced blocks) that reads as a command."""
    prose_lines: list[str] = []
    fenced = False
    for line in read(path, root).splitlines():
        if FENCE.match(line):
            fenced = not fenced
            prose_lines.append("")
            continue
        prose_lines.append("" if fenced else line)
    prose = "\n".join(prose_lines)
    found: list[InlineCommand] = []
    for match in INLINE_CODE.finditer(prose):
        text = " ".join(match["text"].split())
        words = text.split()
        if len(words) < 2:
            continue
        first = words[0]
        if first in COMMAND_WORDS or first.startswith((".venv/bin/", "./")):
            line = prose.count("\n", 0, match.start()) + 1
            found.append(InlineCommand(path, line, text))
    return found


def all_inline_commands(root: Path = PROJECT_ROOT) -> list[InlineCommand]:
    return [command for path in READMES for command in inline_commands(path, root)]


def _strip_venv(text: str) -> str:
    return text.removeprefix(".venv/bin/")


def same_command(inline: str, block_command: str) -> bool:
    """An inline `meltano state list` is the block's `.venv/bin/meltano state list`."""

    def normal(text: str) -> str:
        text = text.split(" #", 1)[0]
        return " ".join(_strip_venv(word) for word in text.replace("\\\n", " ").split())

    return normal(inline) == normal(block_command)
