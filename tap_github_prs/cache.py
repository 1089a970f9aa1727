"""Local response cache: replay page responses instead of asking GitHub again.

Entries are keyed by (API host, query, variables) — never by token — and stored as one JSON
file each, with the repository and the number of pull requests they hold so that
`python -m tap_github_prs.cache --info DIR` can report age and PR count per repository.
Modes: `use` (read, write on miss), `refresh` (always fetch, overwrite), `off`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import threading
import time
import typing as t
from pathlib import Path
from urllib.parse import urlsplit

STALE_AFTER_SECONDS = 7 * 24 * 3600
CACHE_MODES = ("use", "refresh", "off")


def cache_key(api_url: str, query: str, variables: dict[str, t.Any]) -> str:
    material = json.dumps(
        {"host": urlsplit(api_url).netloc, "query": query, "variables": variables},
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _pull_request_ids(body: dict) -> list[str]:
    nodes = ((body.get("data") or {}).get("search") or {}).get("nodes") or []
    return [node["id"] for node in nodes if node and "number" in node and node.get("id")]


class ResponseCache:
    """One directory of cached GraphQL responses."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        mode: str,
        logger: logging.Logger,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory)
        self.mode = mode
        self.logger = logger
        self._clock = clock
        self._warned_stale = False
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, api_url: str, query: str, variables: dict[str, t.Any]) -> dict | None:
        if self.mode != "use":
            return None
        path = self._path(cache_key(api_url, query, variables))
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        age = self._clock() - entry.get("created_at", 0)
        with self._lock:
            if age > STALE_AFTER_SECONDS and not self._warned_stale:
                self._warned_stale = True
                self.logger.warning(
                    "Response cache %s holds entries %.1f days old (older than 7 days); "
                    "use cache_mode=refresh to renew it.",
                    self.directory,
                    age / 86400,
                )
        return entry["response"]

    def put(
        self,
        api_url: str,
        query: str,
        variables: dict[str, t.Any],
        body: dict,
        *,
        repository: str | None,
    ) -> None:
        if self.mode == "off" or body.get("errors"):
            return
        path = self._path(cache_key(api_url, query, variables))
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "created_at": self._clock(),
            "repository": repository,
            "pull_request_ids": _pull_request_ids(body),
            "response": body,
        }
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(entry), encoding="utf-8")
        temporary.replace(path)


def cache_info(directory: str | os.PathLike[str], now: float | None = None) -> list[dict]:
    """Per repository: entries, distinct PRs held, and the age in days of the oldest/newest."""
    now = time.time() if now is None else now
    summary: dict[str, dict] = {}
    for path in Path(directory).glob("*/*.json"):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        repository = entry.get("repository") or "(other)"
        row = summary.setdefault(
            repository,
            {
                "repository": repository,
                "entries": 0,
                "ids": set(),
                "oldest": now,
                "newest": 0,
            },
        )
        row["entries"] += 1
        row["ids"].update(entry.get("pull_request_ids", []))
        row["oldest"] = min(row["oldest"], entry.get("created_at", now))
        row["newest"] = max(row["newest"], entry.get("created_at", now))
    rows = []
    for row in sorted(summary.values(), key=lambda r: r["repository"]):
        rows.append(
            {
                "repository": row["repository"],
                "entries": row["entries"],
                "pull_requests": len(row["ids"]),
                "oldest_age_days": round((now - row["oldest"]) / 86400, 2),
                "newest_age_days": round((now - row["newest"]) / 86400, 2),
                "stale": now - row["oldest"] > STALE_AFTER_SECONDS,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tap_github_prs.cache", description="Show the tap's response cache."
    )
    parser.add_argument("--info", metavar="DIR", required=True, help="the cache_dir to describe")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = cache_info(args.info)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"No cached responses in {args.info}.")
        return 0
    print(f"{'repository':40} {'entries':>7} {'PRs':>7} {'oldest (days)':>14}")
    for row in rows:
        flag = "  STALE (>7 days): refresh with cache_mode=refresh" if row["stale"] else ""
        print(
            f"{row['repository']:40} {row['entries']:>7} {row['pull_requests']:>7} "
            f"{row['oldest_age_days']:>14.2f}{flag}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
