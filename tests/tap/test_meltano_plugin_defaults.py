"""The Meltano plugin definition and the tap agree on every default they both state.

A `value:` in plugins/extractors.meltano.yml overrides the tap's own default under Meltano, so
a stale one silently changes behaviour (page_size said 60 there while the tap and the README
said 67).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tap_github_prs.tap import TapGitHubPRs

PLUGIN_FILE = Path(__file__).resolve().parents[2] / "plugins/extractors.meltano.yml"
# Deliberate differences: the tap alone has no loader to wait for; under this project's
# `meltano run`, its loader signals readiness and confirms pages.
MELTANO_ONLY = {"wait_for_loader_seconds": (60, 0)}


def test_plugin_defaults_equal_the_taps_defaults():
    [plugin] = [
        entry
        for entry in yaml.safe_load(PLUGIN_FILE.read_text())["plugins"]["extractors"]
        if entry["name"] == "tap-github-prs"
    ]
    properties = TapGitHubPRs.config_jsonschema["properties"]
    compared = {
        setting["name"]: (setting["value"], properties[setting["name"]]["default"])
        for setting in plugin["settings"]
        if "value" in setting and "default" in properties.get(setting["name"], {})
    }
    assert "page_size" in compared
    assert {name: pair for name, pair in compared.items() if pair[0] != pair[1]} == MELTANO_ONLY
