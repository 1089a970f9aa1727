"""tap-github-prs: the Singer tap."""

from __future__ import annotations

import sys
import typing as t

from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_github_prs.errors import SyncStoppedError
from tap_github_prs.settings import DEFAULT_PAGE_SIZE, parse_settings
from tap_github_prs.streams import STREAM_TYPES

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


class TapGitHubPRs(Tap):
    """GitHub pull requests with reviews, commits, files and check runs, from GraphQL pages."""

    name = "tap-github-prs"
    # No BATCH (children are written from the parent's pages) and no ACTIVATE_VERSION
    # (incremental streams; the target upserts on primary keys).
    capabilities: t.ClassVar[list] = [
        TapCapabilities.CATALOG,
        TapCapabilities.DISCOVER,
        TapCapabilities.STATE,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    config_jsonschema = th.PropertiesList(
        th.Property(
            "auth_token",
            th.StringType,
            secret=True,
            description="GitHub token (PAT or OAuth). Falls back to the GITHUB_TOKEN variable.",
        ),
        th.Property(
            "additional_auth_tokens",
            th.ArrayType(th.StringType),
            secret=True,
            description="More tokens: the tap rotates across all of them and skips exhausted "
            "ones. Logs name a token only by position (#1 is auth_token).",
        ),
        th.Property(
            "repositories",
            th.ArrayType(th.StringType),
            description="Repositories to sync, as owner/name.",
        ),
        th.Property(
            "organizations",
            th.ArrayType(th.StringType),
            description="Organisations whose every repository is synced; combines with "
            "repositories.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="First sync only: fetch PRs updated at or after this time.",
        ),
        th.Property(
            "api_url",
            th.StringType,
            default="https://api.github.com/graphql",
            description="GraphQL endpoint. GitHub Enterprise Server: https://HOST/api/graphql.",
        ),
        th.Property(
            "page_size",
            th.IntegerType,
            default=DEFAULT_PAGE_SIZE,
            description="Pull requests per request (1-100), each with its reviews, commits, "
            "files, labels and check runs. Halved automatically on 502/504/timeouts and grown "
            "back after successes.",
        ),
        th.Property(
            "max_prs_per_repo",
            th.IntegerType,
            description="Sampling: on a repository's first sync, only its N most recently "
            "updated PRs. Later syncs are normal incremental syncs from that bookmark.",
        ),
        th.Property(
            "request_timeout",
            th.NumberType,
            default=60,
            description="Seconds before an HTTP request is abandoned (then the page shrinks).",
        ),
        th.Property(
            "max_rate_limit_wait",
            th.NumberType,
            default=3600,
            description="Longest wait, in seconds, for a rate-limit reset. Past it the tap "
            "stops with a clear message and with the state of every finished page saved.",
        ),
        th.Property(
            "max_parallel_repos",
            th.IntegerType,
            default=2,
            description="Repositories fetched at once (1-16).",
        ),
        th.Property(
            "fail_on_missing_repository",
            th.BooleanType,
            default=False,
            description="If true, an unknown or inaccessible repository or organisation stops "
            "the sync; if false it is logged as an error naming it and the others continue.",
        ),
        th.Property(
            "cache_dir",
            th.StringType,
            description="Directory of the local response cache. Inspect it with "
            "`python -m tap_github_prs.cache --info DIR` (age and PRs per repository).",
        ),
        th.Property(
            "cache_mode",
            th.StringType,
            allowed_values=["use", "refresh", "off"],
            description="use: replay cached responses and cache new ones; refresh: always "
            "fetch and overwrite; off: no cache. Default: use when cache_dir is set, else off. "
            "Warns when entries are older than 7 days.",
        ),
    ).to_dict()

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # Syntax checks now (before any request); "no repositories" waits for a sync, so that
        # --discover and --about work with an empty config.
        parse_settings(self.config, require_sources=False)

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:  # type: ignore[override]
        """Run the CLI; a deliberate stop (rate limit, no token) ends with its message only."""
        try:
            super().invoke(*args, **kwargs)
        except SyncStoppedError as exc:
            cls.logger.error("%s", exc)
            sys.exit(1)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]
