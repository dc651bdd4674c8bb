"""Priority 1 (most urgent) to 4, by rule, from what the text says (thresholds of the label guide).

1: evidence being destroyed, the reporter threatened or retaliated against, a suspect about to
   flee abroad, a sum of 1,000,000 yuan or more, or a livelihood fund harming many households;
2: a sum of 100,000 yuan or more, or a concrete serious harm (collapse, injury, safety hazard);
3: an ordinary report that names who, where or what;
4: a vague report, and every inquiry, non_jurisdiction and spam message.
"""

from __future__ import annotations

import re
from typing import Iterable

from .entities import Entity

_URGENT = re.compile(
    "|".join(
        [
            # evidence destroyed, hidden or made up now
            r"销毁|毁灭证据|毁掉|烧毁|烧掉|撕毁|删除|删掉|删了|清空|转移财产|转移资产|转移证据|转移走|串供|攻守同盟|统一口径"
            r"|连夜|突击补|补做|补签|改账|篡改|做假账|重新做账|抓紧处理|碎纸",
            r"destroy|shredd?|burn(?:ed|ing)? (?:the|all|documents|records|files|books)|delet(?:e|ed|ing) (?:the|all|records|files|chats?)"
            r"|wip(?:e|ed|ing)|cover(?:ing)? (?:it |this )?up|backdat|rewrit(?:e|ing) the (?:books|records)|get rid of",
            # the reporter threatened or punished
            r"威胁|恐吓|打击报复|报复我|报复举报|打了一顿|人身安全|扬言|要我好看|让我小心|跟踪我|不想活|砸了我",
            r"threat|retaliat|beat (?:me|him|her|us)|beaten|intimidat|followed me|my safety|kill (?:me|us)|harass",
            # a suspect about to leave the country
            r"出国|外逃|潜逃|跑路|办护照|护照|签证|移民|绿卡|出境|机票|国外|境外",
            r"flee|fled|fleeing|abroad|passport|emigrat|leave the country|leaving the country|visa|green card|overseas|one-way ticket",
        ]
    )
)
_HARM = re.compile(
    r"安全隐患|隐患|倒塌|垮塌|坍塌|塌了|塌方|开裂|裂缝|事故|死亡|死了|去世|伤亡|受伤|重伤|中毒|危险|淹|溃|断裂|砸伤|住院"
    r"|collaps|crack|accident|died|dead|death|injur|hazard|danger|unsafe|poison|flood|fell|hospitali"
)
# counts are bounded and start where a number starts: `\d{2,}` was tried again from every digit
# of a long run of digits, and a message of 50,000 digits took minutes
_MANY_HOUSEHOLDS = re.compile(
    r"(?:几十|上百|数十|数百|近百|好几十|(?<!\d)\d{2,6}|[二三四五六七八九]十多?|一百多?|[一二三四五六七八九]百多?)(?:多|余|来)?(?:户|个?家庭|位老人|名?(?:老人|学生|村民|贫困户|群众|残疾人))"
    r"|全村|全镇|全乡|整个村|所有(?:的)?(?:村民|贫困户|低保户|老人)"
    r"|(?:dozens|hundreds|scores) of|(?:(?<!\d)\d{2,6}|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)\+? (?:households|families|villagers|elderly|old people|students|pupils|people|residents)"
    r"|whole village|entire village|all the villagers|every household"
)
_SPECIFIC_LABELS = {"PERSON", "TITLE", "ORG", "GPE", "MONEY", "DATE", "PLATE"}


def largest_sum(entities: Iterable[Entity]) -> float:
    """The largest sum of money in yuan the text mentions (the floor of a vague one), or 0."""
    sums = [entity.floor for entity in entities if entity.label == "MONEY" and entity.floor is not None]
    return max(sums, default=0)


# what takes money or rights from many households; a banquet or a pile of forms does not
_HARMFUL_VIOLATIONS = {"embezzlement", "abuse_of_power", "bribery"}


def priority(kind: str, area: str | None, violation: str | None, norm_text: str, entities: list[Entity]) -> int:
    if kind != "report":
        return 4
    money = largest_sum(entities)
    if _URGENT.search(norm_text) or money >= 1_000_000:
        return 1
    if area == "livelihood" and violation in _HARMFUL_VIOLATIONS and _MANY_HOUSEHOLDS.search(norm_text):
        return 1
    if money >= 100_000 or (_HARM.search(norm_text) and _MANY_HOUSEHOLDS.search(norm_text)):
        return 2
    if _HARM.search(norm_text):
        return 2
    specifics = {entity.label for entity in entities} & _SPECIFIC_LABELS
    return 3 if len(specifics) >= 2 else 4
