#!/usr/bin/env python3
"""Intake benchmark: how fast the SMTP listener accepts mail against a bare aiosmtpd sink measured
in the same run, and the acknowledgement latency at a steady offered load. Prints one JSON object.

    python bench/intake.py [--messages 400] [--concurrency 8] [--rate 20] [--seconds 30] [--store-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosmtplib
from aiosmtpd.smtp import SMTP

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reports import report  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_port(port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def blast(port: int, messages: int, concurrency: int, tag: str) -> float:
    """Messages per second accepted, with CONCURRENCY clients each on its own connection."""
    # Built before the clock starts: the figure is the server's, not the client's MIME work.
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for n in range(messages):
        message = report(n, tag)
        queue.put_nowait((message["From"], message.as_bytes()))

    async def client():
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60)
        await smtp.connect()
        while not queue.empty():
            sender, raw = queue.get_nowait()
            await smtp.sendmail(sender, ["jubao@jiwei.example"], raw)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return messages / (time.perf_counter() - started)


def start(args: list[str], env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=log)


class Capture:
    def __init__(self):
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        answer = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.arrivals.setdefault(str(answer["In-Reply-To"]), time.perf_counter())
        return "250 OK"


async def steady_latency(port: int, capture: Capture, rate: float, seconds: float) -> dict:
    """Offer RATE messages per second for SECONDS; latency = sent until acknowledged at the relay."""
    total = int(rate * seconds)
    sent: dict[str, float] = {}

    async def one(n: int):
        message = report(n, "steady")
        sent[message["Message-ID"]] = time.perf_counter()
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port, timeout=60)

    started = time.perf_counter()
    tasks = []
    for n in range(total):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    deadline = time.perf_counter() + 120
    while len([m for m in sent if m in capture.arrivals]) < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    latencies = sorted(capture.arrivals[m] - t for m, t in sent.items() if m in capture.arrivals)
    return {
        "offered_per_second": rate,
        "messages": total,
        "acknowledged": len(latencies),
        "p50_seconds": round(statistics.median(latencies), 4) if latencies else None,
        "p99_seconds": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 4) if latencies else None,
        "max_seconds": round(latencies[-1], 4) if latencies else None,
    }


async def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--store-url", default=None)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    log = open(work / "servers.log", "ab")
    sink_port, bot_port, relay_port = free_port(), free_port(), free_port()
    capture = Capture()
    relay = await asyncio.get_running_loop().create_server(lambda: SMTP(capture), "127.0.0.1", relay_port)

    sink = start([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{sink_port}", "-c",
                  "aiosmtpd.handlers.Sink"], os.environ.copy(), log)
    env = os.environ | {
        "INTAKE_STORE__URL": options.store_url or f"sqlite:///{work / 'intake.db'}",
        "INTAKE_STORE__DATA_DIR": str(work / "data"),
        "INTAKE_SMTP__PORT": str(bot_port),
        "INTAKE_SMTP__MAX_CONNECTIONS_PER_CLIENT": str(options.concurrency * 2),
        "INTAKE_SMTP__MAX_MESSAGES_PER_CLIENT_PER_MINUTE": "100000",
        "INTAKE_OUTBOUND__PORT": str(relay_port),
        "INTAKE_PIPELINE__REPLIES_PER_SENDER_PER_DAY": "1000",
        "INTAKE_AUTHENTICITY__DKIM": "false",
    }
    bot = start([sys.executable, "bot.py", "run"], env, log)
    try:
        await wait_port(sink_port)
        await wait_port(bot_port)
        sink_rate = await blast(sink_port, options.messages, options.concurrency, "sink")
        bot_rate = await blast(bot_port, options.messages, options.concurrency, "accept")
        # Let the pipeline finish the burst before measuring latency at a steady load.
        deadline = time.monotonic() + 600
        while len(capture.arrivals) < options.messages and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        latency = await steady_latency(bot_port, capture, options.rate, options.seconds)
    finally:
        for process in (bot, sink):
            process.terminate()
            process.wait(timeout=30)
        relay.close()
        log.close()
    return {
        "accept": {
            "messages": options.messages,
            "concurrency": options.concurrency,
            "sink_messages_per_second": round(sink_rate, 1),
            "listener_messages_per_second": round(bot_rate, 1),
            "ratio": round(bot_rate / sink_rate, 3),
            "store": "postgresql" if options.store_url else "sqlite",
        },
        "acknowledgement_latency": latency,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
