"""What the law and the Party's disciplinary rules call each violation: knowledge that does not
come from the corpus.

Citizens describe what happened ("he took 20,000 to sign"); discipline bodies, courts and lawyers
name the offence ("利用职务上的便利为他人谋取利益，非法收受他人财物…构成受贿罪"). A model trained on
citizens' words alone reads the second register badly: it learned money words as a stand-in for
bribery and embezzlement, and calls a notice about banquets and gifts of cash bribery. The names of
the duty crimes of the Criminal Law (chapters 8 and 9) and the wording of the six kinds of
discipline of the disciplinary rules are facts, written down here once, mapped to our labels
(classifier/data/README.md, "The law and the rules the labels follow").

They are used twice: as features of the violation model (so what the corpus teaches about one
phrasing carries to the others), and as a prior on its scores (`prior`): a text that names the
crime or the breach is moved towards its label however the rest of it reads. A named crime weighs
more than a breach of discipline, so that a notice listing gifts and then a bribe ends at the
gravest act, as the label guide has it.

Terms are normalised text (simplified characters, lower case); Latin terms match at the start of
a word, as in concepts.py.
"""

from __future__ import annotations

import math

from .concepts import compile_lexicon, scan, starts_pattern

# {violation: {"crime": terms, "rule": terms}}: a crime's name or "suspected of" it; the usual
# wording of the breach in discipline notices, judgments and formal complaints
LAW: dict[str, dict[str, tuple[str, ...]]] = {
    "bribery": {
        "crime": (
            "受贿罪", "行贿罪", "单位受贿罪", "单位行贿罪", "利用影响力受贿罪", "对有影响力的人行贿罪", "介绍贿赂罪",
            "涉嫌受贿", "涉嫌行贿", "受贿犯罪", "行贿犯罪", "受贿案", "索贿",
            "crime of accepting bribes", "crime of taking bribes", "crime of bribery", "crime of offering bribes",
            "suspected of taking bribes", "suspected of accepting bribes", "suspected of bribery",
            "bribe-taking", "bribe taking", "influence peddling",
        ),
        "rule": (
            "为他人谋取利益", "为他人谋利", "为其谋取利益", "非法收受他人财物", "收受他人财物", "非法收受", "权钱交易",
            "收受财物", "收受贿赂", "收受好处费", "收受回扣",
            "sought benefits for others", "seeking benefits for others", "benefits for others", "accepted bribes",
            "took bribes", "accepted money and gifts in return", "power-for-money", "power for money",
        ),
    },
    "embezzlement": {
        "crime": (
            "贪污罪", "挪用公款罪", "私分国有资产罪", "私分罚没财物罪", "涉嫌贪污", "涉嫌挪用公款", "贪污犯罪",
            "挪用公款犯罪", "贪污案",
            "crime of embezzlement", "crime of misappropriating public funds", "suspected of embezzlement",
            "suspected of embezzling", "suspected of misappropriating",
        ),
        "rule": (
            "侵吞", "窃取", "骗取公共财物", "骗取国家", "骗取财政", "骗取补贴", "骗取补助", "套取", "虚报冒领",
            "截留挪用", "挪用公款", "侵占公共财物", "私设小金库", "小金库", "公款私存", "据为己有", "非法占有",
            "embezzled", "embezzling public", "misappropriated public", "misappropriation of public funds",
            "defrauded public funds", "fraudulently obtained subsidies", "slush fund", "pocketed public",
        ),
    },
    "abuse_of_power": {
        "crime": (
            "滥用职权罪", "玩忽职守罪", "徇私枉法罪", "徇私舞弊", "枉法裁判罪", "执行判决裁定失职罪",
            "执行判决裁定滥用职权罪", "私放在押人员罪", "非法批准征收", "非法批准征用", "非法批准占用",
            "非法低价出让国有土地使用权罪", "环境监管失职罪", "食品监管渎职罪", "传染病防治失职罪", "放纵走私罪",
            "帮助犯罪分子逃避处罚罪", "违法发放林木采伐许可证罪", "失职被骗罪", "渎职罪", "渎职犯罪",
            "涉嫌滥用职权", "涉嫌玩忽职守", "涉嫌徇私枉法",
            "crime of abuse of power", "crime of abusing power", "crime of dereliction of duty",
            "crime of neglect of duty", "suspected of abuse of power", "suspected of abusing his power",
            "suspected of dereliction", "bending the law for personal gain", "perverting the law",
        ),
        "rule": (
            "滥用职权", "玩忽职守", "失职失责", "不正确履行职责", "不认真履行职责", "未认真履行", "未正确履行",
            "不履行职责", "未履行职责", "监管不力", "把关不严", "审核把关不严", "优亲厚友", "干预司法", "插手干预",
            "违规干预", "违规审批", "违规批准", "充当保护伞", "保护伞", "造成重大损失", "造成国家",
            "abuse of power", "abused his power", "abused her power", "abuse of authority", "abused his authority",
            "dereliction of duty", "neglect of duty", "neglected his duties", "failed to perform his duties",
            "failure to perform duties", "favouritism", "favoritism", "protective umbrella", "interfered in",
        ),
    },
    "work_style": {
        "crime": (),
        "rule": (
            "违反中央八项规定精神", "中央八项规定", "八项规定", "公款吃喝", "违规吃喝", "公款宴请", "收受礼品礼金",
            "礼品礼金", "违规收受礼品", "违规收受礼金", "收受礼金", "公车私用", "违规使用公车", "违规发放津补贴",
            "津补贴", "大操大办", "借机敛财", "公款旅游", "变相公款旅游", "形式主义", "官僚主义", "层层加码",
            "文山会海", "过度留痕", "重复填报", "不作为", "慢作为", "懒政", "庸政", "怠政", "不担当",
            "eight-point rules", "eight-point regulations", "eight-point frugality", "frugality rules",
            "formalism", "bureaucratism", "extravagance", "lavish banquets", "accepted gifts and cash",
            "gifts and cash", "private use of official vehicles", "private use of a government car",
        ),
    },
    "personnel": {
        "crime": ("招收公务员", "招收学生徇私舞弊", "冒名顶替罪"),
        "rule": (
            "违反组织纪律", "选人用人", "违规选拔任用", "选拔任用", "买官卖官", "卖官鬻爵", "跑官要官", "冒名顶替",
            "档案造假", "篡改档案", "吃空饷", "违规提拔", "突击提拔", "带病提拔", "违规招录", "违规录用",
            "organizational discipline", "organisational discipline", "selection and appointment",
            "buying and selling posts", "selling posts", "sale of official posts", "ghost employees",
            "rigged recruitment", "falsified personnel files",
        ),
    },
    "other": {
        "crime": ("泄露国家秘密罪", "故意泄露国家秘密", "过失泄露国家秘密", "赌博罪", "开设赌场罪", "高利转贷罪"),
        "rule": (
            "违规经商办企业", "经商办企业", "违规从事营利活动", "从事营利活动", "违规参与赌博", "参与赌博", "违规放贷",
            "违规借贷", "违规出借资金", "放贷收取高额利息", "泄露秘密", "泄露工作秘密", "统计造假", "数据造假",
            "不正当性关系", "违反生活纪律", "搞迷信活动", "对抗组织审查", "违反政治纪律",
            "engaging in business", "engaged in for-profit activities", "for-profit activities", "gambling",
            "leaking state secrets", "leaked state secrets", "improper sexual relations", "falsifying statistics",
            "falsified statistics", "illegal lending", "usury",
        ),
    },
}

