"""Whole plan documents read through read_plan_file: the excerpts of real plans in tests/data/plans/
(each file read as one document, not phrase by phrase) and a made-up plan with deep numbering and riders.

The expectations are a hand reading of each excerpt: which paragraphs are tasks, their titles, their
lead (牵头) units, every unit with its role, and the due date in the plan's year.

Held-out trial (issue 14, third round), read with the reader as it was before any change for them
(commit 8051b29), then fixed by general rules only (tasks right / tasks by hand; made up = tasks read that
the hand reading does not have):

    plan (whole stored page)                     before          after
    chizhou_2017_yingshang      池州 (安徽, 市)   0/2             2/2
    guandu_2016_wenzengzhang    官渡 (云南, 区)   4/4             4/4
    xining_2017_liutong         西宁 (青海, 市)   1/1             1/1
    xiangyang_2020_yingshang    襄阳 (湖北, 市)   0/1             1/1
    maojian_2023_yingshang      茅箭 (湖北, 区)   1/1, 1 made up  1/1
    xuchang_2020_gzbg           许昌 (河南, 市)   2/2             2/2
    huarong_2021_gzbg_notice    华容 (湖南, 县)   0/0, 2 made up  0/0 (refused, points to the attached table)
    wuhan_2020_gzbg_notice      武汉 (湖北, 市)   0/0, 1 made up  0/0 (refused, points to the attached table)
    text_tables/jiangmen_zwgk_table  江门 (广东)  0/10 (refused)  10/10
    caidian_2023_fengong_whole  蔡甸, whole page  0/3 (refused)   3/3
    total                                        8/24, 4 made up 24/24, none made up

Held-out trial, round 4 (eight more published plans, none seen before; read with the reader as it was at
commit 903b5f2, then fixed by general rules only; exact = title, every unit and role, deadline and due date;
lead = title, lead units, deadline and due date):

    plan                                         before exact / lead   after
    weihai_2023_szwh          威海 (山东, 市)     0/1  / 1/1            1/1   (市直有关部门、单位 cut into a unit 单位)
    lishui_2023_gzbg          丽水 (浙江, 市)     5/10 / 5/10           10/10 (列第一位为牵头或汇总单位,下同 not read)
    xianyang_2022_fangguanfu  咸阳 (陕西, 市)     0/1  / 0/1            1/1   (traditional characters: 牽頭 not read)
    xialu_2020_gzbg           下陆 (湖北, 区)     2/2  / 2/2            2/2
    huaian_2022_shuikun       淮安 (江苏, 市)     1/2  / 2/2            2/2   (rider inside a bracket not applied)
    shiyan_2023_yingshang     十堰 (湖北, 市)     1/1  / 1/1            1/1
    putuo_2021_yingshang      普陀 (上海, 区)     0/4  / 0/4            4/4   (traditional; indents saved as "??")
    cangnan_2023_jingji       苍南 (浙江, 县)     0/1  / 0/1 (refused)  1/1   (lead on the chapter heading, 由…牵头实施)
    total                                        9/22 / 11/22          22/22, none made up
"""

import datetime as dt

import pytest

from db.deadlines import find_deadline
from db.plan_text import parse_plan_text, read_plan_file
from db.responsibility import IMPLEMENT, LEAD, PLAIN, RESPONSIBLE, SUPPORT
from tests.conftest import DATA

PLANS = DATA / "plans"

