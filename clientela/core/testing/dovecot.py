"""A real IMAP server for the tests: Debian's Dovecot (``/usr/sbin/dovecot``, from
``make system-deps``), started in the foreground on a free loopback port with a
throw-away configuration, one passwd-file user and a maildir, all in a temporary
directory that is removed when it stops.

Plain-text login without TLS is allowed (loopback only). Run as root, Dovecot refuses
to run its login process or to deliver mail as root, so its own system users
(``dovenull``, ``dovecot``) take those parts; as anyone else, the current user does.

Use the ``dovecot`` fixture (registered in the root ``conftest.py``)::

    def test_x(dovecot: Dovecot) -> None:
        dovecot.append(b"From: a@example.com\\r\\nSubject: hi\\r\\n\\r\\nHello\\r\\n")
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBoxUnencrypted

DOVECOT = "/usr/sbin/dovecot"
USER = "support"
PASSWORD = "imap-Test-pw-7"  # noqa: S105 - the throw-away test server's
START_TIMEOUT = 20.0


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def client(self) -> MailBoxUnencrypted:
        box = MailBoxUnencrypted(self.host, self.port, timeout=10)
        box.login(self.user, self.password)
        return box

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages in a folder over IMAP (APPEND), as a mail server would."""
        with self.client() as box:
            for raw in messages:
                box.append(raw, folder)

    def mailbox_data(self, **extra: Any) -> dict[str, Any]:
        """What ``mailbox_create`` needs to poll this server."""
        return {
            "name": "Test mailbox",
            "host": self.host,
            "port": self.port,
            "security": "none",
            "username": self.user,
            "password": self.password,
            "folder": "INBOX",
            "poll_minutes": 5,
            "active": True,
        } | extra


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> tuple[str, str, str, int, int]:
    """(internal user, its group, login user, mail uid, mail gid)."""
    if os.geteuid() != 0:
        me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        return me, group, me, os.getuid(), os.getgid()
    internal = pwd.getpwnam("dovecot")
    return (
        "dovecot",
        grp.getgrgid(internal.pw_gid).gr_name,
        "dovenull",
        internal.pw_uid,
        internal.pw_gid,
    )


def _config(root: Path, port: int) -> str:
    internal, group, login, uid, gid = _accounts()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
  # No growing delay after failed logins (Dovecot's documented way to turn the auth
  # penalty off): the tests fail logins on purpose.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
"""


def _wait_until_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    output = log.read_text() if log.exists() else ""
    raise RuntimeError(f"Dovecot did not start on port {port}:\n{output}")


@contextmanager
def run_dovecot() -> Iterator[Dovecot]:
    """Start a throw-away Dovecot; stop it and remove its files after."""
    # Not pytest's tmp_path: Dovecot's own users must reach the directory, and its
    # sockets' paths must stay short.
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        root.chmod(0o755)
        port = _free_port()
        _internal, _group, _login, uid, gid = _accounts()
        for sub in ("run", "state", "mail", "home"):
            (root / sub).mkdir()
        for sub in ("mail", "home"):
            os.chown(root / sub, uid, gid)
        (root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/home/{USER}::\n"
        )
        (root / "dovecot.conf").write_text(_config(root, port))
        proc = subprocess.Popen(  # noqa: S603 - a fixed command line
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        _wait_until_listening(proc, port, root / "dovecot.log")
        yield Dovecot("127.0.0.1", port, USER, PASSWORD, root)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot with one empty mailbox (see the module's docstring)."""
    with run_dovecot() as server:
        yield server
