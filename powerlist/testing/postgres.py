"""A throwaway PostgreSQL server for tests — 临时数据库: initdb into a temporary directory, a unix
socket there (no TCP port), stopped and removed afterwards, also when a test fails.

    with ThrowawayPostgres() as server:
        url = server.create_database("cases")        # postgresql://powerlist@/cases?host=/tmp/…
        store = open_store(url)

The server binaries are Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`), or
wherever `POWERLIST_PG_BINDIR` or `pg_config --bindir` says. PostgreSQL refuses to run as root:
as root the server runs as the `postgres` user (`runuser -u postgres`, which the Debian package
creates), in a directory it owns. The server runs with fsync off — it is thrown away.

pytest fixtures (import them into a `conftest.py`):

- `postgres_server` (session): the running server. With `CI=true` a missing server is an error
  (the tests must run in CI); otherwise the tests that need it are skipped, saying why.
- `postgres_url` (function): a fresh, empty database on it, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

_USER = "powerlist"
_PORT = 5432  # the socket's name only: the server listens on no TCP port
_names = itertools.count(1)


def find_bindir() -> Path | None:
    """The directory of initdb, pg_ctl and postgres, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    if os.environ.get("POWERLIST_PG_BINDIR"):
        candidates.append(Path(os.environ["POWERLIST_PG_BINDIR"]))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    candidates.extend(debian)
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            candidates.append(Path(done.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary directory, for the length of a `with` block."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = found
        self.root = Path(tempfile.mkdtemp(prefix="powerlist-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            import pwd

            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self.running = False

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self._as, *command], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> ThrowawayPostgres:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", _USER, "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        options = (f"-c listen_addresses='' -k {self.root} -p {_PORT} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=50")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-o",
                  options, "-w", "-t", "60", "start")
        self.running = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{_USER}@/{database}?host={self.root}&port={_PORT}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = name or f"test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def copy_database(self, url: str, name: str | None = None) -> str:
        """A new database copied from the one at `url` (nobody may be connected to it); its URL."""
        import psycopg

        name = name or f"test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_database(url)}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{_database(url)}" WITH (FORCE)')

    def stop(self) -> None:
        if self.running:
            self.running = False
            subprocess.run([*self._as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                            "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _database(url: str) -> str:
    return url.split("/", 3)[3].split("?", 1)[0]


def postgres_missing() -> str | None:
    """Why a throwaway server cannot run here (None: it can)."""
    if find_bindir() is None:
        return "PostgreSQL server binaries not found (Debian: apt-get install postgresql)"
    if os.geteuid() == 0:
        import pwd

        if shutil.which("runuser") is None:
            return "running as root without runuser: cannot start PostgreSQL as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'powerlist[postgres]')"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A throwaway PostgreSQL server for the session; never skipped when CI=true."""
    missing = postgres_missing()
    if missing is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true and PostgreSQL tests cannot run: {missing}")
        pytest.skip(missing)
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: ThrowawayPostgres) -> Iterator[str]:
    """A fresh empty database on the throwaway server, dropped after the test."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


__all__ = ["ThrowawayPostgres", "find_bindir", "postgres_missing", "postgres_server", "postgres_url"]
