"""Word lists the entity rules rely on: surnames, places, titles, organisation words.

All entries are normalised (simplified characters, lower case) because the rules run on
normalised text.
"""

from __future__ import annotations

import re

SURNAMES_ZH = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
    "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪"
    "简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩明佘池查麻苑迟邝滑粟"
)
COMPOUND_SURNAMES_ZH = ("欧阳", "司马", "诸葛", "上官", "东方", "夏侯", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐")

# Characters that end a name rather than continue it: function words and the commonest verbs.
NAME_BREAK_ZH = set(
    "的了在是和与及跟同把被给向对从将让到说称还也都又就才曾已等们这那为以因而但却并或要会能可带收拿送"
    "找打骂私多少每各其自所此该里内外后前时年月日去来过着吗呢吧啊呀啦嘛不没很太更最再只仅有无叫喊问"
    "讲告请派指批签开办用做作当家村镇乡县市区省"
)

PROVINCES_ZH = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
CITIES_ZH = (
    "广州", "深圳", "成都", "武汉", "杭州", "南京", "西安", "长沙", "郑州", "济南", "青岛", "沈阳", "大连",
    "哈尔滨", "长春", "石家庄", "太原", "合肥", "福州", "厦门", "南昌", "南宁", "昆明", "贵阳", "兰州",
    "西宁", "银川", "乌鲁木齐", "呼和浩特", "拉萨", "海口", "三亚", "苏州", "无锡", "宁波", "温州", "东莞",
    "佛山", "珠海", "汕头", "惠州", "中山", "揭阳", "湛江", "株洲", "湘潭", "衡阳", "岳阳", "常德", "益阳",
    "郴州", "永州", "怀化", "娄底", "邵阳", "张家界", "吉首", "襄阳", "宜昌", "荆州", "洛阳", "开封", "徐州",
    "常州", "南通", "扬州", "绍兴", "金华", "台州", "泉州", "漳州", "赣州", "九江", "桂林", "柳州", "遵义",
    "绵阳", "宜宾", "南充", "泸州", "大理", "丽江", "保定", "唐山", "邯郸", "烟台", "潍坊", "临沂", "淄博",
)
PLACES_EN = (
    "beijing", "tianjin", "shanghai", "chongqing", "hebei", "shanxi", "liaoning", "jilin", "heilongjiang",
    "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei", "hunan", "guangdong",
    "hainan", "sichuan", "guizhou", "yunnan", "shaanxi", "gansu", "qinghai", "taiwan", "inner mongolia",
    "guangxi", "tibet", "ningxia", "xinjiang", "hong kong", "macau", "macao", "guangzhou", "shenzhen",
    "chengdu", "wuhan", "hangzhou", "nanjing", "xi'an", "xian", "changsha", "zhengzhou", "jinan", "qingdao",
    "shenyang", "dalian", "harbin", "changchun", "shijiazhuang", "taiyuan", "hefei", "fuzhou", "xiamen",
    "nanchang", "nanning", "kunming", "guiyang", "lanzhou", "xining", "yinchuan", "urumqi", "hohhot",
    "lhasa", "haikou", "sanya", "suzhou", "wuxi", "ningbo", "wenzhou", "dongguan", "foshan", "zhuhai",
    "shantou", "huizhou", "zhongshan", "zhuzhou", "xiangtan", "hengyang", "yueyang", "changde", "yiyang",
    "chenzhou", "yongzhou", "huaihua", "loudi", "shaoyang", "zhangjiajie", "jishou", "china", "macau",
)
# Capitalised words that precede "county", "village" etc. without being its name
PLACE_NAME_STOP_EN = {
    "the", "this", "that", "our", "my", "your", "his", "her", "their", "its", "each", "every", "a", "an",
    "same", "whole", "local", "next", "poor", "rural", "other", "neighbouring", "neighboring", "entire",
    "in", "of", "and", "to", "from", "at", "for", "on", "by", "with", "which", "what", "one", "two", "old",
    "new", "another", "nearby", "county", "city", "town", "township", "village", "district", "province",
    "dear", "hello", "hi", "we", "i", "he", "she", "they", "it", "but", "so", "when", "since", "after",
    "before", "during", "if", "as", "all", "some", "many", "most", "no", "not", "only", "also", "both",
}

# Chinese posts; prefixes (镇, 党委, 副…) are added by the pattern.
TITLE_CORES_ZH = (
    "党委书记", "党组书记", "党支部书记", "总支书记", "支部书记", "纪委书记", "书记", "支书", "村主任", "村长",
    "主任", "县长", "市长", "区长", "镇长", "乡长", "局长", "处长", "科长", "股长", "所长", "站长", "院长",
    "校长", "厅长", "部长", "大队长", "中队长", "队长", "组长", "网格员", "网格长", "会计", "出纳", "文书",
    "委员", "主席", "董事长", "总经理", "经理", "项目经理", "监理工程师", "总监", "民警", "辅警", "警官",
    "法官", "检察官", "审判长", "庭长", "指导员", "教导员", "主管", "专员", "调研员", "科员", "干事", "秘书",
    "常委", "秘书长", "行长", "社长", "主任科员", "馆长", "厂长", "矿长", "书记员", "巡视员",
)
TITLE_PREFIXES_ZH = (
    "省", "市", "县", "区", "镇", "乡", "村", "街道", "社区", "党委", "党组", "党工委", "党支部", "纪委", "监委",
    "人大", "政协", "政府", "村委会", "村委", "居委会", "支部", "常务", "执行", "分管", "驻村", "第一",
)
TITLES_EN = (
    "deputy party secretary", "village party secretary", "party secretary", "party chief", "secretary",
    "deputy director", "director", "mayor", "vice mayor", "deputy mayor", "county head", "county chief",
    "county magistrate", "township head", "town head", "village head", "village chief", "village director",
    "village committee director", "village accountant", "section chief", "division chief", "bureau chief",
    "station chief", "station head", "team leader", "chairman", "chairwoman", "vice chairman",
    "principal", "vice principal", "headmaster", "general manager", "deputy general manager",
    "project manager", "accountant", "cashier", "police officer", "police chief", "judge", "prosecutor",
    "governor", "commissioner", "deputy head", "township party secretary", "grid officer", "clerk",
    "supervisor", "inspector", "dean", "president", "vice president", "director-general", "captain",
)
HONORIFICS_EN = ("mr", "mrs", "ms", "miss", "dr", "madam", "mme", "sir", "lao", "old", "xiao", "little", "uncle", "aunt", "auntie", "granny", "grandpa")

ORG_CORES_ZH = (
    "公安", "交通运输", "交通", "财政", "国土资源", "国土", "自然资源", "自然资源和规划", "住房和城乡建设", "住建",
    "房产管理", "房管", "房产", "教育", "卫生健康", "卫健", "卫生", "民政", "人力资源和社会保障", "人社", "社保",
    "农业农村", "农业", "水利", "林业", "生态环境", "环保", "税务", "市场监督管理", "市场监管", "城市管理", "城管",
    "规划", "审计", "统计", "文化旅游", "文旅", "商务", "应急管理", "医疗保障", "医保", "信访", "乡村振兴",
    "扶贫", "发展和改革", "发改", "国资", "工信", "科技", "司法", "退役军人事务", "体育", "气象", "烟草", "公路",
    "建设", "粮食", "不动产登记", "征地拆迁", "征收", "拆迁", "城建", "交警", "残联", "供销", "矿产资源管理",
)
ORG_CORE_SUFFIXES_ZH = ("分局", "局", "委", "办", "厅", "所", "站", "中心", "大队", "支队", "股", "科", "部", "处")
# Endings that make a run of characters an organisation on their own
ORG_SUFFIXES_ZH = (
    "有限责任公司", "有限公司", "股份公司", "公司", "集团", "委员会", "村委会", "居委会", "管委会", "医院", "卫生院",
    "中学", "小学", "大学", "学院", "学校", "幼儿园", "银行", "信用社", "合作社", "法院", "检察院", "派出所",
    "政府", "办事处", "街道办", "项目部", "事务所", "指挥部", "门诊部", "酒店", "宾馆", "大酒店", "会所", "研究院",
    "研究所", "设计院", "工作组", "纪委", "监委", "人大", "政协", "公安局", "分局", "支行", "分行", "工厂",
    "加工厂", "制品厂", "砖厂", "水泥厂", "采石场", "砂场", "石场", "养殖场", "林场", "农场", "监狱", "看守所",
    "供电所", "财政所", "国土所", "司法所", "质监站", "管理站", "服务站", "收费站", "保险公司", "商会", "协会",
)
ORG_SUFFIXES_EN = (
    "bureau", "company", "co.", "co", "ltd", "ltd.", "limited", "corporation", "corp", "group", "hospital",
    "school", "college", "university", "bank", "committee", "commission", "court", "procuratorate",
    "office", "department", "centre", "center", "station", "cooperative", "co-op", "hotel", "restaurant",
    "club", "factory", "institute", "association", "administration", "agency", "authority", "clinic",
    "government", "quarry", "plant", "gym",
)
# Lower-case words that may sit inside an English organisation name: "Liyang county transport bureau"
ORG_INNER_EN = {
    "county", "city", "town", "township", "village", "district", "provincial", "province", "municipal",
    "transport", "transportation", "housing", "construction", "land", "resources", "natural", "education",
    "health", "public", "security", "civil", "affairs", "finance", "financial", "water", "forestry",
    "agriculture", "agricultural", "rural", "market", "supervision", "tax", "taxation", "urban", "planning",
    "and", "&", "highway", "road", "roads", "bridge", "works", "people's", "peoples",
    "central", "first", "second", "no.", "middle", "primary", "high", "commercial", "credit", "social",
    "insurance", "medical", "people", "environment", "environmental", "protection", "management",
    "administration", "discipline", "inspection", "committee", "party", "development", "reform", "trading",
    "real", "estate", "property", "mining", "mineral", "engineering", "emergency", "veterans", "statistics",
    "audit", "commerce", "culture", "tourism", "quality", "safety", "petition", "letters", "visits",
    "poverty", "alleviation", "revitalization", "revitalisation", "human", "traffic", "police", "police's",
    "branch", "sub-bureau", "maintenance", "service", "services", "food", "drug", "tobacco", "power",
    "supply", "grid", "state", "owned", "state-owned", "investment", "urban-rural",
}

_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ua|uo|ia|ie|iu|ui|ue|ve|er|a|o|e|i|u|v)"
)
PINYIN_WORD = re.compile(rf"(?:{_SYLLABLE}){{1,3}}")
SURNAMES_EN = {
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
    "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng",
    "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng",
    "wei", "su", "lu", "ding", "ren", "shen", "yao", "jin", "fu", "zhong", "dai", "cui", "tan", "fan", "qiu",
    "kang", "mo", "qin", "jia", "xia", "fang", "shi", "hou", "bai", "meng", "long", "wan", "duan", "lei",
    "qian", "yin", "yi", "chang", "wen", "gu", "hao", "kong", "shao", "mao", "xiong", "lv", "lyu", "gong",
    "niu", "qi", "ou", "ouyang", "shu", "yan", "zou", "tao", "bao", "ning", "qiao", "geng",
    "guan", "lan", "jiao", "liao", "ruan", "mei", "tong", "ling", "bi", "shan", "ji", "pei", "huo", "tu",
    "miao", "sheng", "qu", "weng", "ran", "xin", "chai", "hua",
    "pu", "teng", "rao", "ai", "you", "mu", "nong", "si", "zhuo", "lian",
    "dou", "cen", "jing", "dang", "leng", "xi", "mi", "bo", "zong", "gui",
    "quan", "ying", "zang", "min", "gou", "bian", "chou", "sui", "shang", "diao",
    "sha", "rong", "kou", "sang", "lang", "zhen", "cong", "ao", "ming", "she", "chi",
    "cha", "kuang", "zhan", "man", "sima", "zhuge", "shangguan", "dongfang",
}
