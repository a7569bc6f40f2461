"""Stamping (issue 17 §6): notices of one shape are laid out once and the others stamped from that layout.
A stamped notice's PDF must be the one laid out on its own: the same page content (every glyph at the
same place), its own name, number and amounts, and the same text as the notice rendered alone."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

from pypdf import PdfReader

from jiuzhu.apps.documents.batch_render import Chunk, render_chunk
from jiuzhu.apps.documents.batch_stamp import shape_key
from jiuzhu.apps.documents.render import html_to_pdf, render_html
from jiuzhu.apps.documents.samples import sample_build

NAMES = ("王建国", "李秀英", "欧阳小军", "张伟", "赵海燕", "钱多多")
AMOUNTS = ("600.00", "711.00", "1250.50", "88.00", "649.00", "1111.11")


def _notice(i: int, name: str, old: str, reason: str | None = None) -> str:
    base = sample_build("adjustment_notice")
    adjustment = dataclasses.replace(base.adjustment, notice_number=f"千岛湖镇救调字〔2026〕第{i + 1}号",
                                     old_amount=Decimal(old), new_amount=Decimal(old) + Decimal("49.00"),
                                     **({"reason": reason} if reason else {}))
    ctx = dataclasses.replace(base, household=dataclasses.replace(base.household, head_name=name),
                              adjustment=adjustment)
    return render_html("adjustment_notice", ctx)


def _streams(pdf: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _both(htmls: list[str]):
    chunk = {"key": "v", "names": tuple(f"{i}.pdf" for i in range(len(htmls))), "htmls": tuple(htmls)}
    return render_chunk(Chunk(**chunk)), render_chunk(Chunk(**chunk, stamp=False))


def test_stamped_notices_are_the_notices_laid_out_one_by_one():
    # given twelve notices: names of two to four characters, amounts of three and four digits
    htmls = [_notice(i, NAMES[i % 6], AMOUNTS[(i * 5) % 6]) for i in range(12)]
    # when the chunk is rendered stamping, and laying every notice out
    stamped, laid = _both(htmls)
    # then fewer layouts were made, and every page is drawn exactly as when laid out on its own
    assert stamped.layouts < 12 and laid.layouts == 12
    assert _streams(stamped.merged) == _streams(laid.merged)
    for i, ((_, pdf), (_, own)) in enumerate(zip(stamped.files, laid.files, strict=True)):
        assert _streams(pdf) == _streams(own)
        text = "".join(_texts(pdf))
        amount = f"{Decimal(AMOUNTS[(i * 5) % 6]) + Decimal('49.00'):,.2f}"
        assert f"{NAMES[i % 6]}：" in text and f"第{i + 1}号" in text and amount in text
        assert not any(f"{other}：" in text for other in NAMES if other != NAMES[i % 6])
    # and its text is that of the notice rendered alone (page footer included)
    assert [_texts(pdf) for _, pdf in stamped.files[:3]] == [_texts(html_to_pdf(h)) for h in htmls[:3]]


def test_a_notice_whose_paragraph_would_reflow_is_laid_out_on_its_own():
    # given notices whose amount sits inside a justified paragraph (other widths: the line would re-flow)
    htmls = [_notice(0, "王建国", "600.00", "经年度复核，家庭月收入增加111元。"),
             _notice(1, "李秀英", "600.00", "经年度复核，家庭月收入增加888元。"),
             _notice(2, "张小军", "600.00", "经年度复核，家庭月收入增加111元。")]
    stamped, laid = _both(htmls)
    # then the second is laid out on its own, the third stamped, and all are as when laid out alone
    assert stamped.layouts == 2
    assert _streams(stamped.merged) == _streams(laid.merged)
    assert "888元" in "".join(_texts(stamped.files[1][1]))


def test_auto_sized_table_cells_change_only_ideographs():
    page = ('<html><head><style>body {{ margin: 0; font-family: "Noto Serif CJK SC", serif; }}</style></head><body>'
            '<table><tr><td>{name}</td><td>{amount}</td></tr></table><p>说明</p></body></html>')
    htmls = [page.format(name="王建国", amount="600.00"), page.format(name="李秀英", amount="600.00"),
             page.format(name="李秀英", amount="711.00")]
    stamped, laid = _both(htmls)
    # the name in an auto-width cell may be stamped (ideographs are one em each); other digits may not
    assert stamped.layouts == 2
    assert _streams(stamped.merged) == _streams(laid.merged)


def test_shape_key_classes_text_not_markup():
    page = '<html><head><title>t</title></head><body><td colspan="{c}">{t}</td></body></html>'
    assert shape_key(page.format(c=3, t="王建国 600.00")) == shape_key(page.format(c=3, t="李秀英 711.99"))
    assert shape_key(page.format(c=3, t="王建国")) != shape_key(page.format(c=4, t="王建国"))
    assert shape_key(page.format(c=3, t="王建国")) != shape_key(page.format(c=3, t="王建"))
    assert shape_key(page.format(c=3, t="A")) != shape_key(page.format(c=3, t="B"))
    assert shape_key(page.format(c=3, t="&#39;")) != shape_key(page.format(c=3, t="&#40;"))
    # generated content that may copy the text: never stamped
    assert shape_key(page.replace("<title>", "<style>h1::after { content: attr(title) }</style><title>")) is None


def test_stamped_pages_replay_the_prototype_paint_and_fall_back_to_a_full_paint(monkeypatch):
    import weasyprint.draw

    from jiuzhu.apps.documents import batch_paint

    htmls = [_notice(i, NAMES[i % 2], AMOUNTS[i % 2]) for i in range(6)]
    laid = render_chunk(Chunk(key="v", names=tuple(f"{i}.pdf" for i in range(6)), htmls=tuple(htmls), stamp=False))
    painted = []
    draw_page = weasyprint.draw.draw_page
    monkeypatch.setattr(weasyprint.draw, "draw_page", lambda box, stream: painted.append(box) or draw_page(box, stream))
    # when the chunk is stamped, WeasyPrint paints the prototype's page only; the others replay it
    stamped = render_chunk(Chunk(key="v", names=tuple(f"{i}.pdf" for i in range(6)), htmls=tuple(htmls)))
    assert stamped.layouts == 1 and len(painted) == 1
    assert _streams(stamped.merged) == _streams(laid.merged)
    # and when a replay finds operators that are not the prototype's, it is undone and the page painted in full
    replay = batch_paint.Recorder.replay

    def spoiled(self, stream, swaps):
        self.steps[-1] = ("ops", (b"not the prototype's",), self.steps[-1][-1])
        return replay(self, stream, swaps)

    monkeypatch.setattr(batch_paint.Recorder, "replay", spoiled)
    painted.clear()
    again = render_chunk(Chunk(key="v", names=tuple(f"{i}.pdf" for i in range(6)), htmls=tuple(htmls)))
    assert len(painted) == 6 and _streams(again.merged) == _streams(laid.merged)
