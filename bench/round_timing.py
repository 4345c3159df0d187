"""The officers' pages for running a round after a bulk load, through the real server:
the progress page (the officers' home) of the nation, a province, a district by LAO and a
subdistrict, its XLSX download, the payment report of a province, and the first page of a
province's household list.

    flask db upgrade   # the bulk-loaded database at the current schema
    python -m bench.round_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

from bench.report_timing import run_officer_queries

QUERIES = [
    ("progress, nation by province", "admin", "/progress/?round=2565"),
    ("progress, province 65 by district", "province", "/progress/?round=2565&area=65"),
    ("progress, district 6501 by LAO", "province", "/progress/?round=2565&area=6501&by=lao"),
    ("progress, subdistrict 650101 by village and enumerator", "province",
     "/progress/?round=2565&area=650101"),
    ("progress XLSX, province 65", "province", "/progress/?round=2565&area=65&format=xlsx"),
    ("payments, province 65 (districts, LAOs)", "province", "/payments/?round=2565&area=65"),
    ("households, province 65: count and first page", "province", "/households/?round=2565"),
]


def main() -> None:
    run_officer_queries(__doc__, QUERIES, "round_timing", runs=5)


if __name__ == "__main__":
    main()
