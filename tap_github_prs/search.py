"""GitHub search syntax the tap relies on."""

from __future__ import annotations

# GitHub's search returns at most 1,000 results per query, whatever the pagination.
SEARCH_RESULT_CAP = 1000


def search_qualifier_time(timestamp: str) -> str:
    """GitHub search takes `YYYY-MM-DDTHH:MM:SS+00:00`."""
    return timestamp.replace("Z", "+00:00")


def updated_since_query(repository: str, lower_bound: str | None, *, newest_first: bool) -> str:
    """A search for the repository's pull requests updated at or after `lower_bound`."""
    order = "updated-desc" if newest_first else "updated-asc"
    query = f"repo:{repository} is:pr sort:{order}"
    if lower_bound:
        query += f" updated:>={search_qualifier_time(lower_bound)}"
    return query
