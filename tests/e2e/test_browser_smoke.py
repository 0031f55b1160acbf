"""A real browser visits every page in both languages: no exception box anywhere.

Starts the dashboard on a free loopback port, drives Debian's Chromium through
playwright, and saves a screenshot of each page under test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import lienzo.dashboard
from lienzo.dashboard.lessons import available_lessons
from lienzo.registry import list_models

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@contextlib.contextmanager
def running_dashboard() -> Iterator[str]:
    """A fresh dashboard process on a free loopback port; yields its base URL."""
    port = free_port()
    app = Path(lienzo.dashboard.__file__).parent / "app.py"
    env = dict(os.environ, LIENZO_I18N_STRICT="1")
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard did not start within 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    require_chromium()
    with running_dashboard() as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def settle(page) -> None:
    """Wait until Streamlit has drawn the page and finished running its script."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    page.wait_for_selector("h1", timeout=90_000)
    # The status widget shows while the script runs; wait for it to go away.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.wait_for_timeout(800)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_renders_without_an_exception(server: str, browser, lang: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = []
    for lesson in available_lessons({spec.id for spec in list_models()}):
        path = "" if lesson.key == "home" else lesson.url_path
        page.goto(f"{server}/{path}?lang={lang}")
        settle(page)
        page.screenshot(path=str(SCREENSHOTS / f"{lang}-{lesson.key}.png"), full_page=True)
        exceptions = page.locator("[data-testid='stException']").count()
        if exceptions:
            failures.append(
                f"{lesson.key}: {page.locator('[data-testid=stException]').first.inner_text()}"
            )
    page.close()
    assert not failures, failures


def test_unknown_path_falls_back_to_a_page(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(f"{server}/no-such-lesson?lang=en")
    settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_phone_width_home(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/?lang=es")
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "es-home-phone.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_language_switch_updates_the_shareable_url(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(f"{server}/pooling?lang=es")
    settle(page)
    page.get_by_text("English", exact=True).click()
    page.wait_for_url("**lang=en**", timeout=30_000)
    settle(page)
    assert page.locator("h1").first.inner_text().strip() != ""
    page.goto(f"{server}/convolution?lang=en")
    settle(page)
    assert "lang=en" in page.url
    page.close()


def test_a_deep_link_as_the_first_request_gets_the_whole_app(browser) -> None:
    # A fresh server whose very first visitor arrives on a lesson's URL: the page must
    # come with the app's navigation and language switch, in the language asked for.
    with running_dashboard() as fresh:
        page = browser.new_page()
        page.goto(f"{fresh}/convolution?lang=en")
        settle(page)
        assert page.get_by_text("Idioma · Language").count() == 1
        assert page.get_by_text("Images and convolution").count() >= 1  # navigation section
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()