# file -> [(title, units with roles, deadline wording, due date)], in document order.
HAND_READING = {
    "beijing_2018_zwgk.txt": [
        ("制定发布城市设计导则以及核心区控制性详细规划、城市副中心规划、新城控制性详细规划等规划信息",
         [("市规划国土委", IMPLEMENT)], None, None),
        ("推进支持雄安新区建设、加强京津冀产业对接协作、区域污染联防联控和教育、医疗、社保等基本公共服务合作等信息公开",
         [("市发展改革委", IMPLEMENT), ("市经济信息化委", IMPLEMENT), ("市环保局", IMPLEMENT),
          ("市教委", IMPLEMENT), ("市卫生计生委", IMPLEMENT), ("市人力社保局", IMPLEMENT)], None, None),
        ("及时公开延崇高速、兴延高速、首都地区环线通州至大兴段建设情况", [("市交通委", IMPLEMENT)], None, None),
        ("推进2022年北京冬奥会、冬残奥会竞赛场馆新建、改造以及群众冰雪运动普及情况等信息公开",
         [("市重大项目办", IMPLEMENT), ("市体育局", IMPLEMENT), ("市教委", IMPLEMENT)], None, None),
    ],
    "gangcheng_2021_fangguanfu.txt": [
        ("及时承接落实国务院和省、市政府取消、下放和改变管理方式的行政权力事项",
         [("区政府办公室", LEAD), ("区政府有关部门", PLAIN), ("各街道(功能区)", PLAIN)], None, None),
        ("严格落实行政许可设定审查制度,开展行政许可实施情况监督,实施行政许可案卷评查",
         [("区政府办公室", LEAD), ("区司法局", LEAD), ("区行政审批服务局", LEAD), ("区政府有关部门", PLAIN)], None, None),
        ("规范行政备案事项管理,编制并公布区级层面设定的行政备案事项清单",
         [("区政府办公室", LEAD), ("区司法局", PLAIN)], None, None),
        ("深入研究论证区级行政权力事项,对不适应经济社会发展需求以及市场机制能够有效调节的,分类实施取消或转变管理方式",
         [("区司法局", LEAD), ("区政府有关部门", PLAIN)], None, None),
    ],
    "taizhou_2019_yingshang.txt": [
        ("持续加大简政放权力度",
         [("市行政审批局", PLAIN), ("住建局", PLAIN), ("司法局", PLAIN), ("各市(区)人民政府", PLAIN),
          ("医药高新区管委会", PLAIN)], None, None),
    ],
    # Two cells of a table's 落实措施 column: no units in the text (the preview asks for them); the
    # table's 完成时限 is 2022年9月底 and 2022年11月底, the last date each text names.
    "xian_2022_fangguanfu_measures.txt": [
        ("全面准确依法编制市、区(县)行政许可事项清单,8月底前编制完成市级行政许可事项清单并向社会公布,"
         "9月底前编制完成区(县)级行政许可事项清单并向社会公布", [], "9月底前", dt.date(2022, 9, 30)),
        ("严格落实行政许可事项清单之外一律不得违法实施行政许可的要求,大力清理整治变相许可,"
         "11月底前完成变相许可清查整治并将清理整治情况报省审改办备案", [], "11月底前", dt.date(2022, 11, 30)),
    ],
    # A 分工意见 assigns every sentence of the report, its goals included, to a department.
    "xianyang_2022_gzbg.txt": [
        ("以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平总书记来陕考察重要讲话重要指示,"
         "全面落实党中央决策和省委、市委要求,按照市第八次党代会绘就的蓝图,坚持稳中求进工作总基调,"
         "完整准确全面贯彻新发展理念,贯通落实“五个扎实”“五项要求”“谱写高质量发展新篇章”,扎实实施“十四五”规划,"
         "突出创新驱动,加快结构调整,深化改革开放,坚持人民至上,促进共同富裕,全面从严治党,统筹发展和安全,"
         "统筹市内和市外,深化西安—咸阳一体化,加速动力潜能释放和产业优势再造,更好服务和融入新发展格局,"
         "加快建设现代化“西部名市丝路名都”", [("市政府各部门", RESPONSIBLE)], None, None),
        ("年均经济增速7%左右,到2026年,全体居民人均可支配收入超过38000元,非公经济增加值占比达到60%以上,"
         "城镇化率达到60%以上,经济综合实力力争挺进西部地级市十强,共同富裕取得更大进展,"
         "市域治理体系和治理能力现代化水平显著提升", [("市政府各部门", RESPONSIBLE)], None, None),
    ],
    "shandong_2022_yingshang.txt": [
        ("提升设立登记便利度", [("省市场监管局", LEAD)], "9月底前", dt.date(2022, 9, 30)),
        ("提升银行开户效率", [("人民银行济南分行", LEAD)], "6月底前", dt.date(2022, 6, 30)),
        ("探索推广代位注销模式", [("省市场监管局", LEAD)], "6月底前", dt.date(2022, 6, 30)),
    ],
    # One paragraph, six pieces of work each closed by its own bracket: six tasks.
    "xunyang_2023_zwgk.txt": [
        ("做好重大战略部署落实情况信息公开",
         [("区发改委", LEAD), ("区工信局", LEAD), ("区政府各相关部门", PLAIN), ("各街道", PLAIN)], None, None),
        ("重塑大中路核心商圈,打造区域消费中心",
         [("区商务局", LEAD), ("区政府各相关部门", PLAIN), ("各街道", PLAIN)], None, None),
        ("坚持优品质、提能级,建设宜居宜业品质之城、生态之城、文明之城,努力打造“魅力江西”浔阳样板",
         [("区住建局", LEAD), ("区自然资源局", PLAIN), ("区生态环境局", PLAIN), ("区城管局", PLAIN), ("区农水局", PLAIN),
          ("区文新旅局", PLAIN)], None, None),
        ("依法依规做好扩大有效投资相关规划、政策文件及重大建设项目信息公开,积极引导市场预期",
         [("区发改委", PLAIN)], None, None),
        ("深化国有企业改革行动", [("区国资中心", PLAIN)], None, None),
        ("深化绿色金融改革创新和普惠金融改革试验区建设等重点领域改革攻坚信息公开", [("区政府办", PLAIN)], None, None),
    ],
    # A heading line, then one paragraph closed by a square bracket: the heading names the task.
    "nanchang_jingkai_2023_zwgk.txt": [
        ("强化重大战略部署落实情况信息公开",
         [("临空经济区(空港新城)事务中心", PLAIN), ("各镇人民政府", PLAIN), ("街道办事处", PLAIN), ("管理处", PLAIN),
          ("区机关各部门", PLAIN), ("驻区各单位", PLAIN), ("区属企业", PLAIN)], None, None),
    ],
    "xinjian_2024_zwgk.txt": [
        ("聚焦政府中心工作",
         [("区发改委", RESPONSIBLE), ("区科工信局", RESPONSIBLE), ("区商务局", RESPONSIBLE), ("区交通运输局", RESPONSIBLE),
          ("区住建局", RESPONSIBLE), ("区政数局", RESPONSIBLE), ("区金融服务中心", RESPONSIBLE)], None, None),
    ],
    "ganzhou_2023_zwgk.txt": [
        ("强化重大战略部署落实情况信息公开", [("市政府各部门", PLAIN), ("各县(市、区)人民政府", PLAIN)], None, None),
    ],
    "fangxian_2023_yingshang.txt": [
        ("深化政务服务标准化建设", [("县行政审批局", LEAD), ("县直各有关单位", PLAIN), ("各乡镇人民政府", PLAIN)], None, None),
        ("推行政务服务承诺制",
         [("县行政审批局", LEAD), ("县市场监管局", LEAD), ("县发改局", LEAD), ("县直各有关单位", PLAIN),
          ("各乡镇人民政府", PLAIN)], None, None),
    ],
    # 牵头单位/责任单位 blocks under a 目标 chapter: in a 分工方案 every assigned target is a task.
    "lishan_2023_fengong.txt": [
        ("努力实现地区生产总值增长6.2%左右", [("区发改局", LEAD), ("立山经济开发区", PLAIN), ("全区经济运行各专班", PLAIN)],
         None, None),
        ("规模上工业增加值增长5%左右", [("区工信局", LEAD), ("立山经济开发区", PLAIN)], None, None),
        ("固定资产投资增长15%左右", [("区发改局", LEAD), ("立山经济开发区", PLAIN), ("各街道", PLAIN), ("区直各部门", PLAIN)],
         None, None),
        ("社会消费品零售总额增长9%左右", [("区商务局", LEAD), ("各街道", PLAIN), ("区市场局", PLAIN)], None, None),
        ("一般公共预算收入增长8%左右", [("区财政局", LEAD), ("立山经济开发区", PLAIN), ("各街道", PLAIN), ("税务局", PLAIN)],
         None, None),
        ("居民收入增长与经济增长基本同步", [("区发改局", LEAD), ("各街道", PLAIN), ("各相关单位", PLAIN)], None, None),
    ],
    # Round 4 (held out): 责任单位 lines; "(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同)" after the
    # fourth item's units makes the first unit lead there and in every later item, a lone unit too.
    "lishui_2023_gzbg.txt": [
        ("生产总值增长6%以上,高质量前提下能快则快", [("市发改委", PLAIN)], None, None),
        ("规上工业增加值增长8%", [("市经信局", PLAIN)], None, None),
        ("研发投入强度达到2.3%", [("市科技局", PLAIN)], None, None),
        ("固定资产投资增长10%",
         [("市发改委", LEAD), ("市经信局", PLAIN), ("市科技局", PLAIN), ("市财政局", PLAIN), ("市自然资源局", PLAIN),
          ("市生态环境局", PLAIN), ("市建设局", PLAIN), ("市交通运输局", PLAIN), ("市水利局", PLAIN),
          ("市农业农村局", PLAIN), ("市文广旅体局", PLAIN), ("市卫生健康委", PLAIN)], None, None),
        ("社会消费品零售总额增长5%,外贸出口增长5%", [("市商务局", LEAD)], None, None),
        ("城乡居民收入增速保持全省领先、农民收入增速快于城镇居民", [("市人力社保局", LEAD), ("市农业农村局", LEAD)], None, None),
        ("一般公共预算收入与经济增长基本同步", [("市财政局", LEAD)], None, None),
        ("居民消费价格涨幅控制在3%以内", [("市发改委", LEAD)], None, None),
        ("城镇新增就业、节能减排降碳完成省定任务", [("市人力社保局", LEAD), ("市发改委", LEAD)], None, None),
        ("实施招商引资“百千”行动,每年招引亿元以上制造业项目100个,带动未来五年制造业投资1000亿元以上",
         [("市双招双引办", LEAD), ("市发改委", PLAIN), ("市经信局", PLAIN), ("各县(市、区)政府", PLAIN),
          ("丽水开发区管委会", PLAIN)], None, None),
    ],
    # Round 4 (held out): the whole page; "市直有关部门、单位" is one collective.  The bracket's rider
    # (以下任务均需…落实,不再一一列出) governs tasks the page does not hold; the preview shows it as a doubt.
    "weihai_2023_szwh.txt": [
        ("深化政务服务“网上办”",
         [("市行政审批服务局", LEAD), ("市直有关部门、单位", PLAIN), ("各区市政府", PLAIN), ("开发区管委", PLAIN)],
         "年底前", dt.date(2023, 12, 31)),
    ],
    # Round 4 (held out): a repost in traditional characters; role words are read, units stay as printed
    # (the preview lists them as new spellings to settle).
    "xianyang_2022_fangguanfu.txt": [
        ("全面實施行政許可事項清單管理",
         [("市政府辦公室", LEAD), ("市行政審批制度改革工作領導小組辦公室", LEAD), ("市級各有關部門及各縣市區政府", RESPONSIBLE)],
         "2022年10月底前", dt.date(2022, 10, 31)),
    ],
    # Round 4 (held out): the whole page; square brackets [牵头单位:…;责任单位:…], a 预期目标 paragraph that is no task.
    "xialu_2020_gzbg.txt": [
        ("切实提高政治站位,慎终如始精准抓好疫情防控工作",
         [("区卫健局", LEAD), ("区疫情防控指挥部成员单位", PLAIN), ("各街办(新区)", PLAIN)], None, None),
        ("以爱国卫生运动和文明城市创建为抓手,大力开展环境卫生综合整治,强化群众风险防控意识,切实巩固疫情防控成果",
         [("区卫健局", LEAD), ("区创文办", LEAD), ("区疫情防控指挥部成员单位", PLAIN), ("区创文工作领导小组成员单位", PLAIN),
          ("各街办(新区)", PLAIN)], None, None),
    ],
    # Round 4 (held out): the first bracket ends with a rider (以下政策措施均需…落实,不再单独列出) that adds its
    # units, as 落实, to every later measure; the first measure names them itself.
    "huaian_2022_shuikun.txt": [
        ("积极争取省级专项资金,支持生产经营暂时面临困难但产品有市场、项目有前景、技术有竞争力的中小微企业,"
         "以及劳动力密集、社会效益高的民生领域服务型中小微企业",
         [("市工信局", PLAIN), ("市财政局", PLAIN), ("各县区人民政府", PLAIN), ("园区管委会", PLAIN)], None, None),
        ("成立“智改数转”工作专班,出台《淮安市制造业智能化改造和数字化转型三年行动计划(2022-2024)》"
         "和2022年“智改数转”工作推进方案,积极争取省工业企业“智改数转”专项资金",
         [("市工信局", PLAIN), ("市财政局", PLAIN), ("各县区人民政府", IMPLEMENT), ("园区管委会", IMPLEMENT)], None, None),
    ],
    # Round 4 (held out): the whole official page, its information fields (发布日期 2023年06月07日 …) included.
    "shiyan_2023_yingshang.txt": [
        ("深化“互联网+政务服务”建设", [("市行政审批局", LEAD), ("市直相关单位", PLAIN), ("各县市区", PLAIN)], None, None),
    ],
    # Round 4 (held out): a repost in traditional characters whose paragraph indents were saved as "??".
    "putuo_2021_yingshang.txt": [
        ("加強系統集成、資源共享和業務協同,具備可網辦能力的區級政務服務事項比例達到95%以上,爭取在全市試點將企業及其分支機構變更事項納入全程網辦",
         [("區府辦", PLAIN), ("區行政服務中心", PLAIN), ("區市場監管局", PLAIN)], None, None),
        ("推廣遠程身份核驗、電子簽章等應用,實現企業高頻事項(年度企業辦事頻次前20%的事項)全覆蓋",
         [("區府辦", PLAIN), ("區科委", PLAIN), ("區行政服務中心", PLAIN)], None, None),
        ("推進區級企業專屬網頁建設,推出6項基于企業專屬網頁的辦理事項和應用場景",
         [("區府辦", PLAIN), ("區行政服務中心", PLAIN)], None, None),
        ("推出10項高頻事項,實行“無人干預自動辦理”和“快辦”“好辦”", [("區府辦", PLAIN), ("區行政服務中心", PLAIN)], None, None),
    ],
    # Round 4 (held out): the chapter heading carries the lead ("(由县发改局牵头实施)"), its numbered policies
    # none; each policy is a task led by it (the preview says the units come from the heading).
    "cangnan_2023_jingji.txt": [
        ("加大财政支持力度", [("县发改局", LEAD)], None, None),
    ],
    "caidian_2023_fengong.txt": [
        ("地区生产总值增长7%以上", [("区发展和改革局", PLAIN)], None, None),
        ("规上工业增加值增长12%以上", [("区科技和经信局", PLAIN)], None, None),
        ("固定资产投资增长10%以上", [("区发展和改革局", PLAIN)], None, None),
    ],
    # A bracket on a line of its own after four sub-points: it closes the item they belong to.
    "yuncheng_2017_yingji.txt": [
        ("完善应急预案体系",
         [("市直各有关单位", PLAIN), ("各县(市、区)人民政府", PLAIN), ("各开发区管委会", PLAIN)], None, None),
    ],
    "xiping_2020_fazhi.txt": [
        ("为推动经济高质量发展提供法治保障",
         [("县政府办公室", RESPONSIBLE), ("县司法局", RESPONSIBLE), ("各有关部门", RESPONSIBLE), ("乡镇人民政府", RESPONSIBLE)],
         None, None),
    ],
    # The sentences after the units in the first bracket explain; they name no unit of the task.
    "sichuan_2022_liutong.txt": [
        ("加强市场体系建设",
         [("省发展改革委", RESPONSIBLE), ("省市场监管局", RESPONSIBLE), ("商务厅", RESPONSIBLE), ("省大数据中心", RESPONSIBLE)],
         None, None),
        ("优化市场准入环境", [("省市场监管局", PLAIN)], None, None),
    ],
    "dongzhou_2023_zwgk.txt": [
        ("全面公开现行有效行政规范性文件",
         [("区司法局", LEAD), ("区政府办公室", LEAD), ("区政府各部门", PLAIN), ("各乡镇街道", PLAIN)], "长期坚持", None),
        ("完善政府规章、行政规范性文件动态更新机制",
         [("区司法局", LEAD), ("区政府办公室", LEAD), ("区政府各部门", PLAIN), ("各乡镇街道", PLAIN)], "长期坚持", None),
    ],
    # 责任单位/时限要求 blocks; "第一责任单位为牵头单位，下同" makes the first unit of every task its lead.
    "xiamen_2019_yingshang.txt": [
        ("推进完善PPP健康运行长效机制和基础性制度建设,加强存量项目监管,规范有序推进翔安新机场片区地下综合管廊PPP项目建设,"
         "确保PPP项目协议落实到位", [("市发改委", LEAD), ("市财政局", PLAIN)], "持续推进", None),
        ("严格落实全省统一的招投标政策,消除招投标过程中对企业设置的不合理限制和壁垒", [("市建设局", LEAD)], "持续推进", None),
    ],
    # The three plans below were read only after the reader had been fitted to the ones above, as a trial
    # on plans it had not seen: 2 of their 6 tasks came out right; the 责任领导 (a leader, not a unit) of
    # the 咸安 brackets was the miss, now read as no unit.
    "xianan_2023_gzbg.txt": [
        ("地区生产总值增长8%以上", [("区发改局", LEAD)], None, None),
        ("固定资产投资增长16%以上", [("区发改局", LEAD)], None, None),
        ("规上工业增加值增长10%以上", [("区科经局", LEAD)], None, None),
        ("启动南外环高速公路、全域公交项目建设,推进s356横沟至黄沙铺改扩建二期、s319咸赵线陈家沟段达标提质改造工程,"
         "做好g351双溪至横沟段改扩建项目前期工作,确保107国道咸安绕城段、s361星星竹海至大竹山段公路建成通车",
         [("区交通运输局", LEAD), ("区发改局", PLAIN), ("区自然资源和规划局", PLAIN), ("区林业局", PLAIN), ("区经发集团", PLAIN),
          ("相关乡镇办", PLAIN)], None, None),
    ],
    "changxing_2023_gzbg.txt": [
        ("财政总收入和一般公共预算收入与经济增长基本同步", [("县财政局", PLAIN)], None, None),
    ],
    # A second trial on a plan not seen before: its one task came out wrong (各州、市人民政府 cut in two at 、).
    "yunnan_2022_zwgk.txt": [
        ("加强涉及市场主体的信息公开", [("省直有关部门", RESPONSIBLE), ("各州、市人民政府", RESPONSIBLE)], None, None),
    ],
    # A Word table copied as text: every task's 责任单位 cell is the line below it.
    "weifang_2017_zwgk.txt": [
        ("围绕我市经济社会发展形势、国家宏观经济政策和全市相关经济政策执行落实情况,通过市政府例行新闻发布会、"
         "市政府新闻办新闻发布会、媒体采访、提供解读素材等形式及时宣传解读", [("市发改委", LEAD)], None, None),
        ("围绕出台促进就业规划、就业创业政策,加强就业创业政策信息公开,深入解读政策背景、依据、目标任务、涉及范围、落实情况等",
         [("市人社局", LEAD)], None, None),
        ("围绕稳健中性的货币政策、优化融资结构和信贷结构等信贷政策,加强金融政策信息公开,通过政策通报会、银企对接会等方式,"
         "加大货币和金融业改革发展政策的宣传和预期引导,及时准确将政策意图传递给市场,以政策解读的“透”赢得市场预期的“稳”",
         [("市金融办", LEAD), ("人民银行潍坊市中心支行", LEAD), ("潍坊银监分局", LEAD)], None, None),
        ("加强财政政策信息公开,按月公开全市财政收支情况,解读财政收支增减变化情况及原因、预判财政收入走势,"
         "主动解释说明收支运行中可能引发社会关注的热点问题,引导社会各方面正确认识财政形势", [("市财政局", LEAD)], None, None),
    ],
    # Held-out trial (issue 14, third round): six whole-page plans collected after the reader had been
    # fitted to the plans above, read by it before any change.  Before fitting 8 of their 11 tasks
    # were right, with 1 task made up: 池州 0/2 (an item's heading named its run-on sub-points, and
    # "(2)" stayed in a title), 官渡 4/4, 西宁 1/1, 襄阳 0/1 ("到2020年底前" not read as a deadline),
    # 茅箭 1/1 plus a task made of the cover notice ("…现印发给你们，请…认真贯彻落实" read as a
    # 责任单位 line), 许昌 2/2.  After the general fixes: 11 of 11, nothing made up.
    "chizhou_2017_yingshang.txt": [
        ("全面落实“多证合一、一照一码”改革", [("市工商质监局", LEAD)], None, None),
        ("完善企业登记全程电子化", [("市工商质监局", LEAD)], None, None),
    ],
    "guandu_2016_wenzengzhang.txt": [
        ("精简项目审批手续",
         [("区政务服务局", LEAD), ("区发改局", SUPPORT), ("区审改办", SUPPORT), ("区住建局", SUPPORT), ("区级相关部门", SUPPORT)],
         "5月底前", dt.date(2016, 5, 31)),
        ("提高土地审批效率", [("区国土分局", LEAD), ("区规划分局", SUPPORT), ("区级相关部门", SUPPORT)], None, None),
        ("提高环评审批效率", [("区环保局", LEAD), ("区水务局", SUPPORT), ("区级相关部门", SUPPORT)], None, None),
        ("加强项目谋划储备",
         [("区发改局", LEAD), ("区财政局", SUPPORT), ("区交运局", SUPPORT), ("区经贸投促局", SUPPORT), ("区住建局", SUPPORT),
          ("区水务局", SUPPORT), ("区国投公司", SUPPORT), ("各街道办事处", SUPPORT)], None, None),
    ],
    # "牵头单位:市商务局  责任单位:…": two labels in one bracket parted by spaces only.
    "xining_2017_liutong.txt": [
        ("提高流通管理部门管理效能",
         [("市商务局", LEAD), ("市编办", PLAIN), ("市发改委", PLAIN), ("市法制办", PLAIN), ("各区县政府", PLAIN)], None, None),
    ],
    "xiangyang_2020_yingshang.txt": [
        ("推行政务服务线上“一网通办”",
         [("市行政审批局", LEAD), ("市政府各部门", PLAIN), ("各县(市、区)人民政府", PLAIN), ("开发区管委会", PLAIN)],
         "2020年底前", dt.date(2020, 12, 31)),
    ],
    "maojian_2023_yingshang.txt": [
        ("深化政务服务“三化”建设",
         [("区行政审批局", LEAD), ("区直相关各单位", PLAIN), ("各乡镇", PLAIN), ("街道", PLAIN), ("赛武当管理局", PLAIN),
          ("东城开发区", PLAIN)], None, None),
    ],
    # 责任单位 on a line of its own below each item; "等" ends a list without naming a unit.
    "xuchang_2020_gzbg.txt": [
        ("坚持“外防输入、内防反弹”总体防控策略,完善常态化疫情防控举措,健全“及时发现、快速处置、精准管控、有效救治”常态化防控机制,"
         "巩固疫情防控持续向好态势,保障经济社会秩序全面恢复",
         [("市疫情防控指挥部办公室", PLAIN), ("市卫生健康委", PLAIN), ("各县(市、区)政府(管委会)", PLAIN)], None, None),
        ("坚持必要的人员管控和健康监测措施,引导群众做好自我防护",
         [("市疫情防控指挥部办公室", PLAIN), ("市卫生健康委", PLAIN), ("各县(市、区)政府(管委会)", PLAIN)], None, None),
    ],
    # Two more whole pages of the same trial: the notices that issue a 分解方案 whose tasks are in a
    # table the page does not give.  Before fitting the reader made tasks of the notices themselves
    # (华容 2, 武汉 1: "二、细化工作方案。……于2021年3月15日前报县政府督查室备案" read as a dated
    # task, "…现印发给你们，请认真抓好贯彻落实" as a 责任单位 line).  Now it finds no task and says
    # the tasks may be in the attached table.
    "huarong_2021_gzbg_notice.txt": [],
    # The whole page of the 蔡甸 plan above, its issuing notice included: refused before (the notice's
    # "……明确措施……" made the reader look for a 措施 chapter only), now read as the excerpt is.
    "caidian_2023_fengong_whole.txt": [
        ("地区生产总值增长7%以上", [("区发展和改革局", PLAIN)], None, None),
        ("规上工业增加值增长12%以上", [("区科技和经信局", PLAIN)], None, None),
        ("固定资产投资增长10%以上", [("区发展和改革局", PLAIN)], None, None),
    ],
    "wuhan_2020_gzbg_notice.txt": [],
    # "到2025年完成…" is a target inside the text, not the task's deadline.
    "yantian_2023_yingshang.txt": [
        ("实施空间载体提质工程",
         [("市规划和自然资源局盐田管理局", PLAIN), ("区前期办", PLAIN), ("区城市更新和土地整备局", PLAIN),
          ("区工业和信息化局", PLAIN), ("区发展改革局", PLAIN), ("区文化广电旅游体育局", PLAIN), ("中英街管理局", PLAIN)],
         None, None),
    ],
}


