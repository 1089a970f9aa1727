"""Load the vendored GitHub schema once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from graphql import GraphQLSchema, build_schema

SCHEMA_PATH = Path(__file__).parent / "schema" / "github.graphql"


@functools.cache
def load_schema() -> GraphQLSchema:
    # graphql-core's strict build rejects the SDL's duplicated field and deprecation mismatches.
    sdl = SCHEMA_PATH.read_text(encoding="utf-8")
    return build_schema(sdl, assume_valid_sdl=True, assume_valid=True)
