"""Fresh example messages for the classifier tests, written for the tests (not corpus lines)."""

# (subject, text, kind, area, violation)
REPORTS = [
    # Chinese
    ("举报镇长收钱", "我们镇修新大桥，镇长周某收了承包商八万块好处费，才让他的公司中标，桥墩现在已经裂了。", "report", "engineering_construction", "bribery"),
    ("", "村里的征地补偿款一共两百多万，村会计刘某某自己拿走了四十万，到现在没发给农户。", "report", "land_mineral", "embezzlement"),
    ("反映房管局问题", "县房管局副局长把两套公租房分给了自己的外甥和小姨子，他们名下都有商品房，真正困难的人排了三年也分不到。", "report", "real_estate", "abuse_of_power"),
    ("", "扶贫办主任上个月用扶贫资金在酒店请客吃饭，喝了十几瓶茅台，发票报成了“产业培训费”。", "report", "livelihood", "work_style"),
    ("举报买官", "县公安局一个派出所所长的位置，听说是花了三十万找政法委的领导买来的，他之前只是个普通民警。", "report", "other", "personnel"),
    ("镇干部开赌场", "镇党委委员王某在县城偷偷开了一家棋牌室，天天晚上聚众赌博，输赢都是几万块。", "report", "other", "other"),
    # English
    ("kickback on school building", "The head of the county education bureau demanded a 5% kickback from every contractor who wanted to build the new middle school gym.", "report", "engineering_construction", "bribery"),
    ("", "Our village chief sold sand from the river bed for two years and kept all the money himself. The mining was never approved and the village never saw a cent.", "report", "land_mineral", "embezzlement"),
    ("", "The deputy director of the city housing bureau approved a pre-sale permit for his friend's property developer although the buildings were not even half finished.", "report", "real_estate", "abuse_of_power"),
    ("pension office", "At the county pension office the staff play cards all afternoon and tell old people to come back next week. Nobody answers the phone and they shout at us.", "report", "livelihood", "work_style"),
    ("hiring fraud", "The township government hired the party secretary's nephew as a civil servant although he failed the written exam. His exam score was changed in the file.", "report", "other", "personnel"),
    ("", "The tax bureau director keeps a mistress in a flat in the city and visits her every weekend with the official car. He also runs a private loan business on the side.", "report", "other", "other"),
]

OTHER_KINDS = [
    ("请问怎么举报", "请问如果我想举报村干部，是要写实名吗？需要准备什么材料？匿名举报会不会有人受理？", "inquiry"),
    ("", "我三月份在网上反映的问题，到现在两个多月了还没有任何回复，想问一下处理进展怎么样了？", "inquiry"),
    ("", "我在一家私人装修公司干了半年，老板拖欠我两个月工资一万二，电话也不接了，怎么办？", "non_jurisdiction"),
    ("", "隔壁邻居家的狗天天晚上叫，跟他们说了好几次也不管，我们全家都睡不好觉。", "non_jurisdiction"),
    ("", "代开各类增值税发票，点数低，可验证，需要的加微信联系，诚信合作。", "spam"),
    ("恭喜中奖", "恭喜您的手机号被抽中二等奖，奖金五万元，请点击链接领取，逾期作废。", "spam"),
    ("How to report?", "Hello, can I submit a report about a township official by email, and will you keep my name confidential? What evidence should I attach?", "inquiry"),
    ("status of my complaint", "I sent a report about the village accounts in January and got a case number, but I have not heard anything since. Could you tell me the status?", "inquiry"),
    ("", "My landlord refuses to return my 3,000 yuan deposit after I moved out, saying the walls were dirty. This is a private flat.", "non_jurisdiction"),
    ("", "I bought a washing machine online and it broke after a week. The shop will not give me a refund and customer service ignores me.", "non_jurisdiction"),
    ("Congratulations!!!", "You have WON a $1,000 gift card! Click the link below to claim your prize before it expires.", "spam"),
    ("Grow your business", "We offer cheap SEO services and high quality backlinks to rank your website on the first page. Reply now for a free trial.", "spam"),
]

