#!/usr/bin/env python3
"""Command line of the report intake bot: wiring only; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# command name -> "module:function"; modules are imported only when their command runs, so a
# quick command does not pay for loading spaCy or the database drivers.
COMMANDS = {
    "run": "commands.run:main",
    "ingest": "commands.ingest:main",
    "queue": "commands.queue:main",
    "case": "commands.case:main",
    "reprocess": "commands.reprocess:main",
    "train": "commands.model:train",
    "evaluate": "commands.model:evaluate",
    "classify": "commands.model:classify",
    "evidence": "commands.evidence:main",
    "audit": "commands.audit:main",
    "keys": "commands.keys:main",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__)
    parser.add_argument("--config", help="settings file (default: settings.toml, or $INTAKE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run every enabled listener, the pipeline and the outbox sender")

    ingest = sub.add_parser("ingest", help="feed .eml files, folders or mbox files through the pipeline")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")

    queue = sub.add_parser("queue", help="the triage queue, most urgent first")
    queue.add_argument("--failed", action="store_true", help="list quarantined messages instead")
    queue.add_argument("--screened", action="store_true",
                       help="list messages kept out of the queue (spam, auto-replies, bounces) for review")
    queue.add_argument("--status", action="append", help="case status (repeatable; default: open ones)")
    queue.add_argument("--kind", action="append", help="report, inquiry, non_jurisdiction")
    queue.add_argument("--area", action="append")
    queue.add_argument("--violation", action="append")
    queue.add_argument("--channel", action="append", help="email, telegram")
    queue.add_argument("--priority", type=int, help="at most this priority number (1 = most urgent)")
    queue.add_argument("--limit", type=int, default=50)
    queue.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="show or change one case")
    case_sub = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    show = case_sub.add_parser("show", help="the case, its messages and evidence")
    show.add_argument("case_number", metavar="CASE")
    show.add_argument("--json", action="store_true")
    show.add_argument("--reveal-reporter", action="store_true", help="show the reporter's identity (audited)")
    set_status = case_sub.add_parser("set-status", help="change the status; an outcome is sent to the reporter")
    set_status.add_argument("case_number", metavar="CASE")
    set_status.add_argument("status", metavar="STATUS")
    set_status.add_argument("--outcome", help="the outcome text sent to the reporter")
    for action in (show, set_status):
        action.add_argument("--actor", help="who acts (default: $INTAKE_ACTOR or the login name)")

    reprocess = sub.add_parser("reprocess", help="run quarantined messages through the pipeline again")
    reprocess.add_argument("ids", nargs="*", type=int, metavar="ID")
    reprocess.add_argument("--all-failed", action="store_true")

    sub.add_parser("train", help="train the classifier from classifier/data")
    sub.add_parser("evaluate", help="per-label precision/recall/F1 on the test split")
    sub.add_parser("classify", help="classify JSON lines from stdin to stdout")

    evidence = sub.add_parser("evidence", help="evidence of a case")
    evidence_sub = evidence.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    export = evidence_sub.add_parser("export", help="a verifiable zip of a case's evidence")
    export.add_argument("case_number", metavar="CASE")
    export.add_argument("--out", required=True, metavar="FILE.zip")
    export.add_argument("--actor")
    confirm = evidence_sub.add_parser("confirm", help="confirm evidence items after checking their hashes")
    confirm.add_argument("case_number", metavar="CASE")
    confirm.add_argument("items", nargs="*", type=int, metavar="ITEM", help="item numbers (default: all)")
    confirm.add_argument("--actor")

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="check the hash chain, its signatures and every stored file")
    verify.add_argument("--head", metavar="N:HASH[:SIGNATURE]",
                        help="a head printed by `audit head` earlier: prove the log still extends it")
    head = audit_sub.add_parser("head", help="print the newest entry (N:HASH:SIGNATURE) to record elsewhere")
    head.add_argument("--json", action="store_true")
    keys = sub.add_parser("keys", help="the keys that seal the store")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_sub.add_parser("rotate", help="seal everything under a new key and drop the old ones")
    return parser


def main(argv: list[str] | None = None) -> int:
    # Whatever the bot writes (the database, its journal, files, keys) is its user's alone.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    from config import ConfigError, load

    try:
        settings = load(args.config)
    except ConfigError as exc:
        print(f"bot.py: {exc}", file=sys.stderr)
        return 2
    module_name, function = COMMANDS[args.command].split(":")
    command = getattr(importlib.import_module(module_name), function)
    try:
        return command(settings, args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
