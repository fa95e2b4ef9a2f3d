"""Signatures made and checked by OpenSSH's `ssh-keygen -Y`, as git does for signed commits.

A reviewer signs with their own key (`ssh-keygen -Y sign`); a signature is checked
against an allowed-signers file (`ssh-keygen -Y verify`: one line per signer, the
name as the principal, then the public key). `ssh-keygen` runs as a subprocess with
its arguments as a list (never a shell) and a timeout; a missing `ssh-keygen` is one
line. The data goes through stdin and the signature through a file, so no name or
text is ever parsed by a shell.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.base.errors import PipelineError

NAMESPACE = "pipeline-approval@clinic-articles"  # a signature of a commit or a file never counts here
TIMEOUT = 30  # seconds; signing may wait for a hardware key's touch
_GOOD_RE = re.compile(r"^Good \".*\" signature for .* with \S+ key (SHA256:\S+)", re.M)


def ssh_keygen() -> str:
    """The path of `ssh-keygen`, or a `PipelineError` saying how to get it."""
    found = shutil.which("ssh-keygen")
    if found is None:
        raise PipelineError("ssh-keygen not found: install OpenSSH (Debian/Ubuntu: apt install openssh-client)")
    return found


def _run(argv: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(argv, input=data, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PipelineError(
            f"ssh-keygen did not answer within {TIMEOUT} s (a key with a passphrase? use ssh-agent)"
        ) from None
    except OSError as exc:
        raise PipelineError(f"ssh-keygen could not run: {exc.strerror or exc}") from None


def sign(data: bytes, key: Path, agent: bool = False) -> bytes:
    """An armored SSH signature of `data` by `key` (a private key file; with `agent`,
    the public key of a key held by ssh-agent)."""
    argv = [ssh_keygen(), "-Y", "sign", "-n", NAMESPACE, "-f", str(key), *(["-U"] if agent else [])]
    done = _run(argv, data)
    if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PipelineError(f"ssh-keygen could not sign with {key}: {why[-1] if why else 'no signature'}")
    return done.stdout


def verify(data: bytes, signature: bytes, signers: Path, principal: str) -> str | None:
    """The fingerprint (`SHA256:...`) of the key that made `signature` over `data`, if
    `signers` lists it for `principal`; None when it does not verify."""
    with tempfile.TemporaryDirectory(prefix="pipeline-sig-") as folder:
        sig = Path(folder) / "signature.sig"
        sig.write_bytes(signature)
        argv = [ssh_keygen(), "-Y", "verify", "-f", str(signers), "-I", principal, "-n", NAMESPACE, "-s", str(sig)]
        done = _run(argv, data)
    if done.returncode != 0:
        return None
    m = _GOOD_RE.search(done.stdout.decode("utf-8", "replace"))
    return m.group(1) if m else None


def default_key() -> tuple[Path, bool] | None:
    """Where `approve` finds a key when `--key` is not given: ssh-agent (True: the
    caller names the reviewer's public key), else `default_key_file`."""
    if os.environ.get("SSH_AUTH_SOCK"):
        return Path(), True
    return default_key_file()


def default_key_file() -> tuple[Path, bool] | None:
    """`~/.ssh/id_ed25519`, if there is one (False: a private key file)."""
    own = Path.home() / ".ssh" / "id_ed25519"
    return (own, False) if own.is_file() else None


def split_signer(line: str) -> tuple[list[str], str]:
    """An allowed-signers line → (its principals, its `type base64` public key);
    ([], "") for a comment or blank line. Principals may be quoted ("Dr. A")."""
    line = line.strip()
    if not line or line.startswith("#"):
        return [], ""
    if line.startswith('"'):
        end = line.find('"', 1)
        if end < 0:
            return [], ""
        principals, rest = line[1:end], line[end + 1 :]
    else:
        principals, _sep, rest = line.partition(" ")
    words = rest.split()
    # Options (namespaces="...", valid-after=...) come before the key type.
    at = next((i for i, w in enumerate(words) if w.startswith(("ssh-", "ecdsa-", "sk-"))), None)
    if at is None or at + 1 >= len(words):
        return [], ""
    return [p.strip() for p in principals.split(",")], f"{words[at]} {words[at + 1]}"
