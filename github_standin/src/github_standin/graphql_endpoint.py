"""The GraphQL endpoint: parse, validate, price, rate-limit, execute, and shape GitHub's answer."""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    execute,
    parse,
    validate,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode

from .cost import CostReport, analyze, select_operation
from .errors import GitHubError
from .faults import Fault
from .models import Dataset
from .ratelimit import QuotaSnapshot, RateLimiter
from .resolvers import QueryRoot, RateLimitView, RequestContext, resolve_field, resolve_type
from .schema_loader import load_schema
from .server_time import ServerTimeModel

# GitHub's words for a GraphQL request it could not finish: a 502 with this error (sent for
# timeouts and for transient server errors alike), or a 504 with GATEWAY_TIMEOUT_MESSAGE.
TIMEOUT_MESSAGE = (
    "Something went wrong while executing your query. This may be the result of a timeout, "
    "or it could be a GitHub bug. Please include `{request_id}` when reporting this issue."
)
GATEWAY_TIMEOUT_MESSAGE = (
    "We couldn't respond to your request in time. Sorry about that. Please try resubmitting "
    "your request and contact us if the problem persists."
)


def timeout_answer(status: int, request_id: str) -> dict[str, Any]:
    """GitHub's body for a 502 or 504 from the GraphQL endpoint."""
    if status == 504:
        return {"message": GATEWAY_TIMEOUT_MESSAGE}
    return {"data": None, "errors": [_timeout_error(request_id)]}


@dataclass
class GraphQLOutcome:
    status: int
    payload: dict[str, Any]
    quota: QuotaSnapshot
    operation_name: str
    cost: int = 0
    node_count: int = 0
    applied_faults: list[str] = field(default_factory=list)
    rate_limited: bool = False
    # With the time model on: {"seconds": spent, "modelled": needed, "timed_out": bool, ...}
    server_time: dict[str, Any] | None = None
    # "owner/name" of each root `repository(owner:, name:)` field (aliases too), for /_stats.
    repositories: tuple[str, ...] = ()


@functools.lru_cache(maxsize=256)
def _parse_and_validate(query: str) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        return None, (_format_error(exc),)
    errors = validate(load_schema(), document)
    return document, tuple(_github_validation_error(e) for e in errors)


_UNDEFINED_FIELD = re.compile(r"Cannot query field '([^']+)' on type '([^']+)'")
_UNKNOWN_ARGUMENT = re.compile(r"Unknown argument '([^']+)' on field '([^'.]+)\.([^']+)'")


def _github_validation_error(error: GraphQLError) -> dict[str, Any]:
    """Word the common validation errors as GitHub does."""
    formatted = _format_error(error)
    match = _UNDEFINED_FIELD.search(error.message)
    if match:
        field_name, type_name = match.groups()
        formatted["extensions"] = {
            "code": "undefinedField",
            "typeName": type_name,
            "fieldName": field_name,
        }
        formatted["message"] = f"Field '{field_name}' doesn't exist on type '{type_name}'"
    match = _UNKNOWN_ARGUMENT.search(error.message)
    if match:
        argument, type_name, field_name = match.groups()
        formatted["extensions"] = {
            "code": "argumentNotAccepted",
            "name": field_name,
            "typeName": "Field",
            "argumentName": argument,
        }
        formatted["message"] = f"Field '{field_name}' doesn't accept argument '{argument}'"
    return formatted


def _format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = {}
    original = error.original_error
    if isinstance(original, GitHubError):
        formatted["type"] = original.error_type
    if error.path:
        formatted["path"] = list(error.path)
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    formatted["message"] = error.message
    return formatted


def _dry_run_requested(operation: OperationDefinitionNode, variables: dict[str, Any]) -> bool:
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value == "rateLimit":
            for argument in selection.arguments or ():
                if (
                    argument.name.value == "dryRun"
                    and value_from_ast_untyped(argument.value, variables) is True
                ):
                    return True
    return False


