"""The generated raw data is what the tap could emit: its records fit the tap's schemas."""

from __future__ import annotations

import jsonschema
import pytest

from tap_github_prs import schemas
from tap_github_prs.streams import STREAM_TYPES
from tests.transform.raw_data import SCHEMAS, generate, singer_messages

FIRST_STREAMS = ("pull_requests", "reviews", "commits", "files", "check_runs")


def test_fixtures_use_the_tap_schemas_and_keys() -> None:
    assert {
        stream.name: (stream.schema, list(stream.primary_keys)) for stream in STREAM_TYPES
    } == SCHEMAS
    assert {name: SCHEMAS[name] for name in FIRST_STREAMS} == {
        "pull_requests": (schemas.PULL_REQUESTS, ["id"]),
        "reviews": (schemas.REVIEWS, ["id"]),
        "commits": (schemas.COMMITS, ["pull_request_id", "sha"]),
        "files": (schemas.FILES, ["pull_request_id", "path"]),
        "check_runs": (schemas.CHECK_RUNS, ["id"]),
    }


@pytest.mark.parametrize(("seed", "prs"), [(11, 40), (7, 60)])
def test_generated_records_fit_the_tap_schemas(seed: int, prs: int) -> None:
    checked = 0
    for message in singer_messages(generate(seed, prs)):
        if message["type"] == "SCHEMA":
            validator = jsonschema.Draft202012Validator(
                message["schema"], format_checker=jsonschema.FormatChecker()
            )
        elif message["type"] == "RECORD":
            errors = [error.message for error in validator.iter_errors(message["record"])]
            assert not errors, (message["stream"], message["record"], errors)
            checked += 1
    assert checked > prs
