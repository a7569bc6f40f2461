"""Personal data at rest (issue 18 §5): SM4-GCM with the column's purpose as associated data, first-form
ciphertexts still readable and re-encrypted by rotation, case attachments encrypted, private files."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from jiuzhu.apps.payments.crypto_pool import open_chunk
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.apps.registry.rotation import reencrypt_all
from jiuzhu.core.crypto import FILE_MAGIC, KeyError_, keyring
from jiuzhu.core.files import private_dir, write_private


def first_form(plaintext: str) -> str:
    """A ciphertext as written before associated data: ``<key id>:<base64(nonce | body | tag)>``."""
    ring = keyring()
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(ring.keys[ring.active]), modes.GCM(nonce)).encryptor()
    body = enc.update(plaintext.encode()) + enc.finalize()
    return f"{ring.active}:" + base64.b64encode(nonce + body + enc.tag).decode()


def test_ciphertext_is_bound_to_its_column_purpose():
    # given an ID number sealed for the id_number column
    token = keyring().encrypt("330127196503081234", purpose="id_number")
    # when it is opened as its own column / as another column
    # then only its own purpose opens it
    assert token.startswith(f"v2:{keyring().active}:")
    assert keyring().decrypt(token, purpose="id_number") == "330127196503081234"
    with pytest.raises(InvalidTag):
        keyring().decrypt(token, purpose="phone")


def test_purpose_is_required():
    # given / when / then: no associated data is not a way around the binding
    with pytest.raises(KeyError_):
        keyring().encrypt("x", purpose="")
    with pytest.raises(TypeError):
        keyring().encrypt("x")  # type: ignore[call-arg]


def test_first_form_ciphertexts_stay_readable():
    # given a ciphertext written before associated data
    token = first_form("6228480012345678901")
    # when / then it opens whatever the caller's purpose, here and in the bank-file pool
    assert pii.open_(token, purpose="bank_account") == "6228480012345678901"
    assert open_chunk([token, keyring().encrypt("6217000011112222", purpose="bank_account")],
                      keyring().keys, None)[0] == ["6228480012345678901", "6217000011112222"]


def test_bank_file_pool_refuses_a_ciphertext_of_another_column():
    # given a phone number's ciphertext copied into the bank-account column
    token = keyring().encrypt("13905711234", purpose="phone")
    # when the bank-file pool opens it / then it cannot (None: the row is reported, not paid)
    assert open_chunk([token], keyring().keys, None)[0] == [None]


@pytest.mark.django_db
def test_rotation_reencrypts_first_form_to_v2(household):
    # given a person and a household still holding first-form ciphertexts
    head = Person.objects.get(pk=household.head_id)
    number = pii.open_(head.id_number_enc, purpose="id_number")
    Person.objects.filter(pk=head.pk).update(id_number_enc=first_form(number), phone_enc=first_form("13905711234"))
    Household.objects.filter(pk=household.pk).update(bank_account_enc=first_form("6228480012345678901"))
    # when the keys are rotated (same ring here: only the form changes)
    changed = reencrypt_all(ring=keyring())
    # then every ciphertext is v2 and opens only under its column's purpose
    head.refresh_from_db()
    household.refresh_from_db()
    assert changed >= 2
    assert all(keyring().is_current(t) for t in (head.id_number_enc, head.phone_enc, household.bank_account_enc))
    assert pii.open_(head.id_number_enc, purpose="id_number") == number
    assert pii.open_(head.phone_enc, purpose="phone") == "13905711234"
    assert pii.open_(household.bank_account_enc, purpose="bank_account") == "6228480012345678901"
    with pytest.raises(InvalidTag):
        pii.open_(head.phone_enc, purpose="id_number")
    # and a second run has nothing left to do
    assert reencrypt_all(ring=keyring()) == 0


def test_private_files_and_directories(tmp_path):
    # given a directory that does not exist yet, under a permissive umask
    old = os.umask(0o022)
    try:
        # when a private file is written there
        path = write_private(tmp_path / "exports" / "2026" / "银行文件.csv", b"data")
    finally:
        os.umask(old)
    # then the file is 0600 and every directory created for it 0700; the existing parent is untouched
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "exports").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "exports" / "2026").stat().st_mode) == 0o700
    assert stat.S_IMODE(private_dir(tmp_path).stat().st_mode) == stat.S_IMODE(tmp_path.stat().st_mode)


def test_jiuzhu_command_creates_private_files(tmp_path):
    # given the jiuzhu console command (umask set at start-up)
    code = ("from pathlib import Path; d = Path(r'%s'); (d / 'sub').mkdir(); (d / 'sub' / 'f').write_text('x')"
            % tmp_path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.test"}
    # when a command creates a directory and a file without setting modes itself
    subprocess.run([sys.executable, "-c", "from jiuzhu.cli import main; main(['jiuzhu', 'shell', '-c', %r])" % code],
                   check=True, env=env, capture_output=True, timeout=120)
    # then they are 0700 and 0600
    assert stat.S_IMODE((tmp_path / "sub").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "sub" / "f").stat().st_mode) == 0o600


# --- case attachments ---

# SOI, APP0 (JFIF), SOS, scan data, EOI: a whole JPEG as the upload check wants it
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(9) + b"\xff\xda\x00\x08" + bytes(6)
        + b"photo of a home " * 20 + b"\xff\xd9")
DAY = date(2026, 11, 2)


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.JIUZHU_FILES_DIR = tmp_path / "files"
    return settings.JIUZHU_FILES_DIR


@pytest.fixture
def case(caseworker, household):
    from tests.apps.cases.flow import submit

    return submit(caseworker, household, day=DAY)


def _add(actor, case, content):
    from jiuzhu.apps.cases.files import attachment_add
    from tests.apps.cases.flow import at

    return attachment_add(actor=actor, case_id=case.pk, kind="photo", filename="门口.jpg", content=content, now=at(DAY))


@pytest.mark.django_db
def test_attachment_is_encrypted_on_disk_and_private(caseworker, case, files_dir):
    from jiuzhu.apps.cases.files import attachment_bytes

    # when a photo is uploaded
    att = _add(caseworker, case, JPEG)
    # then the file holds ciphertext (marker, no plaintext run), is 0600 in a 0700 directory, and reads back
    on_disk = (files_dir / att.path).read_bytes()
    assert on_disk.startswith(FILE_MAGIC) and b"photo of a home" not in on_disk and b"JFIF" not in on_disk
    assert stat.S_IMODE((files_dir / att.path).stat().st_mode) == 0o600
    assert stat.S_IMODE((files_dir / att.path).parent.stat().st_mode) == 0o700
    assert attachment_bytes(att) == JPEG


@pytest.mark.django_db
def test_attachment_moved_to_another_case_does_not_open(caseworker, case, files_dir):
    from jiuzhu.apps.cases.files import attachment_bytes

    # given an encrypted attachment whose row is pointed at a file of another place
    att = _add(caseworker, case, JPEG)
    other = files_dir / "999999" / att.path.split("/", 1)[1]
    other.parent.mkdir(parents=True)
    other.write_bytes((files_dir / att.path).read_bytes())
    att.path = f"999999/{att.path.split('/', 1)[1]}"
    # when / then it does not open (its path is the associated data)
    with pytest.raises(InvalidTag):
        attachment_bytes(att)


@pytest.mark.django_db
def test_plaintext_attachment_from_before_is_served_and_encrypted_by_rotation(caseworker, case, files_dir):
    from jiuzhu.apps.cases.files import attachment_bytes, attachments_reencrypt

    # given an attachment whose file was written in plaintext (before encryption at rest)
    att = _add(caseworker, case, JPEG)
    (files_dir / att.path).write_bytes(JPEG)
    # when it is read / then it is served as it is
    assert attachment_bytes(att) == JPEG
    # when the keys are rotated
    assert attachments_reencrypt(ring=keyring()) == 1
    # then the file is encrypted and still reads back; a second run changes nothing
    assert (files_dir / att.path).read_bytes().startswith(FILE_MAGIC)
    assert attachment_bytes(att) == JPEG
    assert attachments_reencrypt(ring=keyring()) == 0