# Text that has nothing to do with the office: test mails of mail libraries and clients, greetings,
# foreign prose, fables, forum posts. None of it is a report (the guide: test messages, gibberish,
# newsletters are spam); what matters most is that none comes out as kind=report.
JUNK = [
    ("A text section", "A text section"),
    ("", "This is a test message"),
    ("body", "body"),
    ("", ""),
    ("test", ""),
    ("Hi", "Hi there,"),
    ("", "ok"),
    ("", "12345"),
    ("", "."),
    ("", "👍👍"),
    ("Lorem ipsum", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."),
    ("Ein Spaziergang", "Am Morgen ging ich durch den Wald. Die Vögel sangen, und die Sonne schien durch die Blätter. Am Nachmittag trafen wir uns bei meiner Tante zum Kaffee und Kuchen."),
    ("Le petit déjeuner", "Ce matin nous avons pris le petit déjeuner sur la terrasse. Il faisait beau et les enfants ont joué dans le jardin jusqu'à midi."),
    ("The Hare and the Tortoise", "A Hare was making fun of the Tortoise one day for being so slow. The Tortoise challenged him to a race. The Hare ran far ahead, lay down under a tree and fell asleep. The Tortoise plodded on and on, and when the Hare woke up, the Tortoise was already near the finish line. Slow and steady wins the race."),
    ("Re: tall windshield on the ST1300?", "I swapped the stock screen for a taller aftermarket one and now I get terrible buffeting at highway speed, my helmet shakes above 110. Has anyone tried the adjustable lip? Or should I go back to the original shield and lower the seat?"),
    ("Re: [gardening] tomatoes splitting", "Mine split every year after heavy rain. Water them evenly, mulch well and pick them a day early. Works for me."),
    ("Your order has shipped", "Good news! Your order #58213 has shipped and should arrive within 3-5 business days. Track your parcel in the app."),
    ("Meeting moved", "The Thursday team meeting is moved to Friday 10:00, same room. Please bring your slides."),
    ("测试", "测试一下，收到请忽略"),
    ("", "你好"),
    ("在吗", "在吗？"),
    ("龟兔赛跑", "兔子和乌龟赛跑。兔子跑得很快，跑到半路觉得乌龟追不上，就在树下睡了一觉。乌龟一步一步不停地爬，等兔子醒来，乌龟已经到了终点。"),
    ("周末爬山", "周六早上八点在森林公园门口集合，带上水和零食，中午在山顶野餐，下午四点左右下山。"),
    ("红烧肉做法", "五花肉切块焯水，锅里放冰糖炒出糖色，下肉翻炒上色，加生抽、老抽、料酒和热水，小火炖一个小时，大火收汁。"),
    ("求助：笔记本风扇一直响", "刚买的笔记本，开机不到十分钟风扇就呼呼转，什么软件都没开。清过灰了，也换了散热硅脂，还是一样，有没有大佬知道怎么回事？"),
]

# Genuine reports whose text is very short: a subject line and attachments, or one sentence.
SHORT_REPORTS = [
    ("举报村支书贪污", ""),
    ("举报村支书贪污", "见附件"),
    ("实名举报镇长受贿", "详见附件材料。"),
    ("举报局长公车私用", "附件是照片"),
    ("反映低保问题", "村干部把低保给了自己亲戚，材料在附件里。"),
    ("", "村主任贪污扶贫款"),
    ("", "镇长收了开发商的钱"),
    ("Report: village head stole flood relief money", "see attached"),
    ("Complaint about the police chief taking bribes", "Details in the attachment."),
    ("", "The mayor took bribes from the developer."),
    ("Bribery at the land bureau", "Please see the attached photos and bank slips."),
]

# In the register of a discipline body's notices and circulars: reports of a kind the corpus does
# not hold. The current model calls the first two spam, without being sure of it.
FORMAL_NOTICES = [
    ("转发：关于典型问题的通报",
     "各单位：\n现将《关于几起形式主义官僚主义典型问题的通报》转发给你们，请认真组织学习，引以为戒。\n"
     "一、某县在脱贫攻坚中层层加码、重复转发文件、多头填报表格。\n二、某局在督查检查中过多过频，增加基层负担。\n特此通知。"),
    ("通报",
     "现将有关情况通报如下：某区卫健委在疫情防控检查中层层加码，同一事项重复转发文件，要求社区多头报送表格。"
     "区纪委监委已约谈相关负责人。请各单位引以为戒。"),
    ("关于违规吃喝问题的通报",
     "各单位：经查，某县民政局原局长王某违反中央八项规定精神，多次接受管理服务对象宴请。现予通报，请引以为戒。特此通报。"),
]
