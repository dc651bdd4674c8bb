"""`bot.py ingest` reads what it is given as a mail program would: every message of an mbox, whatever
its separator lines look like, and nothing that is not mail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intake.email.sources import count, expand, messages
from tests.conftest import IN_CI, ROOT, corpus_dir, make_settings

CORPUS = corpus_dir()
needs_corpus = pytest.mark.skipif(CORPUS is None and not IN_CI, reason="the shared email corpus is not on this machine")
# MimeKit's mbox samples: "From - " and "From <id>@xxx" separators, without a date.
SHORT_SEPARATORS = {"mimekit/mbox/simple.mbox.txt": 3, "mimekit/mbox/issue1189.mbox.txt": 4,
                    "mimekit/mbox/content-length.mbox.txt": 29}
SUMMARY_KEYS = ["messages", "filed", "follow_ups", "duplicates", "screened", "quarantined"]


def raws(path: Path) -> list[bytes]:
    return [m.raw for m in messages([path])]


def bot(tmp_path: Path, model_dir: Path, *args) -> subprocess.CompletedProcess:
    settings = make_settings(tmp_path)
    env = os.environ | {
        "INTAKE_STORE__URL": settings.store.url,
        "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
        "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir),
        "INTAKE_PIPELINE__PROCESSES": "0",
        "INTAKE_AUTHENTICITY__DKIM": "false",  # no DNS: this is about reading files
    }
    result = subprocess.run([sys.executable, "bot.py", "ingest", "--no-progress", *map(str, args)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# --- mbox files: every message, whatever the separator line --------------------------------------------

def message(n: int, nl: str) -> str:
    """Message N as an mbox holds it, before the blank line the writer puts after each message."""
    return nl.join([
        f"From: citizen{n}@example.org", "To: jubao@jiwei.example", f"Subject: 举报 {n}",
        f"Message-ID: <mbox-{n}@example.org>", "", f"第{n}封举报。", "",
        # Body lines an mbox writer quoted (mboxrd: one more ">" on every ">*From "), and one it left.
        ">From the village office nothing changed.", ">>From here on it is a quote.", "",
        "From my window I saw the director's car.", "It was there every night.",
    ]) + nl


def expected(n: int, nl: str) -> bytes:
    return message(n, nl).replace(">From the village", "From the village").replace(">>From", ">From").encode()


@pytest.mark.parametrize("separator", ["From -", "From 1844347792267117879@xxx",
                                       "From MAILER-DAEMON Fri Jul  8 12:08:34 2011"])
@pytest.mark.parametrize("nl", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_every_separator_form_starts_a_message_and_from_quoting_is_undone(tmp_path, separator, nl):
    path = tmp_path / "box.mbox"
    path.write_bytes("".join(f"{separator}{nl}{message(n, nl)}{nl}" for n in (1, 2, 3)).encode())
    assert raws(path) == [expected(1, nl), expected(2, nl), expected(3, nl)]
    assert count([path]) == 3


def test_a_separator_without_a_blank_line_before_it_still_starts_a_message(tmp_path):
    path = tmp_path / "tight.mbox"
    path.write_bytes(b"From -\nFrom: a@example.org\nSubject: one\n\nfirst\n"
                     b"From -\nFrom: b@example.org\nSubject: two\n\nsecond\n")
    assert raws(path) == [b"From: a@example.org\nSubject: one\n\nfirst\n",
                          b"From: b@example.org\nSubject: two\n\nsecond\n"]


def test_a_body_line_from_followed_by_words_that_look_like_a_field_is_body_text(tmp_path):
    path = tmp_path / "unmunged.mbox"
    body = b"Subject: films\nFrom: a@example.org\n\nMy favourite:\n\nFrom Russia with love\nYear: 1963\n\nThe end.\n"
    path.write_bytes(b"From - \n" + body)
    assert raws(path) == [body]


@needs_corpus
def test_the_corpus_mboxes_with_short_separators_hold_36_messages():
    paths = [CORPUS / name for name in SHORT_SEPARATORS]
    for path, expected_count in zip(paths, SHORT_SEPARATORS.values(), strict=True):
        found = raws(path)
        assert len(found) == expected_count, path
        # Each one is a message: it opens with a header field, not with a separator line.
        assert all(not raw.startswith(b"From ") and b":" in raw.split(b"\n", 1)[0] for raw in found), path
    assert count(paths) == sum(SHORT_SEPARATORS.values()) == 36
    # The two ">From " lines of content-length.mbox are an enclosed message's own separator, unquoted.
    enclosed = [raw for raw in raws(paths[2]) if b"\nFrom - Fri Dec 13 15:01:21 1996\n" in raw]
    assert len(enclosed) == 2


@needs_corpus
def test_corpus_unquoted_from_lines_in_bodies_do_not_split_messages():
    # MimeKit's "unmunged" mbox (a byte order mark, then "From -"): two messages whose bodies say
    # "From Russia with love", once followed by "Year: 1963"; CPython's "From time to time".
    unmunged = raws(CORPUS / "mimekit/mbox/unmunged.mbox.txt")
    assert len(unmunged) == 2 and all(b"\nFrom Russia with love\n" in raw for raw in unmunged)
    [cpython] = raws(CORPUS / "cpython-test_email/mailbox_01.mbox")
    assert b"\nFrom time to time" in cpython


@needs_corpus
def test_corpus_message_with_cr_only_line_ends_is_read_whole():
    # Before, Python's mbox reader saw one line and gave an empty message for this bounce.
    path = CORPUS / "sisimai-set-of-emails/maildir/mac/rhost-cox-01.eml"
    assert raws(path) == [path.read_bytes()]


# --- files that are not mail ----------------------------------------------------------------------------

def write_folder(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    files = {
        "a.eml": "From: a@example.org\nTo: jubao@jiwei.example\nSubject: test\nMessage-ID: <a@example.org>\n\n"
                 "举报村主任贪污扶贫款。\n".encode(),
        "box.mbox": b"From -\nFrom: b@example.org\nSubject: one\nMessage-ID: <b1@example.org>\n\nfirst\n\n"
                    b"From -\nFrom: c@example.org\nSubject: two\nMessage-ID: <b2@example.org>\n\nsecond\n",
        "README.md": "# 举报邮件\n\nFrom this folder the bot ingests mail.\n".encode(),
        "list.tsv": b"path\tbytes\tsha256\na.eml\t120\tabc\n",
        "scan.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),  # an Outlook .msg: OLE, not RFC 5322
        "empty.eml": b"",
        "letter.txt": "From the desk of a villager\nI write to report the village head.\n".encode(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_a_folder_s_files_that_are_not_mail_are_skipped_and_listed(tmp_path, model_dir):
    folder = tmp_path / "inbox"
    write_folder(folder)
    skipped = [str(folder / name) for name in ("README.md", "empty.eml", "letter.txt", "list.tsv", "scan.bin")]
    data = json.loads(bot(tmp_path, model_dir, folder, "--json").stdout)
    assert list(data)[:6] == SUMMARY_KEYS
    assert data["messages"] == 3 and data["filed"] + data["screened"] == 3
    assert data["skipped"] == 5 and data["skipped_files"] == skipped

    shown = bot(tmp_path, model_dir, folder).stdout
    assert "3 messages: 0 filed" in shown and "3 duplicates" in shown  # the second run: same files
    assert f"skipped 5 files that are not mail (no message header): {', '.join(skipped)}" in shown


def test_a_file_named_on_the_command_line_that_is_not_mail_is_skipped_and_said_so(tmp_path, model_dir):
    folder = tmp_path / "inbox"
    write_folder(folder)
    data = json.loads(bot(tmp_path, model_dir, folder / "README.md", folder / "a.eml", "--json").stdout)
    assert data["messages"] == 1 and data["skipped"] == 1 and data["skipped_files"] == [str(folder / "README.md")]
    shown = bot(tmp_path, model_dir, folder / "list.tsv").stdout
    assert shown.splitlines() == [
        "0 messages: 0 filed, 0 follow-ups, 0 duplicates, 0 screened, 0 quarantined",
        f"skipped 1 file that is not mail (no message header): {folder / 'list.tsv'} (named on the command line)",
    ]


@needs_corpus
def test_the_corpus_notes_are_skipped_and_its_short_separator_mboxes_give_36_messages(tmp_path, model_dir):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("SOURCES.md", "manifest.tsv", *SHORT_SEPARATORS):
        shutil.copy(CORPUS / name, folder / Path(name).name)
    data = json.loads(bot(tmp_path, model_dir, folder, "--json").stdout)
    assert data["messages"] == 36 and data["quarantined"] == 0
    assert data["skipped"] == 2 and data["skipped_files"] == [str(folder / "SOURCES.md"), str(folder / "manifest.tsv")]


@needs_corpus
def test_in_the_whole_corpus_only_files_without_a_header_block_are_set_aside():
    from intake.email.sources import sort_out  # new with the fix; imported here so the other tests run before it

    _, skipped = sort_out(expand([CORPUS]))
    names = {str(p.relative_to(CORPUS)) for p in skipped}
    # Listings, empty and one-byte files, Outlook .msg (binary), text with no header at all.
    assert {"SOURCES.md", "manifest.tsv", "flanker/dkim/email.01", "sisimai-set-of-emails/mailbox/size-1",
            "demisto-parse-emails/Phishing_TEST.msg", "james-mime4j/testmsgs/malformedHeader-noheader.msg"} <= names
    # Broken mail is still mail: a byte order mark, a first line folded, text before the headers.
    assert not names & {"demisto-parse-emails/utf_8_with_bom.eml", "enmime/low-quality/bad-header-start.raw",
                        "demisto-parse-emails/test_text_before_headers.eml", "discourse/big5.eml"}
    assert len(names) < 25
