"""Sums of money: finding them in normalised text and reading them as a number of yuan.

Handled: 50万元, 3,000元, 两万块, 十二万, 三万五, 1.2亿, 5万余元, ¥2000, RMB 80,000, 80,000 yuan,
2 million yuan, two million yuan, 300k RMB. A sum in another currency ($5,000, 5000 美元, €300)
is found but its "yuan" is None: no exchange rate is assumed. A sum given as "more than" a
round number (三十多万, 3000多元) is read as that number. A vague sum (几十万, 两三万, 上百万,
"millions") is found with "yuan" None; `vague_floor` gives the least it can mean, for priority.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_EN_SCALES = {"thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000, "mn": 1_000_000, "billion": 1_000_000_000}
_EN_WORDS = {
    "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "a hundred": 100, "several": None, "a few": None,
}

# Bounded repeats throughout: an unbounded one is tried again from every digit of a long run,
# which makes a message of 100,000 digits take minutes.
_ARABIC = r"\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,6})?|\d{1,16}(?:\.\d{1,6})?"
# atomic, so that a long run of digits that is not a sum fails fast instead of backtracking
_NUMBER = rf"(?>(?:{_ARABIC}|[零〇一二两三四五六七八九十百千万亿]){{1,24}})"
# A number starts where the numerals start: without this every numeral of a long run of them
# (一二三一二三…) starts a fresh attempt that reads two dozen numerals before it fails. (A sum
# inside a run is still found by the alternatives that do not start with a number: 二十几万.)
_NUMBER_START = r"(?<![零〇一二两三四五六七八九十百千万亿])"
# 三块地 is three plots of land, not three yuan
_YUAN_WORD = r"元|块钱|块(?![地砖石田板牌肉表木])|圆|人民币|rmb"
_FOREIGN_CN = r"美元|美金|欧元|港币|港元|英镑|日元"
_YUAN_EN = r"yuan|rmb|cny|kuai"
_FOREIGN_EN = r"us dollars?|dollars?|usd|euros?|eur|hkd|hk dollars?|pounds?|gbp"
_SCALE_EN = r"thousand|million|billion|mn|k|m"
_WORD_NUM = r"(?:a hundred|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|fifty|hundred|a|several|a few)"
_VAGUE_CN = r"(?:好几|几|十几|几十|上|数|近|大几)(?:十|百|千)?(?:万|亿)"
# Words after 万 that make it a count of something else: 四万多平方米 is an area, not money.
_NOT_MONEY_AFTER = r"(?:多|余|来)?(?:平方|平米|亩|人|户|名|吨|辆|套|个|次|公里|米|斤|字|方|立方|株|棵|头|只|份|张|件|册|条|间|号|步|元素)"

# The lookahead lists what a sum can start with, so that the engine skips other positions fast.
# A sum never starts right after a digit: without the lookbehind every digit of a long run starts
# a fresh attempt that reads hundreds of digits before it fails.
MONEY_RE = re.compile(
    r"(?<!\d)(?=[\d¥$€£零〇一二两三四五六七八九十百千万亿几上数近好大人a-z])(?:"
    + "|".join(
        [
            # ¥2000, $5,000, us$300, hk$ 1,000, € 300, with an optional scale
            rf"(?P<sym>(?:us\$|hk\$|[¥$€£]))\s?(?P<sym_num>{_ARABIC})(?:\s?(?P<sym_scale>万|亿|{_SCALE_EN})(?![a-z]))?",
            # RMB 80,000 / USD 5000 / rmb 2 million
            rf"(?P<pre>rmb|cny|usd|hkd|eur|人民币)\s?(?P<pre_num>{_NUMBER})(?:\s?(?P<pre_scale>{_SCALE_EN})(?![a-z]))?(?:\s?(?:元|块))?",
            # 三十多万, 一百多万元: the round number written
            rf"(?P<more_num>{_NUMBER_START}(?![千百万亿]){_NUMBER})(?:多|余|来)(?P<more_big>万|亿)(?:{_YUAN_WORD})?(?!{_NOT_MONEY_AFTER})",
            # 两三万, 七八千元: at least the smaller
            rf"(?P<range_num>[一两二三四五六七八九])[两二三四五六七八九](?P<range_unit>十|百|千)?(?P<range_big>万|亿|千(?=元|块))(?:{_YUAN_WORD})?(?!{_NOT_MONEY_AFTER})",
            # 50万元, 3,000元, 三万五千块钱, 5万余元, 2000 美元
            rf"(?P<cn_num>{_NUMBER_START}{_NUMBER})(?P<cn_more>多|余|来)?(?P<cn_big>万|亿)?(?:多|余)?\s?(?P<cn_cur>{_YUAN_WORD}|{_FOREIGN_CN})",
            # 20万 / 1.2亿 with no currency word, unless a measure word follows
            # (千万 and 百万 on their own are "by all means" and "millionaire", not sums)
            rf"(?P<bare_num>{_NUMBER_START}(?![千百万亿]){_NUMBER})(?:(?<=[万亿])|(?<=[万亿][一二两三四五六七八九]))(?!{_NOT_MONEY_AFTER})",
            # 几十万, 上百万元
            rf"(?P<vague>{_VAGUE_CN})(?:多|余)?(?:{_YUAN_WORD})?(?!{_NOT_MONEY_AFTER})",
            # 80,000 yuan, 2 million yuan, 300k rmb, 5,000 dollars, 300,000 cash
            rf"(?P<en_num>{_ARABIC})\s?(?:(?P<en_scale>{_SCALE_EN})\s?)?(?P<en_cur>{_YUAN_EN}|{_FOREIGN_EN}|(?:in )?cash)(?![a-z])",
            # two million yuan, a hundred thousand rmb, several million yuan
            rf"(?<![a-z])(?P<w_num>{_WORD_NUM})\s(?:(?P<w_scale2>hundred|thousand)\s)?(?P<w_scale>thousand|million|billion)\s(?P<w_cur>{_YUAN_EN}|{_FOREIGN_EN})(?![a-z])",
            # millions of yuan
            rf"(?<![a-z])(?P<w_plural>millions|tens of millions|hundreds of thousands) of (?:{_YUAN_EN})(?![a-z])",
        ]
    )
    + ")"
)


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    yuan: float | None
    # the least a vague sum can mean (几十万 -> 100000), else the same as yuan
    floor: float | None


def parse_chinese_number(text: str) -> float | None:
    """十二万 -> 120000, 一百二十万 -> 1200000, 三万五 -> 35000, 1.2亿 -> 120000000."""
    text = text.replace(",", "")
    total = 0.0
    section = 0.0
    number = 0.0
    last_unit = 1
    pending_digit = False
    after_zero = False
    i = 0
    while i < len(text):
        char = text[i]
        if char.isdigit() or char == ".":
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            try:
                number = float(text[i:j])
            except ValueError:
                return None
            pending_digit = True
            i = j
            continue
        if char in _CN_DIGITS:
            number = _CN_DIGITS[char]
            pending_digit = True
            after_zero = after_zero or number == 0
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            section += (number if pending_digit else 1) * unit
            number = 0
            pending_digit = False
            last_unit = unit
        elif char in _CN_BIG:
            big = _CN_BIG[char]
            section += number
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section = 0
            number = 0
            pending_digit = False
            last_unit = big
        else:
            return None
        i += 1
    if pending_digit:
        # 三万五 is 35000 and 八千五 is 8500: a lone digit after a unit counts in the next unit down
        # (一百零五 is 105: after a 零 the digit is a plain unit digit)
        if last_unit >= 10 and number < 10 and text[-1] in _CN_DIGITS and not after_zero:
            number *= last_unit // 10
        section += number
    return total + section


def vague_floor(text: str) -> float | None:
    """The least a vague sum can mean: 几十万 -> 100000, 上百万 -> 1000000, 几万 -> 10000."""
    big = 100_000_000 if "亿" in text else 10_000
    if "千" in text:
        return 1000 * big
    if "百" in text:
        return 100 * big
    if "十" in text:
        return 10 * big
    return big


def _number(text: str) -> float | None:
    text = text.strip()
    if re.fullmatch(_ARABIC, text):
        return float(text.replace(",", ""))
    return parse_chinese_number(text)


def _scale(word: str | None) -> float:
    if not word:
        return 1
    return _CN_BIG.get(word) or _EN_SCALES.get(word, 1)


def read_money(match: re.Match[str]) -> Money:
    """The amount of one MONEY_RE match."""
    groups = match.groupdict()
    yuan: float | None = None
    floor: float | None = None
    if groups["sym"]:
        value = _number(groups["sym_num"])
        if groups["sym"] == "¥" and value is not None:
            yuan = value * _scale(groups["sym_scale"])
    elif groups["pre"]:
        value = _number(groups["pre_num"])
        if groups["pre"] in ("rmb", "cny", "人民币") and value is not None:
            yuan = value * _scale(groups["pre_scale"])
    elif groups["cn_num"]:
        value = _number(groups["cn_num"])
        if value is not None and not re.fullmatch(_FOREIGN_CN, groups["cn_cur"]):
            yuan = value * _scale(groups["cn_big"])
    elif groups["bare_num"]:
        yuan = _number(groups["bare_num"])
    elif groups["more_num"]:
        value = _number(groups["more_num"])
        if value is not None:
            yuan = value * _scale(groups["more_big"])
    elif groups["range_num"]:
        value = _number(groups["range_num"] + (groups["range_unit"] or "")) or 0
        big = groups["range_big"]
        floor = value * (1000 if big == "千" else _scale(big))
    elif groups["vague"]:
        floor = vague_floor(groups["vague"])
    elif groups["en_num"]:
        value = _number(groups["en_num"])
        foreign = re.fullmatch(_FOREIGN_EN, groups["en_cur"])
        if value is not None and not foreign:
            yuan = value * _scale(groups["en_scale"])
    elif groups["w_num"]:
        base = _EN_WORDS.get(groups["w_num"])
        scale = _EN_SCALES[groups["w_scale"]] * (_EN_WORDS[groups["w_scale2"]] if groups["w_scale2"] == "hundred" else 1)
        if groups["w_scale2"] == "thousand":
            scale = 1000 * _EN_SCALES[groups["w_scale"]]
        foreign = re.fullmatch(_FOREIGN_EN, groups["w_cur"])
        if base is not None and not foreign:
            yuan = base * scale
        elif base is None and not foreign:
            floor = 2 * scale
    elif groups["w_plural"]:
        floor = {"millions": 2_000_000, "tens of millions": 20_000_000, "hundreds of thousands": 200_000}[groups["w_plural"]]
    if yuan is not None:
        yuan = round(yuan, 2)
        if yuan == int(yuan):
            yuan = int(yuan)
        floor = yuan
    return Money(match.start(), match.end(), yuan, floor)


def find_money(norm_text: str) -> list[Money]:
    """Every sum of money in normalised text, left to right."""
    out = []
    # a text that repeats one sum thousands of times reads it once
    read: dict[tuple, Money] = {}
    for match in MONEY_RE.finditer(norm_text):
        key = match.groups()
        money = read.get(key)
        if money is None:
            money = read[key] = read_money(match)
        out.append(Money(match.start(), match.end(), money.yuan, money.floor))
    return out
