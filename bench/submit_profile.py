"""Where one household submission's time goes: households POSTed through the app in this
process (Flask's test client: no HTTP server, no network), first timed, then profiled.
Prints per household the wall and CPU milliseconds of this process (the CPU time is what
the app costs, whatever else the machine runs) and the SQL statements sent, then where the
time went, so that a change to the submission path can be measured before and after.

The profile: with ``--sample``, py-spy samples this process (no slowdown; each project
function's and each library's share of the samples it appears in); otherwise cProfile
(exact call counts, but it inflates small, often-called functions two to three times and
hid psycopg's re-parsing of large statements, a fifth of a batch, inside a few calls).

    python -m bench.submit_profile [--database postgres] [--households 400] [--batch 0]
    python -m bench.submit_profile --batch 100 --sample
    python -m bench.submit_profile --url postgresql+psycopg://…/bmn_bench_national  # a loaded round
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_database, make_app, prepare, synthetic_household
from bench.submit_load import PROVINCE, enumerators_with_tokens


def post_all(client, token: str, bodies: list[bytes], batch: int) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if batch:
        for i in range(0, len(bodies), batch):
            body = b'{"items":[' + b",".join(bodies[i:i + batch]) + b"]}"
            response = client.post("/api/v1/households:batch", data=body, headers=headers)
            statuses = {r["status"] for r in response.get_json()["results"]}
            assert statuses == {201}, statuses
        return
    for body in bodies:
        response = client.post("/api/v1/households", data=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)[:300]


def count_statements(app):
    """Count from now on the statements the app sends (COMMIT and ROLLBACK included)."""
    from sqlalchemy import event

    from app.extensions import db
    sent = [0]

    def one(*_):
        sent[0] += 1
    with app.app_context():
        engine = db.engine
    for name in ("before_cursor_execute", "commit", "rollback"):
        event.listen(engine, name, one)
    return lambda: sent[0]


def sampled(run, rate: int = 250) -> collections.Counter:
    """Run ``run()`` while py-spy samples this process; per project function (``module:
    function``) and per library (its package), the share of samples it is on the stack of."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        spy = subprocess.Popen([py_spy, "record", "--pid", str(os.getpid()), "--rate",
                                str(rate), "--format", "raw", "--output", str(out),
                                "--full-filenames"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)  # attached
        run()
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=120)
        lines = out.read_text().splitlines() if out.exists() else []
    shares, total = collections.Counter(), 0
    root = str(Path(__file__).resolve().parents[1]) + "/"
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if "post_all" not in stack:
            continue  # py-spy's own start-up, other threads
        total += int(count)
        seen = set()
        for frame in stack.split(";"):
            function, _, where = frame.partition(" (")
            path = where.rsplit(":", 1)[0]
            if "site-packages/" in path:
                seen.add(path.split("site-packages/")[1].split("/")[0])
            elif path.startswith(root) and not path.startswith(root + "bench/"):
                seen.add(f"{path[len(root):-3].replace('/', '.')}:{function}")
        shares.update(dict.fromkeys(seen, int(count)))
    return collections.Counter({k: n / total for k, n in shares.items()}) if total else shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--households", type=int, default=400,
                        help="households per phase (timed, then profiled)")
    parser.add_argument("--batch", type=int, default=0, help="0: one per POST, else batches")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="also write the cProfile here (for pstats, snakeviz)")
    parser.add_argument("--sample", action="store_true",
                        help="profile by sampling with py-spy instead of cProfile")
    parser.add_argument("--seed", type=int, default=7,
                        help="another seed for new households on a second run with --url")
    parser.add_argument("--url", help="an existing database with round 2565 and province "
                                      "65's register (e.g. after bench.bulk_load), instead "
                                      "of a fresh one: does the cost grow with what is stored?")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or fresh_database(args.database, Path(tmp), "bmn_bench_profile")
        app = make_app(url, Path(tmp))
        if not args.url:
            prepare(app, [PROVINCE])
        token, villages = enumerators_with_tokens(app)[0]
        rng = random.Random(args.seed)
        base = 9_000_000 + 10_000 * args.seed if args.url else 0  # above a bulk load's
        phases = [[json.dumps(synthetic_household(rng, rng.choice(villages),
                                                  base + 3 * n + k)).encode()
                   for n in range(args.households)] for k in range(3)]
        client = app.test_client()
        post_all(client, token, phases[0], args.batch)  # warm-up: imports, caches, plans
        statements = count_statements(app)
        start, cpu = time.perf_counter(), time.process_time()
        post_all(client, token, phases[1], args.batch)
        timed = (time.perf_counter() - start) / args.households
        cpu = (time.process_time() - cpu) / args.households
        sent = statements() / args.households
        if args.sample:
            shares = sampled(lambda: post_all(client, token, phases[2], args.batch))
        else:
            profiler = cProfile.Profile()
            profiler.enable()
            post_all(client, token, phases[2], args.batch)
            profiler.disable()
            if args.save:
                profiler.dump_stats(args.save)
    print(f"{args.database}, {'batches of %d' % args.batch if args.batch else 'one per POST'}: "
          f"{1000 * timed:.1f} ms per household in-process ({1 / timed:.0f} households/s "
          f"on one thread), of which {1000 * cpu:.1f} ms CPU in this process; "
          f"{sent:.2f} SQL statements per household (commits included); "
          f"{args.households} households")
    if args.sample:
        print("\n== share of samples on whose stack each is (py-spy, inclusive)")
        for name, share in shares.most_common(args.top):
            print(f"{100 * share:5.1f} %  {name}")
        return
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(args.top)
        print(f"\n== by {order} time (under the profiler)\n" + out.getvalue().split(
            "\n", 6)[-1])


if __name__ == "__main__":
    main()
