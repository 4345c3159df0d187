"""Latency of the indicator report through the real server after a bulk load: the nation,
a province, and a province broken down by district.

    python -m bench.report_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, make_app, server, table

QUERIES = [
    ("indicators, nation", "/api/v1/reports/indicators?round=2565"),
    ("indicators, province 65", "/api/v1/reports/indicators?round=2565&area=65"),
    ("indicators, province 65 by district",
     "/api/v1/reports/indicators?round=2565&area=65&breakdown=true"),
    ("population, nation", "/api/v1/reports/population?round=2565"),
    ("income/expense, district 6501", "/api/v1/reports/income-expense?round=2565&area=6501"),
]


def token_for(app, username: str, role, **scope) -> str:
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import create_user, issue_token
    from app.extensions import db
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username)) or \
            create_user(username, "bench-password", role, **scope)
        return issue_token(user, "bench").token


def timed_get(url: str, token: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        size = len(response.read())
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from app.auth.models import Role
    app = make_app(args.url, args.workdir)
    token = token_for(app, "bench-admin", Role.DEPARTMENT_ADMIN)
    rows = []
    # One worker, so that "first" is the cold request (a fresh process, nothing cached)
    # and the rest show the steady state.
    with server(args.url, args.workdir, workers=1, threads=4) as base:
        for label, path in QUERIES:
            first, _ = timed_get(base + path, token)
            times = [timed_get(base + path, token)[0] for _ in range(args.runs)]
            rows.append([label, f"{1000 * first:,.0f}", f"{1000 * statistics.median(times):,.0f}",
                         f"{1000 * max(times):,.0f}"])
            print(" | ".join(rows[-1]), flush=True)
    kind = "PostgreSQL" if args.url.startswith("postgresql") else "SQLite"
    result = table(["report", "first request ms", "then median ms", "then max ms"], rows)
    print(f"\n{kind}, {args.runs} runs each\n{result}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"report_timing_{kind.lower()}.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
