"""Response cache: keys without tokens, modes, per-repository info and the 7-day warning."""

from __future__ import annotations

import logging

from tap_github_prs.cache import ResponseCache, cache_info, cache_key, main

PAGE = {"data": {"search": {"nodes": [{"id": "PR_1", "number": 1}, {"id": "PR_2", "number": 2}]}}}
DAY = 86400.0


def test_key_depends_on_host_query_and_variables_only():
    base = cache_key("https://api.github.com/graphql", "query", {"a": 1})
    assert base == cache_key("https://api.github.com/graphql", "query", {"a": 1})
    assert base != cache_key("https://ghe.example.com/api/graphql", "query", {"a": 1})
    assert base != cache_key("https://api.github.com/graphql", "query", {"a": 2})


def test_modes(tmp_path):
    logger = logging.getLogger("test-cache")
    ResponseCache(tmp_path, "refresh", logger).put(
        "https://h/graphql", "q", {}, PAGE, repository="o/r"
    )
    assert ResponseCache(tmp_path, "refresh", logger).get("https://h/graphql", "q", {}) is None
    assert ResponseCache(tmp_path, "use", logger).get("https://h/graphql", "q", {}) == PAGE
    ResponseCache(tmp_path, "use", logger).put(
        "https://h/graphql",
        "q2",
        {},
        {"data": None, "errors": [{"message": "x"}]},
        repository="o/r",
    )
    assert ResponseCache(tmp_path, "use", logger).get("https://h/graphql", "q2", {}) is None


def test_info_and_stale_warning(tmp_path, caplog, capsys):
    logger = logging.getLogger("test-cache")
    written_at = 1_000_000.0
    writer = ResponseCache(tmp_path, "use", logger, clock=lambda: written_at)
    writer.put("https://h/graphql", "q", {"page": 1}, PAGE, repository="o/r")
    writer.put("https://h/graphql", "q", {"page": 2}, PAGE, repository="o/r")  # same PRs again
    [row] = cache_info(tmp_path, now=written_at + 8 * DAY)
    assert (row["repository"], row["entries"], row["pull_requests"]) == ("o/r", 2, 2)
    assert row["stale"] and row["oldest_age_days"] == 8.0

    reader = ResponseCache(tmp_path, "use", logger, clock=lambda: written_at + 8 * DAY)
    with caplog.at_level(logging.WARNING):
        reader.get("https://h/graphql", "q", {"page": 1})
        reader.get("https://h/graphql", "q", {"page": 2})
    assert sum("older than 7 days" in m for m in caplog.messages) == 1

    fresh = ResponseCache(tmp_path, "use", logger, clock=lambda: written_at + DAY)
    caplog.clear()
    fresh.get("https://h/graphql", "q", {"page": 1})
    assert not caplog.messages

    assert main(["--info", str(tmp_path)]) == 0
    assert "o/r" in capsys.readouterr().out
