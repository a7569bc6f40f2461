"""The api bench drops and rebuilds its database: only a name marked as a bench database is accepted."""

from __future__ import annotations

import pytest

from jiuzhu.benchmarks import api_db


@pytest.mark.parametrize("name", ["jiuzhu_bench", "jiuzhu_bench_smoke", "s19a_bench"])
def test_bench_names_are_accepted(name):
    assert api_db.parse(f"postgresql://postgres@127.0.0.1:5432/{name}")["NAME"] == name


@pytest.mark.parametrize("name", ["jiuzhu", "postgres", "_bench", "bench", "s19a_bench_old"])
def test_other_names_are_refused_with_a_chinese_message(name):
    with pytest.raises(api_db.BenchDatabaseError, match="基准数据库名须以 jiuzhu_bench 开头或以 _bench 结尾"):
        api_db.parse(f"postgresql://postgres@127.0.0.1:5432/{name}")


def test_only_postgresql():
    with pytest.raises(api_db.BenchDatabaseError, match="PostgreSQL"):
        api_db.parse("sqlite:////tmp/x_bench")
