"""What the benchmark scripts under bench/ share: orchestration and database set-up.

Every benchmark runs the same way: the parent process (no Django) runs, for each
backend, a ``--phase generate`` and a ``--phase measure`` child process of its own
script, so that each child has its own Django settings (DATABASE_URL) and its own
peak memory. The children start from a fresh database (a SQLite file under
var/bench, or a PostgreSQL database dropped and created again) and leave their
figures in JSON files under var/bench that the parent reads back.

The scripts are run as files (``uv run python bench/<script>.py``), so bench/ is
sys.path[0] and they import this module as ``common``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"

Result = dict[str, Any]
# Options a child process is not given: it is told its backend and phase instead, and
# only the parent judges the targets.
PARENT_ONLY = frozenset({"db", "phase", "strict"})

# --- command line ----------------------------------------------------------------------


def new_parser(doc: str | None) -> argparse.ArgumentParser:
    """The parser every benchmark starts with: its description and the choice of backend."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    return parser


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The last options of every benchmark: --strict, and the hidden --phase of a child."""
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--phase", choices=["generate", "measure"], help=argparse.SUPPRESS)


def dispatch(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    child: Callable[[argparse.Namespace], int],
    orchestrate: Callable[[argparse.Namespace], int],
) -> int:
    """A child process measures one backend; the parent runs the children of all of them."""
    if args.phase:
        if args.db == "both":
            parser.error("--phase needs one backend")
        return child(args)
    return orchestrate(args)


# --- one benchmark's databases and files -------------------------------------------------


@dataclass(frozen=True)
class Bench:
    """Where one benchmark keeps its data, and how its parent starts its children.

    Each benchmark has databases of its own (``--keep`` reuses them, so two benchmarks
    must not share one) and its own file names under var/bench (``prefix``).
    """

    script: Path  # the benchmark script, run again for each child
    sqlite_file: Path
    postgres_url: str
    postgres_env: str  # the environment variable that overrides postgres_url
    prefix: str = ""  # of the JSON files under var/bench
    # DJANGO_DEBUG=0 in the children, whatever the caller's shell says (pages measured as
    # production serves them); otherwise the settings read the caller's environment.
    production: bool = False
    # Whether --keep wants the meta file to be exactly this run's, or only its keys to
    # match (a meta file with more keys still counts); see can_keep.
    exact_meta: bool = True

    # --- parent process: no Django ---

    def database_url(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.sqlite_file}"
        return os.environ.get(self.postgres_env, self.postgres_url)

    def result_path(self, backend: str) -> Path:
        return VAR / f"{self.prefix}result-{backend}.json"

    def generation_path(self, backend: str) -> Path:
        return VAR / f"{self.prefix}generation-{backend}.json"

    def meta_path(self, backend: str) -> Path:
        return VAR / f"{self.prefix}meta-{backend}.json"

    def run_child(self, backend: str, phase: str, args: argparse.Namespace) -> None:
        """The script again, on one backend, with the parent's options in the parent's order
        (all but the parent-only ones); a flag (store_true) only when it is set."""
        cmd = [sys.executable, str(self.script), "--db", backend, "--phase", phase]
        for name, value in vars(args).items():
            if name in PARENT_ONLY:
                continue
            if isinstance(value, bool):
                cmd += [f"--{name}"] if value else []
            else:
                cmd += [f"--{name}", str(value)]
        subprocess.run(cmd, check=True, cwd=ROOT)

    def run_all(self, args: argparse.Namespace) -> list[Result]:
        """Generate and measure on each backend asked for; the results, in that order."""
        backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        VAR.mkdir(parents=True, exist_ok=True)
        results = []
        for backend in backends:
            print(f"== {backend}: generating", flush=True)
            self.run_child(backend, "generate", args)
            print(f"== {backend}: measuring", flush=True)
            self.run_child(backend, "measure", args)
            results.append(json.loads(self.result_path(backend).read_text()))
        return results

    # --- child processes ---

    def setup_django(self, backend: str) -> None:
        """config.settings reads DATABASE_URL, so it is set before django.setup()."""
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.environ["DATABASE_URL"] = self.database_url(backend)
        if self.production:
            os.environ["DJANGO_DEBUG"] = "0"
        import django

        django.setup()

    def admin_url(self, backend: str) -> tuple[str, str]:
        """The maintenance database to connect to, and the name of the benchmark's one."""
        url = self.database_url(backend)
        name = url.rsplit("/", 1)[1].split("?")[0]
        return url.rsplit("/", 1)[0] + "/postgres", name

    def fresh_database(self, backend: str) -> None:
        """Before django.setup(): an empty database to migrate."""
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
            return
        import psycopg
        from psycopg import sql

        admin, name = self.admin_url(backend)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def database_exists(self, backend: str) -> bool:
        if backend == "sqlite":
            return self.sqlite_file.exists()
        import psycopg

        admin, name = self.admin_url(backend)
        with psycopg.connect(admin, autocommit=True) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None

    def can_keep(
        self,
        args: argparse.Namespace,
        wanted: dict[str, int],
        holds: Callable[[argparse.Namespace], bool],
    ) -> bool:
        """--keep reuses a database only if it holds exactly the data this run would generate.

        The meta file written after the last generation must match ``wanted`` (see
        exact_meta), then ``holds(args)`` checks the data itself.
        """
        backend = args.db
        path = self.meta_path(backend)
        if not (args.keep and path.exists() and self.database_exists(backend)):
            return False
        meta = json.loads(path.read_text())
        if not self.exact_meta:
            meta = {k: meta.get(k) for k in wanted}
        if meta != wanted:
            return False
        self.setup_django(backend)
        from django.db import connections

        try:
            return bool(holds(args))
        except Exception:  # an empty or half-migrated database: regenerate
            return False
        finally:
            # The database may be dropped next; an open connection would outlive it.
            connections.close_all()

    def child(
        self,
        args: argparse.Namespace,
        wanted: dict[str, int],
        holds: Callable[[argparse.Namespace], bool],
        generate: Callable[[argparse.Namespace], Result],
        measure: Callable[[argparse.Namespace, Result], Result],
        generated: Callable[[Result], str] | None = None,
    ) -> int:
        """One phase on one backend, its output written where the next step reads it.

        ``generate`` fills a fresh database (unless --keep finds it already does; see
        can_keep) and ``generated`` says what it did (by default generation_line);
        ``measure`` gets what generate returned and its result goes to result_path for
        the parent.
        """
        if args.phase == "generate":
            if self.can_keep(args, wanted, holds):
                print("   --keep: the database already holds this data set", flush=True)
                return 0
            self.fresh_database(args.db)
            self.setup_django(args.db)
            info = generate(args)
            print((generated or generation_line)(info), flush=True)
            self.generation_path(args.db).write_text(json.dumps(info, indent=2))
            self.meta_path(args.db).write_text(json.dumps(wanted))
            return 0
        self.setup_django(args.db)
        gen_file = self.generation_path(args.db)
        generation = json.loads(gen_file.read_text()) if gen_file.exists() else {}
        result = measure(args, generation)
        self.result_path(args.db).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return 0


