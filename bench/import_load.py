"""Households per second through ``flask survey import-households``: a JSON Lines file of
synthetic households over every village of a province, imported by the real command (a
separate process, as an operator runs it; with ``--parts 2``, two processes sharing the
file by ``--part 1/2`` and ``--part 2/2``), then imported again with ``--restart`` (every
line recognised as already stored: the cost of resuming from the start). Prints a table
(and writes bench/results/import_load.md).

    python -m bench.import_load [--database postgres] [--households 20000] [--chunk 500]
                                [--parts 1 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    ROOT,
    SECRET,
    fresh_database,
    make_app,
    prepare,
    synthetic_household,
    table,
)

PROVINCE = "65"


def make_owner_and_villages(app) -> list[str]:
    from sqlalchemy import select

    from app.areas.models import VILLAGE_LEVELS, Area
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.extensions import db
    with app.app_context():
        create_user("importer", "bench-password", Role.ENUMERATOR, area_code="650101")
        db.session.commit()
        return list(db.session.scalars(select(Area.code).where(
            Area.province_code == PROVINCE, Area.level.in_(VILLAGE_LEVELS))
            .order_by(Area.code)))


def write_file(path: Path, villages: list[str], households: int) -> None:
    rng = random.Random(11)
    with path.open("w") as out:
        for serial in range(households):
            out.write(json.dumps(synthetic_household(rng, rng.choice(villages), serial),
                                 ensure_ascii=False) + "\n")


def run_import(url: str, workdir: Path, path: Path, chunk: int, parts: int,
               *extra: str) -> tuple[float, int]:
    """Run the command as ``parts`` processes at once; seconds, and households stored."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "FLASK_APP": "wsgi",
           "BMN_INSTANCE_PATH": str(workdir / "instance")}
    start = time.perf_counter()
    processes = [subprocess.Popen(
        [sys.executable, "-m", "flask", "survey", "import-households", str(path),
         "--enumerator", "importer", "--chunk", str(chunk), "--part", f"{k}/{parts}", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(1, parts + 1)]
    outputs = [p.communicate() for p in processes]
    seconds = time.perf_counter() - start
    stored = 0
    for process, (out, err) in zip(processes, outputs):
        if process.returncode != 0:
            raise SystemExit(f"import failed ({process.returncode}):\n{out}\n{err[-2000:]}")
        found = re.search(r"([\d,]+) households stored", out)
        stored += int(found.group(1).replace(",", ""))
    return seconds, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2],
                        help="processes sharing the file (--part K/N)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "households.jsonl"
        for parts in args.parts:
            url = fresh_database(args.database, workdir, "bmn_bench_import")
            app = make_app(url, workdir)
            prepare(app, [PROVINCE])
            villages = make_owner_and_villages(app)
            if not path.exists():
                write_file(path, villages, args.households)
            size = path.stat().st_size
            for run, extra in (("first import", ()), ("again (--restart)", ("--restart",))):
                seconds, stored = run_import(url, workdir, path, args.chunk, parts, *extra)
                rows.append([args.database, parts, run, f"{args.households:,}",
                             f"{size / args.households / 1024:.1f}", f"{seconds:.1f}",
                             f"{args.households / seconds:,.0f}", f"{stored:,}"])
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    result = table(["database", "processes", "run", "lines", "KiB per line", "seconds",
                    "households/s", "stored"], rows)
    print("\n" + result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "import_load.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
