"""The console in a real browser (Debian's Chromium, driven by Playwright) against the console served
by uvicorn on loopback: signing in with a password and a one-time code, a clerk's work on the
queue and a case, a supervisor's audited reveal, hostile report text shown as text, and an
evidence download. The README's screenshots are taken here, in Chinese."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import IN_CI, ROOT, free_port
from tests.console.conftest import PASSWORD, add_account, code, file_report

pytestmark = pytest.mark.slow
SHOTS = ROOT / "docs" / "screenshots"


def chromium() -> str | None:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        found = shutil.which(name) or (f"/usr/lib/chromium/{name}" if Path(f"/usr/lib/chromium/{name}").exists()
                                       else None)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    if executable is None:
        if IN_CI:
            pytest.fail("CI needs Debian's chromium-headless-shell (see .ci/run)")
        pytest.skip("no Chromium here")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()


class Served:
    """The console app served by uvicorn in a thread of its own."""

    def __init__(self, app):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the console did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def site(console):
    app, _, _ = console
    with Served(app) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    dialogs = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


def sign_in(page, site: str, store, clock, name: str, role: str) -> None:
    secret = add_account(store, name, role)
    page.goto(f"{site}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", code(secret, clock.now))
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_wrong_code_is_refused_and_the_right_one_signs_in(page, site, console, clock):
    _, store, _ = console
    secret = add_account(store, "li", "clerk")
    page.goto(f"{site}/login")
    page.fill("input[name=username]", "li")
    page.fill("input[name=password]", PASSWORD)
    right = code(secret, clock.now)
    page.fill("input[name=code]", "000000" if right != "000000" else "111111")
    page.click("button[type=submit]")
    assert "不正确" in page.inner_text("[role=alert]") and page.url.endswith("/login")
    page.fill("input[name=username]", "li")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", right)
    page.click("button[type=submit]")
    assert page.url == f"{site}/" and "待办队列" in page.inner_text("h1")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_clerk_filters_the_queue_opens_a_case_and_corrects_its_violation(page, site, console, pipeline, clock):
    _, store, _ = console
    first = file_report(pipeline, 1)
    other = file_report(pipeline, 2, subject="反映村主任王某侵占低保金",
                        body="村委会主任王某把我们村五户困难群众的低保金扣下自己用了，已经一年多。",
                        sender="villager@example.org")
    assert other.area != first.area
    sign_in(page, site, store, clock, "li", "clerk")
    assert page.locator("table.queue tbody tr").count() == 2
    page.select_option("select[name=area]", first.area)
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and first.number in rows.first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
    page.click(f"text={first.number}")
    corrected = "abuse_of_power" if first.violation == "bribery" else "bribery"
    page.select_option("section.labels select[name=violation]", corrected)
    page.click("section.labels button[type=submit]")
    assert page.locator("section.labels select[name=violation]").input_value() == corrected
    assert "staff:li" in page.inner_text("section.labels")
    html = page.content()
    for secret in ("zhang.san1@example.org", "13800138000", "110101199001011234"):
        assert secret not in html
    assert "实名举报人" in page.inner_text("p.reporter")
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)
    page.goto(f"{site}/stats?by=violation")
    assert page.locator("svg.chart rect").count() >= 1
    page.screenshot(path=str(SHOTS / "stats.png"), full_page=True)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_supervisor_reveals_the_reporter_with_a_reason_and_the_trail_shows_it(page, site, console, pipeline, clock):
    _, store, _ = console
    case = file_report(pipeline, 1)
    sign_in(page, site, store, clock, "boss", "supervisor")
    page.goto(f"{site}/cases/{case.number}")
    assert "zhang.san1@example.org" not in page.content()
    page.fill("form.reveal input[name=reason]", "需联系举报人补充证据")
    page.click("form.reveal button[type=submit]")
    assert "zhang.san1@example.org" in page.inner_text("div.revealed")
    page.goto(f"{site}/cases/{case.number}")
    trail = page.inner_text("section.trail")
    assert "reporter.revealed" in trail and "需联系举报人补充证据" in trail and "staff:boss" in trail
    assert "zhang.san1@example.org" not in page.content()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_hostile_report_text_is_shown_as_text_and_runs_nothing(page, site, console, pipeline, clock):
    _, store, _ = console
    hostile = file_report(pipeline, 1, subject="<script>alert(1)</script>",
                          body="<img src=x onerror=alert(1)> 县交通局局长李某受贿 <script>alert(2)</script>")
    sign_in(page, site, store, clock, "boss", "supervisor")
    page.goto(f"{site}/")
    page.goto(f"{site}/cases/{hostile.number}")
    text = page.inner_text("section.messages")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert page.locator("section.messages img").count() == 0 and page.locator("main script").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_evidence_download_carries_its_verified_bytes(page, site, console, pipeline, clock):
    _, store, _ = console
    case = file_report(pipeline, 1)
    sign_in(page, site, store, clock, "boss", "supervisor")
    page.goto(f"{site}/cases/{case.number}")
    row = page.locator("section.evidence tbody tr").nth(1)
    expected = row.locator("td.hash").inner_text().strip()
    with page.expect_download() as waiting:
        row.locator("a").click()
    data = Path(waiting.value.path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == expected and data.startswith(b"%PDF-1.4 receipt")
