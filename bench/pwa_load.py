"""What a volunteer's phone downloads when it opens the enumerator app (`/collect/`), and
how long until it shows their villages, over a slow mobile link (1.6 Mbit/s down,
750 kbit/s up, 150 ms round trip):

- first open: an empty profile; the app loads, the volunteer signs in, the app fetches the
  round, the questionnaire and the villages, and the service worker precaches the shell;
- warm open: the same phone opening the app again (service worker and caches populated);
  the villages show from the phone's own storage while it refreshes in the background.

A fresh SQLite demo database made by the app's own commands (``flask db upgrade``, ``flask
demo setup``, ``flask survey demo``), a real gunicorn, and Debian's chromium at 360×740
(Playwright) behind ``bench/throttle.py``, which shares one link among the page and its
service worker and counts the bytes that cross it (headers included). Times are medians of
``--runs`` fresh phones; bytes are from the last.

    python -m bench.pwa_load                  # compression off (BMN_COMPRESS=0), then on
    python -m bench.pwa_load --only on --verbose
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, SECRET, fresh_database, server, table
from bench.report_timing import save
from bench.throttle import Throttle

CHROMIUM = "/usr/bin/chromium"
USERNAME, PASSWORD, VILLAGE = "enum75010201", "bmn-demo-2565", "75010201"  # flask demo setup


@dataclass
class Open:
    ready: float  # seconds until the app could be used (the sign-in form, or the villages)
    seconds: float  # ... until the villages showed
    down: int  # bytes to the phone, until the network went quiet
    down_at_home: int  # ... until the villages showed
    up: int
    requests: dict[str, int] = field(default_factory=dict)  # path → encoded body bytes


def prepare(url: str, workdir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "FLASK_APP": "wsgi.py",
           "BMN_INSTANCE_PATH": str(workdir / "instance")}
    for command in (["db", "upgrade"], ["demo", "setup", "--province", "75"],
                    ["survey", "demo", "--province", "75"]):
        subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _track(context, into: dict[str, int]) -> None:
    def finished(request):
        path = request.url.split("://", 1)[1].split("/", 1)[1]
        try:
            size = max(request.sizes()["responseBodySize"], 0)
        except Exception:  # the phone was closed meanwhile
            return
        key = f"/{path}" + (" (service worker)" if request.service_worker else "")
        into[key] = into.get(key, 0) + size
    context.on("requestfinished", finished)


def open_app(page, link: Throttle, requests: dict, *, sign_in: bool) -> Open:
    requests.clear()
    link.wait_idle(0.5)
    link.reset()
    start = time.perf_counter()
    page.goto("/collect/", wait_until="commit")
    page.wait_for_selector("form#login" if sign_in else f'[data-new="{VILLAGE}"]', timeout=60000)
    ready = time.perf_counter() - start
    if sign_in:
        page.fill("form#login input[name=username]", USERNAME)
        page.fill("form#login input[name=password]", PASSWORD)
        page.click("form#login button")
    page.wait_for_selector(f'[data-new="{VILLAGE}"]', timeout=60000)
    seconds = time.perf_counter() - start
    at_home = link.down.bytes
    if sign_in:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    link.wait_idle(1.5)
    page.wait_for_timeout(100)  # let the last request events arrive
    return Open(ready, seconds, link.down.bytes, at_home, link.up.bytes, dict(requests))


def phone_runs(browser, base: str, link: Throttle, runs: int) -> tuple[list[Open], list[Open]]:
    first, warm = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH",
                                      timezone_id="Asia/Bangkok",
                                      base_url=f"http://127.0.0.1:{link.port}")
        requests: dict[str, int] = {}
        _track(context, requests)
        page = context.new_page()
        page.set_default_timeout(60000)
        first.append(open_app(page, link, requests, sign_in=True))
        page.close()
        page = context.new_page()
        warm.append(open_app(page, link, requests, sign_in=False))
        context.close()
    return first, warm


def warm_up(base: str) -> None:
    """A server that has been up a while: every worker has served the app once."""
    for _ in range(8):
        for path in ("/collect/", "/collect/sw.js", "/collect/static/app.js"):
            urllib.request.urlopen(base + path, timeout=30).read()


def measure(setting: str, url: str, workdir: Path, runs: int, args) -> tuple[list, list]:
    from playwright.sync_api import sync_playwright
    env = {"BMN_COMPRESS": "1" if setting == "on" else "0"}
    with server(url, workdir, workers=2, threads=4, env=env) as base, \
            Throttle(int(base.rsplit(":", 1)[1]), args.down_kbps * 1000, args.up_kbps * 1000,
                     args.rtt_ms / 1000) as link, sync_playwright() as p:
        warm_up(base)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            return phone_runs(browser, base, link, runs)
        finally:
            browser.close()


def kib(n: int) -> str:
    return f"{n / 1024:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench-pwa"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["off", "on"], help="one compression setting")
    parser.add_argument("--down-kbps", type=float, default=1600)
    parser.add_argument("--up-kbps", type=float, default=750)
    parser.add_argument("--rtt-ms", type=float, default=150)
    parser.add_argument("--verbose", action="store_true", help="bytes per request")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = fresh_database("sqlite", args.workdir, "bmn_bench_pwa")
    prepare(url, args.workdir)
    rows = []
    for setting in [args.only] if args.only else ["off", "on"]:
        first, warm = measure(setting, url, args.workdir, args.runs, args)
        for label, opens in (("first open", first), ("warm open", warm)):
            last = opens[-1]
            questionnaire = sum(n for path, n in last.requests.items() if "questionnaire" in path)
            rows.append([f"compression {setting}", label,
                         f"{statistics.median(o.ready for o in opens):.2f}",
                         f"{statistics.median(o.seconds for o in opens):.2f}",
                         f"{max(o.seconds for o in opens):.2f}", kib(last.down_at_home),
                         kib(last.down), kib(questionnaire), kib(last.up)])
            if args.verbose:
                print(f"\n{setting}, {label}:")
                for path, n in sorted(last.requests.items(), key=lambda kv: -kv[1]):
                    print(f"  {n:>8,}  {path}")
    result = table(["setting", "open", "s to sign-in form", "s to villages", "max s",
                    "KiB down until villages", "KiB down in all", "questionnaire KiB",
                    "KiB up"], rows)
    print(f"\n{args.down_kbps:g} kbit/s down, {args.up_kbps:g} kbit/s up, "
          f"{args.rtt_ms:g} ms round trip; {args.runs} phones\n\n{result}")
    save("pwa_load", result)


if __name__ == "__main__":
    main()
