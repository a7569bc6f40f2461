"""The browser walk both Playwright flows share: log in as a persona, take numbered screenshots."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PASSWORD


class BrowserWalk:
    shots_dir: Path  # set by each flow (var/screenshots/<flow>/)

    def __init__(self, live_server, context, page):
        self.url, self.context, self.page = live_server.url, context, page
        self.shots: list[Path] = []
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        for old in self.shots_dir.glob("*.png"):
            old.unlink()

    def login(self, user):
        """Log in as ``user``. The cookies are cleared first; a response still in flight from the last page (an
        image, a redirect) may set the old session cookie again, and then /login/ redirects to the workbench
        — so when the form does not appear, the cookies are cleared again and the page reloaded."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(1, 5):
            self.context.clear_cookies()
            try:
                self.page.goto(f"{self.url}/login/")
                self.page.wait_for_selector("#id_username", timeout=8000)
                break
            except PlaywrightError:  # a timeout, or the load interrupted by a late navigation
                if attempt == 4:
                    raise
                self.page.wait_for_load_state()
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")

    def goto(self, url: str):
        """``page.goto`` that waits out a navigation still in flight from the last step (a form's redirect
        to the same page interrupts the load: Playwright then raises instead of waiting)."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(1, 6):
            try:
                self.page.goto(url)
                return
            except PlaywrightError as exc:
                if "interrupted" not in str(exc) or attempt == 5:
                    raise
                self.page.wait_for_load_state()
                if self.page.url.split("#")[0] == url:  # the navigation that interrupted ours went there too
                    return

    def shot(self, name: str):
        """A numbered screenshot (evidence for the reader, not an assertion): on a loaded machine a full-page
        capture may time out, then the visible part is taken instead."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        path = self.shots_dir / f"{len(self.shots) + 1:02d}_{name}.png"
        self.page.wait_for_load_state()
        try:
            self.page.screenshot(path=str(path), full_page=True, timeout=30000)
        except PlaywrightTimeout:
            self.page.screenshot(path=str(path), timeout=30000)
        self.shots.append(path)
