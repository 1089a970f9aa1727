"""Relay connections over Python lists: first/last/after/before, opaque stable cursors.

Items must be sorted ascending by `key(item, index)`. A cursor encodes its item's key, so
`after:` keeps meaning "after that item" even when other items were added or moved, like
GitHub's cursors for ordered connections.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from .errors import GitHubError

CURSOR_PREFIX = "cursor:v2:"


def encode_cursor(key: Any) -> str:
    raw = CURSOR_PREFIX + json.dumps(key, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Any:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
        if not raw.startswith(CURSOR_PREFIX):
            raise ValueError(cursor)
        return json.loads(raw[len(CURSOR_PREFIX) :])
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise GitHubError(
            f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS"
        ) from exc


def _position(item: Any, index: int) -> int:
    return index


class Edge:
    __slots__ = ("cursor", "node")

    def __init__(self, cursor: str, node: Any) -> None:
        self.cursor = cursor
        self.node = node


class PageInfo:
    __slots__ = ("end_cursor", "has_next_page", "has_previous_page", "start_cursor")

    def __init__(self, start: str | None, end: str | None, has_next: bool, has_previous: bool):
        self.start_cursor = start
        self.end_cursor = end
        self.has_next_page = has_next
        self.has_previous_page = has_previous


class Connection:
    """One page of `items` selected by the connection arguments in `args`."""

    def __init__(
        self,
        items: Sequence[Any],
        args: dict[str, Any],
        key: Callable[[Any, int], Any] = _position,
        total_count: int | None = None,
    ) -> None:
        keys = [key(item, i) for i, item in enumerate(items)]
        low, high = 0, len(items)
        after, before = args.get("after"), args.get("before")
        if after is not None:
            low = _search(bisect_right, keys, after)
        if before is not None:
            high = max(low, _search(bisect_left, keys, before))
        first, last = args.get("first"), args.get("last")
        start, end = low, high
        if first is not None:
            end = min(high, low + max(first, 0))
        elif last is not None:
            start = max(low, high - max(last, 0))
        self.items = items[start:end]
        self.keys = keys[start:end]
        self.total_count = len(items) if total_count is None else total_count
        self.has_next_page = end < len(items)
        self.has_previous_page = start > 0
        self._cursors: list[str] | None = None

    @property
    def cursors(self) -> list[str]:
        if self._cursors is None:
            self._cursors = [encode_cursor(k) for k in self.keys]
        return self._cursors

    @property
    def edges(self) -> list[Edge]:
        return [Edge(c, n) for c, n in zip(self.cursors, self.items, strict=True)]

    @property
    def page_info(self) -> PageInfo:
        cursors = self.cursors
        return PageInfo(
            cursors[0] if cursors else None,
            cursors[-1] if cursors else None,
            self.has_next_page,
            self.has_previous_page,
        )


def _search(bisect: Callable[[list[Any], Any], int], keys: list[Any], cursor: str) -> int:
    key = decode_cursor(cursor)
    try:
        return bisect(keys, key)
    except TypeError:  # a cursor from a connection of another kind
        raise GitHubError(
            f"`{cursor}` does not appear to be a valid cursor.", "INVALID_CURSOR_ARGUMENTS"
        ) from None


def empty_connection() -> Connection:
    return Connection([], {"first": 0})