def _null_first_list_element(data: Any, path: list[Any]) -> list[Any] | None:
    """Find the first object inside a list below the root, null it, return its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            found = _null_first_list_element(value, [*path, key])
            if found:
                return found
    elif isinstance(data, list) and len(path) >= 2:
        for index, item in enumerate(data):
            if isinstance(item, dict):
                data[index] = None
                return [*path, index]
    return None


def _repositories_named(document: DocumentNode, query: _Query) -> tuple[str, ...]:
    """`owner/name` of every root `repository` field of the operation (through fragments and
    aliases), with variables resolved: which repositories a request asked about."""
    operation = select_operation(document, query.operation_name)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if definition.kind == "fragment_definition"
    }
    names: list[str] = []
    pending = list(operation.selection_set.selections) if operation else []
    seen_fragments: set[str] = set()
    while pending:
        selection = pending.pop(0)
        if isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen_fragments:
                seen_fragments.add(name)
                pending.extend(fragments[name].selection_set.selections)
        elif isinstance(selection, FieldNode) and selection.name.value == "repository":
            arguments = {
                argument.name.value: value_from_ast_untyped(argument.value, query.variables)
                for argument in selection.arguments or ()
            }
            if isinstance(arguments.get("owner"), str) and isinstance(arguments.get("name"), str):
                names.append(f"{arguments['owner']}/{arguments['name']}")
    return tuple(dict.fromkeys(names))


class _EarlyAnswer(Exception):
    """A request answered before pricing: bad JSON, no query, invalid query, a mutation."""

    def __init__(self, status: int, payload: dict[str, Any], operation: str = "anonymous"):
        super().__init__(status)
        self.status, self.payload, self.operation = status, payload, operation


@dataclass
class _Query:
    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any]
    label: str  # the operation's name in /_stats
    dry_run: bool


def _parse_request(body: bytes) -> _Query:
    try:
        request = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _EarlyAnswer(
            400,
            {
                "message": "Problems parsing JSON",
                "documentation_url": "https://docs.github.com/graphql",
            },
        ) from None
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        message = "A query attribute must be specified and must be a string."
        raise _EarlyAnswer(200, {"errors": [{"message": message}]})
    variables = request.get("variables") if isinstance(request.get("variables"), dict) else {}
    operation_name = request.get("operationName") or None
    document, validation_errors = _parse_and_validate(request["query"])
    operation = select_operation(document, operation_name) if document else None
    label = operation_name or (
        operation.name.value if operation and operation.name else "anonymous"
    )
    if validation_errors:
        raise _EarlyAnswer(200, {"errors": [dict(e) for e in validation_errors]}, label)
    if operation is None:
        raise _EarlyAnswer(200, {"errors": [{"message": "An operation name is required"}]}, label)
    if operation.operation.value != "query":
        message = "This stand-in answers queries only, no mutations."
        raise _EarlyAnswer(200, {"errors": [{"type": "FORBIDDEN", "message": message}]}, label)
    dry_run = _dry_run_requested(operation, variables)
    return _Query(document, operation_name, variables, label, dry_run)


def _timeout_error(request_id: str) -> dict[str, Any]:
    return {"message": TIMEOUT_MESSAGE.format(request_id=request_id)}


def _never_awaitable(_value: Any) -> bool:
    return False  # every resolver is synchronous; skipping the check saves a tenth of the time


class GraphQLEndpoint:
    def __init__(
        self, dataset: Dataset, limiter: RateLimiter, time_model: ServerTimeModel | None = None
    ) -> None:
        self.dataset = dataset
        self.limiter = limiter
        self.time_model = time_model  # None: answer as fast as possible (the default)
        self.schema = load_schema()
        self._execution_lock = threading.Lock()

    def handle(
        self, body: bytes, token_label: str, faults: dict[str, Fault], request_id: str
    ) -> GraphQLOutcome:
        """Answer one POST body for the token `token_label`, applying this request's `faults`."""
        started = time.monotonic()
        quota = self.limiter.snapshot(token_label)
        try:
            query = _parse_request(body)
        except _EarlyAnswer as answer:
            return GraphQLOutcome(answer.status, answer.payload, quota, answer.operation)
        report = analyze(self.schema, query.document, query.operation_name, query.variables)
        if report.errors:
            return GraphQLOutcome(200, {"data": None, "errors": report.errors}, quota, query.label)
        outcome = GraphQLOutcome(
            200,
            {},
            quota,
            query.label,
            cost=report.cost,
            node_count=report.node_count,
            repositories=_repositories_named(query.document, query),
        )
        if not self._charge(outcome, token_label, faults, query.dry_run):
            return outcome
        timeout = faults.get("timeout")
        if timeout is not None and report.node_count > timeout.node_threshold:
            outcome.status = 502
            outcome.payload = {"data": None, "errors": [_timeout_error(request_id)]}
            outcome.applied_faults.append("timeout")
            return outcome
        outcome.payload = self._execute(query, report, quota.limit, outcome.quota)
        if self.time_model is not None and not query.dry_run:
            self._take_time(self.time_model, outcome, query, request_id, started)
            if outcome.server_time and outcome.server_time["timed_out"]:
                return outcome
        if "partial_data" in faults and outcome.payload["data"]:
            path = _null_first_list_element(outcome.payload["data"], [])
            if path:
                error = {"path": path, **_timeout_error(request_id)}
                outcome.payload.setdefault("errors", []).append(error)
                outcome.applied_faults.append("partial_data")
        return outcome

    def _take_time(
        self,
        model: ServerTimeModel,
        outcome: GraphQLOutcome,
        query: _Query,
        request_id: str,
        started: float,
    ) -> None:
        """Spend the modelled server time; past the budget, answer GitHub's timeout instead.

        The query has run and been charged by now: GitHub charges timed-out queries too."""
        work = model.measure(
            self.schema, query.document, query.operation_name, outcome.payload["data"]
        )
        timed_out = work.seconds > model.budget
        spent = model.budget if timed_out else work.seconds
        outcome.server_time = {
            "request_id": request_id,
            "seconds": round(spent, 6),
            "modelled": round(work.seconds, 6),
            "timed_out": timed_out,
            "objects": dict(work.objects),
        }
        # What the stand-in itself spent (executing, measuring) is part of the modelled time.
        # Outside the execution lock: concurrent requests overlap, as on GitHub.
        time.sleep(max(0.0, model.wall(spent) - (time.monotonic() - started)))
        if timed_out:
            outcome.status = model.timeout_status
            outcome.payload = timeout_answer(model.timeout_status, request_id)

    def _charge(
        self, outcome: GraphQLOutcome, token_label: str, faults: dict[str, Fault], dry_run: bool
    ) -> bool:
        """Charge the query's cost; False (with a RATE_LIMITED answer) when the quota is spent."""
        rate_fault = faults.get("rate_limit")
        if rate_fault is not None:
            outcome.quota = self.limiter.exhaust(token_label, rate_fault.reset_in)
            outcome.applied_faults.append("rate_limit")
        elif dry_run:
            outcome.cost = 0  # priced, not run, not charged
            return True
        else:
            charged, outcome.quota = self.limiter.try_charge(token_label, outcome.cost)
            if charged:
                return True
        outcome.payload = self._rate_limited(outcome.quota)
        outcome.cost, outcome.rate_limited = 0, True
        return False

    def _execute(
        self, query: _Query, report: CostReport, limit: int, quota: QuotaSnapshot
    ) -> dict[str, Any]:
        rate_limit = RateLimitView(
            report.cost, limit, quota.remaining, quota.used, quota.reset_at, report.node_count
        )
        context = RequestContext(self.dataset, rate_limit, dry_run=query.dry_run)
        with self._execution_lock:
            result = execute(
                self.schema,
                query.document,
                root_value=QueryRoot(),
                context_value=context,
                variable_values=query.variables,
                operation_name=query.operation_name,
                field_resolver=resolve_field,
                type_resolver=resolve_type,
                is_awaitable=_never_awaitable,
            )
        payload: dict[str, Any] = {"data": result.data}
        errors = [_format_error(e) for e in result.errors or ()] + context.extra_errors
        if errors:
            payload["errors"] = errors
        return payload

    @staticmethod
    def _rate_limited(quota: QuotaSnapshot) -> dict[str, Any]:
        # GitHub's wording; the reset time is only in the headers.
        return {
            "errors": [
                {
                    "type": "RATE_LIMITED",
                    "code": "graphql_rate_limit",
                    "message": "API rate limit already exceeded for user ID 1.",
                }
            ]
        }
