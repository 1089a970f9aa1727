"""The project's warehouse connection: a configured PostgreSQL, or an embedded one.

Everything (target-postgres, dbt, the demo) connects through libpq's variables PGHOST, PGPORT,
PGUSER, PGPASSWORD and PGDATABASE. When PGHOST is set, that server is the warehouse. Otherwise a
project-local PostgreSQL 16 (the `pgserver` wheel) is started with its data in `.pgdata/`,
listening on a unix socket inside that folder only.

    python scripts/warehouse.py start    # start if needed; prints `export PG...=...` lines
    python scripts/warehouse.py env      # the same exports, without starting anything
    python scripts/warehouse.py status
    python scripts/warehouse.py stop     # stop the embedded server (data is kept)

`eval "$(python scripts/warehouse.py start)"` points the current shell at the warehouse.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = PROJECT_ROOT / ".pgdata"
EMBEDDED_DATABASE = "warehouse"
EMBEDDED_USER = "postgres"
LIBPQ_VARIABLES = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")

# pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR that only warns.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@dataclass(frozen=True)
class Connection:
    """libpq connection variables and where they came from."""

    variables: dict[str, str]
    embedded: bool

    def exports(self) -> str:
        return "\n".join(
            f"export {name}={shlex.quote(value)}" for name, value in self.variables.items()
        )

    def describe(self) -> str:
        host = self.variables.get("PGHOST", "")
        port = self.variables.get("PGPORT", "5432")
        database = self.variables.get("PGDATABASE", "")
        if self.embedded:
            return (
                f"embedded PostgreSQL, data in {EMBEDDED_DATA_DIR} "
                f"(socket in {host}, database {database}); "
                "set PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE to use your own server"
            )
        return f"configured PostgreSQL at {host}:{port}, database {database or '(libpq default)'}"


def configured_connection(environ: dict[str, str] | None = None) -> Connection | None:
    """The warehouse named by the environment, or None when PGHOST is not set."""
    environ = dict(os.environ if environ is None else environ)
    if not environ.get("PGHOST"):
        return None
    variables = {name: environ[name] for name in LIBPQ_VARIABLES if environ.get(name)}
    return Connection(variables=variables, embedded=False)


def _embedded_variables(socket_dir: str, port: int) -> dict[str, str]:
    return {
        "PGHOST": socket_dir,
        "PGPORT": str(port),
        "PGUSER": EMBEDDED_USER,
        "PGDATABASE": EMBEDDED_DATABASE,
    }


def start_embedded() -> Connection:
    """Start (or reuse) the embedded server and make sure its warehouse database exists."""
    import pgserver  # imported here: only the embedded mode needs it

    EMBEDDED_DATA_DIR.mkdir(exist_ok=True)
    # cleanup_mode=None: the server outlives this process, for Meltano and dbt to use.
    server = pgserver.get_server(EMBEDDED_DATA_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    variables = _embedded_variables(str(info.socket_dir), info.port or 5432)
    create_database_if_missing(variables, EMBEDDED_DATABASE)
    return Connection(variables=variables, embedded=True)


def create_database_if_missing(variables: dict[str, str], database: str) -> None:
    """Create `database` on the server `variables` point at, unless it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=variables["PGHOST"],
        port=variables["PGPORT"],
        user=variables["PGUSER"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if found is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def embedded_connection() -> Connection | None:
    """The embedded server's variables if it is running, without starting it."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(EMBEDDED_DATA_DIR)
    if info is None or not info.is_running():
        return None
    return Connection(
        variables=_embedded_variables(str(info.socket_dir), info.port or 5432), embedded=True
    )


def stop_embedded() -> bool:
    """Stop the embedded server; False when it was not running."""
    from pgserver._commands import pg_ctl

    if embedded_connection() is None:
        return False
    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs it as this user under root
    pg_ctl(["-w", "stop"], pgdata=EMBEDDED_DATA_DIR, user=user)
    return True


def ensure_warehouse() -> Connection:
    """The configured warehouse, else the embedded one (started when needed)."""
    connection = configured_connection() or start_embedded()
    check_reachable(connection)
    return connection


def check_reachable(connection: Connection) -> None:
    """Fail with a readable message when the warehouse does not answer."""
    import psycopg

    variables = connection.variables
    try:
        psycopg.connect(
            host=variables.get("PGHOST"),
            port=variables.get("PGPORT"),
            user=variables.get("PGUSER"),
            password=variables.get("PGPASSWORD"),
            dbname=variables.get("PGDATABASE", "postgres"),
            connect_timeout=10,
        ).close()
    except psycopg.OperationalError as error:
        first_line = str(error).strip().splitlines()[0]
        raise SystemExit(
            f"The warehouse does not answer ({connection.describe()}): {first_line}\n"
            "Check PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (shell or .env), or unset PGHOST "
            "to use the embedded PostgreSQL."
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "env", "status", "stop"])
    command = parser.parse_args(argv).command
    # .env fills what the shell does not set, as Meltano and `make demo` do, so `make report`
    # finds the warehouse the demo used.
    from dotenv import dotenv_values

    for key, value in dotenv_values(PROJECT_ROOT / ".env").items():
        if value is not None:
            os.environ.setdefault(key, value)
    if command == "start":
        connection = ensure_warehouse()
        print(f"warehouse: {connection.describe()}", file=sys.stderr)
        print(connection.exports())
    elif command == "env":
        connection = configured_connection() or embedded_connection()
        if connection is None:
            print("no warehouse configured and the embedded one is not running", file=sys.stderr)
            return 1
        print(connection.exports())
    elif command == "status":
        connection = configured_connection() or embedded_connection()
        print(connection.describe() if connection else "embedded PostgreSQL: not running")
    else:
        print("stopped" if stop_embedded() else "embedded PostgreSQL was not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
