"""`make demo`'s script against a configured warehouse, and the embedded warehouse's lifecycle."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.e2e.helpers import PROJECT_ROOT, missing_parts

DEMO = PROJECT_ROOT / "scripts/demo.py"


def _load_warehouse_script():
    """scripts/ is a folder of scripts, not a package: load warehouse.py by path."""
    spec = importlib.util.spec_from_file_location(
        "warehouse_script", PROJECT_ROOT / "scripts/warehouse.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


warehouse_script = _load_warehouse_script()


@pytest.mark.e2e
@pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}")
def test_demo_runs_the_promised_command_and_prints_a_summary(meltano_env, warehouse):
    result = subprocess.run(
        [sys.executable, str(DEMO), "--seed", "5", "--prs", "120"],
        cwd=PROJECT_ROOT,
        env=meltano_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "meltano run tap-github-prs target-postgres dbt:run" in result.stdout
    assert "configured PostgreSQL" in result.stdout
    prs = warehouse.count("raw_github", "pull_requests")
    assert prs > 0
    # The PR table's row (the DORA lines below it name the repository too).
    summary = [
        line.split()
        for line in result.stdout.splitlines()
        if line.split()[:1] == ["acme/widgets"] and line.split()[1].isdigit()
    ]
    assert summary, result.stdout
    assert int(summary[0][1]) == prs == warehouse.count("analytics", "fct_pull_requests")


def test_configured_warehouse_comes_from_libpq_variables():
    connection = warehouse_script.configured_connection(
        {"PGHOST": "db.example", "PGPORT": "6543", "PGUSER": "me", "PGDATABASE": "dw", "HOME": "/"}
    )
    assert connection is not None and not connection.embedded
    assert connection.variables == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "me",
        "PGDATABASE": "dw",
    }
    assert "export PGHOST=db.example" in connection.exports()
    assert warehouse_script.configured_connection({"PGUSER": "me"}) is None


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:.*XDG_RUNTIME_DIR")
def test_embedded_warehouse_starts_answers_and_stops(tmp_path, monkeypatch):
    import psycopg

    monkeypatch.setattr(warehouse_script, "EMBEDDED_DATA_DIR", tmp_path / "pgdata")
    connection = warehouse_script.start_embedded()
    try:
        assert connection.embedded
        assert connection.variables["PGHOST"].startswith(str(tmp_path))
        assert warehouse_script.embedded_connection() == connection
        variables = connection.variables
        with psycopg.connect(
            host=variables["PGHOST"],
            port=variables["PGPORT"],
            user=variables["PGUSER"],
            dbname=variables["PGDATABASE"],
        ) as session:
            assert session.execute("select current_database()").fetchone() == ("warehouse",)
    finally:
        stopped = warehouse_script.stop_embedded()
    assert stopped
    assert warehouse_script.embedded_connection() is None
