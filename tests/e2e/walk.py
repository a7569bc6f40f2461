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
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.context.clear_cookies()
        for attempt in (1, 2):  # a navigation the last page still had in flight may replace the first load
            self.page.goto(f"{self.url}/login/")
            try:
                self.page.wait_for_selector("#id_username", timeout=20000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")

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
