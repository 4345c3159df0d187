"""Latency of the aggregate reports (indicators, population, income-expense) through the
real server after a bulk load, for the nation, a province, a district and an LAO, each with
its breakdown by child area, asked by the department admin (small areas left out).

"first" is the first request of a fresh gunicorn worker: with ``--cold-each`` (the default)
every report gets its own fresh worker, so each "first" pays what a report pays after a
restart; "then" are the next ``--runs`` requests.

    python -m bench.report_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, make_app, server, table

SCOPES = [("nation", ""), ("province 65", "&area=65"), ("district 6501", "&area=6501"),
          ("LAO 6650102", "&lao=6650102")]
KINDS = ["indicators", "population", "income-expense"]
QUERIES = [(f"{kind}, {scope} by child area",
            f"/api/v1/reports/{kind}?round=2565{where}&breakdown=true")
           for kind in KINDS for scope, where in SCOPES]


def token_for(app, username: str, role, **scope) -> str:
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import create_user, issue_token
    from app.extensions import db
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username)) or \
            create_user(username, "bench-password", role, **scope)
        return issue_token(user, "bench").token


# The officers the page and API benchmarks ask as: username, role, scope.
OFFICERS = {"admin": ("bench-admin", "department_admin", {}),
            "province": ("bench-province65", "province_officer", {"area_code": "65"}),
            "district": ("bench-district6501", "district_officer", {"area_code": "6501"})}


def officer_tokens(app) -> dict[str, str]:
    from app.auth.models import Role
    return {who: token_for(app, username, Role(role), **scope)
            for who, (username, role, scope) in OFFICERS.items()}


def run_officer_queries(description: str, queries: list[tuple[str, str, str]], name: str,
                        runs: int = 5) -> None:
    """The command line of a benchmark that times ``(label, officer, path)`` requests on a
    bulk-loaded database: prints the table and saves it as ``bench/results/{name}.md``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args()
    tokens = officer_tokens(make_app(args.url, args.workdir))
    timings = time_requests(args.url, args.workdir, args.runs,
                            [(label, tokens[who], path) for label, who, path in queries])
    rows = [[t.label, *t.ms(), f"{len(t.body) / 1024:,.0f}"] for t in timings]
    result = table(["request", "first ms", "then median ms", "then max ms", "KiB"], rows)
    print(f"\n{args.runs} runs each\n{result}")
    save(name, result)


def save(name: str, result: str) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.md").write_text(result + "\n")


def timed_get(url: str, token: str) -> tuple[float, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
    return time.perf_counter() - start, body


@dataclass
class Timing:
    label: str
    first: float     # seconds: the first request of a fresh worker
    median: float
    worst: float
    body: bytes

    def ms(self) -> list[str]:
        return [f"{1000 * self.first:,.0f}", f"{1000 * self.median:,.0f}",
                f"{1000 * self.worst:,.0f}"]


def time_requests(url: str, workdir: Path, runs: int,
                  queries: list[tuple[str, str, str]], cold_each: bool = False) -> list[Timing]:
    """Each ``(label, token, path)`` through one real gunicorn worker (so "first" is the
    cold request of a fresh process and the rest show the steady state), printed as run;
    with ``cold_each`` a fresh worker for every query."""
    if cold_each:
        return [t for query in queries
                for t in time_requests(url, workdir, runs, [query])]
    timings = []
    with server(url, workdir, workers=1, threads=4) as base:
        for label, token, path in queries:
            first, body = timed_get(base + path, token)
            times = [timed_get(base + path, token)[0] for _ in range(runs)]
            timings.append(Timing(label, first, statistics.median(times), max(times), body))
            print(" | ".join([label, *timings[-1].ms()]), flush=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--one-worker", dest="cold_each", action="store_false",
                        help="one worker for every report (only the first is cold)")
    parser.add_argument("--name", default="", help="suffix of the results file")
    args = parser.parse_args()
    token = officer_tokens(make_app(args.url, args.workdir))["admin"]
    timings = time_requests(args.url, args.workdir, args.runs,
                            [(label, token, path) for label, path in QUERIES], args.cold_each)
    rows = [[t.label, *t.ms()] for t in timings]
    kind = "PostgreSQL" if args.url.startswith("postgresql") else "SQLite"
    result = table(["report", "first request ms", "then median ms", "then max ms"], rows)
    print(f"\n{kind}, {args.runs} runs each\n{result}")
    save(f"report_timing_{kind.lower()}{args.name}", result)


if __name__ == "__main__":
    main()
