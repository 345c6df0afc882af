"""The widget in a real notebook: JupyterLab (from PyPI) serving a notebook that shows a scene,
opened in headless Chromium (Debian's, through chromedriver and Selenium). Checks that the
widget appears, draws the volume and answers a drag with a new image.

Skips with a message when JupyterLab, Selenium, chromium or chromedriver is missing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MOVING7

pytest.importorskip("jupyterlab", reason="JupyterLab is not installed")
pytest.importorskip("anywidget", reason="anywidget is not installed")
webdriver = pytest.importorskip("selenium.webdriver", reason="Selenium is not installed")

PATIENCE_S = 240.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(path: Path, source: str) -> None:
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": source}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


@pytest.fixture
def lab(tmp_path):
    for tool in ("chromium", "chromedriver"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not on PATH")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
         "--LabApp.expose_app_in_browser=True"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(tmp_path / 'lab.log').read_text()}")
            time.sleep(0.3)
    yield tmp_path, port, token
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1300,900"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def _wait(driver, script: str, what: str, patience: float = PATIENCE_S):
    deadline = time.time() + patience
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def _lit_pixels(driver) -> list:
    """The canvas's pixels that are not black, counted, and a coarse 8x8 fingerprint."""
    return driver.execute_script("""
        const c = globalThis.amrcastWidgets.at(-1).canvas;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lit = 0; const cells = new Array(64).fill(0);
        for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
          const i = 4 * (y * c.width + x);
          const v = d[i] + d[i + 1] + d[i + 2];
          if (v > 24) lit++;
          cells[8 * Math.floor(8 * y / c.height) + Math.floor(8 * x / c.width)] += v;
        }
        return [lit, c.width * c.height, cells];""")


def test_the_widget_draws_the_volume_and_answers_a_drag(lab, browser):
    root, port, token = lab
    _notebook(root / "w.ipynb", "import amrcast\n"
              f"sc = amrcast.open({str(MOVING7)!r}, colormap='inferno', mode='mip')\n"
              "w = sc.show(height=420)\nw")
    browser.get(f"http://127.0.0.1:{port}/lab/tree/w.ipynb?token={token}")
    _wait(browser, "return !!(globalThis.jupyterapp && jupyterapp.shell.currentWidget"
                   " && jupyterapp.shell.currentWidget.sessionContext"
                   " && jupyterapp.shell.currentWidget.sessionContext.session"
                   " && jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                   " && jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                   " === 'idle')", "the notebook's kernel")
    browser.execute_script("jupyterapp.commands.execute('notebook:run-all-cells')")
    stats = _wait(browser, "const w = globalThis.amrcastWidgets;"
                           " return w && w.length && w.at(-1).stats.finals > 0"
                           " && w.at(-1).stats", "the widget's first full-resolution frame")
    assert stats["errors"] == [], stats["errors"]
    browser.save_screenshot(str(root / "widget.png"))
    lit, total, before = _lit_pixels(browser)
    assert 0.02 * total < lit < 0.98 * total, f"{lit} of {total} pixels lit: no volume drawn"

    canvas = browser.execute_script("return globalThis.amrcastWidgets.at(-1).canvas")
    chain = webdriver.ActionChains(browser)
    chain.move_to_element(canvas).click_and_hold().move_by_offset(90, 0).move_by_offset(60, 10)
    chain.release().perform()
    stats = _wait(browser, "const s = globalThis.amrcastWidgets.at(-1).stats;"
                           " return (s.sent.orbit || 0) > 0 && s.lastFinalSeq >= s.sentSeq && s",
                  "the final frame after the drag")
    assert stats["errors"] == [], stats["errors"]
    _, _, after = _lit_pixels(browser)
    moved = sum(abs(a - b) for a, b in zip(before, after)) / max(sum(before), 1)
    assert moved > 0.02, f"the drag did not change the image ({moved:.4f})"