# Whole pages of plans above (the same documents, issuing notice included), read as their excerpts are.
for _name in ("lishan_2023_fengong", "gangcheng_2021_fangguanfu", "fangxian_2023_yingshang", "xiping_2020_fazhi",
              "sichuan_2022_liutong"):
    HAND_READING[f"{_name}_whole.txt"] = HAND_READING[f"{_name}.txt"]


def reading_of(plan):
    return [
        (t.title, t.unit_pairs(), t.deadline_text,
         (found.due if t.deadline_text and (found := find_deadline(t.deadline_text, plan.year)) else None))
        for t in plan.tasks
    ]


def test_every_excerpt_has_a_hand_reading():
    assert sorted(p.name for p in PLANS.glob("*.txt")) == sorted(HAND_READING)


def read_or_none(name):
    """The plan a corpus file holds, or None when the reader refuses it (no task found)."""
    from db.errors import UserError

    try:
        return read_plan_file(PLANS / name)
    except UserError:
        return None


@pytest.mark.parametrize("name", sorted(HAND_READING))
def test_each_real_plan_reads_as_a_whole_document(name):
    if not HAND_READING[name]:
        from db.errors import UserError

        with pytest.raises(UserError, match="没有找到任何.*任务.*附件的 Word 或 Excel 表格"):
            read_plan_file(PLANS / name)
        return
    plan = read_plan_file(PLANS / name)
    assert reading_of(plan) == HAND_READING[name]
    codes = [t.code for t in plan.tasks]
    assert len(set(codes)) == len(codes)
    # Every task keeps its source lines (below the source note), and they hold its title.
    lines = (PLANS / name).read_text(encoding="utf-8").splitlines()
    for task in plan.tasks:
        assert 1 < task.line_start <= task.line_end <= len(lines)
        assert task.title.split(",")[0] in "".join(lines[task.line_start - 1: task.line_end])


