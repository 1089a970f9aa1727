"""tap-github-prs: the Singer tap."""

from __future__ import annotations

import os
import sys
import typing as t

from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities
from typing_extensions import override

from tap_github_prs.cache import CACHE_MODES
from tap_github_prs.clock import Clock
from tap_github_prs.delivery.settings import (
    DEFAULT_DEPLOYMENT_ENVIRONMENTS,
    DEFAULT_INCIDENT_LABELS,
    DEFAULT_LOOKBACK_DAYS,
    DeliverySettings,
)
from tap_github_prs.errors import GitHubAPIError, RepositoryNotFoundError, SyncStoppedError
from tap_github_prs.loader_confirmations import LoaderConfirmations, StateCountingWriter
from tap_github_prs.loader_ready import marker_path, wait_for_loader
from tap_github_prs.settings import LOGIN_PATTERN, REPOSITORY_PATTERN, Settings
from tap_github_prs.streams import STREAM_TYPES
from tap_github_prs.sync import SyncSession

if t.TYPE_CHECKING:
    import logging

    from singer_sdk.streams import Stream

# GitHub's cost is (1 + 8 connections x page size + follow-ups riding along) / 100, rounded:
# a page of 67 PRs is 537 requests, 5 points, with room for 12 follow-ups before it rounds to 6
# (68 leaves room for 4; 69 costs 6; 60 costs 5 too, for fewer PRs). Measured on the stand-in's
# default dataset (BENCHMARKS.md, "points per 1,000 PRs"): 60 -> 86 points per 1,000 PRs and
# 47.6 PRs per request, 67 -> 80.5 and 48.8. A page requests ~37k nodes (GitHub allows 500k);
# GitHub's 10 s timeout is what big nested pages risk, and a 502/504 halves the size and grows
# it back.
DEFAULT_PAGE_SIZE = 67


