"""The end-to-end fixtures (PostgreSQL databases, Meltano's plugins) shared with tests/e2e."""

from tests.e2e.conftest import meltano_plugins, postgres_server, warehouse

__all__ = ["meltano_plugins", "postgres_server", "warehouse"]
