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
    "stats": "commands.stats:main",
    "case": "commands.case:main",
    "deadlines": "commands.deadlines:main",
    "reprocess": "commands.reprocess:main",
    "train": "commands.model:train",
    "evaluate": "commands.model:evaluate",
    "classify": "commands.model:classify",
    "evidence": "commands.evidence:main",
    "audit": "commands.audit:main",
    "keys": "commands.keys:main",
    "calendar": "commands.calendar:main",
    "user": "commands.user:main",
    "corrections": "commands.corrections:main",
    "unit": "commands.units:main",
    "monitoring": "commands.units:officials",
    "warnings": "commands.warnings:listing",
    "warning": "commands.warnings:main",
    "console": "commands.console:main",
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

    stats = sub.add_parser("stats", help="the office's figures: totals, open, overdue, real-name share, medians")
    stats.add_argument("--from", dest="since", metavar="DATE", help="received on or after this local day (YYYY-MM-DD)")
    stats.add_argument("--to", dest="until", metavar="DATE", help="received on or before this local day")
    stats.add_argument("--by", choices=("month", "area", "violation", "channel", "kind", "status"))
    for name in ("kind", "area", "violation", "channel"):
        stats.add_argument(f"--{name}", action="append", help="as in queue (repeatable)")
    stats.add_argument("--priority", type=int, help="as in queue: at most this priority number")
    stats.add_argument("--units", action="store_true",
                       help="the monitoring figures per unit: notifications and early warnings in the period")
    stats_format = stats.add_mutually_exclusive_group()
    stats_format.add_argument("--json", action="store_true")
    stats_format.add_argument("--csv", action="store_true", help="one line per group and one for all, with a header")

    case = sub.add_parser("case", help="show or change one case")
    case_sub = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    show = case_sub.add_parser("show", help="the case, its messages and evidence")
    show.add_argument("case_number", metavar="CASE")
    show.add_argument("--json", action="store_true")
    show.add_argument("--reveal-reporter", action="store_true",
                      help="show the reporter's identity (needs --reason; audited with it)")
    show.add_argument("--reason", help="why the reporter's identity is needed (recorded in the audit log)")
    set_status = case_sub.add_parser("set-status", help="move the case on in its procedure (audited; notices the "
                                                        "reporter when the move has one)")
    set_status.add_argument("case_number", metavar="CASE")
    set_status.add_argument("status", metavar="STATUS")
    set_status.add_argument("--reason", help="why (not_accepted: CATEGORY[: note]; concluded: the internal conclusion)")
    set_status.add_argument("--to", metavar="UNIT", help="the unit it is transferred or forwarded to")
    set_status.add_argument("--outcome", help="concluded: the outcome text sent to the reporter")
    merge = case_sub.add_parser("merge", help="merge a new case into another one (audited)")
    merge.add_argument("case_number", metavar="CASE")
    merge.add_argument("into", metavar="INTO")
    merge.add_argument("--reason")
    set_labels = case_sub.add_parser("set-labels", help="correct the classifier's labels (audited; exported by "
                                                        "`corrections export` for training)")
    set_labels.add_argument("case_number", metavar="CASE")
    set_labels.add_argument("--kind")
    set_labels.add_argument("--area")
    set_labels.add_argument("--violation")
    set_labels.add_argument("--priority", type=int, choices=(1, 2, 3, 4))
    assign = case_sub.add_parser("assign", help="give the case to a staff member (audited)")
    assign.add_argument("case_number", metavar="CASE")
    assign.add_argument("user", metavar="USER")

    deadlines = sub.add_parser("deadlines", help="deadlines still owed, nearest first; late ones marked")
    deadlines.add_argument("--overdue", action="store_true", help="only the late ones")
    deadlines.add_argument("--due-within", type=int, metavar="DAYS",
                           help="only those due by the end of the DAYS-th working day from today (late ones too)")
    deadlines.add_argument("--limit", type=int, default=200)
    deadlines.add_argument("--json", action="store_true")

    reprocess = sub.add_parser("reprocess", help="run quarantined messages through the pipeline again")
    reprocess.add_argument("ids", nargs="*", type=int, metavar="ID")
    reprocess.add_argument("--all-failed", action="store_true")

    train = sub.add_parser("train", help="train the classifier from classifier/data")
    train.add_argument("--with-corrections", action="store_true",
                       help="add the labels staff corrected (bot.py case set-labels, the console) to the training data")
    evaluate = sub.add_parser("evaluate", help="per-label precision/recall/F1 and calibration on the test and "
                                               "held-out splits")
    evaluate.add_argument("--corrections", action="store_true",
                          help="score the current model on the labels staff corrected instead")
    sub.add_parser("classify", help="classify JSON lines from stdin to stdout")

    evidence = sub.add_parser("evidence", help="evidence of a case")
    evidence_sub = evidence.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    export = evidence_sub.add_parser("export", help="a verifiable zip of a case's evidence")
    export.add_argument("case_number", metavar="CASE")
    export.add_argument("--out", required=True, metavar="FILE.zip")
    confirm = evidence_sub.add_parser("confirm", help="confirm evidence items after checking their hashes")
    confirm.add_argument("case_number", metavar="CASE")
    confirm.add_argument("items", nargs="*", type=int, metavar="ITEM", help="item numbers (default: all)")

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
    calendar = sub.add_parser("calendar", help="the PRC working calendar: import a year, show one")
    calendar_sub = calendar.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    calendar_import = calendar_sub.add_parser(
        "import", help="a year's holidays and make-up working days as published (JSON, or DATE,holiday|workday lines)")
    calendar_import.add_argument("file", metavar="FILE")
    calendar_show = calendar_sub.add_parser("show", help="a year's holidays and make-up days, where each comes from")
    calendar_show.add_argument("year", type=int, metavar="YEAR")
    calendar_show.add_argument("--json", action="store_true")
    user = sub.add_parser("user", help="staff accounts of the console")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    user_add = user_sub.add_parser("add", help="a new account; password from $INTAKE_PASSWORD or a prompt; "
                                               "prints the one-time-code enrolment URI once")
    user_add.add_argument("name", metavar="NAME")
    user_add.add_argument("--role", required=True, help="clerk, investigator, supervisor, auditor or admin")
    user_add.add_argument("--language", choices=("zh", "en"), default="zh")
    user_sub.add_parser("list", help="every account, its role and state")
    for action, text in (("disable", "disable an account and end its sessions"),
                         ("reset-2fa", "a new one-time-code secret (a lost phone); prints its enrolment URI")):
        user_sub.add_parser(action, help=text).add_argument("name", metavar="NAME")
    corrections = sub.add_parser("corrections", help="labels staff corrected, as training data")
    corrections_sub = corrections.add_subparsers(dest="corrections_command", required=True, metavar="ACTION")
    corrections_export = corrections_sub.add_parser("export", help="one JSON line per corrected case (corpus format)")
    corrections_export.add_argument("--out", metavar="FILE", help="write there instead of standard output")
    unit = sub.add_parser("unit", help="units that notify the office of key-area projects")
    unit_sub = unit.add_subparsers(dest="unit_command", required=True, metavar="ACTION")
    unit_add = unit_sub.add_parser("add", help="register a unit and the address it notifies from (audited)")
    unit_add.add_argument("name", metavar="NAME")
    unit_add.add_argument("--address", required=True, metavar="EMAIL")
    unit_add.add_argument("--area", required=True,
                          help="engineering_construction, land_mineral, real_estate, livelihood or other")
    unit_sub.add_parser("list", help="every unit, its address, area and state")
    unit_sub.add_parser("disable", help="stop taking a unit's notifications (audited)").add_argument("name",
                                                                                                    metavar="NAME")
    unit_sub.add_parser("template", help="a notification type's CSV header and an example row").add_argument(
        "type", metavar="TYPE", help="engineering_award, engineering_change, land_deal or livelihood_payout")
    monitoring = sub.add_parser("monitoring", help="the monitoring of key areas")
    monitoring_sub = monitoring.add_subparsers(dest="monitoring_command", required=True, metavar="ACTION")
    officials = monitoring_sub.add_parser("officials", help="the officials list payouts are compared with")
    officials_sub = officials.add_subparsers(dest="officials_command", required=True, metavar="ACTION")
    officials_sub.add_parser("import", help="identity numbers, one a line or a CSV with an id_number column; "
                                            "only keyed hashes are kept").add_argument("file", metavar="FILE")
    warnings = sub.add_parser("warnings", help="early warnings sent to units")
    warnings.add_argument("--status", action="append", help="open, rectified, accepted, rejected, escalated")
    warnings.add_argument("--unit", metavar="NAME")
    warnings.add_argument("--json", action="store_true")
    warning = sub.add_parser("warning", help="one early warning")
    warning_sub = warning.add_subparsers(dest="warning_command", required=True, metavar="ACTION")
    warning_sub.add_parser("show", help="the warning, its findings and deadline (JSON)").add_argument(
        "number", metavar="YJ-YYYY-NNNNNN")
    warning_set = warning_sub.add_parser("set-status", help="decide a rectified warning: accepted or rejected "
                                                            "(audited; rejected is escalated)")
    warning_set.add_argument("number", metavar="YJ-YYYY-NNNNNN")
    warning_set.add_argument("status", metavar="STATUS")
    warning_set.add_argument("--reason")
    sub.add_parser("console", help="serve the staff console alone (bot.py run serves it too)")
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
