"""The OpenFisca-Core baseline of the ``rules`` bench: the same population and the same dibao
reference formula as a minimal OpenFisca tax-benefit system (``benchmarks/openfisca_baseline/``),
run in a subprocess by an interpreter that has ``openfisca-core`` (a separate venv, never the
project's: OpenFisca pins numpy). The bench hands it the two Parquet files' columns as one
uncompressed ``.npz`` (OpenFisca's venv has numpy, not pyarrow) and the policy's exact integer terms.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jiuzhu.batch.dibao import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, DibaoTables, area_literals
from jiuzhu.rules.model import DISABILITY_KINDS

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "openfisca_baseline" / "dibao_openfisca.py"
_KIND_CODES = ("none", *DISABILITY_KINDS)  # the script's codes: physical 1, intellectual 2, mental 3, visual 4


def export_inputs(persons_path: str, households_path: str, npz_path: Path, terms_path: Path, *, policy: str,
                  as_of: date) -> float:
    """Write the script's inputs; the wall seconds of reading the two files to numpy arrays (what an
    OpenFisca run from the same files would add). ValueError for a 分档 policy (补差 only)."""
    lits = area_literals(policy, as_of)
    if any(lit.tiered for lit in lits.values()):
        raise ValueError("the OpenFisca baseline covers the 补差 method only")
    started = time.perf_counter()
    persons = pq.read_table(persons_path, columns=list(PERSON_COLUMNS))
    households = pq.read_table(households_path, columns=list(HOUSEHOLD_COLUMNS))
    arrays = {name: persons.column(name).to_numpy() for name in PERSON_COLUMNS
              if name not in ("household_id", "disability_kind", "serious_illness")}
    arrays["person_household_id"] = persons.column("household_id").to_numpy()
    arrays["disability_code"] = pc.index_in(persons.column("disability_kind"), value_set=pa.array(_KIND_CODES)).to_numpy(
        zero_copy_only=False)
    arrays["serious_illness"] = pc.fill_null(persons.column("serious_illness"), False).to_numpy(zero_copy_only=False)
    arrays.update({name: households.column(name).to_numpy() for name in HOUSEHOLD_COLUMNS if name != "area_type"})
    arrays["urban"] = pc.equal(households.column("area_type"), "urban").to_numpy(zero_copy_only=False)
    read_seconds = time.perf_counter() - started
    np.savez(npz_path, **arrays)
    terms = {area: {k: v for k, v in dataclasses.asdict(lit).items() if k != "tiers"} for area, lit in lits.items()}
    terms_path.write_text(json.dumps(terms), encoding="utf-8")
    return read_seconds


def totals(tables: DibaoTables) -> dict:
    """The totals the baseline prints, from the columnar rules' outputs."""
    status = tables.households.column("status")
    return {"households": tables.households.num_rows,
            "dibao": pc.sum(pc.equal(status, "dibao")).as_py() or 0,
            "edge": pc.sum(pc.equal(status, "edge")).as_py() or 0,
            "amount_fen": pc.sum(tables.households.column("monthly_amount_fen")).as_py() or 0,
            "single_person": tables.single_person.num_rows,
            "single_person_fen": pc.sum(tables.single_person.column("monthly_amount_fen")).as_py() or 0}


def run_baseline(python: str | None, persons_path: str, households_path: str, scratch: str, *, policy: str,
                 as_of: date, repeat: int, timeout: float = 3600) -> tuple[dict | None, str]:
    """(the script's JSON with ``read_seconds`` added, a note); (None, why) when no interpreter is
    given, it lacks OpenFisca, the policy is 分档, or the run fails."""
    if not python:
        return None, "OpenFisca baseline skipped: no --openfisca-python given"
    if not Path(python).exists():
        return None, f"OpenFisca baseline skipped: {python} does not exist"
    probe = subprocess.run([python, "-c", "import openfisca_core"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return None, f"OpenFisca baseline skipped: {python} cannot import openfisca_core"
    npz, terms = Path(scratch, "openfisca_input.npz"), Path(scratch, "openfisca_terms.json")
    try:
        read_seconds = export_inputs(persons_path, households_path, npz, terms, policy=policy, as_of=as_of)
    except ValueError as exc:
        return None, f"OpenFisca baseline skipped: {exc}"
    proc = subprocess.run([python, str(SCRIPT), str(npz), str(terms), "--repeat", str(repeat)],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return None, f"OpenFisca baseline failed: {tail[0]}"
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "read_seconds": read_seconds}, "OpenFisca baseline run"