TIERS = ("crime", "rule")


def _groups() -> dict[str, tuple[str, ...]]:
    return {f"{violation}/{tier}": terms for violation, tiers in LAW.items() for tier, terms in tiers.items() if terms}


_TERMS, _LENGTHS = compile_lexicon(_groups())
_STARTS = starts_pattern(_TERMS)


def find_law(norm_text: str) -> dict[str, int]:
    """{"violation/tier": occurrences} of the law's terms in normalised text."""
    return scan(norm_text, _TERMS, _LENGTHS, starts=_STARTS)


def prior(found: dict[str, int], weights: dict[str, float]) -> dict[str, float]:
    """The log-weight each violation gains from the law's terms a text holds: weights[tier] for
    the first occurrence and half as much for a second (more do not count: a long judgment repeats
    the crime's name in every paragraph)."""
    out: dict[str, float] = {}
    for group, count in found.items():
        violation, tier = group.split("/")
        out[violation] = out.get(violation, 0.0) + weights.get(tier, 0.0) * (1.0 + 0.5 * (count > 1))
    return out


def apply_prior(scores: dict[str, float], gains: dict[str, float]) -> dict[str, float]:
    """scores (probabilities over the violations) times exp(gain), normalised again."""
    if not gains:
        return scores
    raised = {label: value * math.exp(gains.get(label, 0.0)) for label, value in scores.items()}
    total = sum(raised.values()) or 1.0
    return {label: value / total for label, value in raised.items()}
