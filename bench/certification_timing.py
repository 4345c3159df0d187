"""Latency of the certification screens' data through the real server after a bulk load:
a province's units with gates and coverage, one unit, a district's units, an LAO, and
national progress.

    python -m bench.certification_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

from bench.report_timing import run_officer_queries

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
    run_officer_queries(__doc__, QUERIES, "certification_timing", runs=7)


if __name__ == "__main__":
    main()
