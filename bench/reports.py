"""The report every benchmark sends: a realistic Chinese complaint, numbered so each is distinct."""

from __future__ import annotations

from email.message import EmailMessage


def report(n: int, tag: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{tag}{n}@example.org"
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = f"举报{n}：乡镇干部违规发放补贴"
    message["Message-ID"] = f"<{tag}-{n}@bench.example>"
    message.set_content(
        f"{tag}第{n}号举报。镇民政办主任把低保名额给了自己的亲戚，村里真正困难的{n % 40 + 3}户没有评上。"
        "请领导调查。\n\n" + "详细情况如下：" + "去年开始就这样，大家敢怒不敢言。" * 8
    )
    return message
