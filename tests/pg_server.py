"""A throwaway PostgreSQL cluster the tests start themselves: initdb in a temp dir, a socket and a local port.

The server refuses to run as root, so as root it runs as the `postgres` system user (runuser), in a
directory that user owns.  Tests that need it are skipped, with the reason, only when the PostgreSQL
binaries are not installed (scripts/install.sh test installs them), and never in CI (CI=true) or a run with
DUBAN_TEST_ENGINE=postgresql: there they fail.

tests/conftest.py starts one cluster per session (fixture pg_cluster).  DUBAN_TEST_ENGINE=postgresql makes
its `ledger` fixture a PostgreSQL database cloned from an initialised template, so the ledger tests run on
both engines (tests marked sqlite_only, about the file itself, are skipped there).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps it off PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """A running throwaway cluster; superuser `postgres` with a random password, reachable on 127.0.0.1:port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="duban-pg-"))
        self.port = _free_port()
        self.password = uuid.uuid4().hex
        self.user = "postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        data = self.dir / "data"
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if self.as_root:
            entry = pwd.getpwnam("postgres")
            for p in (self.dir, pwfile):
                os.chown(p, entry.pw_uid, entry.pw_gid)
        os.chmod(self.dir, 0o700)
        done = self._run("initdb", "-D", str(data), "-A", "scram-sha-256", f"--pwfile={pwfile}", "-U", self.user, "-E", "UTF8", "--locale=C.UTF-8")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
        pwfile.unlink()
        opts = f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        if done.returncode:
            log = (self.dir / "log").read_text(errors="replace") if (self.dir / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stdout}{done.stderr}{log}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "ledger") -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def template_copy(cluster: PgCluster, template_url: str, prefix: str = "ledger") -> str:
    """A fresh database cloned from an initialised one (CREATE DATABASE … TEMPLATE: a file copy, fast)."""
    import psycopg
    from sqlalchemy.engine import make_url

    source = make_url(template_url).database
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user=cluster.user, password=cluster.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return cluster.url(name)


@contextmanager
def running_cluster() -> Iterator[PgCluster]:
    """A started cluster, stopped and removed afterwards; the calling test is skipped if PostgreSQL is absent."""
    import pytest

    bindir = pg_bindir()
    if bindir is None and (os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get("DUBAN_TEST_ENGINE") == "postgresql"):
        # CI, or a run asked to use PostgreSQL, must not pass by skipping every server test.
        pytest.fail("PostgreSQL is not installed but this run needs it (CI or DUBAN_TEST_ENGINE=postgresql): bash scripts/install.sh test", pytrace=False)
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql, or bash scripts/install.sh test)")
    cluster = PgCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
