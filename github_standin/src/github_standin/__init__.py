"""A local GitHub GraphQL API stand-in for tests, the offline demo and benchmarks.

    from github_standin import FakeGitHub
    with FakeGitHub(seed=1, prs=100) as github:
        ...  # POST github.graphql_url with `Authorization: bearer fake-token-1`

See README.md in this directory.
"""

from .cost import CostReport, analyze
from .faults import FAULT_KINDS, Fault
from .generator import DEFAULT_NOW, DEFAULT_REPOSITORIES, generate_dataset
from .models import Dataset, PullRequest, Repository, format_datetime, parse_datetime
from .schema_loader import load_schema
from .server import DEFAULT_TOKENS, FakeGitHub, Request, Response
from .server_time import ServerTimeModel

__all__ = [
    "DEFAULT_NOW",
    "DEFAULT_REPOSITORIES",
    "DEFAULT_TOKENS",
    "FAULT_KINDS",
    "CostReport",
    "Dataset",
    "FakeGitHub",
    "Fault",
    "PullRequest",
    "Repository",
    "Request",
    "Response",
    "ServerTimeModel",
    "analyze",
    "format_datetime",
    "generate_dataset",
    "load_schema",
    "parse_datetime",
]
