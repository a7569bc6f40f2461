"""Stamping (issue 17 §6): documents of one template that differ only in names, numbers and amounts are
laid out once by WeasyPrint; every other document of the same *shape* gets a copy of that layout in
which only the text boxes holding its own variable text are re-shaped (the page is then painted by
WeasyPrint as usual: same fonts, same subset, same look).

Two documents have the same shape (``shape_key``) when their HTML is identical except that Chinese
ideographs stand where ideographs stand and digits where digits stand. Such documents break lines the
same way wherever their texts have the same widths; the stamp is accepted box by box only when that is
*measured* (``Pango``), otherwise the document is laid out in full:

- a text box whose new text has exactly the width, height and baseline of the prototype's is swapped;
- a box of another width is re-aligned (left / centre / right, as the line's ``text-align``) when it is
  the only box of the only line of its block, inside plain blocks or cells of fixed-layout tables
  (whose widths do not depend on their content), and still fits its line;
- anything else (a longer name inside a justified paragraph, text that generated content copies,
  text hidden by CSS) makes that document fall back to a layout of its own."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"<[^>]*>|&#?\w+;|[\u4e00-\u9fff]|[0-9]")
_BODY_START = re.compile(r"<body[^>]*>", re.S)
_TAG = re.compile(r"<[^>]*>")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t\n\r\f]+")
# Generated content that may copy a document's own text (a running header, a bookmark label of
# variable text): its boxes are not stamped, so documents using it are not stamped either.
_COPYING = ("attr(", "content(", "target-text(", "<style", "<script")
_ALIGN = {"left": 0.0, "start": 0.0, "center": 0.5, "right": 1.0, "end": 1.0}


def _classed(match: re.Match) -> str:
    token = match.group(0)
    if len(token) > 1:
        return token  # markup and entities stay as they are
    return "0" if token.isdigit() else "一"


def shape_key(html: str) -> str | None:
    """The document's shape (``None``: never stamped)."""
    m = _BODY_START.search(html)
    if not m:
        return None
    head, body = html[:m.end()], html[m.end():]
    if any(t in head for t in _COPYING[:3]) or any(t in body for t in _COPYING):
        return None
    return head + _TOKENS.sub(_classed, body)


def body_text(html: str) -> str:
    """The text of the body as CSS white-space collapsing leaves it (offsets match between documents of
    one shape)."""
    m = _BODY_START.search(html)
    body = html[m.end():] if m else html
    return _SPACES.sub(" ", htmllib.unescape(_TAG.sub("", body)))


@dataclass
class _Slot:
    """A text box of the prototype and where its text lies in the prototype's body text."""

    page: int
    box: object
    line: object | None  # the line box, when the text box is alone on the only line of a plain block
    block: object | None
    start: int
    end: int
    fixed: bool  # every block around it keeps its width whatever the text (no auto table, float, …)


class Prototype:
    """A laid-out document (its ``pages``) that documents of its shape are stamped from."""

    def __init__(self, html: str, pages: list):
        from .batch_paint import recording_page

        self.text = body_text(html)
        self.slots: list[_Slot] | None = _slots(pages, self.text)
        self._measured: dict[int, tuple[float, float, float]] = {}
        watch = [{id(s.box) for s in self.slots or () if s.page == n} for n in range(len(pages))]
        self.pages = [recording_page(page, ids) for page, ids in zip(pages, watch, strict=True)]

    def stamp(self, html: str) -> list | None:
        """The document's pages stamped from the prototype's layout, or ``None`` when it needs its own."""
        if self.slots is None:
            return None
        text = body_text(html)
        if len(text) != len(self.text):
            return None
        diff = [k for k, (a, b) in enumerate(zip(self.text, text, strict=True)) if a != b]
        replaced: list[dict[int, object]] = [{} for _ in self.pages]
        covered = 0
        for slot in self.slots:
            new = text[slot.start:slot.end]
            if new == self.text[slot.start:slot.end]:
                continue
            boxes = self._restamp(slot, new)
            if boxes is None:
                return None
            replaced[slot.page].update(boxes)
            covered += sum(1 for k in diff if slot.start <= k < slot.end)
        if covered != len(diff):  # some changed text is in no box we stamp (hidden, generated, …)
            return None
        return [_page_with(page, repl) if repl else page for page, repl in zip(self.pages, replaced, strict=True)]

    def _measure(self, box, text: str) -> tuple[float, float, float]:
        from weasyprint.text.ffi import FROM_UNITS, pango
        from weasyprint.text.line_break import Layout, line_size

        layout = Layout(box.style, box.justification_spacing)
        layout.set_text(text)
        line, index = layout.get_first_line()
        width, height = line_size(line, box.style)
        baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
        layout.deactivate()
        return (width, height, baseline) if index is None else (-1.0, height, baseline)

    def _restamp(self, slot: _Slot, new: str) -> dict[int, object] | None:
        box = slot.box
        if not slot.fixed and not all(a == b or (_HAN.match(a) and _HAN.match(b))
                                      for a, b in zip(box.text, new, strict=True)):  # type: ignore[attr-defined]
            return None  # an auto-sized box: only ideographs (all one em) may change, so min/max widths stay
        old = self._measured.get(id(box))
        if old is None:
            old = self._measured[id(box)] = self._measure(box, box.text)  # type: ignore[attr-defined]
        width, height, baseline = self._measure(box, new)
        if width < 0 or (height, baseline) != old[1:]:
            return None
        text_box = box.copy()  # type: ignore[attr-defined]
        layout = box.pango_layout.__class__.__new__(box.pango_layout.__class__)  # type: ignore[attr-defined]
        layout.__dict__.update(box.pango_layout.__dict__)  # type: ignore[attr-defined]
        layout.text = new
        text_box.text, text_box.pango_layout = new, layout
        if width == old[0]:
            return {id(box): text_box}
        if slot.line is None or slot.block is None:
            return None
        available = slot.block.width  # type: ignore[attr-defined]
        if width > available:
            return None
        factor = _line_align(slot.line)
        if factor is None:
            return None
        text_box.width = box.width + width - old[0]  # type: ignore[attr-defined]
        text_box.position_x = box.position_x + factor * (old[0] - width)  # type: ignore[attr-defined]
        return {id(box): text_box}


