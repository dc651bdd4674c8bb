"""Positive evidence that a message is a report, and text that is as good as empty.

A report alleges misconduct by someone holding public power. The text classifier weighs hundreds
of n-grams and can be talked into "report" by text that has nothing of the kind (a fable, a forum
post, a test mail); this module gives the rule that stops that: a report must name an official,
a post or a public body, or name an offence outright (举报, 贪污, bribe...).

The label guide's test is a public post or body AND misconduct. But misconduct is told in more
ways than a list can hold ("hauled the leftover steel home at night", "the ambulance drove the
director's family to the airport"): with a broad list of misconduct words as well, 23 of the
1,160 reports of train and dev still named none, while every one of them names a post, a body or
an offence. So the rule asks for that, and the misconduct is left to the model. The lists are
deliberately broad (a public body is anything from 村 to "bureau"), because a real report that
fails the rule is lost from the queue, while junk that passes it is still left to the model.

It also tells when a message says nothing at all: empty, only a greeting, only "test", only
digits or punctuation. The label guide makes those spam.
"""

from __future__ import annotations

import re

from .concepts import CONCEPTS, compile_lexicon, scan

# The concept of concepts.py that already names public posts and bodies.
_PUBLIC_CONCEPTS = ("official",)

# More ways to name someone holding public power or a public body (normalised: simplified
# characters, lower case; a Latin term matches at the start of a word, "$" ends the word).
_PUBLIC_EXTRA = (
    # administrative units and bodies
    "村", "组长", "镇", "乡", "县", "区里", "街道", "社区", "市里", "省里", "局", "厅", "署", "委", "办公室", "站",
    "所里", "派出所", "国土所", "财政所", "民政所", "中心", "大队", "中队", "支队", "指挥部", "项目办", "管委会",
    "单位", "部门", "机关", "窗口", "大厅", "公家", "国家", "公立", "公办", "国营", "国有", "国企", "央企", "城投",
    "集团", "公安", "警", "法院", "法官", "检察", "税务", "海关", "城管", "执法", "民政", "社保", "医保", "人社",
    "残联", "学校", "小学", "中学", "大学", "医院", "卫生院", "卫健", "教育", "财政", "国土", "自然资源", "住建",
    "房管", "规划", "交通", "公路", "水利", "林业", "林场", "环保", "环境", "监管", "质监", "应急", "消防", "统计",
    "人大", "政协", "团委", "妇联", "工会", "党", "组织部", "宣传部", "政法委",
    # posts
    "长", "书记", "主任", "委员", "会计", "出纳", "文书", "干事", "专干", "协理员", "网格员", "办事员",
    "工作人员", "科员", "职工", "老师", "教师", "医生", "护士", "民警", "辅警", "交警", "协警", "领导", "公职",
    "村官", "第一书记", "驻村", "工作队", "检查组", "巡查",
    # English and pinyin
    "official", "officer", "cadre", "govern", "govt", "goverment", "bureau", "office", "department", "dept",
    "commission", "committee", "ministry", "administration", "authority", "authorities", "agency", "council",
    "police", "cop$", "cops$", "court", "judge", "prosecut", "procurat", "mayor", "governor", "secretary",
    "director", "chief", "head$", "heads$", "deputy", "village", "town", "county", "district", "province",
    "provincial", "municipal", "city", "state", "public", "civil", "party", "clerk", "inspector", "cashier",
    "accountant", "principal", "headmaster", "teacher", "school", "hospital", "clinic", "station", "brigade",
    "squad", "centre", "center", "hall", "window", "counter", "bureaucra", "leader", "commander", "headquarters",
    "hq$", "staff", "tax", "customs", "registry", "registration", "land office", "civil affairs", "housing",
    "social security", "social insurance", "pension office", "tender", "project office", "team leader",
    "auxiliary", "traffic", "enforcement", "regulator", "supervis", "auditor", "soe$", "state-owned",
    "inspection", "不动产登记", "登记中心",
    "cunzhang", "cun zhang", "shuji", "shu ji", "zhenzhang", "xianzhang", "juzhang", "ganbu", "gan bu",
    "cun ", "zhen ", "xiang ", "xian ",
)

