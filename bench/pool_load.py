"""The write path under many phones at once: 32, 100 and 300 concurrent clients posting
households one per request to a real gunicorn, first with each worker's own connections to
PostgreSQL, then through PgBouncer in transaction mode (Debian's ``pgbouncer``, started
here with a throw-away configuration), to show how throughput and latency degrade. Prints a
table (and writes bench/results/pool_load.md).

    python -m bench.pool_load [--households-per-client 10] [--clients 32 100 300]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.common import (
    ROOT,
    free_port,
    fresh_database,
    make_app,
    percentile,
    prepare,
    server,
    table,
)
from bench.submit_load import PROVINCE, bodies_for, enumerators_with_tokens, run_clients


@contextmanager
def pgbouncer(database_url: str, workdir: Path, pool_size: int):
    """PgBouncer in transaction mode in front of the database; yields its URL."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise SystemExit("pgbouncer is missing: apt-get install -y pgbouncer")
    url = make_url(database_url)
    home = workdir / "pgbouncer"
    home.mkdir(mode=0o755, exist_ok=True)
    os.chmod(workdir, 0o755)
    port = free_port()
    (home / "users.txt").write_text(f'"{url.username}" ""\n')
    (home / "pgbouncer.ini").write_text(f"""[databases]
{url.database} = host={url.host} port={url.port or 5432} dbname={url.database} user={url.username}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {home / 'users.txt'}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
logfile = {home / 'pgbouncer.log'}
pidfile = {home / 'pgbouncer.pid'}
""")
    user = []
    if os.geteuid() == 0:  # it refuses to run as root
        user = ["-u", "postgres"]
        shutil.chown(home, "postgres")
    process = subprocess.Popen([binary, *user, str(home / "pgbouncer.ini")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None:
                raise SystemExit(f"pgbouncer stopped: {process.stderr.read().decode()}")
            time.sleep(0.1)
        yield url.set(port=port, host="127.0.0.1").render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(base: str, clients, client_counts, per_client: int, serial: int, label: str):
    rows = []
    for count in client_counts:
        chosen = [clients[i % len(clients)] for i in range(count)]
        work = bodies_for(chosen, per_client, seed=serial, serial_start=serial)
        serial += count * per_client
        seconds, latencies, errors = run_clients(base, chosen, work)
        n = count * per_client
        rows.append([label, count, n, f"{seconds:.1f}", f"{n / seconds:.0f}",
                     f"{1000 * percentile(latencies, 50):.0f}",
                     f"{1000 * percentile(latencies, 95):.0f}",
                     f"{1000 * percentile(latencies, 99):.0f}", errors])
        print(" | ".join(str(c) for c in rows[-1]), flush=True)
    return rows, serial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[32, 100, 300])
    parser.add_argument("--households-per-client", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pool-size", type=int, default=20,
                        help="PgBouncer's server connections")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = fresh_database("postgres", workdir, "bmn_bench_pool")
        app = make_app(url, workdir)
        prepare(app, [PROVINCE])
        clients = enumerators_with_tokens(app)
        serial = 0
        settings = {"BMN_COMPRESS": "0"}
        with server(url, workdir, workers=args.workers, threads=args.threads,
                    env=settings) as base:
            measure(base, clients, [8], 2, serial, "warm-up")
            serial += 16
            found, serial = measure(base, clients, args.clients, args.households_per_client,
                                    serial, "direct (a pool per worker)")
            rows += found
        with pgbouncer(url, workdir, args.pool_size) as pooled, \
                server(pooled, workdir, workers=args.workers, threads=args.threads,
                       env={**settings, "BMN_PGBOUNCER": "1"}) as base:
            measure(base, clients, [8], 2, serial, "warm-up")
            serial += 16
            found, serial = measure(base, clients, args.clients, args.households_per_client,
                                    serial, f"PgBouncer ({args.pool_size} server connections)")
            rows += found
    result = table(["connections", "clients", "households", "seconds", "households/s",
                    "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
    print(f"\ngunicorn gthread, {args.workers} workers × {args.threads} threads, one household "
          f"per POST\n{result}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pool_load.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
