"""Parity of the bank-file export paths (issue 19): accounts opened many at a time (gcm_bulk) and in
worker processes give the same bank file and reconciliation index, byte for byte, as one GCM context
per token in this process (the path before issue 19); rows follow the line ids."""

from __future__ import annotations

import pytest

from jiuzhu.apps.payments import bankfile, crypto_pool, snapshot
from jiuzhu.apps.payments.layouts import layout_get
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.apps.registry import pii
from tests.conftest import COUNTY, VILLAGE_A, VILLAGE_B

from .conftest import MONTH, NOW, enroll, make_household

HOUSEHOLDS = 120


@pytest.fixture
def batch(world):
    for i in range(HOUSEHOLDS):
        head = ["刘伟", "陈静", "=SUM(A1)", "杨洋"][i % 4]
        hh = make_household(VILLAGE_A if i % 3 else VILLAGE_B, head=head, bank_name=["中国农业银行", "浙江农商银行"][i % 2])
        enroll(hh, amount=f"{100 + i * 7}.{i % 100:02d}", program="tekun" if i % 11 == 0 else "dibao")
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    return payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)


def export(tmp_path, batch, name: str, layout: str = "default") -> tuple[bytes, bytes]:
    rows = snapshot.read_bank_rows(batch.pk)
    path, index = tmp_path / f"{name}.csv", tmp_path / f"{name}-index.csv"
    bankfile.write_bank_file(rows, layout=layout_get(layout), fmt="csv", path=path, reveal=True, index_path=index)
    return path.read_bytes(), index.read_bytes()


@pytest.mark.parametrize("layout", ["default", "psbc_fen", "zjrcb"])
def test_bulk_and_worker_exports_equal_the_per_token_export(tmp_path, monkeypatch, batch, layout):
    monkeypatch.setattr(crypto_pool, "BULK_FROM", 10**9)  # every token with its own GCM context
    reference = export(tmp_path, batch, "reference", layout)
    monkeypatch.setattr(crypto_pool, "BULK_FROM", 2)
    assert export(tmp_path, batch, "bulk", layout) == reference
    monkeypatch.setattr(crypto_pool, "PARALLEL_FROM", 1)  # worker processes, chunks of 50 lines
    monkeypatch.setattr(bankfile, "CHUNK", 50)
    assert export(tmp_path, batch, "workers", layout) == reference


def test_rows_follow_the_line_ids_with_the_decrypted_accounts(tmp_path, batch):
    body, index = export(tmp_path, batch, "bank")
    rows = [r.split(",") for r in body.decode().splitlines()[1:]]
    lines = list(batch.lines.order_by("pk").select_related("household"))
    assert len(rows) == len(lines) == HOUSEHOLDS + 4
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(lines) + 1)]
    assert [r[2] for r in rows] == [pii.open_(li.household.bank_account_enc, purpose="bank_account") for li in lines]
    assert [r[4] for r in rows] == [f"{li.amount:.2f}" for li in lines]
    assert [r.split(",")[1] for r in index.decode().splitlines()[1:]] == [str(li.pk) for li in lines]
