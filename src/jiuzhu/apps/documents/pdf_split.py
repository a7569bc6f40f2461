"""Split a PDF into page-range PDFs without re-rendering (issue 17 §6).

WeasyPrint writes a village's merged PDF once; each person's PDF is cut from it here: the page objects
of its range plus every object they reach (content streams, fonts, images), copied byte for byte under
their original numbers, with a new page tree and catalog. Objects shared by every range (the chunk's
font subset) are serialised once per split, so a cut costs a few string joins instead of a layout and
paint. ``/Annots`` are dropped (notices carry no links; a link would pull other pages in)."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

_SKIP = {"/Parent", "/Annots"}


class PdfSplitter:
    """``PdfSplitter(pdf).extract(start, stop)``: PDF bytes of pages ``start``..``stop - 1``."""

    def __init__(self, pdf: bytes):
        self.reader = PdfReader(io.BytesIO(pdf))
        self.nums: list[int] = [page.indirect_reference.idnum for page in self.reader.pages]  # type: ignore[union-attr]
        self.size = max(int(self.reader.trailer["/Size"]), max(self.nums) + 1)  # type: ignore[call-overload]
        self._bytes: dict[int, bytes] = {}
        self._deps: dict[int, tuple[int, ...]] = {}

    def _refs_in(self, obj, out: list[int], top: bool = False) -> None:
        if isinstance(obj, IndirectObject):
            out.append(obj.idnum)
        elif isinstance(obj, dict):
            for key, value in obj.items():
                if not (top and key in _SKIP):
                    self._refs_in(value, out)
        elif isinstance(obj, list):
            for value in obj:
                self._refs_in(value, out)

    def _closure(self, start: int, page: bool) -> list[int]:
        seen: dict[int, None] = {}
        stack = [start]
        while stack:
            num = stack.pop()
            if num in seen:
                continue
            seen[num] = None
            if num not in self._deps:
                found: list[int] = []
                self._refs_in(self.reader.get_object(num), found, top=page and num == start)
                self._deps[num] = tuple(found)
            stack.extend(self._deps[num])
        return list(seen)

    def _serial(self, num: int, parent: int | None = None) -> bytes:
        if parent is None and num in self._bytes:
            return self._bytes[num]
        obj: Any = self.reader.get_object(num)
        if parent is not None:  # a page: its own parent, no annotations
            obj = DictionaryObject({k: v for k, v in obj.items() if k not in _SKIP})
            obj[NameObject("/Parent")] = IndirectObject(parent, 0, self.reader)
        buf = io.BytesIO()
        buf.write(b"%d 0 obj\n" % num)
        obj.write_to_stream(buf)
        buf.write(b"\nendobj\n")
        data = buf.getvalue()
        if parent is None:
            self._bytes[num] = data
        return data

    def extract(self, start: int, stop: int) -> bytes:
        pages_num, root_num = self.size, self.size + 1
        page_nums = self.nums[start:stop]
        order: dict[int, None] = {}
        for num in page_nums:
            for dep in self._closure(num, page=True):
                order.setdefault(dep, None)
        chunks = [b"%PDF-1.7\n%\xb5\xed\xae\xfb\n"]
        offsets: dict[int, int] = {}
        pos = len(chunks[0])
        page_set = set(page_nums)
        for num in sorted(order):
            offsets[num] = pos
            data = self._serial(num, parent=pages_num if num in page_set else None)
            chunks.append(data)
            pos += len(data)
        tree = DictionaryObject({NameObject("/Type"): NameObject("/Pages"),
                                 NameObject("/Kids"): ArrayObject(IndirectObject(n, 0, self.reader) for n in page_nums),
                                 NameObject("/Count"): NumberObject(len(page_nums))})
        for num, text in ((pages_num, _dump(tree)),
                          (root_num, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)):
            offsets[num] = pos
            data = b"%d 0 obj\n%s\nendobj\n" % (num, text)
            chunks.append(data)
            pos += len(data)
        chunks.append(_xref(offsets))
        chunks.append(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (root_num + 1, root_num, pos))
        return b"".join(chunks)


def _dump(obj) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def _xref(offsets: dict[int, int]) -> bytes:
    """A cross-reference table of subsections: object 0 and each run of consecutive numbers used."""
    out = [b"xref\n0 1\n0000000000 65535 f \n"]
    nums = sorted(offsets)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(b"%d %d\n" % (nums[i], j - i + 1))
        out.extend(b"%010d 00000 n \n" % offsets[n] for n in nums[i:j + 1])
        i = j + 1
    return b"".join(out)