def corpus_score():
    """(plans, tasks in the hand reading, tasks read exactly right, tasks read that the hand reading lacks).

    A task is right when a task the reader found has the same title, the same units with the same roles
    (so the same leads), the same deadline wording and the same due date.
    """
    right = extra = 0
    for name, hand in HAND_READING.items():
        plan = read_or_none(name)
        got = reading_of(plan) if plan else []
        unmatched = list(got)
        for task in hand:
            if task in unmatched:
                unmatched.remove(task)
                right += 1
        extra += sum(1 for title, *_ in unmatched if title not in {t for t, *_ in hand})
    return len(HAND_READING), sum(len(v) for v in HAND_READING.values()), right, extra


def test_corpus_share_of_tasks_read_right():
    plans, tasks, right, extra = corpus_score()
    print(f"plan text corpus: {plans} plans, {tasks} tasks, {right} read right ({right / tasks:.1%}), {extra} extra")
    assert plans >= 17 and tasks >= 37
    assert right / tasks >= 0.95 and extra <= 0.05 * tasks
    assert (plans, tasks, right, extra) == (45, 106, 106, 0)  # today's reading; a change here is news


def test_plan_years_come_from_the_title_not_from_digits_in_a_page_number():
    # The source line of the 钢城 excerpt names …/820521.html before 2021年: 2052 is not a year.
    assert read_plan_file(PLANS / "gangcheng_2021_fangguanfu.txt").year == 2021