# Words that by themselves allege an offence or say the writer is reporting one: enough evidence
# even when the official is only implied (办房产证不给红包就卡着你, 工程款被人贪了).
_OFFENCE = (
    "举报", "举抱", "检举", "揭发", "控告", "告发", "贪污", "贪了", "贪占", "贪墨", "贪官", "腐败", "受贿", "行贿",
    "索贿", "贿赂", "回扣", "好处费", "感谢费", "红包", "塞了", "塞钱", "送钱", "送礼", "挪用", "侵占", "侵吞", "私吞",
    "截留", "克扣", "冒领", "套取", "骗取", "虚报", "中饱私囊", "吃空饷", "空饷", "买官", "卖官", "跑官", "滥用职权",
    "玩忽职守", "渎职", "失职", "不作为", "保护伞", "包庇", "违规", "违法", "违纪", "公款", "公车", "大操大办",
    "徇私", "枉法", "优亲厚友", "人情保", "关系保", "生活作风", "包养", "情妇", "小三", "赌博", "以权谋私", "权钱交易",
    "brib", "kickback", "kick-back", "backhander", "embezzl", "misappropriat", "corrupt", "graft$", "extort",
    "misconduct", "abuse of power", "abuse of office", "abused his", "abused her", "dereliction", "public money",
    "public funds", "state funds", "official car", "government car", "ghost employee", "ghost staff",
    "jubao", "ju bao", "tanwu", "tan wu", "fubai", "shouhui", "xinghui",
)


def _lexicon() -> dict[str, tuple[str, ...]]:
    public = set(_PUBLIC_EXTRA)
    for concept in _PUBLIC_CONCEPTS:
        public.update(CONCEPTS[concept])
    offence = set(_OFFENCE)
    # the scan gives each term one group; which one does not matter to the rule
    return {"public": tuple(sorted(public - offence)), "offence": tuple(sorted(offence))}


_TERMS, _LENGTHS = compile_lexicon(_lexicon())


def has_report_evidence(norm_text: str) -> bool:
    """The normalised text names a public post or body, or an offence outright. The scan stops
    at the first such word, which in a report usually comes in its first line."""
    return bool(scan(norm_text, _TERMS, _LENGTHS, first_only=True))


# Words that say nothing about the message: greetings, thanks, test words, the names of the parts
# of a mail, and what mail clients add. A message made only of these (and of digits, punctuation
# and emoji) is as good as empty.
_FILLER = re.compile(
    r"hello|hallo|hi|hey|dear|all|there|test|tests|testing|tested|this|is|a|an|the|of|only|just|message|mail|email|e-mail"
    r"|text|plain|html|body|section|part|subject|no|none|null|empty|untitled|ok|okay|yes|thanks|thank|you|regards|best"
    r"|sent|from|my|iphone|ipad|android|phone|mobile|outlook|re|fw|fwd|please|ignore|asdf\w*|qwerty|xxx+|lorem|ipsum",
    re.IGNORECASE,
)
_FILLER_ZH = re.compile(r"你好|您好|大家好|在吗|在不在|测试|试试|一下|收到|请忽略|忽略|谢谢|正文|无主题|没有主题|主题|邮件|发自我的\w{0,6}|手机|嗯|哦|啊|好的|这是|一封")
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# so much is enough for a message to say something; checking more of a long text is waste
_EMPTY_SCAN_CHARS = 400
EMPTY_MAX_UNITS = 2


def content_units(norm_text: str, limit: int = _EMPTY_SCAN_CHARS) -> int:
    """How many words or Han characters the text has besides greetings, test words and mail
    furniture (counted in its first `limit` characters)."""
    text = _FILLER_ZH.sub(" ", norm_text[:limit])
    units = 0
    for match in _WORD.finditer(text):
        if match.group()[0].isascii() and _FILLER.fullmatch(match.group()):
            continue
        units += 1
    return units


def is_empty(norm_text: str) -> bool:
    """True when the text says nothing: empty, only a greeting, only "test", only digits."""
    return content_units(norm_text) <= EMPTY_MAX_UNITS
