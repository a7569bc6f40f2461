"""Painting stamped pages (issue 17 §6) without painting them again: while WeasyPrint paints a prototype's
page, the PDF operators between the text boxes that may vary are recorded; a page stamped from it
replays those operators and lets WeasyPrint paint only its own text boxes, from the drawing state
the prototype had at that point. When anything differs from the prototype (the state after a box, the
operators a box leaves to be merged), the page is painted in full instead — the replay is only ever a
shortcut to the same operators.

A stamped page is painted in the same WeasyPrint document as, and after, its prototype (the fonts and
glyphs that the replayed operators use are registered there)."""

from __future__ import annotations

import threading

_STATE = ("_current_color", "_current_color_stroke", "_current_alpha", "_current_alpha_stroke",
          "_current_font", "_current_font_size", "_old_font", "_old_font_size")
_local = threading.local()


def _state(stream) -> tuple:
    return tuple(getattr(stream, name) for name in _STATE) + (tuple(stream._ctm_stack),)


def _set_state(stream, state: tuple) -> None:
    for name, value in zip(_STATE, state, strict=False):
        setattr(stream, name, value)
    stream._ctm_stack = list(state[-1])


def _segment(before: list, after: list) -> tuple[tuple, tuple]:
    """How ``after`` follows from ``before``: the operators popped off its end and those appended."""
    common = 0
    for a, b in zip(before, after, strict=False):
        if a is not b and a != b:
            break
        common += 1
    return tuple(before[common:]), tuple(after[common:])


def _install() -> None:
    import weasyprint.draw as draw

    if getattr(draw.draw_text, "jiuzhu_recording", False):
        return
    original = draw.draw_text

    def draw_text(stream, textbox, *args):
        recorder = getattr(_local, "recorder", None)
        if recorder is None or id(textbox) not in recorder.watch:
            return original(stream, textbox, *args)
        recorder.enter(stream, textbox, args)
        result = original(stream, textbox, *args)
        recorder.leave(stream)
        return result

    draw_text.jiuzhu_recording = True  # type: ignore[attr-defined]
    draw_text.original = original  # type: ignore[attr-defined]
    draw.draw_text = draw_text


class Recorder:
    """The operators of one painted prototype page, cut at the text boxes in ``watch``."""

    def __init__(self, watch: set[int]):
        self.watch = watch
        self.ready = False
        self.start: list = []
        self.steps: list[tuple] = []  # ("ops", popped, added) | ("box", id, args, entry state, exit state)
        self._last: list = []

    def enter(self, stream, textbox, args) -> None:
        popped, added = _segment(self._last, stream.stream)
        self.steps.append(("ops", popped, added))
        self._box = ("box", id(textbox), args, _state(stream))
        self._last = list(stream.stream)

    def leave(self, stream) -> None:
        popped, added = _segment(self._last, stream.stream)
        self.steps.append((*self._box, _state(stream), popped, added))
        self._last = list(stream.stream)

    def paint(self, page_box, stream) -> None:
        from weasyprint.draw import draw_page

        _install()
        self.fonts = stream._fonts  # the document whose fonts hold the glyphs the operators use
        self.start = list(stream.stream)
        self._state0 = _state(stream)
        self._last = list(stream.stream)
        _local.recorder = self
        try:
            draw_page(page_box, stream)
        finally:
            _local.recorder = None
        popped, added = _segment(self._last, stream.stream)
        self.steps.append(("ops", popped, added))
        self.end_state = _state(stream)
        self.ready = True

    def replay(self, stream, swaps: dict[int, object]) -> bool:
        """Paint a page stamped from the prototype: ``swaps`` maps a watched box to the box drawn instead."""
        import weasyprint.draw as draw

        if (not self.ready or stream._fonts is not self.fonts or stream.stream != self.start
                or _state(stream) != self._state0):
            return False
        ops = stream.stream
        for step in self.steps:
            if step[0] == "ops" or step[1] not in swaps:
                popped, added = step[-2], step[-1]
                if popped and tuple(ops[-len(popped):]) != popped:
                    return self._undo(stream)
                del ops[len(ops) - len(popped):]
                ops.extend(added)
                continue
            _, box, args, entry, leave = step[:5]
            _set_state(stream, entry)
            getattr(draw.draw_text, "original", draw.draw_text)(stream, swaps[box], *args)
            if _state(stream) != leave:
                return self._undo(stream)
        _set_state(stream, self.end_state)
        return True

    def _undo(self, stream) -> bool:
        stream.stream[:] = self.start
        _set_state(stream, self._state0)
        return False


def recording_page(page, watch: set[int]):
    """A copy of prototype ``page`` that records its operators when painted."""
    copy = object.__new__(_RecordingPage)
    copy.__dict__.update(page.__dict__)
    copy.recorder = Recorder(watch)
    return copy


def replaying_page(page, recorder: Recorder, swaps: dict[int, object]):
    """Stamped ``page`` (its own boxes in ``swaps``) painted by replaying its prototype's ``recorder``."""
    copy = object.__new__(_ReplayingPage)
    copy.__dict__.update({k: v for k, v in page.__dict__.items() if k != "recorder"})
    copy.recorder, copy.swaps = recorder, swaps
    return copy


def _base():
    from weasyprint.document import Page

    return Page


class _RecordingPage(_base()):  # type: ignore[misc]
    recorder: Recorder

    def paint(self, stream, scale=1):
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            self.recorder.paint(self._page_box, stream)


class _ReplayingPage(_base()):  # type: ignore[misc]
    recorder: Recorder
    swaps: dict[int, object]

    def paint(self, stream, scale=1):
        from weasyprint.draw import draw_page

        with stream.stacked():
            stream.transform(a=scale, d=scale)
            if not self.recorder.replay(stream, self.swaps):
                draw_page(self._page_box, stream)
