"""The dashboard in a real browser: headless Chromium driven by Playwright.

The page loads; a preset and a programme are chosen; a quick look runs to the end; its
difference table shows the numbers the command line gives for the same runs; a download
returns a file; a bad CSV shows its error and runs nothing. Screenshots of each state are
written to the test's folder and copied to outputs/screenshots/ for a person to look at.

Chromium is Debian's (`/usr/bin/chromium`, or $WFSIM_CHROMIUM); `.ci/run` installs it. If it
is missing the test fails, unless WFSIM_SKIP_BROWSER=1 says to skip it (never in CI).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("WFSIM_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
PRESET, PROGRAMME, YEARS, SEEDS = "somerset", "i_can", 1, 2

pytestmark = pytest.mark.slow


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("WFSIM_SKIP_BROWSER") == "1" and not os.environ.get("CI"):
        pytest.skip("WFSIM_SKIP_BROWSER=1: browser test skipped")
    pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                "(apt-get install chromium; .ci/run does) or set WFSIM_CHROMIUM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    runs = tmp_path_factory.mktemp("dashboard_runs")
    port = free_port()
    log = open(runs / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "sim.commands.dashboard", "--port", str(port),
                             "--runs", str(runs)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard did not start: {(runs / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield url, runs
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as p:
        profile = tempfile.mkdtemp(prefix="wfsim-chromium-")  # a fresh profile every run
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(path), args=FLAGS, headless=True, accept_downloads=True,
            viewport={"width": 1400, "height": 1000})
        yield context
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


class Shots:
    """Screenshots in the test's folder, copied to outputs/screenshots/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.stable = ROOT / "outputs" / "screenshots"
        self.stable.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shutil.copy(path, self.stable / path.name)


def cli_comparison(tmp: Path) -> pd.DataFrame:
    """The same runs from the command line, compared as `wfsim-compare` does."""
    sweep = tmp / "cli_sweep"
    cmd = [sys.executable, "-m", "sim.commands.wfsim", "-m", f"system={PRESET}", "scenario=current_policy",
           f"intervention=[],[{PROGRAMME}]", f"seed={','.join(str(s) for s in range(SEEDS))}",
           f"years={YEARS}", "scale=0.05", f"hydra.sweep.dir={sweep}"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=600)
    from experiments.compare import compare

    return compare(sweep)


def slide(page, card: str, index: int, steps: int) -> None:
    """Move the index-th slider of a card by `steps` with the arrow keys, one step at a time:
    each step is a round trip to the server that re-renders the card (a key pressed meanwhile
    can land on a thumb that is being replaced)."""
    for _ in range(abs(steps)):
        shown = page.locator(".wf-years-chosen").inner_text()
        page.locator(f"{card} .v-slider__thumb-container").nth(index).focus()
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
        page.wait_for_function("([sel, text]) => document.querySelector(sel).innerText !== text",
                               arg=[".wf-years-chosen", shown], timeout=30_000)


def test_dashboard_in_a_browser(server, browser, tmp_path):
    url, runs = server
    shots = Shots(tmp_path)
    page = browser.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.locator(".wf-run-quick").wait_for(timeout=120_000)
    print(f"\npage load: {time.perf_counter() - started:.1f} s")
    shots(page, "01_loaded")

    # a bad CSV: its error is shown, nothing runs and the preset stays
    bad = tmp_path / "bad_ics.csv"
    bad.write_text("sector,role,headcount,fte,vacancy_rate,turnover_rate,sickness_rate,mean_age,"
                   "share_over_55,annual_pay_gbp\nacute,nurse,1000,900,9,0.1,0.05,42,0.2,35000\n")
    page.locator(".wf-upload-input").set_input_files(str(bad))
    error = page.locator(".wf-file-error")
    error.wait_for(timeout=30_000)
    assert "vacancy_rate" in error.inner_text() and "row 2" in error.inner_text()
    shots(page, "02_bad_csv")

    # a preset, a programme, 1 year, 2 seeds
    page.locator(".wf-system .v-select__slot").click()
    page.locator(".v-menu__content .v-list-item", has_text=PRESET).click()
    page.locator(f".wf-prog-{PROGRAMME} input").check(force=True)
    slide(page, ".wf-years", 0, -(5 - YEARS))
    slide(page, ".wf-years", 1, -(3 - SEEDS))
    page.locator(".wf-years", has_text=f"{YEARS}").wait_for()
    shots(page, "03_chosen")

    started = time.perf_counter()
    page.locator(".wf-run-quick").click()
    page.locator(".wf-live-picture").wait_for(timeout=300_000)
    shots(page, "04_live")
    page.locator(".wf-quick-done").wait_for(timeout=300_000)
    page.locator("table.wf-diff").wait_for(timeout=120_000)
    print(f"quick look ({YEARS} year, {SEEDS} seeds, baseline and programme): "
          f"{time.perf_counter() - started:.1f} s")
    shots(page, "05_results")

    # the numbers on screen are the command line's for the same runs
    cli = cli_comparison(tmp_path)
    cli = cli[cli["programme"] == PROGRAMME]
    cells = page.locator("table.wf-diff tr[data-metric]")
    shown = {}
    for i in range(cells.count()):
        row = cells.nth(i)
        value = row.locator("td[data-key=difference]").get_attribute("data-value")
        shown[(row.get_attribute("data-metric"), row.get_attribute("data-sector"))] = float(value)
    assert ("staff_in_post_fte", "all") in shown and ("programme_cost_gbp", "all") in shown
    for (metric, sector), value in shown.items():
        sel = cli[(cli["metric"] == metric) & (cli["sector"] == sector)]
        sel = sel[sel["year"].isna()] if sel["year"].isna().all() else sel[sel["year"] == YEARS]
        points = 100 if metric in ("vacancy_rate", "turnover_rate") else 1
        expected = float(sel["mean_diff"].iloc[0]) * points
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (metric, sector)
    assert "Staff in post" in page.locator("table.wf-diff").inner_text()

    # the run started in the page is an ordinary run folder set
    folder = next(p for p in runs.iterdir() if p.name.endswith("-quick"))
    assert json.loads((folder / "progress.json").read_text())["status"] == "done"
    assert (folder / "0" / "summary.json").exists() and (folder / "comparison.parquet").exists()

    # a download returns the tables on screen
    with page.expect_download(timeout=60_000) as download:
        page.get_by_text("Tables on screen (CSV)").click()
    saved = tmp_path / "differences.csv"
    download.value.save_as(saved)
    table = pd.read_csv(saved)
    assert {"measure", "difference", "lo90", "hi90"} <= set(table.columns)
    assert "Staff in post" in set(table["measure"].dropna())
    page.close()