MADE_UP = """某区2024年优化营商环境工作方案

一、工作目标
到2024年底,营商环境明显改善,企业满意度达到90%以上。
二、主要任务
以下任务均需各街道办事处落实
（一）提升审批效率
1.推行告知承诺制,6月底前完成事项梳理。(牵头单位:区行政审批局;配合单位:区司法局)
2.压缩办理时限。
(1)工程建设项目审批压缩至60个工作日以内。(区住建局牵头,区自然资源局配合,9月底前完成)
（2）企业开办1个工作日内办结。（区市场监管局负责）
(二)优化政务服务
1、推进“一网通办”,年底前实现高频事项全覆盖。〔牵头单位:区政务服务中心〕
三、重点任务
1.开展涉企收费专项检查。(区发展改革委牵头,长期坚持)
以下任务均需区财政局配合
2.加强信用监管。
①建立信用承诺制度。(区发展改革委负责)
②开展信用修复,上半年完成。(区市场监管局负责)
四、保障措施
(一)加强组织领导。各单位要高度重视,确保各项任务落到实处。(区政府办公室负责)
"""


def test_a_made_up_plan_with_nesting_and_riders():
    plan = parse_plan_text(MADE_UP, "made_up.txt")
    assert plan.year == 2024
    streets = ("各街道办事处", IMPLEMENT)
    finance = ("区财政局", SUPPORT)
    assert [(t.label, t.title) for t in plan.tasks] == [
        ("1.", "推行告知承诺制,6月底前完成事项梳理"),
        ("(1)", "工程建设项目审批压缩至60个工作日以内"),
        ("（2）", "企业开办1个工作日内办结"),
        ("1、", "推进“一网通办”,年底前实现高频事项全覆盖"),
        ("1.", "开展涉企收费专项检查"),
        ("①", "建立信用承诺制度"),
        ("②", "开展信用修复,上半年完成"),
    ]
    assert [t.units for t in plan.tasks] == [
        [("区行政审批局", LEAD), ("区司法局", SUPPORT), streets],
        [("区住建局", LEAD), ("区自然资源局", SUPPORT), streets],
        [("区市场监管局", RESPONSIBLE), streets],
        [("区政务服务中心", LEAD), streets],
        # The first rider ends at 三、; the second governs only the tasks after it.
        [("区发展改革委", LEAD)],
        [("区发展改革委", RESPONSIBLE), finance],
        [("区市场监管局", RESPONSIBLE), finance],
    ]
    assert [t for *_, t in reading_of(plan)] == [
        dt.date(2024, 6, 30), dt.date(2024, 9, 30), None, dt.date(2024, 12, 31), None, None, dt.date(2024, 6, 30),
    ]
    assert plan.tasks[4].deadline_text == "长期坚持"
    assert [t.code for t in plan.tasks] == [
        "A01-02.01.01", "A01-02.01.02.01", "A01-02.01.02.02", "A01-02.02.01", "A01-03.01", "A01-03.02.01",
        "A01-03.02.02",
    ]
    assert [t.section_label for t in plan.tasks][:4] == ["（一）", "（一）", "（一）", "(二)"]
    # The rider is part of the task's responsibility as the clerk will read it.
    assert plan.tasks[0].responsibility_text.endswith("以下任务均需各街道办事处落实")


