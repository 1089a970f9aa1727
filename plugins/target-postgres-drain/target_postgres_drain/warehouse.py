"""The warehouse, checked before any record arrives, and its failures said in one line.

The loader's first connection would otherwise come with the first records, so a bad PG*
setting showed up only after the tap had started extracting, as a page of SQLAlchemy and
psycopg tracebacks. `check` connects and creates the raw schema at start-up; `WarehouseError`
carries one line naming host, port, database and user (never the password), PostgreSQL's own
message, and what to check.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

CONNECT_TIMEOUT_SECONDS = 10

# What to check, by what PostgreSQL (or libpq) said. First match wins.
_HINTS = (
    (
        re.compile(r'database ".*" does not exist'),
        "PGDATABASE must name an existing database (create it, e.g. `createdb NAME`)",
    ),
    (
        re.compile(r'role ".*" does not exist|password authentication failed|no password'),
        "PGUSER and PGPASSWORD must name a role that may log in",
    ),
    (
        re.compile(r"permission denied"),
        "the role needs CREATE on the database (GRANT CREATE ON DATABASE ... TO ...)",
    ),
    (
        re.compile(
            r"Connection refused|could not translate host|timeout expired|No such file or"
            r"|server closed the connection|terminating connection|Network is unreachable"
        ),
        "PostgreSQL must be running and reachable at PGHOST:PGPORT",
    ),
)
_DEFAULT_HINT = "the PG* variables (shell and .env) and the server's log"


class WarehouseError(Exception):
    """A warehouse failure, already worded as the one line the operator needs."""


def connection_arguments(sqlalchemy_url: str) -> dict[str, str]:
    """libpq keyword arguments of a SQLAlchemy URL; what it leaves out libpq takes from PG*."""
    url = make_url(sqlalchemy_url)
    arguments = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        **{key: str(value) for key, value in url.query.items()},
    }
    return {key: value for key, value in arguments.items() if value}


def describe_target(sqlalchemy_url: str) -> str:
    """`host=… port=… database=… user=…` as libpq resolves them: URL, then PG*, then defaults."""
    given = connection_arguments(sqlalchemy_url)
    defaults = {
        option.keyword.decode(): (option.val or option.compiled or b"").decode()
        for option in psycopg.pq.Conninfo.get_defaults()
    }

    def value(keyword: str) -> str:
        return given.get(keyword) or defaults.get(keyword) or "(libpq default)"

    user = value("user")
    database = given.get("dbname") or defaults.get("dbname") or user
    host = value("host")
    if host == "(libpq default)":
        host = "the default unix socket"
    return f"host={host} port={value('port')} database={database} user={user}"


def postgres_message(error: BaseException) -> str:
    """PostgreSQL's (or libpq's) message on one line, without SQLAlchemy's wrapping."""
    cause = getattr(error, "orig", None) or error
    diag = getattr(cause, "diag", None)
    text = getattr(diag, "message_primary", None) or str(cause)
    text = text.split("\n[SQL:", 1)[0].split("\n(Background on this error", 1)[0]
    return re.sub(r"\s+", " ", text).strip().rstrip(".?")


def hint(message: str) -> str:
    for pattern, advice in _HINTS:
        if pattern.search(message):
            return advice
    return _DEFAULT_HINT


def failure(sqlalchemy_url: str, error: BaseException, *, doing: str) -> WarehouseError:
    """The one line for `error`, raised while `doing` (e.g. "connect", "write raw_github.files")."""
    message = postgres_message(error)
    return WarehouseError(
        f"Warehouse failure ({doing}) at {describe_target(sqlalchemy_url)}: {message}. "
        f"Check: {hint(message)}."
    )


def check(sqlalchemy_url: str, schema: str) -> None:
    """Connect, create `schema` if needed, and make sure the role may create tables in it."""
    try:
        with psycopg.connect(
            **connection_arguments(sqlalchemy_url), connect_timeout=CONNECT_TIMEOUT_SECONDS
        ) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
            (allowed,) = connection.execute(
                "select has_schema_privilege(%s, 'CREATE')", (schema,)
            ).fetchone()
            if not allowed:
                raise WarehouseError(
                    f"Warehouse failure (schema {schema}) at {describe_target(sqlalchemy_url)}: "
                    f"permission denied to create tables in schema {schema}. "
                    f"Check: GRANT CREATE ON SCHEMA {schema} TO the loader's role."
                )
    except psycopg.Error as error:
        raise failure(sqlalchemy_url, error, doing=f"connect and create schema {schema}") from None


def main(argv: list[str] | None = None) -> int:
    """`python -m target_postgres_drain.warehouse URL SCHEMA`: the start-up check, alone."""
    import sys

    url, schema = (argv if argv is not None else sys.argv[1:])[:2]
    try:
        check(url, schema)
    except WarehouseError as error:
        print(error)
        return 1
    print(f"connect ok, schema {schema} ready ({describe_target(url)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
