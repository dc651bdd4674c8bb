"""Text normalisation before the model and the rules: one character in, one character out.

Full-width forms become ASCII, Latin letters become lower case, common traditional characters
become simplified ones. Because every character maps to exactly one character, an offset in the
normalised text is the same offset in the original, so entities found on the normalised text
point into what the reporter wrote.
"""

from __future__ import annotations

# Traditional -> simplified pairs, two characters per pair. Only characters whose simplified form is
# a single character are listed; the list covers the words reports actually use (officials, money,
# offences, places) and common function words, not the whole of Chinese.
_T2S_PAIRS = (
    "並并亂乱亞亚佔占來来係系倉仓個个們们偉伟傑杰傘伞備备傳传債债傷伤價价億亿償偿優优儲储兒儿兩两冊册別别則则剋克剛刚劃划劉刘動动務务勝胜勞劳勢势匯汇區区協协厲厉參参吳吴員员問问啟启喪丧喬乔單单嗎吗嚴严國国圍围園园圓圆圖图團团執执報报場场塊块墾垦"
    "壓压壟垄壩坝夠够夥伙奪夺娛娱婦妇孫孙學学實实寧宁審审寫写寬宽寶宝將将專专對对導导層层屬属島岛崗岗嶺岭師师帳账幣币幫帮幹干幾几廟庙廠厂廢废廣广廳厅張张強强後后從从徵征恥耻惡恶惱恼愛爱態态慘惨慮虑慶庆憂忧憑凭憤愤憲宪應应懲惩懼惧戲戏戶户拋抛掃扫"
    "掛挂採采揚扬換换損损搶抢摻掺撥拨撫抚擁拥擊击擔担據据擠挤擴扩擾扰攤摊敗败數数於于時时晉晋暉晖書书會会東东楊杨業业榮荣構构樂乐樑梁樓楼標标樣样橋桥機机檔档檢检檯台櫃柜權权歐欧歡欢歲岁歷历歸归殘残殯殡殺杀氈毡氣气汙污決决沒没況况洩泄淛浙測测湯汤"
    "準准溝沟滬沪滿满漲涨潔洁潤润澆浇濕湿濟济濤涛濫滥瀆渎瀋沈灑洒灣湾災灾為为無无煙烟煩烦熱热燒烧營营爐炉爭争牆墙牽牵犧牺獄狱獎奖獨独獲获獵猎現现瑪玛環环產产畢毕畫画當当療疗發发盜盗盡尽監监盧卢眾众瞞瞒碼码礙碍礦矿祿禄禎祯禮礼稅税種种稱称穀谷穎颖"
    "穩稳窮穷竊窃競竞筆笔節节範范築筑簽签粵粤糧粮糾纠紀纪約约紅红紐纽純纯紙纸級级紛纷紮扎細细終终組组結结絕绝絡络給给統统絲丝綁绑經经綜综綠绿維维網网緊紧緒绪線线緝缉練练縣县縮缩總总績绩織织繫系繳缴繼继續续纜缆罰罚罷罢羅罗義义聖圣聞闻聯联聲声聶聂"
    "職职聽听肅肃腦脑膚肤膽胆臉脸臟脏臺台與与興兴舉举舊旧艱艰莊庄華华萬万葉叶葷荤蓋盖蓮莲蔣蒋蕩荡蕭萧薦荐藝艺藥药蘇苏蘋苹蘭兰處处虛虚號号虧亏蟲虫衆众術术衛卫裏里補补裝装裡里複复襲袭見见規规視视親亲覺觉覽览觀观觸触訂订計计訊讯訓训託托記记訟讼訪访"
    "設设許许訴诉診诊註注詐诈評评詞词詢询試试話话該该詳详認认誘诱語语誠诚誤误說说誰谁課课調调談谈請请諸诸謀谋謊谎講讲謝谢謹谨證证識识譚谭譜谱譯译議议護护讀读變变讓让讚赞豐丰豬猪貓猫貞贞負负財财貢贡貧贫貨货販贩貪贪責责貴贵貶贬買买貸贷費费貼贴貿贸"
    "賀贺賂赂賄贿資资賈贾賊贼賑赈賓宾賜赐賞赏賠赔賣卖質质賬账賭赌賴赖賺赚購购贈赠贊赞贏赢贛赣趕赶趙赵躍跃車车軌轨軍军軟软較较載载輔辅輕轻輛辆輝辉輩辈輯辑輸输轄辖轉转辦办辭辞辯辩農农逕迳這这連连週周進进遊游運运過过違违遞递遠远遷迁選选遺遗遼辽邁迈"
    "還还邊边邏逻郵邮鄉乡鄒邹鄔邬鄧邓鄭郑鄰邻鄺邝醜丑醫医釋释針针鈔钞鉅巨銀银銅铜銘铭銷销鋁铝鋒锋鋪铺鋼钢錄录錢钱錯错錶表鍵键鍾钟鎖锁鎮镇鏈链鏡镜鐘钟鐵铁鑑鉴長长門门閃闪閉闭開开閒闲間间閘闸閣阁閩闽閱阅閻阎闆板闖闯關关陝陕陣阵陰阴陳陈陸陆陽阳隊队"
    "階阶際际隨随險险隱隐隴陇隻只雖虽雙双雜杂雞鸡離离難难雲云電电靈灵靜静韋韦韓韩頁页頂顶項项須须預预頓顿頗颇領领頭头頻频顆颗題题額额顏颜願愿類类顧顾顯显風风飄飘飛飞飯饭飲饮飽饱餅饼餉饷養养餘余館馆馬马馮冯駕驾駛驶騙骗騰腾驅驱驗验驚惊髒脏體体鬆松"
    "鬍胡鬥斗鬧闹魚鱼魯鲁鳥鸟鳳凤鵬鹏鹽盐麗丽麥麦麵面麼么黃黄點点黨党齊齐齒齿齡龄龍龙龔龚龜龟"
)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for i in range(0, len(_T2S_PAIRS), 2):
        table[ord(_T2S_PAIRS[i])] = _T2S_PAIRS[i + 1]
    # full-width ASCII (！ to ～) -> ASCII; the ideographic space -> a space
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0).lower()
    table[0x3000] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    # the yuan sign comes in two widths; both are the same sign to the money rules
    table[ord("￥")] = "¥"
    return table


_TABLE = _build_table()


def normalize(text: str) -> str:
    """Return text normalised for matching; always exactly as long as text."""
    return text.translate(_TABLE)
