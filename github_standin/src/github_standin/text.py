"""Word lists and text builders for generated titles, bodies, commit messages and paths.

Includes deliberately nasty text: non-Latin scripts, emoji, NUL characters, lone surrogates and
megabyte bodies, because the tap must survive all of them.
"""

from __future__ import annotations

import random
import unicodedata

FIRST_NAMES = (
    "Ada",
    "Bea",
    "Chen",
    "Dmitri",
    "Elif",
    "Fatima",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jonas",
    "Kai",
    "Léa",
    "Mateo",
    "Nia",
    "Olu",
    "Priya",
    "Quinn",
    "Rafael",
    "Sofía",
    "Tomasz",
    "Uma",
    "Víctor",
    "Wen",
    "Xiadani",
    "Yusuf",
    "Zoë",
    "Anaïs",
    "Björn",
    "Ngozi",
    "Saoirse",
)
LAST_NAMES = (
    "Okafor",
    "Nakamura",
    "Müller",
    "García",
    "Kowalski",
    "Singh",
    "Haddad",
    "O'Neil",
    "Novak",
    "Rossi",
    "Kim",
    "Dubois",
    "Andersen",
    "Silva",
    "Ivanova",
    "Chen",
    "Tanaka",
    "Mensah",
    "Larsen",
    "Petrović",
)
LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("dependencies", "0366d6", "Pull requests that update a dependency file"),
    ("documentation", "0075ca", None),
    ("size/XL", "ee0701", None),
    ("needs-review", "fbca04", "Waiting for a reviewer"),
    ("🚀 release", "5319e7", "Ships in the next release"),
    ("performance", "c2e0c6", None),
    ("security", "b60205", "Security-relevant change"),
    ("tech-debt", "e4e669", None),
)
MILESTONES = ("v1.0", "v1.1", "Q3 2026 — Launch", "v2.0 🎯")
REPO_BLURBS = ("the product monorepo", "SDKs and adapters", "a small but busy service", "web app")
AI_COAUTHORS = (
    (
        "Claude <noreply@anthropic.com>",
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    ),
    ("Copilot <175728472+Copilot@users.noreply.github.com>", None),
    ("Cursor Agent <cursoragent@cursor.com>", None),
    ("Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>", None),
)
VERBS = (
    "Fix",
    "Add",
    "Refactor",
    "Update",
    "Remove",
    "Improve",
    "Speed up",
    "Document",
    "Handle",
    "Rename",
)
NOUNS = (
    "checkout flow",
    "webhook retries",
    "billing export",
    "session cache",
    "search index",
    "payout report",
    "onboarding wizard",
    "feature flags",
    "rate limiter",
    "CSV import",
    "dark mode",
    "API pagination",
    "email templates",
    "audit log",
    "SSO login",
)
NASTY = (
    "über-naïve façade",
    "日本語のテキスト",
    "Ελληνικά",
    "עברית RTL",
    "emoji 🎉🔥👩‍💻",
    "zalgo t̸̢e̴x̷t",
    "tab\tand\r\nCRLF",
    'quote " and backslash \\',
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",  # noqa: RUF001
    "ZWJ 👨‍👩‍👧‍👦",
)
DIRECTORIES = (
    "app/models",
    "app/controllers",
    "frontend/src/components",
    "src/lib",
    "tests",
    "docs",
    ".github/workflows",
    "server/api",
    "migrations",
)
EXTENSIONS = (".py", ".ts", ".tsx", ".rb", ".md", ".yml", ".sql", ".json")
DEPENDENCIES = (
    "requests",
    "react",
    "rails",
    "pydantic",
    "vite",
    "eslint",
    "boto3",
    "next",
    "sqlalchemy",
    "typescript",
)
JIRA_PROJECTS = ("ABC", "PAY", "WEB", "OPS", "GRO")


