"""The report in headless Chromium (Debian's chromium + chromedriver) with the network off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.report.page import Page

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Network off: every request that is not a local file goes to a closed port.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--window-size=1300,1000",
)


@pytest.fixture
def browser(tmp_path: Path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    try:
        yield driver
    finally:
        driver.quit()


CHART_STATE = """
return Array.from(document.querySelectorAll('.chart[data-kind]')).map(function (el) {
  var svg = el.querySelector('svg');
  var box = svg ? svg.getBoundingClientRect() : null;
  return {
    kind: el.dataset.kind,
    scope: el.closest('section.scope').dataset.scope,
    rendered: el.dataset.rendered || null,
    width: svg ? Number(svg.getAttribute('width')) : 0,
    height: svg ? Number(svg.getAttribute('height')) : 0,
    visibleWidth: box ? box.width : 0,
    marks: svg ? svg.querySelectorAll('.role-mark > *').length : 0
  };
});
"""


def test_report_renders_offline_without_errors(demo_report, browser, tmp_path):
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = Page(demo_report.path)
    copy = tmp_path / "report.html"  # a copy: the page needs nothing beside itself
    shutil.copyfile(demo_report.path, copy)
    browser.get(copy.as_uri())
    WebDriverWait(browser, 60).until(
        lambda driver: (
            driver.execute_script("return document.body.dataset.chartsRendered") == "true"
        )
    )

    charts = browser.execute_script(CHART_STATE)
    # One chart per dataset, but the CI rows feed two (failure rate, durations).
    ci_datasets = sum(1 for key in page.datasets if key.endswith("-ci_checks"))
    assert len(charts) == len(page.datasets) + ci_datasets
    assert len(charts) >= 9 * len(page.scopes)
    for chart in charts:
        assert chart["rendered"] == "true", chart
        assert chart["width"] > 100 and chart["height"] > 100, chart
        assert chart["marks"] > 0, chart  # bars, lines, cells: something was drawn
    visible = [chart for chart in charts if chart["scope"] == "all"]
    assert visible and all(chart["visibleWidth"] > 100 for chart in visible)

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    requested = [
        json.loads(entry["message"])["message"]["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if '"Network.requestWillBeSent"' in entry["message"]
    ]
    # The browser's own pages (chrome://) aside, the page asked for nothing but itself.
    assert copy.as_uri() in requested
    outside = [url for url in requested if not url.startswith(("file:", "chrome:", "data:"))]
    assert outside == []

    # The repository picker shows each repository's section, and only that one.
    picker = Select(browser.find_element(By.ID, "scope"))
    for key, label in page.scopes.items():
        picker.select_by_visible_text(label)
        shown = browser.find_elements(By.CSS_SELECTOR, "section.scope:not([hidden])")
        assert [section.get_attribute("data-scope") for section in shown] == [key]
    picker.select_by_value("all")

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1300, height)
    screenshot = tmp_path / "report.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 50_000
