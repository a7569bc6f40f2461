from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.core.audit_keys import audit_keys

from .chain import GENESIS, chain_of, digest, event_hash
from .models import AuditChain, AuditEvent


def audit_record(
    *, actor, action: str, subject_type: str, subject_id, before=None, after=None,
    reason: str = "", region_code: str = "", details: dict | None = None, at=None,
) -> AuditEvent:
    """Append one event to its township's chain. Call inside the state change's transaction
    (outside one, the event gets its own). Everything that does not depend on the chain is prepared
    first; then the chain head is taken (``UPDATE … RETURNING`` locks the row on PostgreSQL and takes
    the write lock on SQLite) and the event inserted and the head moved — in one statement on
    PostgreSQL — with no savepoint: every case action passes here, so the head stays locked as
    briefly as possible, and only writers of the same township wait for it."""
    region = region_code or getattr(actor, "region_id", "") or ""
    keys = audit_keys()
    fields = {
        "chain": chain_of(region),
        "seq": 0,
        "at": at or timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_name": getattr(actor, "username", None) or "system",
        "role": getattr(actor, "role", "") or "",
        "region_code": region,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "before_digest": digest(before),
        "after_digest": digest(after),
        "details": details or {},
        "reason": reason or "",
        "prev_hash": "",
        "key_id": keys.active,
    }
    with transaction.atomic(savepoint=False):
        fields["seq"], fields["prev_hash"] = advance_head(fields["chain"])
        fields["hash"] = event_hash(fields, keys)
        if connection.vendor == "postgresql":
            return _insert_and_move_head(fields)
        event = AuditEvent.objects.create(**fields)
        AuditChain.objects.filter(chain=fields["chain"]).update(hash=fields["hash"])
    return event


_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _insert_and_move_head(fields: dict) -> AuditEvent:
    """PostgreSQL: insert the event and set the chain head's hash in one round trip."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _FIELDS)
    marks = ", ".join(["%s"] * len(_FIELDS))
    values = [f.get_db_prep_save(fields[f.attname], connection) for f in _FIELDS]
    sql = (f"WITH ev AS (INSERT INTO {qn(AuditEvent._meta.db_table)} ({columns}) VALUES ({marks}) RETURNING id) "
           f"UPDATE {qn(AuditChain._meta.db_table)} SET hash = %s WHERE chain = %s RETURNING (SELECT id FROM ev)")
    with connection.cursor() as cur:
        cur.execute(sql, [*values, fields["hash"], fields["chain"]])
        pk = cur.fetchone()[0]
    event = AuditEvent(pk=pk, **fields)
    event._state.adding, event._state.db = False, connection.alias
    return event


def advance_head(chain: str, n: int = 1) -> tuple[int, str]:
    """Reserve the next ``n`` sequence numbers of ``chain`` (creating the chain on its first event);
    returns (the last reserved seq, hash of the chain's current last event). One upsert: a new chain
    starts at ``n`` after the genesis hash. Locks the head until the transaction ends."""
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} (chain, seq, hash) VALUES (%s, %s, %s) "
                    f"ON CONFLICT (chain) DO UPDATE SET seq = {table}.seq + excluded.seq RETURNING seq, hash",
                    [chain, n, GENESIS])
        row = cur.fetchone()
    return int(row[0]), row[1]


def audit_verify(*, chunk: int = 5000, anchors: bool = True, anchors_until=None) -> tuple[bool, dict | None, int]:
    """Walk every chain in order, then check the signed chain heads exported by ``audit anchor``
    (those created up to ``anchors_until`` when given: a restored backup predates later anchors).
    Returns (intact, first broken event info, events checked)."""
    intact, broken, checked = _verify_chains(chunk)
    if intact and anchors:
        from .anchors import anchors_check

        broken = anchors_check(until=anchors_until)
        intact = broken is None
    return intact, broken, checked


def _verify_chains(chunk: int) -> tuple[bool, dict | None, int]:
    checked = 0
    heads = {c.chain: c for c in AuditChain.objects.order_by("chain")}
    orphan = AuditEvent.objects.exclude(chain__in=list(heads)).order_by("id").first()
    if orphan is not None:
        return False, {"chain": orphan.chain, "seq": orphan.seq, "id": orphan.id, "action": orphan.action,
                       "problem": "事件所在的哈希链没有链头（链头被删除）"}, checked
    for chain, head in heads.items():
        intact, broken, n = _verify_chain(chain, head, chunk)
        checked += n
        if not intact:
            return False, broken, checked
    return True, None, checked


def _verify_chain(chain: str, head: AuditChain, chunk: int) -> tuple[bool, dict | None, int]:
    prev, checked, last_seq, keyed = GENESIS, 0, 0, False
    keys = audit_keys()
    while True:
        batch = list(AuditEvent.objects.filter(chain=chain, seq__gt=last_seq).order_by("seq")[:chunk].values())
        if not batch:
            break
        for row in batch:
            problem = None
            if row["seq"] != last_seq + 1:
                problem = f"序号不连续：应为 {last_seq + 1}，实为 {row['seq']}（事件被删除）"
            elif row["prev_hash"] != prev:
                problem = "前一事件哈希不匹配（前面的事件被改动或删除）"
            elif keyed and not row["key_id"]:
                problem = "带密钥的事件之后出现无密钥的旧式事件（事件被伪造）"
            elif row["key_id"] and row["key_id"] not in keys.keys:
                problem = f"事件的审计密钥 {row['key_id']} 不在密钥文件中（密钥丢失或事件被伪造）"
            elif event_hash(row, keys) != row["hash"]:
                problem = "事件内容与其哈希不符（事件被改动）"
            if problem:
                return False, {"chain": chain, "seq": row["seq"], "id": row["id"], "action": row["action"],
                               "problem": problem}, checked
            prev, last_seq, keyed = row["hash"], row["seq"], keyed or bool(row["key_id"])
            checked += 1
    if head.seq != last_seq or head.hash != prev:
        return False, {"chain": chain, "seq": last_seq + 1, "id": None, "action": "",
                       "problem": f"链尾不符：记录的末尾序号为 {head.seq}，实际为 {last_seq}（末尾事件被删除）"}, checked
    return True, None, checked