def generation_line(info: Result) -> str:
    """What a generation took: its total, then each of its steps (the *_seconds that
    generate() returned, in its order), e.g.
    "   generated in 9.5 s (migrate 1.2 s, load 7.1 s, analyze 1.2 s)"."""
    steps = ", ".join(
        f"{key.removesuffix('_seconds')} {value:.1f} s"
        for key, value in info.items()
        if key.endswith("_seconds") and key != "generation_seconds"
    )
    return f"   generated in {info['generation_seconds']:.1f} s ({steps})"


# --- Django (child processes, after setup_django) ---------------------------------------


def migrate() -> None:
    """The schema of a fresh database, as the application's migrations make it."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def unsafe_fast_writes() -> None:
    """SQLite only: no fsync during a bulk load that is thrown away if it fails."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")


def reset_sequences(models: Sequence[Any]) -> None:
    """Rows were written with explicit ids: the next ones the application creates follow."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for stmt in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cur.execute(stmt)


def analyze() -> None:
    """Statistics for the query planners, as autovacuum (PostgreSQL) or a maintenance
    job (SQLite) would have them after a bulk load of this size."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def backend_label(connection: Any) -> str:
    """E.g. "PostgreSQL 15.20": results say which server they were taken on."""
    label = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    return f"{label} {db_version(connection)}"


def db_version(connection: Any) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT sqlite_version()")
            return str(cur.fetchone()[0])
        cur.execute("SHOW server_version")
        return str(cur.fetchone()[0]).split()[0]


@contextmanager
def sql_timer(into: list[tuple[float, str]]) -> Iterator[None]:
    """Each statement's execution time in seconds, with its SQL (rows fetched afterwards
    are not included): which queries a slow run spent its time in."""
    from django.db import connection

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            into.append((time.perf_counter() - t0, sql))

    with connection.execute_wrapper(record):
        yield
