"""GitHub's server time, modelled: how long a GraphQL request takes given the work it returns.

GitHub terminates a request after 10 seconds of server time and answers 502 or 504; the points
are still charged ("Timeouts" in
https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api, and
https://github.blog/changelog/2025-07-21-including-timeouts-in-primary-rate-limits). What makes a
request slow is the data it returns, not its rate-limit cost: cost counts nested *connections*,
while the time goes into the *nodes* (a page of 30 PRs with 100 commits each times out on large
repositories although it costs 1 point). So the model walks the response and adds, per object,
the seconds GitHub plausibly spends producing it, by GraphQL type, plus extra seconds for fields
that need a diff (a commit's or a PR's additions/deletions/changed files).

The weights are our estimates, not GitHub's numbers, calibrated against two checked facts:
- a page of 60 typical PRs with reviews, commits, files, labels and head-commit check runs
  (the tap's page on the stand-in's default dataset) takes a few seconds and fits in 10 s;
- a page of 60 PRs with 100 commits (diff stats) and 100 files each takes 36-39 s and times
  out (15 such PRs fit), and so does 30 PRs x 100 commits, ~12.5 s (as GitHub users report).
GitHub also says CPU time, for its secondary limit of 60 s of GraphQL CPU per minute, can be
estimated from the total response time; the stand-in counts the modelled seconds as CPU time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
)
from graphql.language import DocumentNode, SelectionSetNode

GITHUB_BUDGET_SECONDS = 10.0
BASE_SECONDS = 0.1  # parsing, authentication, rate-limit bookkeeping of any executed query
DEFAULT_OBJECT_SECONDS = 0.0005  # an object of a type not listed below

# Seconds of server time per object returned, by GraphQL type (at time_scale 1).
TYPE_SECONDS: Mapping[str, float] = MappingProxyType(
    {
        "PullRequest": 0.004,
        "Issue": 0.002,
        "Repository": 0.002,
        "PullRequestCommit": 0.0002,
        "Commit": 0.001,
        "PullRequestChangedFile": 0.0015,
        "PullRequestReview": 0.001,
        "ReviewRequest": 0.0005,
        "CheckSuite": 0.002,
        "CheckRun": 0.0015,
        "StatusContext": 0.001,
        "StatusCheckRollup": 0.002,
        "Label": 0.0002,
        "Milestone": 0.0002,
        "User": 0.0003,
        "Bot": 0.0003,
        "Mannequin": 0.0003,
        "Team": 0.0005,
        "GitActor": 0.0002,
        "App": 0.0002,
        "Query": 0.0,
        "RateLimit": 0.0,
        "PageInfo": 0.0,
    }
)

# Extra seconds for an object when any of these fields is selected: they need a diff.
DIFF_FIELDS: Mapping[str, tuple[frozenset[str], float]] = MappingProxyType(
    {
        "Commit": (
            frozenset({"additions", "deletions", "changedFiles", "changedFilesIfAvailable"}),
            0.0025,
        ),
        "PullRequest": (frozenset({"additions", "deletions", "changedFiles"}), 0.002),
    }
)


@dataclass(frozen=True)
class ServerTimeModel:
    """`time_scale` turns modelled seconds into wall seconds (1.0: GitHub-like, 0.01: tests)."""

    time_scale: float = 1.0
    budget: float = GITHUB_BUDGET_SECONDS  # modelled seconds before GitHub terminates a request
    timeout_status: int = 502  # GitHub answers 502 or 504; see github_standin/README.md
    base_seconds: float = BASE_SECONDS
    default_object_seconds: float = DEFAULT_OBJECT_SECONDS
    type_seconds: Mapping[str, float] = field(default_factory=lambda: TYPE_SECONDS)
    diff_fields: Mapping[str, tuple[frozenset[str], float]] = field(
        default_factory=lambda: DIFF_FIELDS
    )

    def __post_init__(self) -> None:
        if self.time_scale < 0:
            raise ValueError("time_scale must be at least 0")
        if self.budget <= 0:
            raise ValueError("budget must be positive")
        if self.timeout_status not in (502, 504):
            raise ValueError("timeout_status must be 502 or 504")

    def wall(self, modelled_seconds: float) -> float:
        return modelled_seconds * self.time_scale

    def object_seconds(self, type_name: str, selected: frozenset[str]) -> float:
        if type_name.endswith(("Connection", "Edge")):
            return 0.0  # the list wrapper; its items are counted themselves
        seconds = self.type_seconds.get(type_name, self.default_object_seconds)
        diff = self.diff_fields.get(type_name)
        if diff is not None and diff[0] & selected:
            seconds += diff[1]
        return seconds

    def measure(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        data: Any,
    ) -> Work:
        """The modelled server seconds of returning `data` for this operation."""
        work = Work(seconds=self.base_seconds)
        operation = _operation(document, operation_name)
        if operation is None or not isinstance(data, dict):
            return work
        root = schema.get_root_type(operation.operation)
        _Walker(self, schema, document, work).visit(data, root, (operation.selection_set,))
        return work


@dataclass
class Work:
    seconds: float = 0.0
    objects: Counter[str] = field(default_factory=Counter)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if name is None or (operation.name and operation.name.value == name):
            return operation
    return None


# A selection flattened for one runtime type: response key -> (field definition, sub-selections).
_Fields = dict[str, tuple[Any, tuple[SelectionSetNode, ...]]]


class _Walker:
    def __init__(
        self, model: ServerTimeModel, schema: GraphQLSchema, document: DocumentNode, work: Work
    ) -> None:
        self.model, self.schema, self.work = model, schema, work
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # Same selection, same type: flattened once per request (a page repeats it thousands
        # of times).
        self._flat: dict[tuple[tuple[int, ...], str], tuple[_Fields, frozenset[str]]] = {}

    def visit(self, value: Any, static: Any, selections: tuple[SelectionSetNode, ...]) -> None:
        if isinstance(value, list):
            for item in value:
                self.visit(item, static, selections)
            return
        if not isinstance(value, dict):
            return
        runtime = self._runtime_type(value, static, selections)
        type_name = (runtime or static).name
        fields, names = self._flatten(selections, runtime, static)
        seconds = self.model.object_seconds(type_name, names)
        if seconds:
            self.work.seconds += seconds
            self.work.objects[type_name] += 1
        for key, (field_def, sub_selections) in fields.items():
            child = value.get(key)
            if child is None or not sub_selections:
                continue
            named = get_named_type(field_def.type)
            if is_composite_type(named):
                self.visit(child, named, sub_selections)

    def _runtime_type(
        self, value: dict[str, Any], static: Any, selections: tuple[SelectionSetNode, ...]
    ) -> GraphQLObjectType | None:
        """The object's concrete type: the static one, `__typename`, or inferred from keys."""
        if isinstance(static, GraphQLObjectType):
            return static
        typename = value.get("__typename")
        named = self.schema.get_type(typename) if isinstance(typename, str) else None
        if isinstance(named, GraphQLObjectType):
            return named
        # No __typename selected (e.g. `search { nodes { ... on PullRequest { ... } } }`): the
        # first type-conditioned fragment whose fields came back names the type.
        for selection_set in selections:
            for selection in selection_set.selections:
                condition, inner = self._fragment(selection)
                typed = isinstance(condition, GraphQLObjectType) and inner is not None
                if typed and self._keys(inner, set()) & value.keys():
                    return condition
        return None

    def _keys(self, selection_set: SelectionSetNode, seen: set[str]) -> set[str]:
        """Response keys a selection asks for directly or through untyped/nested fragments."""
        keys = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                keys.add((selection.alias or selection.name).value)
                continue
            name = selection.name.value if isinstance(selection, FragmentSpreadNode) else None
            if name in seen:
                continue
            _, inner = self._fragment(selection)
            if inner is not None:
                keys |= self._keys(inner, seen | {name} if name else seen)
        return keys - {"__typename"}

    def _fragment(self, selection: Any) -> tuple[Any, SelectionSetNode | None]:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            named = self.schema.get_type(condition.name.value) if condition else None
            return named, selection.selection_set
        if isinstance(selection, FragmentSpreadNode):
            fragment = self.fragments.get(selection.name.value)
            if fragment is not None:
                named = self.schema.get_type(fragment.type_condition.name.value)
                return named, fragment.selection_set
        return None, None

    def _flatten(
        self,
        selections: tuple[SelectionSetNode, ...],
        runtime: GraphQLObjectType | None,
        static: Any,
    ) -> tuple[_Fields, frozenset[str]]:
        key = (tuple(id(s) for s in selections), runtime.name if runtime else "?")
        cached = self._flat.get(key)
        if cached is None:
            fields: dict[str, tuple[Any, list[SelectionSetNode]]] = {}
            names: set[str] = set()
            for selection_set in selections:
                self._collect(selection_set, runtime, runtime or static, fields, names, set())
            flat = {k: (d, tuple(s)) for k, (d, s) in fields.items()}
            cached = self._flat[key] = (flat, frozenset(names))
        return cached

    def _collect(
        self,
        selection_set: SelectionSetNode,
        runtime: GraphQLObjectType | None,
        lookup: Any,
        fields: dict[str, tuple[Any, list[SelectionSetNode]]],
        names: set[str],
        seen: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                definitions = getattr(lookup, "fields", None) or {}
                field_def = definitions.get(selection.name.value)
                if field_def is None:
                    continue  # __typename, or a field of another type
                names.add(selection.name.value)
                response_key = (selection.alias or selection.name).value
                entry = fields.setdefault(response_key, (field_def, []))
                if selection.selection_set is not None:
                    entry[1].append(selection.selection_set)
                continue
            if isinstance(selection, FragmentSpreadNode):
                if selection.name.value in seen:
                    continue
                seen = seen | {selection.name.value}
            condition, inner = self._fragment(selection)
            if inner is None:
                continue
            if condition is None:
                condition = lookup
            if runtime is not None and not self._applies(condition, runtime):
                continue
            self._collect(inner, runtime, runtime or condition, fields, names, seen)

    def _applies(self, condition: Any, runtime: GraphQLObjectType) -> bool:
        if condition is runtime:
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, runtime)
