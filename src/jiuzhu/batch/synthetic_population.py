"""Synthetic persons for the department generators: valid, unique ID numbers (GB 11643, built with
numpy), names, ages and the few traits the generators draw from (employment, wage level)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"))
GIVEN = np.array(["建国", "秀英", "桂兰", "志强", "丽华", "国庆", "海燕", "伟", "芳", "敏", "静", "军", "磊", "洋", "勇",
                  "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "玉兰", "红梅", "文"])
PREFIXES = ("330127", "330122", "330182", "330185", "330106", "330102", "330110", "330111")
EPOCH = date(1970, 1, 1)


def id_numbers(birth_days: np.ndarray, seq: np.ndarray, prefix_idx: np.ndarray,
               prefixes: tuple[str, ...] = PREFIXES) -> pa.Array:
    """Valid 18-character ID numbers from birth dates (days since 1970-01-01), sequence numbers
    (0–999) and indexes into ``prefixes`` (6-digit address codes)."""
    n = len(birth_days)
    born = (np.datetime64("1970-01-01") + birth_days.astype("timedelta64[D]")).astype("datetime64[D]")
    ymd = born.astype(str).astype("U10")
    digits = np.zeros((n, 18), dtype=np.uint8)
    pre = np.array([[ord(c) for c in p] for p in prefixes], dtype=np.uint8)
    digits[:, 0:6] = pre[prefix_idx]
    ymd_bytes = np.frombuffer(ymd.astype("S10").tobytes(), dtype=np.uint8).reshape(n, 10)
    digits[:, 6:10] = ymd_bytes[:, 0:4]
    digits[:, 10:12] = ymd_bytes[:, 5:7]
    digits[:, 12:14] = ymd_bytes[:, 8:10]
    seq = seq.astype(np.int64) % 1000
    digits[:, 14] = 48 + seq // 100
    digits[:, 15] = 48 + (seq // 10) % 10
    digits[:, 16] = 48 + seq % 10
    total = (digits[:, :17].astype(np.int64) - 48) @ _WEIGHTS
    digits[:, 17] = _CHECK[total % 11]
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(18), n, [None, pa.py_buffer(digits.tobytes())])
    return fixed.cast(pa.binary()).cast(pa.string())


@dataclass
class Population:
    """Persons the department data are about. ``id_number`` (raw, for files) and/or ``bidx`` (blind
    index, for snapshots written directly by the benchmark)."""

    age: np.ndarray
    sex: np.ndarray  # 1 male, 0 female
    employed: np.ndarray
    wage_fen: np.ndarray  # monthly wage level of the employed
    id_number: pa.Array | None = None
    bidx: pa.Array | None = None
    name: pa.Array | None = None

    def __len__(self) -> int:
        return len(self.age)

    def key(self):
        return self.bidx if self.bidx is not None else self.id_number


def traits(age: np.ndarray, sex: np.ndarray, seed: int) -> Population:
    rng = np.random.default_rng(seed + 7)
    n = len(age)
    working = (age >= 18) & (age < 60)
    employed = working & (rng.random(n) < 0.62)
    wage = (np.exp(rng.normal(np.log(4200), 0.55, n)) * 100).astype(np.int64)
    return Population(age=age, sex=sex, employed=employed, wage_fen=np.where(employed, wage, 0))


def synthetic_population(n: int, *, as_of: date, seed: int = 0, offset: int = 0) -> Population:
    """``n`` persons with unique valid ID numbers (unique across calls with different ``offset``)."""
    rng = np.random.default_rng(seed)
    idx = np.arange(offset, offset + n, dtype=np.int64)
    first = (date(1930, 1, 1) - EPOCH).days
    span = (as_of - date(1930, 1, 1)).days
    span -= span % 7919 == 0  # keep the stride coprime with the span: a permutation of the days
    # unique (birth day, sequence, prefix) per index; ages skewed to the realistic pyramid by a permutation
    days = first + (idx * 7919) % span
    seq = (idx // span) % 1000
    prefix = (idx // (span * 1000)) % len(PREFIXES)
    sex = (seq % 2).astype(np.int8)
    age = ((as_of - EPOCH).days - days) // 365
    population = traits(age.astype(np.int64), sex, seed)
    population.id_number = id_numbers(days, seq, prefix)
    population.name = pc.binary_join_element_wise(pa.array(SURNAMES[rng.integers(0, len(SURNAMES), n)]),
                                                  pa.array(GIVEN[rng.integers(0, len(GIVEN), n)]), "")
    return population


def concat(parts: list[Population]) -> Population:
    def cat(name):
        values = [getattr(p, name) for p in parts]
        if any(v is None for v in values):
            return None
        return pa.concat_arrays(values) if isinstance(values[0], pa.Array) else np.concatenate(values)

    return Population(**{k: cat(k) for k in ("age", "sex", "employed", "wage_fen", "id_number", "bidx", "name")})
