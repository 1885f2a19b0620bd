"""Start a throw-away Dovecot IMAP server from Debian's package for the tests."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from rightdesk.channels.tests.sink import free_port

TEMPLATE = Path(__file__).resolve().parents[3] / ".ci" / "dovecot" / "dovecot.conf.in"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )


class Dovecot:
    def __init__(self, root: Path, user: str = "imapuser", password: str = "imap-pass") -> None:
        self.root = root
        self.user = user
        self.password = password
        self.port = free_port()
        self.binary = dovecot_binary()
        if self.binary is None:
            raise RuntimeError("dovecot is not installed")

    def start(self) -> None:
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        if os.getuid() == 0:
            # Dovecot refuses to run its login and mail processes as root.
            owner, group, login_user = "dovecot", "dovecot", "dovenull"
            uid, gid = pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
            self.root.chmod(0o755)
            for sub in ("mail", "home"):
                os.chown(self.root / sub, uid, gid)
        else:
            owner = login_user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
        config = TEMPLATE.read_text().format(
            root=self.root,
            port=self.port,
            user=owner,
            group=group,
            login_user=login_user,
            internal_user=owner,
            internal_group=group,
        )
        self.config = self.root / "dovecot.conf"
        self.config.write_text(config)
        subprocess.run(
            [self.binary, "-c", str(self.config)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if b"OK" in sock.recv(200):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        subprocess.run(
            [str(self.binary), "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
