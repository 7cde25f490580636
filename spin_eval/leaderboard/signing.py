"""Optional Ed25519 signatures on leaderboard submissions (the ``cryptography`` package).

A submitter makes a key pair once (``spin-eval leaderboard keygen DIR``: ``DIR/<name>.key``, private,
mode 0600, and ``DIR/<name>.pub``, the raw 32-byte public key in base64) and signs each submission
(``spin-eval leaderboard sign SUBMISSION --key DIR/<name>.key``). The signature covers the ASCII
``integrity.content_sha256``, which hashes everything in the submission except ``integrity`` (the
evidence files are covered through their sha256 in ``evidence``). It is stored with the public key in
``integrity.signature``.

``leaderboard build`` rejects a submission whose signature does not verify. With ``--trusted-keys DIR``
(``*.pub`` files, named after their owner) every submission must be signed by one of those keys; without
it signatures are optional and a valid one is shown with the key's short fingerprint.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import write_bytes_atomic, write_text_atomic

ALGORITHM = "ed25519"


def _crypto():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise InputError(
            "signatures need the 'cryptography' package; install it with: pip install 'spin-eval[signing]'"
        ) from None
    return ed25519, serialization, InvalidSignature


def key_fingerprint(public_key: bytes) -> str:
    """Short, stable name of a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def generate_key(out_dir: str | Path, name: str = "submitter") -> tuple[Path, Path]:
    """Write ``<name>.key`` (PKCS#8 PEM, 0600) and ``<name>.pub`` (base64 raw key); refuse to overwrite."""
    ed25519, serialization, _ = _crypto()
    out = Path(out_dir)
    private_path, public_path = out / f"{name}.key", out / f"{name}.pub"
    for p in (private_path, public_path):
        if p.exists():
            raise InputError(f"{p} exists; choose another --name or folder (keys are never overwritten)")
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    raw_pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    write_bytes_atomic(private_path, pem)
    os.chmod(private_path, 0o600)
    write_text_atomic(public_path, base64.b64encode(raw_pub).decode("ascii") + "\n")
    return private_path, public_path


def _load_private(path: Path):
    ed25519, serialization, _ = _crypto()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise InputError(f"--key {path}: cannot read ({exc.strerror})") from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"--key {path}: not an unencrypted PEM private key ({exc}); make one with 'leaderboard keygen'") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InputError(f"--key {path}: not an Ed25519 key; make one with 'spin-eval leaderboard keygen'")
    return key


def sign_submission(sub: dict[str, Any], key_path: str | Path) -> dict[str, Any]:
    """A copy of ``sub`` with ``integrity.signature`` set (the content hash is unchanged)."""
    _, serialization, _ = _crypto()
    key = _load_private(Path(key_path))
    message = sub["integrity"]["content_sha256"].encode("ascii")
    raw_pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signed = dict(sub)
    signed["integrity"] = dict(sub["integrity"], signature={
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw_pub).decode("ascii"),
        "value": base64.b64encode(key.sign(message)).decode("ascii"),
    })
    return signed


def load_trusted_keys(folder: str | Path) -> dict[str, bytes]:
    """``*.pub`` files of ``folder`` (base64 raw Ed25519 keys): owner name (file stem) -> raw key."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--trusted-keys {folder}: no such folder")
    keys: dict[str, bytes] = {}
    for path in sorted(folder.glob("*.pub")):
        try:
            raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        except (OSError, UnicodeDecodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise InputError(f"--trusted-keys: {path} is not a base64 Ed25519 public key (as 'leaderboard keygen' writes)")
        keys[path.stem] = raw
    if not keys:
        raise InputError(f"--trusted-keys {folder}: no *.pub files in it")
    return keys


def signature_status(sub: dict[str, Any], trusted: dict[str, bytes] | None, *, where: str) -> str | None:
    """``None`` (unsigned, allowed), or who signed it; InputError for a bad or (with ``trusted``) missing or
    untrusted signature."""
    sig = (sub.get("integrity") or {}).get("signature")
    if sig is None:
        if trusted is not None:
            raise InputError(f"{where}: unsigned, but --trusted-keys requires a signature by one of "
                             f"{', '.join(sorted(trusted))} ('spin-eval leaderboard sign')")
        return None
    ed25519, _, invalid = _crypto()
    raw_pub = base64.b64decode(sig["public_key"])
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw_pub).verify(
            base64.b64decode(sig["value"]), sub["integrity"]["content_sha256"].encode("ascii")
        )
    except (invalid, ValueError):
        raise InputError(f"{where}: tampered: the signature does not verify (key {key_fingerprint(raw_pub)})") from None
    if trusted is None:
        return f"signed, key {key_fingerprint(raw_pub)} (not checked against trusted keys)"
    owner = next((name for name, key in trusted.items() if key == raw_pub), None)
    if owner is None:
        raise InputError(f"{where}: signed by key {key_fingerprint(raw_pub)}, which is not among --trusted-keys")
    return f"signed by {owner}"
