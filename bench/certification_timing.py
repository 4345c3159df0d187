"""Latency of the certification screens' data through the real server after a bulk load:
a province's units with gates and coverage, one unit, a district's units, an LAO, and
national progress.

    python -m bench.certification_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench.common import ROOT, make_app, table
from bench.report_timing import time_requests, token_for

QUERIES = [
    ("units of province 65 (province officer)", "province",
     "/api/v1/certification/units?round=2565&limit=1000"),
    ("unit: province 65 with its districts", "province",
     "/api/v1/certification/units/province/65?round=2565"),
    ("units of district 6501 (district officer)", "district",
     "/api/v1/certification/units?round=2565&limit=1000"),
    ("unit: LAO 6650102 with returned households", "district",
     "/api/v1/certification/units/lao/6650102?round=2565"),
    ("national progress, 76 provinces (department)", "admin",
     "/api/v1/certification/progress?round=2565"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from app.auth.models import Role
    app = make_app(args.url, args.workdir)
    tokens = {"province": token_for(app, "bench-province65", Role.PROVINCE_OFFICER,
                                    area_code="65"),
              "district": token_for(app, "bench-district6501", Role.DISTRICT_OFFICER,
                                    area_code="6501"),
              "admin": token_for(app, "bench-admin", Role.DEPARTMENT_ADMIN)}
    timings = time_requests(args.url, args.workdir, args.runs,
                            [(label, tokens[who], path) for label, who, path in QUERIES])
    rows = [[t.label, *t.ms(), f"{len(t.body) / 1024:,.0f}"] for t in timings]
    result = table(["request", "first ms", "then median ms", "then max ms", "KiB"], rows)
    print(f"\n{args.runs} runs each\n{result}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "certification_timing.md").write_text(result + "\n")


if __name__ == "__main__":
    main()
