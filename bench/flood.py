#!/usr/bin/env python3
"""Flood benchmark: N messages of about 5 KB from one client network (varied senders) over several
connections, and one genuine report every 2 s from other networks, against `bot.py run` on a
fresh store. Prints one JSON object: accepted and filed msg/s (and filed msg/s once the flood has
ended), backlog peak and drain time, the process tree's peak RSS, the CPU spent per message by the
bot, its worker processes and the bench itself, and the genuine reports' acknowledgement latency
p50/p95/max.

    python bench/flood.py [--messages 20000] [--connections 8] [--size 5000] [--processes 2]
                          [--postgres URL] [--max-backlog N] [--answer-flood]

Every network is on loopback (127.0.1.0/24 floods, the reports come from 127.0.2.0/24 onwards),
so every message is from a trusted client and may be answered: the flood gets `[pipeline]
replies_per_source_per_hour` answers an hour (every one with --answer-flood), the genuine reports
all of theirs. A refused message (451: rate or backlog) is sent again after a pause, as a sending
MTA would. Settings of the bot may be given as INTAKE_* variables (`[pipeline] workers`, say).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email
import email.policy
import functools
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiosmtplib
import sqlalchemy
from aiosmtpd.smtp import SMTP

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import free_port, start, wait_port  # noqa: E402

FLOOD_HOST = "127.0.1.1"
FILLER = "去年开始就这样，大家敢怒不敢言，请领导认真调查处理。"


def genuine_host(n: int) -> str:
    """Genuine reports come from everywhere: each from a network of its own (127.0.2.0/24 to
    127.0.251.0/24 in turn), as one network sending one every 2 s would be a source the per-source
    answer cap holds back."""
    return f"127.0.{2 + n % 250}.1"


def mail(n: int, sender: str, tag: str, size: int) -> tuple[str, bytes]:
    """(Message-ID, raw bytes) of report N: what email.message.EmailMessage would make of it,
    byte for byte, put together directly, since EmailMessage took a millisecond of the machine's
    CPU per message, which the bench's own client then took from the bot it measures."""
    message_id = f"{tag}-{n}-{uuid.uuid4().hex[:8]}@bench.example"
    body = f"{tag}第{n}号举报。镇民政办主任把低保名额给了自己的亲戚，村里真正困难的{n % 40 + 3}户没有评上。\n"
    # Base64 of UTF-8 Chinese: about 4 bytes on the wire per character.
    body += FILLER * max(0, (size // 4 - len(body)) // len(FILLER)) + "\n"
    subject = base64.b64encode(f"举报{n}：乡镇干部违规发放补贴".encode()).decode()
    head = (f"From: {sender}\nTo: jubao@jiwei.example\nSubject: =?utf-8?b?{subject}?=\n"
            f"Message-ID: <{message_id}>\nContent-Type: text/plain; charset=\"utf-8\"\n"
            "Content-Transfer-Encoding: base64\nMIME-Version: 1.0\n\n")
    return message_id, head.encode() + base64.encodebytes(body.encode())


class Capture:
    """The relay: when each answer arrived, by the message it answers."""

    def __init__(self):
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        answer = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.arrivals.setdefault(str(answer["In-Reply-To"]).strip("<>"), time.monotonic())
        return "250 OK"


async def send_retrying(smtp_factory, sender: str, raw: bytes, clients: dict) -> None:
    while True:
        try:
            smtp = clients.get("smtp")
            if smtp is None or not smtp.is_connected:
                smtp = clients["smtp"] = smtp_factory()
                await smtp.connect()
            await smtp.sendmail(sender, ["jubao@jiwei.example"], raw)
            return
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            clients["refused"] = clients.get("refused", 0) + 1
            clients["last_refusal"] = str(exc)[:200]
            with_smtp = clients.pop("smtp", None)
            if with_smtp is not None and with_smtp.is_connected:
                with_smtp.close()
            await asyncio.sleep(0.5)


async def flood(port: int, total: int, connections: int, size: int, stats: dict) -> None:
    queue = list(range(total))
    queue.reverse()

    async def client():
        clients: dict = {}
        factory = lambda: aiosmtplib.SMTP(hostname="127.0.0.1", port=port, source_address=(FLOOD_HOST, 0),  # noqa: E731
                                           timeout=60)
        while queue:
            n = queue.pop()
            sender = f"user{n}@d{n % 10}.flood.example"
            await send_retrying(factory, sender, mail(n, sender, "flood", size)[1], clients)
        if clients.get("smtp") is not None and clients["smtp"].is_connected:
            await clients["smtp"].quit()
        stats["refused"] = stats.get("refused", 0) + clients.get("refused", 0)
        if "last_refusal" in clients:
            stats["last_refusal"] = clients["last_refusal"]

    await asyncio.gather(*(client() for _ in range(connections)))


async def genuine(port: int, interval: float, size: int, sent: dict[str, float], stop: asyncio.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        sender = f"citizen{n}@example.org"
        message_id, raw = mail(n, sender, "genuine", size)
        sent[message_id] = time.monotonic()
        clients: dict = {}
        factory = functools.partial(aiosmtplib.SMTP, hostname="127.0.0.1", port=port,
                                    source_address=(genuine_host(n), 0), timeout=60)
        await send_retrying(factory, sender, raw, clients)
        await clients["smtp"].quit()
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass


def tree(pid: int) -> list[int]:
    """PID and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss(pids: list[int]) -> int:
    """Resident bytes of PIDS together."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds each of PIDS has used."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)


async def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--size", type=int, default=5000, help="bytes per message, about")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between genuine reports")
    parser.add_argument("--processes", type=int, default=2, help="[pipeline] processes")
    parser.add_argument("--postgres", default=None, metavar="URL", help="a PostgreSQL store (its schema is reset)")
    parser.add_argument("--max-backlog", type=int, default=None, help="[pipeline] max_backlog")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--answer-flood", action="store_true",
                        help="answer every flood message too (no per-source answer cap): the outbox's worst case")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    url = options.postgres or f"sqlite:///{work / 'intake.db'}"
    if options.postgres:
        schema = f"flood_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(options.postgres)
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in options.postgres else "?"
        url = f"{options.postgres}{sep}options=-csearch_path%3D{schema}"
    bot_port, relay_port = free_port(), free_port()
    capture = Capture()
    relay = await asyncio.get_running_loop().create_server(lambda: SMTP(capture), "127.0.0.1", relay_port)
    env = os.environ | {
        "INTAKE_STORE__URL": url,
        "INTAKE_STORE__DATA_DIR": str(work / "data"),
        "INTAKE_SMTP__PORT": str(bot_port),
        "INTAKE_SMTP__MAX_CONNECTIONS_PER_CLIENT": str(options.connections * 2),
        "INTAKE_SMTP__MAX_MESSAGES_PER_CLIENT_PER_MINUTE": "1000000",
        "INTAKE_SMTP__MAX_COMMANDS_PER_SESSION": "1000000",
        "INTAKE_OUTBOUND__PORT": str(relay_port),
        "INTAKE_PIPELINE__PROCESSES": str(options.processes),
        "INTAKE_PIPELINE__REPLIES_PER_HOUR": "1000000",
        "INTAKE_PIPELINE__REPLIES_PER_SENDER_PER_DAY": "1000",
        "INTAKE_AUTHENTICITY__DKIM": "false",
        "INTAKE_AUTHENTICITY__SPF": "false",
        "INTAKE_CONSOLE__ENABLED": "false",
    }
    if options.max_backlog is not None:
        env["INTAKE_PIPELINE__MAX_BACKLOG"] = str(options.max_backlog)
    if options.answer_flood:
        env["INTAKE_PIPELINE__REPLIES_PER_SOURCE_PER_HOUR"] = "1000000"
    log = open(work / "bot.log", "ab")
    bot = start([sys.executable, "bot.py", "run"], env, log)
    engine = None
    try:
        await wait_port(bot_port)
        engine = sqlalchemy.create_engine(url)
        stats: dict = {}
        sent: dict[str, float] = {}
        stop_genuine = asyncio.Event()
        started = time.monotonic()
        # Where the machine's CPU goes: the bot's own process, its worker processes (each has
        # loaded its model by now), and this bench (the flood's client and the answers' relay).
        cpu_start, own_start = cpu_seconds(tree(bot.pid)), own_cpu_seconds()
        cpu_now = dict(cpu_start)
        flooding = asyncio.create_task(flood(bot_port, options.messages, options.connections, options.size, stats))
        reporting = asyncio.create_task(genuine(bot_port, options.interval, options.size, sent, stop_genuine))
        peak_backlog = peak_rss = backlog_at_flood_end = 0
        flood_done = drained = None
        while time.monotonic() - started < options.timeout:
            await asyncio.sleep(0.5)
            with engine.connect() as connection:
                backlog = connection.exec_driver_sql(
                    "SELECT count(*) FROM inbound WHERE status IN ('received', 'processing')").scalar()
            peak_backlog = max(peak_backlog, backlog)
            pids = tree(bot.pid)
            peak_rss = max(peak_rss, tree_rss(pids))
            cpu_now.update(cpu_seconds(pids))
            if flood_done is None and flooding.done():
                flood_done = time.monotonic()
                backlog_at_flood_end = backlog
            if flood_done is not None and backlog == 0:
                drained = time.monotonic()
                break
        own_used = own_cpu_seconds() - own_start
        stop_genuine.set()
        await reporting
        await flooding
        # The last genuine reports' answers.
        deadline = time.monotonic() + 60
        while any(m not in capture.arrivals for m in sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        bot.terminate()
        bot.wait(timeout=60)
        relay.close()
        log.close()
        if engine is not None:
            engine.dispose()
    latencies = [capture.arrivals[m] - t for m, t in sent.items() if m in capture.arrivals]
    used = {pid: seconds - cpu_start.get(pid, 0.0) for pid, seconds in cpu_now.items()}
    handled = options.messages + len(sent)
    end = drained or time.monotonic()
    return {
        "messages": options.messages,
        "connections": options.connections,
        "message_bytes": len(mail(0, "user0@d0.flood.example", "flood", options.size)[1]),
        "store": "postgresql" if options.postgres else "sqlite",
        "processes": options.processes,
        "accepted_per_second": round(options.messages / ((flood_done or end) - started), 1),
        "filed_per_second": round(options.messages / (end - started), 1),
        "refused_and_retried": stats.get("refused", 0),
        "backlog_peak": peak_backlog,
        "drain_seconds_after_flood": round(end - (flood_done or end), 1),
        # the pipeline alone, once nothing more arrives; None when it kept pace with the flood
        # (a drain of a few seconds says nothing of its rate)
        "filed_per_second_after_flood": (round(backlog_at_flood_end / (end - flood_done), 1)
                                         if flood_done and end - flood_done >= 5 else None),
        "peak_rss_mib": round(peak_rss / 2**20, 1),
        # until the backlog drained: milliseconds of CPU per message, flood and genuine together
        "cpu_ms_per_message": {
            "bot": round(1000 * used.get(bot.pid, 0.0) / handled, 2),
            "workers": round(1000 * sum(v for pid, v in used.items() if pid != bot.pid) / handled, 2),
            "bench": round(1000 * own_used / handled, 2),
        },
        "genuine": {
            "sent": len(sent),
            "acknowledged": len(latencies),
            "ack_p50_seconds": percentile(latencies, 0.5),
            "ack_p95_seconds": percentile(latencies, 0.95),
            "ack_max_seconds": round(max(latencies), 3) if latencies else None,
        },
        "work_dir": str(work),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
