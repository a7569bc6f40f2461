"""Browser tests need a live server, hence transactional tests whose teardown empties every table;
the audit log's triggers are switched off just for that flush (tests/flushable_audit.py)."""

from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401


def _settling_goto():
    """Every ``page.goto`` of the browser tests waits out a navigation still in flight from the last step (an
    htmx ``HX-Redirect`` or a form's redirect): Playwright raises "interrupted by another navigation" instead of
    waiting, which made walks fail at random on a loaded machine. When the navigation that interrupted ours went
    to the same page, the page is where the test wanted it."""
    from playwright.sync_api import Error, Page

    goto = Page.goto
    if getattr(goto, "settles", False):
        return

    def settled(self, url, **kwargs):
        for attempt in range(1, 6):
            try:
                return goto(self, url, **kwargs)
            except Error as exc:
                if "interrupted by another navigation" not in str(exc) or attempt == 5:
                    raise
                self.wait_for_load_state()
                if self.url.split("#")[0] == url:
                    return None
        return None

    settled.settles = True  # type: ignore[attr-defined]
    Page.goto = settled  # type: ignore[method-assign]


_settling_goto()
