"""The pages in a real browser: Debian's chromium driven by Playwright (headless, never a
downloaded browser). A resident submits through the form; the request shows on the board of its
street and not on another street's; the department reports (报到) and completes (办结) on the case
page; the ranking (晒单) changes. Screenshots go to test-output/screenshots/ (or
$POWERLIST_TEST_OUTPUT/screenshots/).

In CI (CI set) these tests always run: .ci/run installs chromium when it is missing. Elsewhere
they are skipped only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_support import KEYS, ROOT, free_port, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    process = start_server(folder, port, "--tick-seconds", "0")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), "CI must have /usr/bin/chromium (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("POWERLIST_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser: Any, phone: bool = False) -> Any:
    options: dict[str, Any] = {"locale": "zh-CN"}
    if phone:
        options.update(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    return browser.new_context(**options).new_page()


def _sign_in(browser: Any, base: str, role: str) -> Any:
    page = _page(browser)
    page.goto(f"{base}/manage/login")
    page.fill("#key", KEYS[role])
    page.click("#login")
    page.wait_for_url(re.compile(r".*/manage/cases$"))
    return page


def _ranking_row(browser: Any, base: str, unit: str) -> str:
    page = _page(browser)
    page.goto(f"{base}/ranking")
    row = page.locator(f"#departments tr[data-unit='{unit}']")
    text: str = row.inner_text() if row.count() else ""
    page.context.close()
    return text


def test_submit_board_report_complete_ranking(server: str, browser: Any, shots: Path) -> None:
    before = _ranking_row(browser, server, "420202-JT")

    resident = _page(browser, phone=True)
    resident.goto(server + "/")
    resident.fill("#description", "我叫张三，电话13812345678，团城山路12号门口公路上堆满砂石，车过不去")
    resident.select_option("#service_code", "BJ0202")
    resident.select_option("#address_id", "420202001001")
    resident.fill("#address_string", "团城山路12号")
    resident.fill("#first_name", "张三")
    resident.fill("#phone", "13812345678")
    resident.screenshot(path=str(shots / "01-submit-form.png"), full_page=True)
    resident.click("#submit")
    resident.wait_for_url(re.compile(r".*/requests/SR\d+\?new=1$"))
    request_id = resident.inner_text("#sid")
    assert request_id.startswith("SR")
    public = resident.content()
    for secret in ("张三", "13812345678", "12号"):
        assert secret not in public, secret
    assert "办理中" in resident.inner_text("#status")
    resident.screenshot(path=str(shots / "02-request-status.png"), full_page=True)

    street = _sign_in(browser, server, "street")
    assert street.locator(f"#board tr[data-case='{request_id}']").count() == 1
    street.screenshot(path=str(shots / "03-board-own-street.png"), full_page=True)

    other = _sign_in(browser, server, "street2")
    assert other.locator(f"#board tr[data-case='{request_id}']").count() == 0
    answer = other.goto(f"{server}/manage/cases/{request_id}")
    assert answer is not None and answer.status == 404
    other.screenshot(path=str(shots / "04-other-street-not-found.png"), full_page=True)

    department = _sign_in(browser, server, "dept_jt")
    department.click(f"#board tr[data-case='{request_id}'] a")
    department.wait_for_url(re.compile(rf".*/manage/cases/{request_id}$"))
    assert "团城山路12号" in department.content()  # staff see what the resident wrote
    department.click("#do-respond")
    department.wait_for_url(re.compile(r".*\?done=respond$"))
    assert department.inner_text("#state") == "报到"
    department.click("summary:has-text('办结')")
    department.fill("form[data-event='complete'] input[name='reason']", "已清理路面堆物")
    department.click("#do-complete")
    department.wait_for_url(re.compile(r".*\?done=complete$"))
    assert department.inner_text("#state") == "办结"
    actors = department.locator("#history tr[data-event='respond'] td").nth(3).inner_text()
    assert actors == "420202-JT"
    department.screenshot(path=str(shots / "05-case-completed.png"), full_page=True)

    resident.goto(f"{server}/requests/{request_id}")
    assert "已办结" in resident.inner_text("#status")

    after_page = _page(browser)
    after_page.goto(f"{server}/ranking")
    after = after_page.locator("#departments tr[data-unit='420202-JT']").inner_text()
    after_page.screenshot(path=str(shots / "06-ranking.png"), full_page=True)
    assert after != before and "420202-JT" not in after  # the unit is shown by name
    assert after_page.locator("svg.bars").count() >= 1


def test_board_needs_a_staff_key(server: str, browser: Any, shots: Path) -> None:
    page = _page(browser)
    page.goto(f"{server}/manage/cases")
    assert page.url.endswith("/manage/login")
    page.fill("#key", KEYS["resident"])
    page.click("#login")
    assert "密钥无效" in page.inner_text("[role=alert]")
    page.fill("#key", "wrong-key-0000000000")
    page.click("#login")
    assert "密钥无效" in page.inner_text("[role=alert]")
    assert KEYS["resident"] not in page.content()
    page.screenshot(path=str(shots / "07-login-refused.png"), full_page=True)


def test_form_errors_are_shown_in_chinese_and_keep_the_input(server: str, browser: Any) -> None:
    page = _page(browser, phone=True)
    page.goto(server + "/")
    page.fill("#description", "路灯坏了")
    page.fill("#phone", "abc")
    page.click("#submit")
    alert = page.inner_text("[role=alert]")
    assert "address" in alert and "phone" in alert and "位置" in alert
    assert page.input_value("#description") == "路灯坏了"
