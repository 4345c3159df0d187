"""Households per second through the real HTTP API (gunicorn), with 1, 8 and 32 concurrent
clients, on SQLite and on PostgreSQL. Prints a table (and writes bench/results/).

    python -m bench.submit_load [--databases sqlite postgres] [--households 2400]
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.common import (
    ROOT,
    fresh_database,
    make_app,
    percentile,
    prepare,
    server,
    synthetic_household,
    table,
)

PROVINCE = "65"
CLIENT_COUNTS = (1, 8, 32)


def enumerators_with_tokens(app) -> list[tuple[str, list[str]]]:
    """One enumerator per subdistrict of the province, assigned to all its villages."""
    from sqlalchemy import select

    from app.areas.models import Area
    from app.auth.models import Role
    from app.auth.services import create_user, issue_token
    from app.extensions import db
    from survey import planning
    from survey.models import SurveyRound
    out = []
    with app.app_context():
        round_ = db.session.get(SurveyRound, 2565)
        subdistricts = db.session.scalars(select(Area).where(
            Area.level == "subdistrict", Area.province_code == PROVINCE)
            .order_by(Area.code)).all()
        for sub in subdistricts[:max(CLIENT_COUNTS)]:
            user = create_user(f"bench{sub.code}", "bench-password", Role.ENUMERATOR,
                               area_code=sub.code)
            villages = db.session.scalars(select(Area).where(Area.parent_code == sub.code)
                                          .order_by(Area.code)).all()
            for village in villages:
                planning.assign(round_, user, village)
            db.session.commit()
            out.append((issue_token(user, "bench").token, [v.code for v in villages]))
    return out


def bodies_for(clients, per_client: int, seed: int, serial_start: int) -> list[list[bytes]]:
    rng = random.Random(seed)
    serial = serial_start
    work = []
    for _, villages in clients:
        mine = []
        for _ in range(per_client):
            serial += 1
            mine.append(json.dumps(synthetic_household(rng, rng.choice(villages), serial))
                        .encode())
        work.append(mine)
    return work


def run_clients(base: str, clients, work) -> tuple[float, list[float], int]:
    host = urlparse(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(token: str, bodies: list[bytes]):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        failed = 0
        for body in bodies:
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/households", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 201
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                ok = False
            mine.append(time.perf_counter() - start)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(token, bodies))
               for (token, _), bodies in zip(clients, work)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, errors[0]


def bench_database(kind: str, households: int, workdir: Path, workers: int,
                   threads: int) -> list[list]:
    url = fresh_database(kind, workdir, "bmn_bench_submit")
    app = make_app(url, workdir)
    prepare(app, [PROVINCE])
    all_clients = enumerators_with_tokens(app)
    rows = []
    serial = 0
    with server(url, workdir, workers=workers, threads=threads) as base:
        for count in CLIENT_COUNTS:
            clients = all_clients[:count]
            per_client = max(1, households // count) if count > 1 else max(1, households // 8)
            work = bodies_for(clients, per_client, seed=count, serial_start=serial)
            serial += count * per_client
            seconds, latencies, errors = run_clients(base, clients, work)
            n = len(latencies)
            rows.append([kind, count, n, f"{seconds:.1f}", f"{n / seconds:.0f}",
                         f"{1000 * percentile(latencies, 50):.0f}",
                         f"{1000 * percentile(latencies, 95):.0f}",
                         f"{1000 * percentile(latencies, 99):.0f}", errors])
            print(" ".join(str(c) for c in rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--households", type=int, default=2400,
                        help="households per run with 8 and 32 clients (1 client: an eighth)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases:
            rows += bench_database(kind, args.households, Path(tmp), args.workers, args.threads)
    result = table(["database", "clients", "households", "seconds", "households/s",
                    "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
    print(f"\ngunicorn gthread, {args.workers} workers × {args.threads} threads\n{result}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "submit_load.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
