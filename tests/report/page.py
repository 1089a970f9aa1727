"""Read back what a report page shows: its tiles, scopes and chart rows."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

TILE = re.compile(r'data-scope="([^"]+)" data-metric="([^"]+)" data-value="([^"]*)"')
OPTION = re.compile(r'<option value="([^"]+)">([^<]+)</option>')
DATA = re.compile(r'<script id="report-data" type="application/json">(.*?)</script>', re.S)


class Page:
    def __init__(self, path: Path) -> None:
        self.text = path.read_text(encoding="utf-8")
        self.scopes = {key: html.unescape(label) for key, label in OPTION.findall(self.text)}
        self.tiles: dict[tuple[str, str], str] = {
            (scope, metric): html.unescape(value)
            for scope, metric, value in TILE.findall(self.text)
        }
        self.datasets: dict[str, list[dict]] = json.loads(DATA.search(self.text).group(1))

    def scope_of(self, repository: str | None) -> str:
        if repository is None:
            return "all"
        return next(key for key, label in self.scopes.items() if label == repository)

    def tile(self, repository: str | None, metric: str) -> float | None:
        value = self.tiles[(self.scope_of(repository), metric)]
        return float(value) if value else None

    def rows(self, repository: str | None, kind: str) -> list[dict]:
        return self.datasets.get(f"{self.scope_of(repository)}-{kind}", [])
