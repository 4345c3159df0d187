"""A slow mobile link between the browser and the server: a TCP proxy that shares one
downlink and one uplink among all connections, delays each direction by half the round
trip, and counts the bytes that cross it.

Why not only Chromium's own throttling (CDP ``Network.emulateNetworkConditions``): it is
set per target, so a page's session leaves the service worker's fetches (its install-time
precache) at full speed, and each target gets a bandwidth of its own. On a phone they share
one radio; here they share one link, and the byte count is what crossed it (headers
included), whoever asked.
"""
from __future__ import annotations

import asyncio
import threading
import time

CHUNK = 4096  # bytes read at a time: at 200 KB/s one chunk is 20 ms on the link


class Link:
    """One direction: chunks queue behind each other at ``rate`` bytes/s and arrive
    ``delay`` seconds after they have been sent."""

    def __init__(self, bits_per_second: float, delay: float):
        self.rate = bits_per_second / 8
        self.delay = delay
        self.free_at = 0.0
        self.bytes = 0  # delivered

    def arrival(self, now: float, size: int) -> float:
        start = max(now, self.free_at)
        self.free_at = start + size / self.rate
        return self.free_at + self.delay


class Throttle:
    """``with Throttle(upstream_port, down_bps, up_bps, rtt_s) as proxy:`` serves on
    ``proxy.port`` from a background thread; ``reset()`` zeroes the counters."""

    def __init__(self, upstream_port: int, down_bps: float, up_bps: float, rtt: float):
        self.upstream_port = upstream_port
        self.rtt = rtt
        self.down = Link(down_bps, rtt / 2)
        self.up = Link(up_bps, rtt / 2)
        self.last_activity = time.monotonic()
        self.open_connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()

    def __enter__(self) -> Throttle:
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def reset(self) -> None:
        self.down.bytes = self.up.bytes = 0

    def wait_idle(self, quiet: float = 1.0, timeout: float = 60.0) -> None:
        """Return once nothing has crossed the link for ``quiet`` seconds (counted from now
        at the earliest: what the page starts next must get its chance)."""
        since = time.monotonic()
        deadline = since + timeout
        while time.monotonic() < deadline:
            if time.monotonic() - max(self.last_activity, since) >= quiet:
                return
            time.sleep(0.05)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, client_reader, client_writer) -> None:
        self.open_connections += 1
        try:
            await asyncio.sleep(self.rtt)  # the TCP handshake
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port)
            await asyncio.gather(self._pump(client_reader, server_writer, self.up),
                                 self._pump(server_reader, client_writer, self.down))
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass  # a closed connection, or the end of the benchmark
        finally:
            self.open_connections -= 1
            client_writer.close()

    async def _pump(self, reader, writer, link: Link) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver():
            while True:
                at, data = await queue.get()
                await asyncio.sleep(max(0.0, at - loop.time()))
                if data is None:
                    writer.close()
                    return
                self.last_activity = time.monotonic()
                link.bytes += len(data)
                writer.write(data)
                await writer.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(CHUNK):
                self.last_activity = time.monotonic()
                queue.put_nowait((link.arrival(loop.time(), len(data)), data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((max(loop.time(), link.free_at) + link.delay, None))
        try:
            await delivering
        except (ConnectionError, OSError):
            pass
