"""Department data for 核对 and 预警: synthetic files for every source (the persons of the registry plus
as many strangers, ≈ 15 rows a person a year, a few bad rows) written under var/demo/部门数据/ and
imported with ``data_ingest``; then one verification run (a case waiting for its report) and one
monitoring scan of the county, which leaves open alerts."""

from __future__ import annotations

from datetime import date, datetime

from jiuzhu.apps.monitoring.scan import monitor_scan
from jiuzhu.apps.verification.ingest import data_ingest
from jiuzhu.apps.verification.population import registry_population
from jiuzhu.apps.verification.services import verification_run
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.batch.ingest import csv_bytes
from jiuzhu.batch.synthetic_departments import department_file
from jiuzhu.batch.synthetic_population import concat, synthetic_population

from .demo_timeline import local_day

SEED = 2026


def write_department_files(world, as_of: date) -> dict:
    local = registry_population(10**6, as_of=as_of, seed=SEED)
    others = synthetic_population(max(len(local), 1), as_of=as_of, seed=SEED + 1, offset=10_000_000)
    population = concat([local, others])
    folder = world.files_dir / "部门数据"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for code in sorted(DATASETS):
        table = department_file(code, population, as_of=as_of, seed=SEED, bad_share=0.003, invalid_id_share=0.003)
        path = folder / f"{code}.csv"
        path.write_bytes(csv_bytes(table))
        paths[code] = path
    return paths


def schedule_data(world, *, data_day: date, verify_case) -> None:
    """Generate and import the files on ``data_day``; verify ``verify_case()`` and scan the county today."""
    tl = world.tl

    def ingest(at: datetime):
        day = local_day(at)
        paths = write_department_files(world, day)
        world.result["snapshots"] = {code: data_ingest(actor=world.users["county"], source=code, path=path,
                                                       as_of=day, now=at).rows for code, path in paths.items()}

    def verify(at: datetime):
        case = verify_case()
        world.result["verification"] = verification_run(actor=world.users["county"], case_id=case.pk, now=at,
                                                        pdf=False)

    def scan(at: datetime):
        world.result["scan"] = monitor_scan(actor=world.users["county"], region_code=world.county, now=at)

    tl.add(data_day, ingest, "data_ingest", slot=1)
    tl.add(tl.back(0), verify, "verification_run", slot=90)
    tl.add(tl.back(0), scan, "monitor_scan", slot=91)
