"""The HTML report in a real headless browser (Debian's chromium): filters work.

Filter state lives in the URL fragment (``#severity=breaking&area=method``), so a page
loaded with a fragment shows what a person who set those filters would see; the DOM
chromium dumps after running the page's script tells which rows are visible.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mcp_foundry.diff.model import Area, Severity
from mcp_foundry.diff.render import FORMATS

from .helpers import real_diff

pytestmark = pytest.mark.timeout(180)
INSTALL = "apt-get update && apt-get install -y chromium"


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str | None]] = []
        self.count: str | None = None
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "change" in (found.get("class") or ""):
            self.rows.append(found)
        self._in_count = found.get("id") == "visible-count"

    def handle_data(self, data: str) -> None:
        if self._in_count:
            self.count, self._in_count = data, False


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "diff.html"
    path.write_text(FORMATS["html"](real_diff("2025-11-25", "2026-07-28")), encoding="utf-8")
    return path


def browse(page: Path, fragment: str, tmp_path: Path) -> _Rows:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(f"chromium is not installed; on Debian: {INSTALL}")
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            f"{page.as_uri()}#{fragment}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    parsed = _Rows()
    parsed.feed(proc.stdout)
    assert parsed.rows, "the page rendered no change rows"
    return parsed


def visible(rows: _Rows) -> list[dict[str, str | None]]:
    return [r for r in rows.rows if "hidden" not in r]


def test_unfiltered_page_shows_everything(page: Path, tmp_path: Path) -> None:
    report = real_diff("2025-11-25", "2026-07-28")
    rows = browse(page, "", tmp_path)
    assert len(visible(rows)) == len(rows.rows) == len(report.changes)
    assert rows.count == str(len(report.changes))


def test_severity_filter(page: Path, tmp_path: Path) -> None:
    report = real_diff("2025-11-25", "2026-07-28")
    rows = browse(page, "severity=breaking", tmp_path)
    shown = visible(rows)
    assert len(shown) == report.count(Severity.BREAKING) > 0
    assert {r["data-severity"] for r in shown} == {"breaking"}
    assert rows.count == str(len(shown))


def test_area_and_pairing_filters_combine(page: Path, tmp_path: Path) -> None:
    report = real_diff("2025-11-25", "2026-07-28")
    expected = [
        c for c in report.changes if c.area is Area.METHOD and c.breaks.old_server_new_client
    ]
    shown = visible(browse(page, "area=method&who=osnc", tmp_path))
    assert len(shown) == len(expected) > 0
    assert all(r["data-area"] == "method" and r["data-osnc"] == "true" for r in shown)


def test_text_search(page: Path, tmp_path: Path) -> None:
    shown = visible(browse(page, "q=initialize", tmp_path))
    assert shown and any(r["id"] == "method_removed:initialize" for r in shown)
    assert len(shown) < len(real_diff("2025-11-25", "2026-07-28").changes)
