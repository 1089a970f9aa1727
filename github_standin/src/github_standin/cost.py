"""GitHub's static query analysis: pagination rules, node limit and rate-limit cost.

Cost: over every connection in the query, add the number of requests needed to fill it,
assuming every `first`/`last` is reached (a connection under N parent nodes needs N requests);
divide by 100, round, minimum 1. Node count: the most nodes every connection could return.
Both are computed from the query text alone, before anything runs, as GitHub does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    Undefined,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode, SelectionSetNode

MAX_PAGE_SIZE = 100
MAX_NODE_LIMIT = 500_000


@dataclass
class CostReport:
    requests: int = 0
    node_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # The first connection that alone could return more nodes than the limit, and how many.
    oversized_connection: tuple[str, int] | None = None

    @property
    def cost(self) -> int:
        """GitHub's points: requests / 100, rounded half up, at least 1."""
        return max(1, int(self.requests / 100 + 0.5))


def is_connection_field(field_def: Any) -> bool:
    named = get_named_type(field_def.type)
    return "first" in field_def.args and named.name.endswith("Connection")


class _Analyzer:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.report = CostReport()

    def value(self, node: Any) -> Any:
        value = value_from_ast_untyped(node, self.variables)
        return None if value is Undefined else value  # an unset variable means "not given"

    def included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            args = {a.name.value: self.value(a.value) for a in directive.arguments}
            if directive.name.value == "skip" and args.get("if") is True:
                return False
            if directive.name.value == "include" and args.get("if") is False:
                return False
        return True

    def walk(
        self,
        selection_set: SelectionSetNode,
        parent_type: Any,
        multiplier: int,
        path: list[str],
        seen: frozenset[str] = frozenset(),
    ) -> None:
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = (
                    self.schema.get_type(condition.name.value) if condition else parent_type
                )
                self.walk(
                    selection.selection_set, fragment_type or parent_type, multiplier, path, seen
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                fragment_type = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(fragment.selection_set, fragment_type, multiplier, path, seen | {name})
            elif isinstance(selection, FieldNode):
                self.field(selection, parent_type, multiplier, path, seen)

    def field(
        self,
        node: FieldNode,
        parent_type: Any,
        multiplier: int,
        path: list[str],
        seen: frozenset[str],
    ) -> None:
        name = node.name.value
        fields = getattr(parent_type, "fields", None)
        if not fields or name not in fields:
            return  # __typename, or a field the validator already rejected
        field_def = fields[name]
        key = node.alias.value if node.alias else name
        here = [*path, key]
        args = {a.name.value: self.value(a.value) for a in node.arguments or ()}
        child_multiplier = multiplier
        if is_connection_field(field_def):
            page = self.page_size(node, name, args, here)
            if page is None:
                return
            self.report.requests += multiplier
            child_multiplier = multiplier * page
            self.report.node_count += child_multiplier
            if child_multiplier > MAX_NODE_LIMIT and self.report.oversized_connection is None:
                self.report.oversized_connection = (name, child_multiplier)
        elif name == "nodes" and isinstance(args.get("ids"), list):
            child_multiplier = multiplier * max(1, len(args["ids"]))
        named = get_named_type(field_def.type)
        if node.selection_set and is_composite_type(named):
            self.walk(node.selection_set, named, child_multiplier, here, seen)

    def page_size(
        self, node: FieldNode, name: str, args: dict[str, Any], path: list[str]
    ) -> int | None:
        first, last = args.get("first"), args.get("last")
        location = (
            {"line": node.loc.start_token.line, "column": node.loc.start_token.column}
            if node.loc
            else None
        )

        def error(kind: str, message: str) -> None:
            entry: dict[str, Any] = {"type": kind, "path": path}
            if location:
                entry["locations"] = [location]
            entry["message"] = message
            self.report.errors.append(entry)

        if first is None and last is None:
            error(
                "MISSING_PAGINATION_BOUNDARIES",
                "You must provide a `first` or `last` value to properly paginate the "
                f"`{name}` connection.",
            )
            return None
        if first is not None and last is not None:
            error(
                "EXCESSIVE_PAGINATION",
                f"Passing both `first` and `last` to paginate the `{name}` connection is not "
                "supported.",
            )
            return None
        argument, size = ("first", first) if first is not None else ("last", last)
        if not isinstance(size, int):
            return None  # a type error the validator reports
        if size > MAX_PAGE_SIZE:
            error(
                "EXCESSIVE_PAGINATION",
                f"Requesting {size} records on the `{name}` connection exceeds the "
                f"`{argument}` limit of {MAX_PAGE_SIZE} records.",
            )
            return None
        if size < 1:
            error(
                "EXCESSIVE_PAGINATION",
                f"Requesting {size} records on the `{name}` connection is below the "
                f"`{argument}` minimum of 1 record.",
            )
            return None
        return size


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def analyze(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> CostReport:
    """Check GitHub's pagination rules and node limit; compute requests, cost and node count."""
    operation = select_operation(document, operation_name)
    if operation is None:
        return CostReport()
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        var = definition.variable.name.value
        if var not in values and definition.default_value is not None:
            values[var] = value_from_ast_untyped(definition.default_value, {})
    root = (
        schema.get_root_type(operation.operation)
        if hasattr(schema, "get_root_type")
        else schema.query_type
    )
    analyzer = _Analyzer(schema, document, values)
    analyzer.walk(operation.selection_set, root, 1, [])
    report = analyzer.report
    if not report.errors and report.node_count > MAX_NODE_LIMIT:
        report.errors.append(
            {"type": "MAX_NODE_LIMIT_EXCEEDED", "message": _node_limit_message(report)}
        )
    return report


def _node_limit_message(report: CostReport) -> str:
    """GitHub names the connection when one alone is too big, otherwise gives the query's total."""
    limit = f"which exceeds the maximum limit of {MAX_NODE_LIMIT:,}."
    if report.oversized_connection:
        name, nodes = report.oversized_connection
        return (
            f"By the time this query traverses to the {name} connection, it is requesting up to "
            f"{nodes:,} possible nodes {limit}"
        )
    return f"This query requests up to {report.node_count:,} possible nodes {limit}"
