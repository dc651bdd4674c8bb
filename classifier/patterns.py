"""Regular expressions for the entities with a fixed shape: e-mail, phone, ID number, plate, date.

They run on normalised text (half-width, lower case), so one pattern covers ＡＢＣ and abc.
"""

from __future__ import annotations

import re
from typing import Iterator

EMAIL_RE = re.compile(r"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z])")

# mobiles: 1[3-9] and nine digits, written 13812345678, 138-1234-5678, 138 1234 5678, +86 ...;
# landlines: area code 0xx(x) and 7-8 digits; service numbers 400-xxx-xxxx
PHONE_RE = re.compile(
    r"(?<![\d])(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"
    r"|(?<![\d-])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?:-\d{1,5})?(?!\d)"
    r"|(?<!\d)400-?\d{3}-?\d{4}(?!\d)"
)

ID_RE = re.compile(r"(?<!\d)\d{17}[\dx](?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"


def valid_id_number(number: str) -> bool:
    """The GB 11643 checksum of an 18-character PRC resident ID number (normalised, x lower)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17]


_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# 湘A·12345, 粤B8K888, new-energy 粤BD12345; at least two digits, so that 湘A and a word is no plate
PLATE_RE = re.compile(rf"[{_PROVINCE_ABBR}][a-z][·•.\- ]?(?=[a-z0-9]*\d[a-z0-9]*\d)[a-z0-9]{{5,6}}(?![a-z0-9])")

_CN_DIGIT = "〇零一二三四五六七八九十"
_MONTHS_EN = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december"
    r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?)"
)
_MONTH_OR_MAY = rf"(?:{_MONTHS_EN}|may)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_FESTIVAL_ZH = r"(?:春节|元旦|中秋|中秋节|国庆|国庆节|端午|端午节|清明|清明节|除夕|元宵|元宵节|五一|腊月|正月|冬月)"

# The lookahead lists what a date can start with, so that the engine skips other positions fast.
DATE_RE = re.compile(
    r"(?=[\d〇零一二三四五六七八九十正腊冬去今前明上下这本昨最周星礼春元中国端清除五a-z])(?:"
    + "|".join(
        [
            # 2025年4月30日, 2025年4月底, 2025年, 二〇二五年三月
            rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})年(?:(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})月(?:(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})[日号])?)?(?:上旬|中旬|下旬|初|底|中|前后|左右)?(?:晚上|上午|下午|凌晨|中午|傍晚|夜里)?",
            # 3月5日, 十月, 3月份, 腊月二十三
            rf"(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,2}}|正|腊|冬)月(?:份|初|底|中旬|上旬|下旬|(?:\d{{1,2}}|初?[{_CN_DIGIT}]{{1,3}})[日号]?)?(?:晚上|上午|下午|凌晨|中午|傍晚|夜里)?",
            # 9号, 14日晚上; not 3号楼 or 5号线
            r"(?<![\d年月])\d{1,2}[日号](?:晚上|上午|下午|凌晨|中午|傍晚|夜里)?(?![楼线院房室地门车机库窗口位仓栋单\d])",
            # 2025-04-30, 2025/4/30, 2025.4.30
            r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)",
            r"(?<!\d)\d{1,2}/\d{1,2}/\d{4}(?!\d)",
            # relative dates and festivals
            rf"(?:去年|今年|前年|明年|上半年|下半年|上个?月|这个?月|本月|下个?月|上周|上星期|上礼拜|本周|这周|昨天|前天|今天|昨晚|今早|前几天|前些天|最近几天)(?:{_FESTIVAL_ZH}|\d{{1,2}}月|[{_CN_DIGIT}]{{1,2}}月)?",
            r"(?:上|这|下)?(?:周|星期|礼拜)[一二三四五六日天](?:晚上|上午|下午)?",
            rf"{_FESTIVAL_ZH}(?:前|后|前后|期间|前夕)?",
            # 15 March 2025, March 15, 2025, March 2025, 3rd of May
            rf"(?<![a-z0-9]){_DAY}\s(?:of\s)?{_MONTH_OR_MAY}(?:,?\s\d{{4}})?(?![a-z])",
            rf"(?<![a-z]){_MONTH_OR_MAY}\s{_DAY}(?:,?\s\d{{4}})?(?![a-z0-9])",
            rf"(?<![a-z]){_MONTH_OR_MAY},?\s\d{{4}}(?!\d)",
            rf"(?<![a-z])(?:early|mid|late|end of|beginning of|since|in|last|this|next)[\s-]{_MONTHS_EN}(?![a-z])",
            rf"(?<![a-z])(?:last|this|next|on)\s{_WEEKDAY}(?![a-z])",
            r"(?<![a-z])(?:yesterday|the day before yesterday|last (?:week|month|year|night|winter|summer|spring|autumn)|this (?:week|month|year|morning))(?![a-z])",
            r"(?<![a-z])(?:\d{1,4}|two|three|four|five|six|a few|several)\s(?:days|weeks|months|years)\sago(?![a-z])",
            r"(?<![a-z])(?:in|since|from|until|till|before|after|by|early|late|mid-?)\s(?:19|20)\d{2}(?!\d)",
        ]
    )
    + ")"
)


def spans(pattern: re.Pattern[str], norm_text: str) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(norm_text):
        yield match.start(), match.end()


_ID_CUE_RE = re.compile(r"(?:身份证|证件|公民身份|id\b|id card|id no|identity|passport)[^\n\d]{0,8}$")


def _plausible_birth_date(number: str) -> bool:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31


def id_number_spans(norm_text: str) -> Iterator[tuple[int, int]]:
    """18-character ID numbers: any with a valid checksum, and any with a plausible date of birth
    that the text introduces as an ID number (身份证号：…), since reporters mistype digits."""
    for match in ID_RE.finditer(norm_text):
        number = match.group()
        if valid_id_number(number):
            yield match.start(), match.end()
        elif _plausible_birth_date(number) and _ID_CUE_RE.search(norm_text, max(0, match.start() - 20), match.start()):
            yield match.start(), match.end()


def date_spans(norm_text: str) -> Iterator[tuple[int, int]]:
    for match in DATE_RE.finditer(norm_text):
        start, end = match.start(), match.end()
        # "in 2024" and "since March" are dates from the number or month on
        text = match.group()
        for lead in ("in ", "since ", "from ", "until ", "till ", "before ", "after ", "by ", "on "):
            if text.startswith(lead):
                start += len(lead)
                break
        yield start, end
