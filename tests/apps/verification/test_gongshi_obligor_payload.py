"""The 核对 report hands the non-co-resident obligors' income and financial assets to the case (issue 20 §5,
社会救助年审 plan 三(2)四 "对不共同居住的法定赡养、抚养关系成员的收入财产进行核实计算")."""

from jiuzhu.apps.cases.payloads import clean_payload
from jiuzhu.apps.verification.report import payload


def _report(persons, items=()):
    return {"as_of": "2026-11-01", "period_months": 12, "snapshots": [], "persons": persons, "items": list(items),
            "not_verifiable": [], "asset_test": {"failures": [], "failure_labels": []}, "differences": [],
            "conclusion": "consistent"}


def _obligor(ref, verifiable=True, **monthly):
    return {"role": "obligor", "role_label": "赡(抚、扶)养义务人", "ref": ref, "name": f"义务人{ref}",
            "verifiable": verifiable, "monthly": monthly}


def _financial(ref, amount, role="obligor", counted=True):
    return {"role": role, "ref": ref, "item": "financial", "amount": amount, "counted": counted, "group": "",
            "source_name": "银行", "as_of": "2026-11-01", "name": "x"}


def test_verified_obligors_income_and_financial_assets_reach_the_case():
    """对不共同居住的法定赡养、抚养关系成员的收入财产进行核实计算."""
    report = _report([_obligor(7, wage="5000.00", transfer="200.50"), _obligor(8, verifiable=False, wage="1.00")],
                     [_financial(7, "30000.00"), _financial(7, "5000.00", counted=False)])
    out = payload(report, "HD2026000001")
    assert out["obligors"] == [{"obligor": 7, "as_of": "2026-11-01", "monthly_income": "5200.50",
                                "financial": "30000.00"}]
    # and the case accepts it as the record_verification payload
    cleaned = clean_payload("record_verification", out)
    assert str(cleaned.obligors[0].monthly_income) == "5200.50" and cleaned.obligors[0].obligor == 7


def test_no_obligors_no_key():
    out = payload(_report([]), "HD2026000002")
    assert "obligors" not in out
