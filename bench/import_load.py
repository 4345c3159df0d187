"""Households per second through ``flask survey import-households``: a JSON Lines file of
synthetic households over every village of a province, imported by the real command (a
separate process, as an operator runs it), then imported again with ``--restart`` (every
line recognised as already stored: the cost of resuming from the start). Prints a table
(and writes bench/results/import_load.md).

    python -m bench.import_load [--database postgres] [--households 20000] [--chunk 500]
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


def run_import(url: str, workdir: Path, path: Path, chunk: int, *extra: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "FLASK_APP": "wsgi",
           "BMN_INSTANCE_PATH": str(workdir / "instance")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "survey", "import-households",
                           str(path), "--enumerator", "importer", "--chunk", str(chunk), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-2000:]}")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--chunk", type=int, nargs="+", default=[500])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "households.jsonl"
        for chunk in args.chunk:
            url = fresh_database(args.database, workdir, "bmn_bench_import")
            app = make_app(url, workdir)
            prepare(app, [PROVINCE])
            villages = make_owner_and_villages(app)
            if not path.exists():
                write_file(path, villages, args.households)
            size = path.stat().st_size
            for run, extra in (("first import", ()), ("again (--restart)", ("--restart",))):
                seconds, summary = run_import(url, workdir, path, chunk, *extra)
                stored = re.search(r"([\d,]+) households stored, ([\d,]+) already", summary)
                rows.append([args.database, chunk, run, f"{args.households:,}",
                             f"{size / args.households / 1024:.1f}", f"{seconds:.1f}",
                             f"{args.households / seconds:,.0f}",
                             stored.group(1) if stored else summary])
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    result = table(["database", "chunk", "run", "lines", "KiB per line", "seconds",
                    "households/s", "stored"], rows)
    print("\n" + result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "import_load.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
