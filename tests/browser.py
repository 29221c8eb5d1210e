"""Pages in a real browser: Debian's Chromium (/usr/bin/chromium, which bin/test installs) driven
by Playwright, with axe for accessibility. A test module imports the fixtures it uses:
`from tests.browser import browser, page`."""
import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import greenlet
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# No update checks, sync or other traffic of the browser's own: a test sees only its pages' requests.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    manager = sync_playwright()
    playwright = manager.start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield browser
    browser.close()
    _stop(manager)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    yield page
    context.close()


def _stop(manager):
    """Stop Playwright in this eventlet-patched process.

    Playwright runs its asyncio loop in a greenlet of its own, the dispatcher, and the loop waits
    through eventlet's green select, so eventlet's hub runs while a page loads and services
    served from green threads in this process answer the browser. But the hub makes itself
    the parent of every greenlet that waits in it: when the dispatcher ends at stop() it
    returns to the hub instead of to us, and stop() never returns. Once the loop's last tasks
    are done nothing waits in the hub any more, so making us the dispatcher's parent then
    brings it back here (tests/test_web_browser.py ends its module's browser this way)."""
    caller, dispatcher = greenlet.getcurrent(), manager._dispatcher_fiber
    for task in asyncio.all_tasks(manager._loop):
        task.add_done_callback(lambda _: setattr(dispatcher, "parent", caller))
    manager.__exit__()


def arrive(page, path):
    """Wait until the page shows `path` (or, where it ends in /, a path under it): by looking
    every tenth of a second, for at most ten seconds (Playwright's wait_for_url can wait for
    ever in this eventlet-patched process)."""
    for _ in range(100):
        shown = urlsplit(page.url).path
        if shown == path or path.endswith("/") and shown.startswith(path):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page is at {page.url}, not at {path}")


def shows(page, where, text):
    """Wait until the element at `where` says `text` (a locator's wait ends at its timeout)."""
    page.locator(where).filter(has_text=text).wait_for()


def shows_after_reload(page, where, text, seconds=30):
    """Reload the page until the element at `where` says `text`: for what a fact from another
    service brings, which a page shows only once the fact has arrived and the page is asked
    for again (every half second, for at most `seconds`)."""
    for _ in range(seconds * 2):
        if page.locator(where).filter(has_text=text).count():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"{page.url} does not show {text!r} at {where} after {seconds}s")


def sign_in(page, base_url, name, password, first_page, totp=None):
    """A person signs in through the pages' forms (and gives their TOTP code, where given),
    axe judging each form, until they see `first_page`."""
    page.set_default_timeout(10_000)
    page.goto(base_url + "/")
    assert_accessible(page)
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if totp is not None:
        arrive(page, "/signin/code")
        assert_accessible(page)
        page.get_by_label("Code").fill(totp.now())
        page.get_by_role("button", name="Bevestigen").click()
    arrive(page, first_page)


def assert_accessible(page):
    """Fails, listing them, on the page's serious and critical axe violations."""
    violations = [violation for violation in Axe().run(page).response["violations"]
                  if violation["impact"] in SERIOUS]
    assert not violations, "accessibility violations:\n" + "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}; at "
        + ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
        for violation in violations)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
