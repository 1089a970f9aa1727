"""The tap's progress lines: where each repository starts, and how far its walk has got.

Bookmarks are per repository, so singer-sdk's one stream-wide "bookmark value" line (which
names `start_date` even when every repository resumes from a later bookmark) is replaced by
one line per repository that says where its walk really starts.
"""

from __future__ import annotations


def starting_point(
    repository: str, stream: str, bookmark: str | None, start_date: str | None
) -> str:
    """Where `repository`'s walk of `stream` starts: its bookmark, else `start_date`."""
    if bookmark:
        return f"{repository}: {stream} incremental from {bookmark}."
    if start_date:
        return f"{repository}: {stream} first sync from start_date {start_date}."
    return f"{repository}: {stream} first sync of the whole history (no start_date)."


def page_progress(
    repository: str,
    *,
    prs: int,
    requests: int,
    so_far: int,
    remaining: int | None,
    elapsed: float,
    bookmark: str | None,
) -> str:
    """One page's line: its PRs, the repository's PRs so far and, when GitHub said how many
    the search still holds (`remaining`), the share done and an ETA at the pace so far."""
    line = f"{repository}: {prs} PRs from {requests} request(s), {so_far} so far"
    if remaining is not None and so_far + remaining > 0:
        total = so_far + remaining
        # About: a PR updated during the walk moves to the end and is counted again.
        line += f" of about {total} ({100 * so_far // total}%"
        if remaining and so_far:
            line += f", ETA {duration(elapsed * remaining / so_far)}"
        line += ")"
    return f"{line}; bookmark {bookmark}."


def duration(seconds: float) -> str:
    """A short human duration: 45s, 3m05s, 2h07m."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
