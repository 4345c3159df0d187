"""Households per second through the real HTTP API (gunicorn), with 1, 8 and 32 concurrent
clients, on SQLite and on PostgreSQL, one household per POST and in batches
(``POST /households:batch``, as a phone's outbox syncs). Beside the rate and latencies,
the CPU each household cost gunicorn, PostgreSQL and the load generator (all on the same
machine: their sum against its cores says how near the machine is to its ceiling). Prints a
table (and writes bench/results/).

    python -m bench.submit_load [--databases sqlite postgres] [--households 2400] [--batch 0 100]
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
    cpu_seconds,
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
    from app.auth.models import Role, User
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
        for sub in subdistricts[:max(CLIENT_COUNTS)]:  # the same users on a second run
            user = db.session.scalar(select(User).where(User.username == f"bench{sub.code}")) \
                or create_user(f"bench{sub.code}", "bench-password", Role.ENUMERATOR,
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


def requests_of(bodies: list[bytes], batch: int) -> list[tuple[str, bytes, int]]:
    """(path, body, households) per request: one household each, or ``batch`` at a time."""
    if not batch:
        return [("/api/v1/households", body, 1) for body in bodies]
    return [("/api/v1/households:batch",
             b'{"items":[' + b",".join(bodies[i:i + batch]) + b"]}", len(bodies[i:i + batch]))
            for i in range(0, len(bodies), batch)]


def stored_all(status: int, data: bytes, households: int) -> bool:
    if households == 1 and status == 201:
        return True
    return status == 200 and [r["status"] for r in json.loads(data)["results"]] == \
        [201] * households


def run_clients(base: str, clients, work, batch: int = 0) -> tuple[float, list[float], int]:
    host = urlparse(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(token: str, bodies: list[bytes]):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        failed = 0
        for path, body, households in requests_of(bodies, batch):
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                ok = stored_all(response.status, response.read(), households)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                ok = False
            mine.append(time.perf_counter() - start)
            failed += 0 if ok else households
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
                   threads: int, batches: list[int]) -> list[list]:
    url = fresh_database(kind, workdir, "bmn_bench_submit")
    app = make_app(url, workdir)
    prepare(app, [PROVINCE])
    all_clients = enumerators_with_tokens(app)
    rows = []
    serial = 0
    with server(url, workdir, workers=workers, threads=threads) as base:
        # Warm-up, not counted: every worker's first requests load the questionnaire, fill
        # caches and open connections.
        warm = all_clients[:workers * threads]
        run_clients(base, warm, bodies_for(warm, 2, seed=-1, serial_start=10**6))
        for batch, count in [(b, c) for b in batches for c in CLIENT_COUNTS]:
            clients = all_clients[:count]
            per_client = max(1, households // count) if count > 1 else max(1, households // 8)
            work = bodies_for(clients, per_client, seed=serial, serial_start=serial)
            serial += count * per_client
            before = cpu_seconds()
            seconds, latencies, errors = run_clients(base, clients, work, batch)
            after = cpu_seconds()
            n = count * per_client
            cpu = [f"{1000 * (after[k] - before[k]) / n:.2f}" for k in ("app", "postgres",
                                                                       "client")]
            rows.append([kind, f"batches of {batch}" if batch else "one per POST", count, n,
                         f"{seconds:.1f}", f"{n / seconds:.0f}",
                         f"{1000 * percentile(latencies, 50):.0f}",
                         f"{1000 * percentile(latencies, 95):.0f}",
                         f"{1000 * percentile(latencies, 99):.0f}", *cpu, errors])
            print(" ".join(str(c) for c in rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--households", type=int, default=2400,
                        help="households per run with 8 and 32 clients (1 client: an eighth)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch", type=int, nargs="+", default=[0, 100],
                        help="households per request: 0 = one per POST, else batches")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases:
            rows += bench_database(kind, args.households, Path(tmp), args.workers, args.threads,
                                   args.batch)
    result = table(["database", "requests", "clients", "households", "seconds", "households/s",
                    "p50 ms per request", "p95 ms", "p99 ms", "CPU ms per household: app",
                    "PostgreSQL", "client", "errors"], rows)
    print(f"\ngunicorn gthread, {args.workers} workers × {args.threads} threads\n{result}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "submit_load.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
