"""``colead app`` end to end in a real browser: Playwright drives Debian's Chromium against
the app started as a team starts it (``python -m colead app --no-browser``).

A simulated Qualtrics export is dropped on the page, the one column colead cannot match is
fixed in the mapping form, the report is made and rendered inline, and it is downloaded;
every request the browser made went to 127.0.0.1. The pages pass offline accessibility
checks (a label on every control, headings in order, contrast of every text), and the
private folder is gone when the app stops.
"""

from __future__ import annotations

import base64
import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from .app_support import REWORDED, qualtrics_export, reworded_position
from .conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio"]

#: WCAG checks that need no network: every control has a label (or an aria name), headings
#: start at h1 and never skip a level, every visible text has a contrast of 4.5:1 with what
#: is behind it (3:1 for large text), frames have titles, images alt text.
ACCESSIBILITY = """() => {
  const problems = [];
  const named = el => (el.labels && el.labels.length) || el.getAttribute('aria-label')
                      || el.getAttribute('aria-labelledby');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type !== 'hidden' && !named(el)) problems.push('no label: ' + el.outerHTML);
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label'))
      problems.push('no name: ' + el.outerHTML);
  }
  for (const el of document.querySelectorAll('iframe')) {
    if (!el.title) problems.push('frame without title');
  }
  for (const el of document.querySelectorAll('img')) {
    if (!el.hasAttribute('alt')) problems.push('image without alt');
  }
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  if (levels[0] !== 1 || levels.filter(l => l === 1).length !== 1) problems.push('h1: ' + levels);
  levels.forEach((l, i) => { if (i && l > levels[i - 1] + 1) problems.push('skip: ' + levels); });
  if (!document.documentElement.lang) problems.push('no lang');
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const behind = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; }
    return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('option, script, style')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length)
      continue;
    const a = lum(rgb(style.color)), b = lum(behind(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    checked++;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ` +
                                      node.textContent.trim().slice(0, 40));
  }
  return {problems, checked};
}"""

DROP = """([name, data]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: 'text/csv'}));
  return transfer;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app_process(tmp_path):
    """``colead app`` in a subprocess, its private folder under ``tmp_path``; stopped with
    Ctrl+C (SIGINT) at the end, which must remove the folder and exit 0."""
    port = _free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "colead", "app", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+", line)
        assert url, line
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield url.group(), temp
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    assert process.returncode == 0, err
    assert "stopped; the files it was given were removed" in out
    assert not list(temp.glob("colead-app-*")), "the private folder was left behind"


def _colours(path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ())


def check_accessible(page) -> int:
    found = page.evaluate(ACCESSIBILITY)
    assert found["problems"] == [], found["problems"]
    return found["checked"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here; .ci/run installs "
                    "it (apt-get install chromium) so that CI runs this test")
def test_drop_map_and_report_in_a_browser(app_process, tmp_path):
    from playwright.sync_api import sync_playwright

    url, temp = app_process
    base = url.rstrip("/")
    export = qualtrics_export()
    column = next(csv.reader([export.decode().splitlines()[0]]))[
        reworded_position(export)]
    requests: list[str] = []
    console: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1100,
                                                                       "height": 1400})
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.goto(url)
        assert check_accessible(page) > 10

        # drop the export on the drop zone, as a file dragged from the desktop
        transfer = page.evaluate_handle(DROP, ["teachers.csv", base64.b64encode(export).decode()])
        page.dispatch_event("[data-drop]", "drop", {"dataTransfer": transfer})
        assert page.inner_text("[data-file-name]") == "Chosen: teachers.csv"
        page.select_option("#instrument", "colead-teacher")
        page.click("text=Read the export")
        page.wait_for_selector("#workspace")
        assert "Qualtrics" in page.inner_text("dl.facts")
        assert "no column matches this item" in page.inner_text(".problems")
        assert page.is_disabled("text=Make the report")
        check_accessible(page)

        # fix the one unmatched column: colead guessed it; the team confirms it
        menu = page.get_by_label(f"Item held by column {column}")
        assert REWORDED in page.inner_text("table.mapping")
        assert menu.input_value() == "sl2"
        menu.select_option("")
        menu.select_option("sl2")
        page.click("text=Save the mapping")
        page.wait_for_selector("text=Respondents kept")
        assert page.locator(".problems").count() == 0
        assert "48 in 4 schools" in page.inner_text("dl.facts")

        page.fill("#min_n", "5")
        page.click("text=Make the report")
        page.wait_for_selector("iframe.report", timeout=120_000)
        frame = page.frame_locator("iframe.report")
        frame.locator("#overview").wait_for()
        assert frame.locator("h1").count() == 1
        shown = page.frame(url=re.compile(r".*/report\.html$"))
        assert shown is not None
        # the report draws its charts in HTML (no images): they are laid out with a size
        charts = shown.evaluate("[...document.querySelectorAll('.chart')]"
                                ".map(c => c.getBoundingClientRect().width)")
        assert charts and all(charts)
        # sandboxed by its policy: an opaque origin, no script may run in it
        assert shown.evaluate("window.origin") == "null"
        check_accessible(page)
        page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)
        shot = ARTIFACTS / "app-report.png"
        # painted: text and charts, not a blank frame (one below the fold is painted a
        # moment after it is scrolled into view)
        page.locator("iframe.report").scroll_into_view_if_needed()
        deadline = time.monotonic() + 20
        while True:
            page.locator("iframe.report").screenshot(path=str(shot))
            if _colours(shot) > 50 or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        assert _colours(shot) > 50

        with page.expect_download() as info:
            page.click("text=Download the report")
        download = info.value
        assert download.suggested_filename == "colead-report.html"
        saved = tmp_path / "downloaded.html"
        download.save_as(saved)
        assert saved.read_text(encoding="utf-8").count('id="overview"') == 1
        browser.close()

    own = [u for u in requests if not u.startswith(("data:", "blob:", "about:"))]
    assert own and all(u.startswith(base + "/") for u in own), own
    # the report's own script (sorting its table of schools) is blocked by the sandbox, as
    # meant: the browser says so, and that is the only error allowed
    sandboxed = re.compile(r"error: Blocked script execution in '[^']*/report\.html' because "
                           r"the document's frame is sandboxed")
    assert not [m for m in console if m.startswith("error") and not sandboxed.match(m)], console
    assert list(temp.glob("colead-app-*"))  # the private folder exists while the app runs


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here; .ci/run installs "
                    "it (apt-get install chromium) so that CI runs this test")
def test_the_accessibility_checks_find_what_they_look_for():
    from playwright.sync_api import sync_playwright

    bad = ("<html><body><h2>Skipped h1</h2><h4>and h3</h4><input id=a>"
           "<select><option>x</option></select><button></button>"
           "<p style='color:#999;background:#fff'>pale text</p><iframe></iframe></body></html>")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.set_content(bad)
        problems = page.evaluate(ACCESSIBILITY)["problems"]
        browser.close()
    kinds = sorted({re.sub(r"[:\s].*", "", p) for p in problems})
    assert kinds == ["contrast", "frame", "h1", "no", "skip"], problems
    assert sum(p.startswith("no label") for p in problems) == 2
    assert any(p.startswith("contrast 2.8") and "pale text" in p for p in problems)