def test_only_the_heading_above_decides_that_items_are_not_tasks():
    plan = parse_plan_text(
        "某县2024年工作要点\n一、重点任务\n1.加强组织领导,建立工作专班。(县政府办公室牵头)\n"
        "二、保障措施\n1.加强督查考核。(县督查室负责)\n",
        "county.txt",
    )
    assert [(t.title, t.units) for t in plan.tasks] == [("加强组织领导,建立工作专班", [("县政府办公室", LEAD)])]


def test_an_item_cut_by_a_page_break_is_joined_but_a_heading_line_is_not():
    plan = parse_plan_text(
        "某县2024年工作要点\n二、主要任务\n1.推行告知承诺制,6月底前\n\n完成事项梳理。(县行政审批局牵头)\n",
        "county.txt",
    )
    (task,) = plan.tasks
    assert task.title == "推行告知承诺制,6月底前完成事项梳理" and (task.line_start, task.line_end) == (3, 5)
    assert task.deadline_text == "6月底前" and task.units == [("县行政审批局", LEAD)]


def test_a_plan_text_the_reader_refuses_is_named_in_the_message(tmp_path):
    """A fuzz case (plan_text, seed 20): GB18030 text whose cover names an annex the body never titles."""
    import shutil
    from pathlib import Path

    from db.errors import UserError

    path = tmp_path / "2024年行动方案.txt"
    shutil.copy(Path(__file__).parent / "data" / "hostile_plan_gb18030.txt", path)
    with pytest.raises(UserError) as refused:
        read_plan_file(path)
    assert "2024年行动方案.txt" in str(refused.value) and "附件1" in str(refused.value)


# A whole document as a clerk gets it (made up, in the shape of the real ones above): the issuing notice
# with its own numbered requirements and a date, goals, tasks cut by page numbers, phases with dates,
# 保障措施, and the 抄送/印发 lines of the last page.
WHOLE_DOCUMENT = """某县人民政府办公室文件
某政办〔2024〕3号
某县人民政府办公室关于印发《某县2024年优化营商环境工作方案》的通知
各乡镇人民政府，县直各单位：
《某县2024年优化营商环境工作方案》已经县政府同意，现印发给你们，请认真贯彻落实。
一、提高认识。各单位要高度重视。
二、按时报送。各牵头单位于2024年3月31日前将推进计划报县政府办公室。
某县人民政府办公室
2024年3月1日
某县2024年优化营商环境工作方案
一、指导思想
以习近平新时代中国特色社会主义思想为指导，持续优化营商环境。
二、工作目标
到2024年底前，企业开办时间压缩至1个工作日以内。
三、主要任务
（一）提升政务服务效能。推行“一网通办”，6月底前实现高频事项全程网办，
— 2 —
完善线上线下融合服务。（牵头单位：县行政审批局；责任单位：县直各单位）
（二）规范涉企执法。
1.推行包容审慎监管，年底前公布轻微违法不予处罚清单。（县司法局牵头，县直执法部门配合）
2.开展涉企收费检查。（县市场监管局负责，9月底前完成）
四、实施步骤
（一）部署阶段（2024年3月底前）。制定方案，明确分工。
（二）总结阶段（2024年12月底前）。全面总结，巩固成效。
五、保障措施
（一）加强组织领导。成立工作专班。（县政府办公室负责）
- 3 -
抄送：县委办公室，县人大常委会办公室，县政协办公室。
某县人民政府办公室                2024年3月1日印发
"""


def test_a_whole_document_yields_only_its_tasks():
    plan = parse_plan_text(WHOLE_DOCUMENT, "whole.txt")
    assert plan.year == 2024 and plan.doc_number == "某政办〔2024〕3号"
    assert [(t.title, t.units, t.deadline_text) for t in plan.tasks] == [
        ("提升政务服务效能", [("县行政审批局", LEAD), ("县直各单位", PLAIN)], "6月底前"),
        ("推行包容审慎监管,年底前公布轻微违法不予处罚清单".replace(",", "，"), [("县司法局", LEAD), ("县直执法部门", SUPPORT)],
         "年底前"),
        ("开展涉企收费检查", [("县市场监管局", RESPONSIBLE)], "9月底前"),
    ]
    # The page number that cut the first task is not part of its text.
    assert "— 2 —" not in plan.tasks[0].text and "完善线上线下融合服务" in plan.tasks[0].text


def test_an_item_without_its_bracket_among_tasks_is_kept_and_flagged_not_dropped(tmp_path):
    from db.plan_text import UNREAD_ITEM
    from exports.plan_reading import read_plan_document

    text = (
        "某县2024年工作要点\n一、主要任务\n"
        "1.推行告知承诺制。(县行政审批局牵头)\n"
        "2.压缩企业开办时间。\n"
        "3.开展涉企收费检查。(县市场监管局负责)\n"
        "二、保障措施\n1.加强组织领导。\n2.强化督查考核。(县政府办公室负责)\n"
    )
    plan = parse_plan_text(text, "county.txt")
    assert [(t.title, t.units, t.problems) for t in plan.tasks] == [
        ("推行告知承诺制", [("县行政审批局", LEAD)], []),
        ("压缩企业开办时间", None, [UNREAD_ITEM]),
        ("开展涉企收费检查", [("县市场监管局", RESPONSIBLE)], []),
    ]
    path = tmp_path / "county.txt"
    path.write_text(text, encoding="utf-8")
    doubts = [d.message for d in read_plan_document(path).doubts]
    assert any("压缩企业开办时间" in d and "没有牵头或责任单位" in d for d in doubts)
    assert any("压缩企业开办时间" in d and UNREAD_ITEM in d for d in doubts)


def test_a_page_number_after_a_full_stop_still_continues_an_item_without_its_bracket():
    text = (
        "某县人民政府办公室关于印发《某县优化营商环境工作方案》的通知\n某政办〔2024〕2号\n一、主要任务\n"
        "1.提高环评审批效率。环评文件上报审批时,只需提交水保批复。\n\n— 4 —\n\n"
        "环境影响报告表原则上由县级负责审批。(县环保局牵头,县水务局配合)\n"
        "2.提高土地审批效率。6亩以下的土地使用转让手续由县政府审查。(县自然资源局牵头)\n"
    )
    plan = parse_plan_text(text, "county.txt")
    assert [(t.title, t.units, t.line_start, t.line_end) for t in plan.tasks] == [
        ("提高环评审批效率", [("县环保局", LEAD), ("县水务局", SUPPORT)], 4, 8),
        ("提高土地审批效率", [("县自然资源局", LEAD)], 9, 9),
    ]