class TapGitHubPRs(Tap):
    """GitHub pull requests with reviews, commits, files and check runs, from GraphQL pages."""

    name = "tap-github-prs"
    # Counts the STATE messages written, for flow control with the loader.
    message_writer_class = StateCountingWriter
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
            "github_app_id",
            th.IntegerType(minimum=1),
            description="Authenticate as this GitHub App (its numeric App ID): the tap signs a "
            "JWT with the App's private key and uses one installation token per installation, "
            "renewed before it expires, rotated with any personal tokens.",
        ),
        th.Property(
            "github_app_private_key",
            th.StringType,
            secret=True,
            description="The App's private key (PEM). Keep it out of files Meltano writes: set "
            "TAP_GITHUB_PRS_GITHUB_APP_PRIVATE_KEY in the environment, or "
            "github_app_private_key_path.",
        ),
        th.Property(
            "github_app_private_key_path",
            th.StringType,
            description="Path of the App's private key file (.pem), read when "
            "github_app_private_key is not set.",
        ),
        th.Property(
            "github_app_installation_ids",
            th.ArrayType(th.IntegerType(minimum=1)),
            description="Installations of the App to use; empty: every installation of the App "
            "(GET /app/installations).",
        ),
        th.Property(
            "additional_github_apps",
            th.ArrayType(
                th.ObjectType(
                    th.Property("app_id", th.IntegerType(minimum=1), required=True),
                    th.Property("private_key_path", th.StringType, required=True),
                    th.Property("installation_ids", th.ArrayType(th.IntegerType(minimum=1))),
                )
            ),
            description="More GitHub Apps, each with its key file and optional installations; "
            "their installation tokens join the same pool.",
        ),
        th.Property(
            "repositories",
            th.ArrayType(th.StringType(pattern=REPOSITORY_PATTERN)),
            description="Repositories to sync, as owner/name.",
        ),
        th.Property(
            "organizations",
            th.ArrayType(th.StringType(pattern=LOGIN_PATTERN)),
            description="Organisations whose every repository is synced; combines with "
            "repositories.",
        ),
        th.Property(
            "include_archived",
            th.BooleanType,
            default=True,
            description="Organisations: also sync their archived repositories (read-only, "
            "their history is still data). Repositories named in `repositories` always sync.",
        ),
        th.Property(
            "include_forks",
            th.BooleanType,
            default=True,
            description="Organisations: also sync repositories that are forks.",
        ),
        th.Property(
            "repository_name_pattern",
            th.StringType,
            description="Organisations: only repositories whose owner/name matches this "
            "regular expression (searched, case-insensitive), e.g. `^acme/(api|web)-`.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="First sync only: fetch PRs updated at or after this time.",
        ),
        th.Property(
            "api_url",
            th.StringType(pattern=r"^https?://[^/\s]+"),
            default="https://api.github.com/graphql",
            description="GraphQL endpoint. GitHub Enterprise Server: https://HOST/api/graphql.",
        ),
        th.Property(
            "page_size",
            th.IntegerType(minimum=1, maximum=100),
            default=DEFAULT_PAGE_SIZE,
            description="Pull requests per request (1-100), each with its reviews, commits, "
            "files, labels and check runs. Halved automatically on 502/504/timeouts and grown "
            "back after successes.",
        ),
        th.Property(
            "max_prs_per_repo",
            th.IntegerType(minimum=1),
            description="Sampling: on a repository's first sync, only its N most recently "
            "updated PRs. Later syncs are normal incremental syncs from that bookmark.",
        ),
        th.Property(
            "request_timeout",
            th.NumberType(minimum=0),
            default=60,
            description="Seconds before an HTTP request is abandoned (then the page shrinks).",
        ),
        th.Property(
            "max_rate_limit_wait",
            th.NumberType(minimum=0),
            default=3600,
            description="Longest wait, in seconds, for a rate-limit reset. Past it the tap "
            "stops with a clear message and with the state of every finished page saved.",
        ),
        th.Property(
            "connect_retry_seconds",
            th.NumberType(minimum=0, maximum=600),
            default=30,
            description="How long to keep retrying when the API cannot be reached at all "
            "(connection refused, DNS, TLS) before anything was answered; then the tap stops "
            "with one line naming the URL and the cause. Once GitHub has answered, a lost "
            "connection is retried patiently like any transient failure.",
        ),
        th.Property(
            "github_timeout_seconds",
            th.NumberType(minimum=1, maximum=300),
            default=10,
            description="GitHub's server-side time limit per query (10 s on github.com; "
            "GitHub Enterprise Server admins can change it). A 502/504 that arrives after most "
            "of it means the query was too heavy (the page shrinks); a faster one is retried "
            "once as it is first.",
        ),
        th.Property(
            "max_parallel_repos",
            th.IntegerType(minimum=1, maximum=16),
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
            th.StringType(allowed_values=list(CACHE_MODES)),
            description="use: replay cached responses and cache new ones; refresh: always "
            "fetch and overwrite; off: no cache. Default: use when cache_dir is set, else off. "
            "Warns when entries are older than 7 days.",
        ),
        th.Property(
            "deployment_environments",
            th.StringType(min_length=1),
            default=DEFAULT_DEPLOYMENT_ENVIRONMENTS,
            description="Regular expression naming the production environments of GitHub "
            "Deployments (case-insensitive, whole name: `prod` matches prod, not preprod). "
            "Every deployment is extracted; this sets its is_production flag, which the DORA "
            "marts count.",
        ),
        th.Property(
            "incident_labels",
            th.ArrayType(th.StringType),
            default=list(DEFAULT_INCIDENT_LABELS),
            description="Issues with any of these labels are incidents (Apache DevLake's default "
            "incident source); only they are extracted by the issues stream.",
        ),
        th.Property(
            "incident_title_pattern",
            th.StringType,
            description="Optional regular expression (case-insensitive, searched in the title): "
            "matching issues are incidents too. Setting it makes the issues stream read every "
            "issue, since GitHub cannot filter titles.",
        ),
        th.Property(
            "deployment_lookback_days",
            th.IntegerType(minimum=0, maximum=365),
            default=DEFAULT_LOOKBACK_DAYS,
            description="Deployments and releases have no updated-since filter and change after "
            "creation (new statuses): each incremental run re-reads those created up to this "
            "many days before the previous run's newest one, and upserts them.",
        ),
        th.Property(
            "wait_for_loader_seconds",
            th.NumberType(minimum=0, maximum=600),
            default=0,
            description="In `meltano run`: wait up to this long, before the first request, for "
            "the loader to signal that the warehouse is reachable (this project's "
            "target-postgres does), so a bad warehouse fails before any GitHub request and "
            "the tap never runs ahead of a loader still starting. 0: don't wait.",
        ),
    ).to_dict()

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        # Tests replace the clock (nothing really sleeps); a sync reads it when it starts.
        self.clock = Clock()
        self.sync_session: SyncSession | None = None
        self.loader_confirmations: LoaderConfirmations | None = None
        super().__init__(*args, **kwargs)
        # The SDK has checked config_jsonschema (bounds, patterns, allowed values) and filled
        # in its defaults; the cross-field rules run now, before any request. "No
        # repositories" and "no token" wait for a sync, so --discover and --about work with an
        # empty config.
        self.settings = Settings.from_config(self.config)
        DeliverySettings.from_config(self.config)  # a bad pattern fails before any request

    def open_sync_session(self, logger: logging.Logger) -> SyncSession:
        """Everything a sync needs, built once per run and shared by every stream: one token
        pool (a token found exhausted by one stream is not tried again by the next), one pacing
        of requests, one list of repositories (each missing one reported once), one summary."""
        if self.sync_session is None:
            self.sync_session = SyncSession(
                self.settings.ready_to_sync(), logger, self.clock, self.loader_confirmations
            )
        return self.sync_session

    @override
    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:  # type: ignore[override]
        """Run the CLI; a failure the tap understands ends with one line, its traceback only at
        the debug level (a traceback is for bugs, not for a wrong URL or a revoked token)."""
        try:
            super().invoke(*args, **kwargs)
        except (SyncStoppedError, GitHubAPIError, RepositoryNotFoundError) as exc:
            cls.logger.debug("Traceback of the failure below:", exc_info=True)
            cls.logger.error("%s", exc)
            sys.exit(1)
        except BrokenPipeError:
            # The reader of our output (the loader, through Meltano) is gone and says why
            # itself; a traceback here would bury its line. Python's own flush at exit would
            # fail again on the closed pipe, so stdout points at /dev/null from now on.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            cls.logger.error("Output closed (the loader stopped): stopping.")
            sys.exit(1)

    @override
    def sync_all(self) -> None:
        # "No token" or "no repositories" is said in one line before any request or stream.
        self.settings.ready_to_sync()
        if wait_for_loader(float(self.config.get("wait_for_loader_seconds") or 0), self.logger):
            self.loader_confirmations = LoaderConfirmations.find(
                marker_path(), self.message_writer, self.logger
            )
        try:
            super().sync_all()
        finally:
            if self.sync_session is not None:
                self.sync_session.log_summary()
                self.sync_session.client.cancel()  # a worker still waiting stops now

    @override
    def discover_streams(self) -> list[Stream]:
        return [
            stream_type(tap=self, open_session=self.open_sync_session)
            for stream_type in STREAM_TYPES
        ]

    @override
    def load_streams(self) -> list[Stream]:
        """Streams in STREAM_TYPES order, not by name: pull requests sync first, so a quota
        that runs out is spent on them before the (cheaper) delivery streams."""
        order = {stream_type.name: index for index, stream_type in enumerate(STREAM_TYPES)}
        return sorted(super().load_streams(), key=lambda stream: order[stream.name])
