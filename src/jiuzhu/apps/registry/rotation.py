"""Re-encrypt personal data under the active key after a key rotation."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.core.crypto import KeyRing

from .models import Household, Obligor, Person

SEALED_FIELDS = (
    (Person, ("id_number_enc", "phone_enc")),
    (Household, ("bank_account_enc",)),
    (Obligor, ("id_number_enc",)),
)
# Each column's purpose: the associated data its v2 ciphertexts are sealed with (core.crypto).
PURPOSES = {"id_number_enc": "id_number", "phone_enc": "phone", "bank_account_enc": "bank_account"}


def reencrypt_all(*, ring: KeyRing, batch: int = 2000, progress=None, extra=()) -> int:
    """Re-seal every ciphertext not in the current form (v2 under ``ring.active``, the column's purpose as
    associated data). ``extra``: more (model, fields) of apps above the registry, sealed the same way (e.g.
    the register of staff near relatives). Idempotent; returns the rows changed."""
    changed = 0
    for model, fields in (*SEALED_FIELDS, *extra):
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:batch])
            if not rows:
                break
            last = rows[-1].pk
            dirty = []
            for row in rows:
                touched = False
                for f in fields:
                    value = getattr(row, f)
                    if value and not ring.is_current(value):
                        purpose = PURPOSES[f]
                        setattr(row, f, ring.encrypt(ring.decrypt(value, purpose=purpose), purpose=purpose))
                        touched = True
                if touched:
                    dirty.append(row)
            if dirty:
                with transaction.atomic():
                    model.objects.bulk_update(dirty, fields, batch_size=500)
                changed += len(dirty)
            if progress:
                progress(len(rows))
    audit_record(actor=None, action="keys.reencrypt", subject_type="keyring", subject_id=ring.active,
                 details={"rows": changed})
    return changed