def test_month_deadlines_take_the_year_of_the_document_number_when_the_title_has_none():
    text = (
        "某市人民政府办公室关于印发《某市行政许可事项清单编制方案》的通知\n某政办〔2022〕9号\n一、工作措施\n"
        "(1)全面编制行政许可事项清单,8月底前编制完成市级清单并向社会公布。\n"
        "(2)大力清理整治变相许可,11月底前完成清查整治。\n"
    )
    plan = parse_plan_text(text, "city.txt")
    assert [(t.deadline_text, find_deadline(t.deadline_text, plan.year).due) for t in plan.tasks] == [
        ("8月底前", dt.date(2022, 8, 31)), ("11月底前", dt.date(2022, 11, 30)),
    ]


FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})


def _canonical(reading):
    return [
        (title.translate(FULL_WIDTH), [(u.translate(FULL_WIDTH), r) for u, r in units],
         deadline.translate(FULL_WIDTH) if deadline else deadline, due)
        for title, units, deadline, due in reading
    ]


@pytest.mark.parametrize("name", sorted(n for n, hand in HAND_READING.items() if hand))
def test_each_real_plan_reads_the_same_as_a_printed_whole_document(name):
    """The stored pages are tidier than the files a clerk gets.  Each plan, in full-width punctuation with
    the ideographic indent of a Word export, is wrapped in an issuing notice (its own numbered
    requirements, one dated, and a signature date), its long paragraphs cut by page numbers, and a
    保障措施 chapter, 抄送 and 印发 lines after it: the tasks read are the same."""
    lines = (PLANS / name).read_text(encoding="utf-8").split("\n")
    year = read_plan_file(PLANS / name).year or 2023
    body = []
    for k, line in enumerate(lines[1:]):
        line = "\u3000\u3000" + line.translate(FULL_WIDTH) if line.strip() else line
        body += [line[:60], "", f"— {k + 2} —", "", line[60:]] if len(line) > 120 and k % 2 == 0 else [line]
    cover = [
        lines[0], "某市人民政府办公室文件", f"某政办〔{year}〕1号", "某市人民政府办公室关于印发《某工作方案》的通知",
        "各县（市、区）人民政府，市政府各部门：", "《某工作方案》已经市政府同意，现印发给你们，请认真贯彻落实。",
        "一、提高思想认识。各地各部门要高度重视。", f"二、按时报送进展。各牵头单位于{year}年6月30日前报送进展情况。",
        "某市人民政府办公室", f"{year}年3月1日", "某工作方案",
    ]
    trailer = [
        "九、保障措施", "（一）加强组织领导。建立工作专班。（市政府办公室负责）", "（二）强化督查考核。（市督查室负责，年底前完成）",
        "— 99 —", "抄送：市委办公室，市人大常委会办公室，市政协办公室。", f"某市人民政府办公室          {year}年3月1日印发",
    ]
    plan = parse_plan_text("\n".join(cover + body + trailer), name)
    assert _canonical(reading_of(plan)) == _canonical(HAND_READING[name])


def test_a_plan_with_its_task_table_attached_as_text_is_read_from_its_body():
    text = (
        "某县人民政府办公室关于印发《某县2024年优化营商环境工作方案》的通知\n某政办〔2024〕3号\n"
        "各乡镇人民政府，县直各单位：\n现将《某县2024年优化营商环境工作方案》印发给你们，请认真贯彻落实。\n"
        "附件：某县2024年优化营商环境重点任务分工表\n某县人民政府办公室\n2024年3月1日\n"
        "某县2024年优化营商环境工作方案\n一、主要任务\n"
        "1.推行告知承诺制，6月底前完成事项梳理。（县行政审批局牵头，县司法局配合）\n"
        "2.开展涉企收费检查。（县市场监管局负责）\n二、保障措施\n（一）加强组织领导。（县政府办公室负责）\n"
        "附件1\n某县2024年优化营商环境重点任务分工表\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t推行告知承诺制\t县行政审批局\t县司法局\t2024年6月底前\n2\t开展涉企收费检查\t县市场监管局\t\t2024年12月底前\n"
    )
    plan = parse_plan_text(text, "county.txt")
    assert [(t.title, t.units, t.deadline_text) for t in plan.tasks] == [
        ("推行告知承诺制，6月底前完成事项梳理", [("县行政审批局", LEAD), ("县司法局", SUPPORT)], "6月底前"),
        ("开展涉企收费检查", [("县市场监管局", RESPONSIBLE)], None),
    ]


NUMBERINGS = {
    "⑴": ("⑴", "⑵"), "1）": ("1）", "2）"), "１．": ("１．", "２．"), "第一条": ("第一条 ", "第二条 "),
}


@pytest.mark.parametrize("style", sorted(NUMBERINGS))
def test_other_numbering_styles_label_their_tasks(style):
    first, second = NUMBERINGS[style]
    heading = "第一章 主要任务" if style == "第一条" else "一、主要任务"
    plan = parse_plan_text(
        f"某县2024年工作要点\n{heading}\n{first}推行告知承诺制。(县行政审批局牵头)\n{second}开展涉企收费检查。(县市场监管局负责)\n",
        "county.txt",
    )
    assert [(t.label, t.title, t.units) for t in plan.tasks] == [
        (first.strip(), "推行告知承诺制", [("县行政审批局", LEAD)]),
        (second.strip(), "开展涉企收费检查", [("县市场监管局", RESPONSIBLE)]),
    ]


# A task table copied into a text file, read by the table reader when the text itself has no task: a
# real page (held out: refused before, 0 of 10) whose merged 工作任务 cells the copy flattened, and a
# made-up notice with its 分工表 as tab-separated rows.
JIANGMEN_BY_HAND = [
    ("一、做好财政信息公开。", "积极推进本中心预算、决算及相关报表公开", [("财务科", RESPONSIBLE)]),
    ("二、做好政府网站专栏信息公开。", "及时更新网站频道的各类型概况信息", [("办公室", RESPONSIBLE)]),
    ("二、做好政府网站专栏信息公开。", "及时反馈网民对调查征集信息的意见", [("各科室", RESPONSIBLE)]),
    ("二、做好政府网站专栏信息公开。", "及时更新微信公众号信息", [("办公室", LEAD), ("各科室", SUPPORT)]),
    ("三、持续加强重大政策发布解读。", "聚焦我中心工作", [("各科室", RESPONSIBLE)]),
    ("三、持续加强重大政策发布解读。", "综合运用新闻发布会、在线访谈、图文动画、短视频等形式", [("各科室", RESPONSIBLE)]),
    ("四、不断改进政策解读工作方式。", "按照《江门市政府系统政策解读工作细则(试行)》相关要求", [("办公室", LEAD), ("各科室", SUPPORT)]),
    ("四、不断改进政策解读工作方式。", "加强政策咨询服务", [("各科室", RESPONSIBLE)]),
    ("四、不断改进政策解读工作方式。", "加强内部协调工作", [("办公室", LEAD), ("各科室", SUPPORT)]),
    ("五、切实增强回应关切效果。", "密切关注涉及土地储备等方面的舆情并及时作出回应", [("各科室", RESPONSIBLE)]),
]


