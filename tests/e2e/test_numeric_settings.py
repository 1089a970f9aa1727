"""Numeric settings given through the environment reach the plugins as numbers.

Meltano 4.4.1 turns an environment value of a `kind: decimal` setting into a `Decimal`, which
it then cannot write into the plugin's JSON config: every `meltano run` failed with "Object of
type Decimal is not JSON serializable" as soon as, say, TAP_GITHUB_PRS_REQUEST_TIMEOUT was set.
So numeric settings are `kind: integer` (whole seconds), and this test sets each of them
through the environment and reads the config Meltano would give the plugin.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.e2e.helpers import PROJECT_ROOT, run_meltano

PLUGIN_FILES = {
    "tap-github-prs": ("extractors", PROJECT_ROOT / "plugins/extractors.meltano.yml"),
    "target-postgres": ("loaders", PROJECT_ROOT / "plugins/loaders.meltano.yml"),
}


def numeric_settings(plugin: str) -> list[dict]:
    plugin_type, path = PLUGIN_FILES[plugin]
    [definition] = [
        entry
        for entry in yaml.safe_load(path.read_text())["plugins"][plugin_type]
        if entry["name"] == plugin
    ]
    return [
        setting
        for setting in definition.get("settings", [])
        if setting.get("kind") in ("integer", "decimal")
    ]


@pytest.mark.parametrize("plugin", list(PLUGIN_FILES))
def test_no_setting_is_of_the_decimal_kind(plugin):
    decimal = [s["name"] for s in numeric_settings(plugin) if s["kind"] == "decimal"]
    assert decimal == [], f"Meltano 4.4.1 cannot pass these from the environment: {decimal}"


@pytest.mark.e2e
@pytest.mark.parametrize("plugin", list(PLUGIN_FILES))
def test_every_numeric_setting_can_come_from_the_environment(plugin, meltano_env):
    settings = numeric_settings(plugin)
    assert settings, "no numeric setting found: the plugin file changed shape"
    prefix = plugin.upper().replace("-", "_")
    values = {setting["name"]: 7 + index for index, setting in enumerate(settings)}
    env = meltano_env | {f"{prefix}_{name.upper()}": str(value) for name, value in values.items()}
    result = run_meltano("invoke", "--dump=config", plugin, env=env, timeout=120)
    config = json.loads(result.stdout)
    assert {name: config.get(name) for name in values} == values
