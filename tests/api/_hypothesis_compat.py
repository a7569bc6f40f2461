"""hypothesis-jsonschema 0.23 (pinned by schemathesis 3.x) drives ``cu.many`` with ``more()``, which newer
Hypothesis releases replaced by ``with many(...) as e: for _ in e``. Restore ``more()`` on top of the new
internals so schemathesis can generate object bodies. Remove once hypothesis is pinned to a compatible release.
"""

from hypothesis.internal.conjecture import utils as cu


def _more(self) -> bool:
    if self._depth is None:
        self._depth = self.data.depth
    if self._in_element:
        self._finish_element()
    if self._done or not self._decide():
        return False
    self.count += 1
    self._in_element = True
    self._rejected = False
    return True


def install() -> None:
    if not hasattr(cu.many, "more") and hasattr(cu.many, "_decide"):
        cu.many.more = _more