def test_a_task_table_copied_as_text_with_flattened_merged_cells():
    from exports.plan_reading import read_plan_document

    reading = read_plan_document(PLANS / "text_tables" / "jiangmen_zwgk_table.txt")
    assert reading.form == "table"
    got = [(t.section_label, t.title, t.units) for t in reading.draft.tasks]
    assert [(s, t, u) for s, t, u in got] == [
        (section.split("、")[0] + "、", title, units) for section, title, units in JIANGMEN_BY_HAND
    ]
    assert all(t.deadline_text is None for t in reading.draft.tasks)


def test_a_notice_with_its_task_table_as_tab_separated_text(tmp_path):
    from exports.plan_reading import read_plan_document

    path = tmp_path / "分解.txt"
    path.write_text(
        "某县人民政府办公室关于印发《2024年县政府工作报告重点任务分解》的通知\n某政办〔2024〕1号\n"
        "各乡镇人民政府，县直各单位：\n《2024年县政府工作报告重点任务分解》已经县政府同意，现印发给你们，请认真贯彻落实。\n"
        "某县人民政府办公室\n2024年2月1日\n2024年县政府工作报告重点任务分解\n"
        "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n一、扩大有效投资\t\t\t\t\n"
        "1\t推进重点项目建设，全年完成投资100亿元\t县发改局\t县财政局、县自然资源局\t2024年12月底前\n"
        "2\t开工建设县城污水处理厂二期\t县住建局\t县生态环境分局\t9月底前\n",
        encoding="utf-8",
    )
    reading = read_plan_document(path)
    assert reading.draft.title == "2024年县政府工作报告重点任务分解" and reading.draft.year == 2024
    assert [(t.title, t.units, t.deadline_text, find_deadline(t.deadline_text, 2024).due) for t in reading.draft.tasks] == [
        ("推进重点项目建设，全年完成投资100亿元", [("县发改局", LEAD), ("县财政局", SUPPORT), ("县自然资源局", SUPPORT)],
         "2024年12月底前", dt.date(2024, 12, 31)),
        ("开工建设县城污水处理厂二期", [("县住建局", LEAD), ("县生态环境分局", SUPPORT)], "9月底前", dt.date(2024, 9, 30)),
    ]


def test_a_notice_title_without_title_marks_names_the_plan():
    lines = ["区人民政府办公室关于印发2023年区《政府工作报告》确定的主要目标任务责任分解方案的通知", "蔡政办〔2023〕1号"]
    from db.plan_text import plan_heading

    assert plan_heading(lines, "x.txt") == ("2023年区《政府工作报告》确定的主要目标任务责任分解方案", "蔡政办〔2023〕1号", 2023)


def test_a_notice_title_broken_over_two_lines_names_the_plan():
    plan = read_plan_file(PLANS / "xiping_2020_fazhi_whole.txt")
    assert (plan.title, plan.doc_number, plan.year) == ("西平县2020年度法治政府建设工作安排", "西政办〔2020〕20号", 2020)


def test_real_plans_read_the_same_from_a_wrapped_text_layer_in_most_cases():
    """Text taken from a PDF's text layer breaks every line at the page width, after a full stop too.  Each
    plan, its lines cut every 28 … 40 characters (公文 print 28 a line), is read again: the share of
    (plan, width) pairs read exactly as the hand reading is pinned (529 of 559 today; the misses are
    mostly a bracket or an item heading cut so that a piece starts a line of its own)."""
    plans = sorted(n for n, hand in HAND_READING.items() if hand)
    same = 0
    for name in plans:
        lines = (PLANS / name).read_text(encoding="utf-8").split("\n")
        for width in range(28, 41):
            wrapped = [lines[0]]
            for line in lines[1:]:
                wrapped += [line[i: i + width] for i in range(0, len(line), width)] if line else [line]
            try:
                got = reading_of(parse_plan_text("\n".join(wrapped), name))
            except Exception:  # noqa: BLE001 - a refusal is a miss here
                got = []
            same += _canonical(got) == _canonical(HAND_READING[name])
    print(f"wrapped text: {same} of {len(plans) * 13} read the same")
    assert same >= 529


def test_the_year_of_a_plan_without_one_in_its_title_or_wenhao_is_the_notice_date():
    text = (PLANS / "xiangyang_2020_yingshang.txt").read_text(encoding="utf-8").split("\n", 1)[1]  # without the source note
    plan = parse_plan_text(text, "襄阳.txt")
    assert (plan.title, plan.doc_number, plan.year) == ("襄阳市更大力度优化营商环境激发市场活力工作实施方案", None, 2020)


def test_a_plan_saved_as_notepad_unicode_is_read(tmp_path):
    path = tmp_path / "襄阳.txt"
    path.write_bytes((PLANS / "xiangyang_2020_yingshang.txt").read_text(encoding="utf-8").encode("utf-16"))
    assert reading_of(read_plan_file(path)) == HAND_READING["xiangyang_2020_yingshang.txt"]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        # The second line is the title; its 文号 in brackets is not part of it (the first is the source note).
        ("chizhou_2017_yingshang.txt", "池州市人民政府关于创优“四最”营商环境的实施意见"),
        # A notice title broken over lines, printed with 《》 and a space: the plan's own name.
        ("lishan_2023_fengong_whole.txt", "立山区政府2023年重点工作任务分解和责任分工方案"),
        # The addressee line (各乡镇人民政府,县直各单位:) is no title, nor is a line that is only a 文号 (许政[2020]20号),
        # nor an excerpt's first numbered heading: the file is named by its file name.
        ("fangxian_2023_yingshang_whole.txt", "fangxian_2023_yingshang_whole"),
        ("xuchang_2020_gzbg.txt", "xuchang_2020_gzbg"),
        ("dongzhou_2023_zwgk.txt", "dongzhou_2023_zwgk"),
    ],
)
def test_a_plan_is_named_by_its_title_line_else_by_its_file_name(name, title):
    assert read_plan_file(PLANS / name).title == title


def test_a_plan_without_a_year_in_its_words_takes_the_year_its_file_is_named_with(tmp_path):
    path = tmp_path / "2024年重点任务分工.txt"
    path.write_text("一、重点任务\n1.推进企业开办便利化。（县市场监管局牵头，6月底前完成）\n", encoding="utf-8")
    plan = read_plan_file(path)
    assert (plan.title, plan.year) == ("2024年重点任务分工", 2024)
    assert find_deadline(plan.tasks[0].deadline_text, plan.year).due == dt.date(2024, 6, 30)


def test_a_plan_whose_first_line_is_already_a_task_keeps_that_task(tmp_path):
    """An excerpt or a pasted list may start at its first task: the first line is read, not taken as a title and skipped."""
    path = tmp_path / "2024年县重点任务.txt"
    path.write_text(
        "1.推行告知承诺制，6月底前完成事项梳理。（县司法局牵头，县直各部门配合）\n2.压缩开办时间。（县市场监管局负责，9月底前完成）\n",
        encoding="utf-8",
    )
    plan = read_plan_file(path)
    assert plan.title == "2024年县重点任务"
    assert [(t.title, [n for n, r in t.unit_pairs() if r == LEAD], t.deadline_text) for t in plan.tasks] == [
        ("推行告知承诺制，6月底前完成事项梳理", ["县司法局"], "6月底前"),
        ("压缩开办时间", [], "9月底前"),
    ]