def _line_align(line) -> float | None:
    style = line.style
    align = style["text_align_all"]
    if style["text_align_last"] != "auto":
        align = style["text_align_last"]
    elif align == "justify":
        align = "start"
    factor = _ALIGN.get(align)
    if factor is None or style["direction"] != "ltr":
        return None
    return factor


def _fixed_width(box) -> bool:
    """Whether a block's width stays the same whatever the width of the text inside it."""
    from weasyprint.formatting_structure import boxes as b

    if isinstance(box, b.TableBox):
        return box.style["table_layout"] == "fixed" and box.style["width"] != "auto"
    if isinstance(box, (b.LineBox, b.InlineBox, b.TableCellBox, b.TableRowBox, b.TableRowGroupBox,
                        b.PageBox)):
        return True
    if isinstance(box, b.BlockBox):
        return not (box.is_floated() or box.is_absolutely_positioned())
    return False


def _slots(pages: list, text: str) -> list[_Slot] | None:
    """Every text box of the body in document order, found in ``text`` (``None`` if one is not)."""
    from weasyprint.formatting_structure import boxes as b

    slots: list[_Slot] = []
    cursor = 0

    def walk(page: int, box, chain: list) -> bool:
        nonlocal cursor
        if isinstance(box, b.MarginBox) or (box.element_tag and "::" in box.element_tag):
            return True
        if isinstance(box, b.TextBox):
            if not box.text.strip():
                return True
            if box.pango_layout.text != box.text:
                return False
            at = text.find(box.text, cursor)
            if at < 0 or text[cursor:at].strip():
                return False  # not next in the text: order or content is not what we think
            cursor = at + len(box.text)
            line = chain[-1] if chain and isinstance(chain[-1], b.LineBox) else None
            block = chain[-2] if line is not None and len(chain) > 1 else None
            fixed = all(_fixed_width(a) for a in chain)
            alone = (fixed and line is not None and block is not None and len(line.children) == 1
                     and sum(isinstance(c, b.LineBox) for c in block.children) == 1)
            slots.append(_Slot(page, box, line if alone else None, block if alone else None, at, cursor, fixed))
            return True
        return all(walk(page, child, [*chain, box]) for child in getattr(box, "children", ()))

    for number, page in enumerate(pages):
        if not walk(number, page._page_box, []):
            return None
    return slots


def _rebuilt(box, repl: dict[int, object]):
    new = repl.get(id(box))
    if new is not None:
        return new
    children = getattr(box, "children", None)
    if not children:
        return box
    kids = [_rebuilt(c, repl) for c in children]
    if all(k is c for k, c in zip(kids, children, strict=True)):
        return box
    copy = box.copy()
    copy.children = kids
    return copy


def _page_with(page, repl: dict[int, object]):
    """The prototype's page with the boxes in ``repl`` replaced, painted by replaying the prototype's."""
    from .batch_paint import replaying_page

    copy = replaying_page(page, page.recorder, repl)
    copy._page_box = _rebuilt(page._page_box, repl)
    copy.anchors, copy.links, copy.bookmarks = {}, [], []
    return copy