def ascii_fold(word: str) -> str:
    """`Sofía O'Neil` -> `sofiaoneil`: logins and e-mail local parts are ASCII."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def make_login(rng: random.Random, first: str, last: str) -> str:
    ascii_first = ascii_fold(first) or "dev"
    ascii_last = ascii_fold(last)
    style = rng.randrange(4)
    if style == 0:
        return f"{ascii_first}{ascii_last}"
    if style == 1:
        return f"{ascii_first}-{ascii_last}"
    if style == 2:
        return f"{ascii_first[0]}{ascii_last}{rng.randint(1, 99)}"
    return f"{ascii_first}_{rng.randint(100, 9999)}"


def jira_key(rng: random.Random) -> str:
    return f"{rng.choice(JIRA_PROJECTS)}-{rng.randint(1, 4999)}"


def _slug(words: str) -> str:
    return "-".join("".join(c for c in w.lower() if c.isalnum()) for w in words.split()[:4])


def pull_request_text(
    rng: random.Random, bot_kind: str | None, heavy: set[str]
) -> tuple[str, str, str]:
    """Return (title, head branch, body)."""
    if bot_kind in ("dependabot", "renovate"):
        dep = rng.choice(DEPENDENCIES)
        old, new = (
            f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            f"{rng.randint(10, 12)}.{rng.randint(0, 5)}.0",
        )
        if bot_kind == "dependabot":
            title = f"Bump {dep} from {old} to {new}"
            branch = f"dependabot/npm_and_yarn/{dep}-{new}"
            body = (
                f"Bumps [{dep}](https://github.com/example/{dep}) from {old} to {new}.\n\n---\n\n"
                "Dependabot will resolve any conflicts with this PR."
            )
        else:
            title = f"chore(deps): update dependency {dep} to v{new}"
            branch = f"renovate/{dep}-{new.split('.')[0]}.x"
            body = (
                "This PR contains the following updates:\n\n| Package | Change |\n|---|---|\n"
                f"| {dep} | `{old}` -> `{new}` |\n\n---\n\n📅 **Schedule**: at any time."
            )
        return title, branch, body
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    title = f"{verb} {noun}"
    key = jira_key(rng) if rng.random() < 0.25 else None
    where = rng.random()
    if key and where < 0.5:
        title = f"{key}: {title}" if rng.random() < 0.5 else f"[{key}] {title}"
    if rng.random() < 0.12:
        title = f"{title} ({rng.choice(NASTY)})"
    branch_prefix = (
        rng.choice(("feature", "fix", "chore", ""))
        if bot_kind is None
        else "devin"
        if bot_kind == "devin-ai-integration"
        else "copilot"
    )
    branch = f"{branch_prefix}/" if branch_prefix else ""
    if key and 0.5 <= where < 0.8:
        branch += f"{key.lower() if rng.random() < 0.3 else key}-"
    branch += _slug(f"{verb} {noun}") + (f"-{rng.randint(2, 9)}" if rng.random() < 0.2 else "")
    paragraphs = [f"This PR will {verb.lower()} the {noun}."]
    if key and where >= 0.8:
        paragraphs.append(f"Jira: {key}")
    if rng.random() < 0.3:
        paragraphs.append(f"Fixes #{rng.randint(1, 3000)}")
    if bot_kind in ("copilot-swe-agent", "devin-ai-integration"):
        paragraphs.append(
            "Link to the agent session: https://agent.example.com/sessions/"
            + f"{rng.getrandbits(48):012x}"
        )
    elif rng.random() < 0.1:
        paragraphs.append("🤖 Generated with [Claude Code](https://claude.com/claude-code)")
    roll = rng.random()
    if roll < 0.02:
        paragraphs.append("binary junk: \u0000 and more \u0000\u0000")
    elif roll < 0.04:
        paragraphs.append("broken emoji half: \ud83d end")
    elif roll < 0.12:
        paragraphs.append(rng.choice(NASTY))
    if rng.random() < 0.08:
        paragraphs = [""]  # empty body is common
    body = "\n\n".join(paragraphs)
    return title, branch, body


def megabyte_paste() -> str:
    """About 1 MB (UTF-8) of pasted log, for the few PRs with huge bodies."""
    line = "A very long log line that someone pasted into the PR description — ünïcödé 🚀.\n"
    return "\n\n```\n" + line * (1_048_576 // len(line.encode()) + 1) + "```\n"


def commit_message(rng, pr, bot_kind, ai_tool, members) -> str:
    if bot_kind in ("dependabot", "renovate"):
        msg = pr.title
        if bot_kind == "dependabot":
            msg += "\n\nSigned-off-by: dependabot[bot] <support@github.com>"
        return msg
    headline = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}"
    if rng.random() < 0.1:
        headline = rng.choice(
            (
                "wip",
                "fix tests",
                "address review comments",
                "lint",
                "Merge branch 'main' into " + pr.head_ref_name,
            )
        )
    lines = [headline]
    extra = rng.choice(NASTY) if rng.random() < 0.1 else ""
    if rng.random() < 0.3:
        lines += [
            "",
            f"Explain why: the {rng.choice(NOUNS)} was slow. {extra}".rstrip(),
        ]
    trailers = []
    if rng.random() < 0.12:
        person = rng.choice(members)
        trailers.append(f"Co-authored-by: {person.name} <{person.email}>")
    if ai_tool and rng.random() < 0.7:
        coauthor, banner = ai_tool
        if banner:
            lines += ["", banner]
        trailers.append(f"Co-authored-by: {coauthor}")
    if trailers:
        lines += ["", *trailers]
    return "\n".join(lines)


def review_body(rng: random.Random, state: str) -> str:
    if state == "APPROVED":
        return rng.choice(("", "", "LGTM", "Looks good 👍", "Ship it 🚀"))
    if state == "CHANGES_REQUESTED":
        return rng.choice(("Please add tests.", "This breaks the billing export.", "Nit: naming."))
    return rng.choice(("", "Left a few comments.", "Why not reuse the helper?", "ℹ️ FYI", "Thanks!"))  # noqa: RUF001


def issue_title(rng: random.Random) -> str:
    return f"{rng.choice(NOUNS).capitalize()} is broken"


CHANGE_TYPES = ("MODIFIED", "ADDED", "DELETED", "RENAMED", "COPIED", "CHANGED")
CHANGE_WEIGHTS = (68, 16, 7, 6, 1, 2)


def changed_files(rng: random.Random, count: int, bot_kind: str | None):
    from .models import ChangedFile

    if bot_kind in ("dependabot", "renovate"):
        pool = [
            "package.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "requirements.txt",
            "poetry.lock",
            "Gemfile.lock",
        ]
        paths = pool[: max(1, min(count, len(pool)))]
        return [ChangedFile(p, rng.randint(1, 300), rng.randint(1, 300), "MODIFIED") for p in paths]
    files = []
    seen: set[str] = set()
    while len(files) < count:
        stem = rng.choice(NOUNS).replace(" ", "_")
        path = f"{rng.choice(DIRECTORIES)}/{stem}_{rng.randint(1, 999)}{rng.choice(EXTENSIONS)}"
        if rng.random() < 0.01:
            language = rng.choice(("日本語", "français", "español"))
            path = f"docs/i18n/{language}/readme_{rng.randint(1, 99)}.md"
        if path in seen:
            continue
        seen.add(path)
        change = rng.choices(CHANGE_TYPES, weights=CHANGE_WEIGHTS)[0]
        additions = 0 if change == "DELETED" else int(rng.expovariate(1 / 25))
        deletions = 0 if change == "ADDED" else int(rng.expovariate(1 / 12))
        if change in ("RENAMED", "COPIED") and rng.random() < 0.6:
            additions = deletions = 0
        files.append(ChangedFile(path, additions, deletions, change))
    return files


def check_run_name(rng: random.Random, app_slug: str, index: int) -> str:
    if app_slug != "github-actions":
        return {
            "vercel": "Vercel – preview",  # noqa: RUF001
            "codecov": "codecov/patch",
            "netlify": "netlify/deploy-preview",
        }[app_slug]
    base = ("test", "lint", "build", "typecheck", "e2e", "migrations", "docker")[index % 7]
    return f"{base} ({index // 7 + 1})" if index >= 7 else base
