"""Real published task tables, as printed, and a hand reading of each (tasks, lead units, deadlines, due dates).

Every row below was copied from the published page named in `source` (short excerpts: the first tasks of each
table or list).  Where the page printed the plan as a table, the file keeps its columns; where it printed each
task as a paragraph with 牵头单位/责任单位/完成时限 lines or a bracket, the file lays the same cells out in the
table form offices use for it (the `layout` note says which).  Nothing in a cell is invented: an empty cell is
one the page left empty or did not have.  make_forms.py builds the .docx, .xlsx and .pdf files from these
tables; the hand reading (`expect`) is written separately, task by task, and tests/test_plan_forms.py checks
what duban reads from each file against it.

expect: one entry per task, in order: (words the task text holds, lead units, deadline as printed or None, due
date or None).
"""

from __future__ import annotations

# --- Word (.docx) ------------------------------------------------------------------------------------------

XIAMEN_2023 = {
    "file": "厦门市2023年再创营商环境新优势行动方案任务分解表",
    "source": "http://dpc.xm.gov.cn/xxgk/xxgkml/qtyzdgkxx/202306/t20230626_2770130.htm (厦营商办〔2023〕7号, 任务分解表, 序号 1-5)",
    "layout": "the page's table: 序号 | 章节 (merged down the rows of the section) | 方案内容 | 牵头部门",
    "title": "厦门市再创营商环境新优势助力企业高质量发展行动方案任务分解表",
    "header": ["序号", "章节", "方案内容", "牵头部门"],
    "merge_down": [1],  # the 章节 column
    "rows": [
        ["1", "1.便利市场准入退出", "严格落实“全国一张清单管理要求,推动破除市场准入隐性壁垒”。", "市发改委"],
        ["2", "1.便利市场准入退出", "对具有稳定收益、可获得较好预期投资回报的保障性租赁住房、城市基础设施等领域重点项目,原则上推行市场化运作,鼓励支持民间资本参与。", "市发改委、各行业主管部门"],
        ["3", "1.便利市场准入退出", "深入实施住所、经营场所“标准化登记+申报承诺+告知承诺制”,便利企业开办。深入推进市场监管领域企业高频证照变更联办“一件事”,优化全程网办功能。", "市市场监管局"],
        ["4", "1.便利市场准入退出", "持续优化简易注销和一般注销办理程序,提升市场主体注销便利化水平。", "市市场监管局"],
        ["5", "1.便利市场准入退出", "健全企业歇业备案制度,加强部门间信息共享,实现歇业备案数据共享共用。", "市市场监管局"],
    ],
    "expect": [
        ("严格落实“全国一张清单", ["市发改委"], None, None),
        ("对具有稳定收益", ["市发改委", "各行业主管部门"], None, None),
        ("深入实施住所、经营场所", ["市市场监管局"], None, None),
        ("持续优化简易注销", ["市市场监管局"], None, None),
        ("健全企业歇业备案制度", ["市市场监管局"], None, None),
    ],
}

LISHAN_2023 = {
    "file": "立山区政府2023年重点工作任务分解和责任分工方案",
    "source": "http://www.lishan.gov.cn/html/ASLSQ/202303/0168765895614794.html (鞍立政发〔2023〕2号, 一、1-6)",
    "layout": "the page prints each item with 牵头单位:/责任单位: lines; here as 序号 | 重点任务 | 牵头单位 | 责任单位, the chapter as a row merged across",
    "title": "立山区政府2023年重点工作任务分解和责任分工方案",
    "header": ["序号", "重点任务", "牵头单位", "责任单位"],
    "rows": [
        ["一、经济社会发展的主要预期目标"],
        ["1", "努力实现地区生产总值增长6.2%左右。", "区发改局", "立山经济开发区,全区经济运行各专班"],
        ["2", "规模上工业增加值增长5%左右。", "区工信局", "立山经济开发区"],
        ["3", "固定资产投资增长15%左右。", "区发改局", "立山经济开发区,各街道、区直各部门"],
        ["4", "社会消费品零售总额增长9%左右。", "区商务局", "各街道,区市场局"],
        ["5", "一般公共预算收入增长8%左右。", "区财政局", "立山经济开发区,各街道,税务局"],
        ["6", "居民收入增长与经济增长基本同步。", "区发改局", "各街道,各相关单位"],
    ],
    "expect": [
        ("努力实现地区生产总值", ["区发改局"], None, None),
        ("规模上工业增加值", ["区工信局"], None, None),
        ("固定资产投资增长", ["区发改局"], None, None),
        ("社会消费品零售总额", ["区商务局"], None, None),
        ("一般公共预算收入", ["区财政局"], None, None),
        ("居民收入增长", ["区发改局"], None, None),
    ],
}

XIAN_2024 = {
    "file": "西安市2024年强化项目服务保障优化营商环境工作方案任务分工表",
    "source": "http://cbe.ccpitcsc.org/article_view.aspx?id=5295 (市政办函〔2024〕26号, 二、(一)1; the page shows the first task whole)",
    "layout": "the page prints 牵头单位:/责任单位:/完成时限: lines under each task; here as 序号 | 类别 | 重点任务 | 牵头单位 | 责任单位 | 完成时限",
    "title": "西安市强化项目服务保障优化营商环境工作方案重点任务分工表",
    "header": ["序号", "类别", "重点任务", "牵头单位", "责任单位", "完成时限"],
    "merge_down": [1],
    "rows": [
        ["1", "(一)优审批、强监管,提升项目审批质效", "营造项目公平准入环境。严格落实市场准入负面清单制度,全面清理妨碍统一市场和公平竞争的政策措施,切实保障民营企业公平参与工程建设、招标投标、政府采购。定期制定公布项目机会清单,鼓励和吸引更多社会资本参与基础设施、民生保障、城市更新、产业发展等领域建设。", "市发改委", "市市场监管局、市投资局、市财政局等市级相关单位,各区县政府、西咸新区管委会、各开发区管委会", "2024年6月底前"],
    ],
    "expect": [
        ("营造项目公平准入环境", ["市发改委"], "2024年6月底前", "2024-06-30"),
    ],
}

CHUZHOU_2020 = {
    "file": "滁州市2020年市政府重点工作及责任分解",
    "source": "http://www.chuzhou.gov.cn/public/152523227/567017766.html (滁州市人民政府关于2020年市政府重点工作及责任分解的通知, 一、1-3)",
    "layout": "the page prints 牵头负责领导/牵头责任单位/协同责任单位 lines under each item; here as a table with those three columns",
    "title": "2020年市政府重点工作及责任分解",
    "header": ["序号", "重点工作", "牵头负责领导", "牵头责任单位", "协同责任单位"],
    "rows": [
        ["一、确保完成全年主要预期目标"],
        ["1", "地区生产总值增长8%以上。", "金力", "市发展改革委", "市经信局、市商务局、市交通局、市农业农村局、滁州经开区管委会、中新苏滁高新区管委会等,各县、市、区政府。"],
        ["2", "财政收入增长8%左右。", "金力", "市财政局", "市税务局、滁州海关、市人行、滁州经开区管委会、中新苏滁高新区管委会等,各县、市、区政府。"],
        ["3", "固定资产投资增长10%以上。", "金力", "市发展改革委", "市经信局、市住建局、市交通局、市水利局、滁州经开区管委会、中新苏滁高新区管委会等,各县、市、区政府。"],
    ],
    "expect": [
        ("地区生产总值增长8%以上", ["市发展改革委"], None, None),
        ("财政收入增长8%左右", ["市财政局"], None, None),
        ("固定资产投资增长10%以上", ["市发展改革委"], None, None),
    ],
}

CHIZHOU_XFJ = {
    "file": "池州市市直部门政务公开重点任务清单",
    "source": "https://xfj.chizhou.gov.cn/OpennessContent/show/1426818.html (a 池州市 department's 政务公开重点任务清单, 1-8; the page gives no year: 年底前 is not dated)",
    "layout": "the page's table: 工作任务 (merged down the rows it covers) | 序号 | 具体要求 | 责任科室 | 时限要求",
    "title": "政务公开重点任务清单",
    "header": ["工作任务", "序号", "具体要求", "责任科室", "时限要求"],
    "merge_down": [0],
    "rows": [
        ["强化行政规范性文件集中规范公开", "1", "对行政规范性文件进行全面清理,并向社会公布现行有效行政规范性文件目录。", "办公室", "年底前"],
        ["深化政策解读形式", "2", "积极做好政策解读工作,持续提升政策解读质量,丰富解读形式。", "各科室", "持续推进"],
        ["做好主动公开基础工作", "3", "严格规范政府信息公开专栏,及时、集中、规范发布法定主动公开内容。严格执行政府信息公开制度,完善政府信息公开保密审查,增强保密意识,防范泄密风险。", "各科室", "持续推进"],
        ["做好主动公开基础工作", "4", "规范做好政府信息公开工作年度报告编制发布工作,将年度重点工作任务落实情况纳入年报,确保体例规范、数据准确,接受社会监督。", "办公室", "持续推进"],
        ["规范办理依申请公开", "5", "依法依规办理政府信息公开申请,做行政复议答复和行政诉讼答辩工作,防范法律风险。", "各科室", "持续推进"],
        ["认真抓好工作落实", "6", "制定并公开本部门政务公开重点任务清单,明确具体要求、责任科室及完成时限,逐项推动工作落实", "办公室", "持续推进"],
        ["加强宣传", "7", "积极参加“政务公开交流”约稿活动,认真总结报送优秀稿件。", "各科室", "持续推进"],
        ["做好指导监督", "8", "积极参加政务公开工作培训和研讨交流,不断提升业务能力。", "办公室", "持续推进"],
    ],
    # 责任科室 is the only unit column: the list names no lead (牵头) unit
    "expect": [
        ("对行政规范性文件进行全面清理", [], "年底前", None),
        ("积极做好政策解读工作", [], "持续推进", None),
        ("严格规范政府信息公开专栏", [], "持续推进", None),
        ("规范做好政府信息公开工作年度报告", [], "持续推进", None),
        ("依法依规办理政府信息公开申请", [], "持续推进", None),
        ("制定并公开本部门政务公开重点任务清单", [], "持续推进", None),
        ("积极参加“政务公开交流”约稿活动", [], "持续推进", None),
        ("积极参加政务公开工作培训", [], "持续推进", None),
    ],
}

# --- Excel (.xlsx) -----------------------------------------------------------------------------------------

CHONGCHUAN_2023 = {
    "file": "崇川区2023年区政府重点民生实事项目推进情况台账",
    "source": "http://chongchuan.gov.cn/xccqrmzf/msssxm/content/3050375a-7066-4841-b547-49222f1a34fa.html (2023年区政府重点民生实事项目推进情况(1-11月), 序号 24-26)",
    "layout": "the page's table with its progress columns; a title row and an empty 填报单位 row above it",
    "title": "2023年区政府重点民生实事项目推进情况(1-11月)",
    "filled_by": "填报单位:",
    "header": ["序号", "主要任务", "全年目标任务", "分管领导", "牵头单位", "责任主体与协同单位", "1-10月推进情况", "1-11月推进情况", "是否达序", "说明"],
    "rows": [
        ["24", "优化提升50条背街后巷交通组织。", "", "徐国江", "城管局", "市政局、相关街道", "已进场施工,完成30%。", "已进场施工,完成60%。", "是", ""],
        ["25", "新增四分类“三定一督”达标小区210个。", "", "徐国江", "城管局", "市政局、环卫处、崇川经济开发区、各街道", "已进场施工,正在推进点位选址、场地硬化,第一批451个厢房(亭房)正在加紧制作。", "在46个小区,建成38个厢房,70个分类亭。", "否", "前期配合区相关部门对该项目招标质疑、投诉处置,项目于9月28才签订合同,滞后了2个月,后期将加快推进。"],
        ["26", "新建建筑垃圾中转站8个、建筑垃圾分类池20个。", "", "徐国江", "城管局", "崇川经济开发区、相关街道", "已建成建筑垃圾中转站3个、分类池10个;其余点位已启动建设流程。", "已建成建筑垃圾中转站7个、分类池17个。", "是", ""],
    ],
    "expect": [
        ("优化提升50条背街后巷", ["城管局"], None, None),
        ("新增四分类", ["城管局"], None, None),
        ("新建建筑垃圾中转站", ["城管局"], None, None),
    ],
}

XIANAN_2023 = {
    "file": "咸安区2023年政府工作报告重点工作任务责任分解台账",
    "source": "https://by6714.com/t/huazhong/7692.html (2023年区《政府工作报告》确定的重点工作任务责任分解方案, 1-12)",
    "layout": "the page prints (责任领导;牵头单位;责任单位) after each item; here as an office's 台账 with those columns, a title row, a 填报单位 row, the chapters as rows merged across and two progress columns",
    "title": "2023年区《政府工作报告》确定的重点工作任务责任分解方案",
    "filled_by": "填报单位:",
    "header": ["序号", "目标任务", "责任领导", "牵头单位", "责任单位", "完成情况", "备注"],
    "rows": [
        ["一、2023年全区经济社会发展主要预期目标"],
        ["1", "地区生产总值增长8%以上。", "杜新国", "区发改局", "", "", ""],
        ["2", "固定资产投资增长16%以上。", "杜新国", "区发改局", "", "", ""],
        ["3", "规上工业增加值增长10%以上。", "洪声耀", "区科经局", "", "", ""],
        ["4", "社会消费品零售总额增长11%以上。", "陈浩", "区商务局", "", "", ""],
        ["5", "进出口总额增长15%以上。", "陈浩", "区商务局", "", "", ""],
        ["6", "一般公共预算收入增长12%以上。", "杜新国", "区财政局、区税务局", "", "", ""],
        ["7", "城乡居民收入增长与经济增长基本同步。", "杜新国、丁玲", "区发改局、区农业农村局", "", "", ""],
        ["8", "城镇登记失业率控制在4.5%以内。", "杜新国", "区人社局", "", "", ""],
        ["9", "粮食产量稳定在23万吨。", "丁玲", "区农业农村局", "", "", ""],
        ["10", "完成省、市下达的节能减排考核目标任务。", "杜新国", "区发改局", "", "", ""],
        ["11", "完成省、市下达的环境保护考核目标任务。", "刘伍寿、陈浩", "市生态环境局咸安分局", "", "", ""],
        ["二、2023年七个方面主要工作安排"],
        ["(一)坚定不移做强增长引擎"],
        ["加强基础设施建设"],
        ["12", "启动南外环高速公路、全域公交项目建设,推进s356横沟至黄沙铺改扩建二期、s319咸赵线陈家沟段达标提质改造工程,做好g351双溪至横沟段改扩建项目前期工作,确保107国道咸安绕城段、s361星星竹海至大竹山段公路建成通车。", "洪声耀", "区交通运输局", "区发改局、区自然资源和规划局、区林业局,区经发集团,相关乡镇办", "", ""],
    ],
    "expect": [
        ("地区生产总值增长8%以上", ["区发改局"], None, None),
        ("固定资产投资增长16%以上", ["区发改局"], None, None),
        ("规上工业增加值增长10%以上", ["区科经局"], None, None),
        ("社会消费品零售总额增长11%以上", ["区商务局"], None, None),
        ("进出口总额增长15%以上", ["区商务局"], None, None),
        ("一般公共预算收入增长12%以上", ["区财政局", "区税务局"], None, None),
        ("城乡居民收入增长", ["区发改局", "区农业农村局"], None, None),
        ("城镇登记失业率", ["区人社局"], None, None),
        ("粮食产量稳定在23万吨", ["区农业农村局"], None, None),
        ("完成省、市下达的节能减排", ["区发改局"], None, None),
        ("完成省、市下达的环境保护", ["市生态环境局咸安分局"], None, None),
        ("启动南外环高速公路", ["区交通运输局"], None, None),
    ],
}

GANGCHENG_2021 = {
    "file": "钢城区深化放管服改革优化营商环境2021年重点任务工作台账",
    "source": "https://kuaibao.lzzcloud.net/news_info/820521.html (济南市钢城区 深化“放管服”改革优化营商环境2021年重点任务分工方案, 一、(一)1-4)",
    "layout": "the page prints (牵头单位:…;责任单位:…) after each task; here as a 台账: title row, 填报单位 row, the chapter and the section as rows merged across, an empty 完成时限 column and progress columns",
    "title": "深化“放管服”改革优化营商环境2021年重点任务分工方案",
    "filled_by": "填报单位:",
    "header": ["序号", "工作任务", "牵头单位", "责任单位", "完成时限", "进展情况", "备注"],
    "rows": [
        ["一、推进简政放权,释放发展活力"],
        ["(一)规范精简审批,进一步提高行政效能。"],
        ["1", "及时承接落实国务院和省、市政府取消、下放和改变管理方式的行政权力事项。对省、市调整下放的行政权力事项,组织开展评估工作,保障各承接事项有效落实。", "区政府办公室", "区政府有关部门,各街道(功能区)", "", "", ""],
        ["2", "严格落实行政许可设定审查制度,开展行政许可实施情况监督,实施行政许可案卷评查。", "区政府办公室、区司法局、区行政审批服务局", "区政府有关部门", "", "", ""],
        ["3", "规范行政备案事项管理,编制并公布区级层面设定的行政备案事项清单。", "区政府办公室", "区司法局等有关部门", "", "", ""],
        ["4", "深入研究论证区级行政权力事项,对不适应经济社会发展需求以及市场机制能够有效调节的,分类实施取消或转变管理方式。", "区司法局", "区政府有关部门", "", "", ""],
    ],
    "expect": [
        ("及时承接落实国务院", ["区政府办公室"], None, None),
        ("严格落实行政许可设定审查制度", ["区政府办公室", "区司法局", "区行政审批服务局"], None, None),
        ("规范行政备案事项管理", ["区政府办公室"], None, None),
        ("深入研究论证区级行政权力事项", ["区司法局"], None, None),
    ],
}

XIANGXI_2020 = {
    "file": "湘西自治州2020年深化放管服改革优化营商环境工作计划台账",
    "source": "http://m.bgbf.com.cn/zqt/ztsy/yshj/szyhyshjzc/202002/t20200222_13535478.html (州政发〔2020〕5号, 一、1; the stored page is in traditional characters, given here in simplified ones)",
    "layout": "the page prints (牵头单位:…;责任单位:…,6月底完成) after the task; here as a 台账 with 完成时限 and progress columns",
    "title": "湘西自治州2020年深化“放管服”改革优化营商环境工作计划",
    "filled_by": "填报单位:",
    "header": ["序号", "工作任务", "具体内容", "牵头单位", "责任单位", "完成时限", "进展情况", "备注"],
    "rows": [
        ["一、进一步提升政务服务效能"],
        ["1", "加大简政放权力度。", "坚持依法放权、宜放则放的原则,承接好省下放行政许可事项,下放一批管理审批权限,严格执行《湖南省乡镇权力清单和责任清单》,加大乡镇社会经济管理赋权力度,做到“应放尽放”“应接尽接”。大力推进吉首市、湘西经开区两个相对集中行政许可权改革试点,实现“一枚印章管审批”。", "州行政审批服务局", "州司法局、州委编办及州直相关单位,各县市人民政府、湘西经开区管委会", "6月底完成", "", ""],
    ],
    "expect": [
        ("加大简政放权力度", ["州行政审批服务局"], "6月底完成", "2020-06-30"),
    ],
}

XUCHANG_2020 = {
    "file": "许昌市2020年政府工作报告重点工作任务分解台账",
    "source": "http://henan.kjzch.com/xuchang/2020-05-28/694791.html (许政〔2020〕20号, 一、1-3)",
    "layout": "the page prints 责任单位: under each task (no lead unit: the plan names none); here as a 台账 with an empty 完成时限 column and a progress column",
    "title": "《政府工作报告》提出的2020年重点工作任务分解",
    "filled_by": "填报单位:",
    "header": ["序号", "重点工作", "责任单位", "完成时限", "推进情况"],
    "rows": [
        ["一、抓好常态化疫情防控,全面恢复生产生活秩序"],
        ["1", "坚持“外防输入、内防反弹”总体防控策略,完善常态化疫情防控举措,健全“及时发现、快速处置、精准管控、有效救治”常态化防控机制,巩固疫情防控持续向好态势,保障经济社会秩序全面恢复。", "市疫情防控指挥部办公室、市卫生健康委等,各县(市、区)政府(管委会)", "", ""],
        ["2", "坚持必要的人员管控和健康监测措施,引导群众做好自我防护。分类实施差异化防控措施,突出重点人群、重点场所、重点单位,强化无症状感染者、境外和中高风险地区来许返许人员管理,严密防范聚集性疫情风险。大力开展爱国卫生运动。", "市疫情防控指挥部办公室、市卫生健康委等,各县(市、区)政府(管委会)", "", ""],
    ],
    "expect": [
        ("坚持“外防输入、内防反弹”", [], None, None),
        ("坚持必要的人员管控", [], None, None),
    ],
}

JIANGMEN_TDCB = {
    "file": "江门市土地储备中心政务公开工作任务分工台账",
    "source": "http://sd-xs.com/bmpd/jmstdcbzx/zwdt/tzgg/content/post_2452685.html (江门市土地储备中心 政务公开工作任务, 1-10; the page gives no year and no deadlines)",
    "layout": "the page's table (工作任务 merged down the rows of each group | 具体要求 | 责任部门) as an office's 台账 with a title row, a 填报单位 row and a progress column",
    "title": "政务公开工作任务分工",
    "filled_by": "填报单位:",
    "header": ["工作任务", "具体要求", "责任部门", "落实情况"],
    "merge_down": [0],
    "rows": [
        ["一、做好财政信息公开。", "1.积极推进本中心预算、决算及相关报表公开。", "财务科", ""],
        ["二、做好政府网站专栏信息公开。", "2.及时更新网站频道的各类型概况信息。", "办公室", ""],
        ["二、做好政府网站专栏信息公开。", "3.及时反馈网民对调查征集信息的意见。", "各科室", ""],
        ["二、做好政府网站专栏信息公开。", "4.及时更新微信公众号信息。", "办公室牵头,各科室配合", ""],
        ["三、持续加强重大政策发布解读。", "5.聚焦我中心工作,切实加强重大政策实施的发布解读。要开展深入宣传阐释,精心组织策划,及时发布权威信息,积极开展多角度、全方位、立体化、多频次的深度解读。", "各科室", ""],
        ["三、持续加强重大政策发布解读。", "6.综合运用新闻发布会、在线访谈、图文动画、短视频等形式,对重大政策开展深入解读,更加注重对政策背景、出台目的、重要举措等方面的实质性解读。", "各科室", ""],
        ["四、不断改进政策解读工作方式。", "7.按照《江门市政府系统政策解读工作细则(试行)》相关要求,健全政策解读工作机制,规范工作流程,确保解读方案、解读材料与政策文件同步组织、同步审签、同步部署。", "办公室牵头,各科室配合", ""],
        ["四、不断改进政策解读工作方式。", "8.加强政策咨询服务,要积极解答政策执行机关和企业、群众的咨询,精准传达政策意图(政策文件和解读资料需添加咨询方式)。", "各科室", ""],
        ["四、不断改进政策解读工作方式。", "9.加强内部协调工作,修订本单位政府信息公开指南,明确对外告知政府信息公开渠道。", "办公室牵头,各科室配合", ""],
        ["五、切实增强回应关切效果。", "10.密切关注涉及土地储备等方面的舆情并及时作出回应,助力防范化解重大风险。", "各科室", ""],
    ],
    # a role word in the cell wins over its column: "办公室牵头,各科室配合" names the lead
    "expect": [
        ("1.积极推进本中心预算", [], None, None),
        ("2.及时更新网站频道", [], None, None),
        ("3.及时反馈网民", [], None, None),
        ("4.及时更新微信公众号信息", ["办公室"], None, None),
        ("5.聚焦我中心工作", [], None, None),
        ("6.综合运用新闻发布会", [], None, None),
        ("7.按照《江门市政府系统政策解读工作细则", ["办公室"], None, None),
        ("8.加强政策咨询服务", [], None, None),
        ("9.加强内部协调工作", ["办公室"], None, None),
        ("10.密切关注涉及土地储备", [], None, None),
    ],
}

XUANCHENG_RSJ = {
    "file": "宣城市人社局政务公开重点任务台账",
    "source": "https://rsj.xuancheng.gov.cn/OpennessContent/show/2658493.html (任务 | 责任单位 | 时限, the first five rows; the page gives no year: 年底前 is not dated)",
    "layout": "the page's table as a 台账 with a 序号 column added by the office, a title row and a progress column",
    "title": "政务公开重点任务分工",
    "filled_by": "填报单位:",
    "header": ["序号", "任务", "责任单位", "时限", "进展情况"],
    "rows": [
        ["1", "切实做好稳经济大盘一揽子政策举措公开工作,重点公开财政、金融、稳产业链供应链、促消费和有效投资、保能源安全、保障基本民生等政策实施细则,强化政策解读,以政策解读的“透”引导市场预期的“稳”。", "市政府各部门,各县(市、区)政府", "持续推进", ""],
        ["2", "围绕深入实施三次产业高质量协同发展计划,集中公开推动经济发展相关政策举措、工作进展、项目落地等信息。", "市政府各部门,各县(市、区)政府", "持续推进", ""],
        ["3", "加大受疫情影响重的餐饮、住宿、零售、文化、旅游、客运等行业帮扶政策的公开力度,全面落实支持市场主体纾困发展的相关政策,促进稳就业和消费恢复。", "市发改委、市科技局、市经信局、市公安局、市财政局、市人社局、市住建局、市交通局、市农业农村局、市商务局、市文旅局、市卫健委、市市场监管局、市金融监管局、市税务局等市有关单位,各县(市、区)政府", "持续推进", ""],
        ["4", "建立市场主体反映投资和工程建设项目审批问题的办理和反馈机制,及时回应和解决“堵点”问题,推动优化投资和建设环境。", "市发改委、市住建局,市政府各部门", "年底前", ""],
        ["5", "持续推进反垄断和反不正当竞争执法信息公开工作,为各类市场主体规范健康发展营造诚信守法、公平竞争的市场环境。", "市市场监管局,县(市、区)政府", "持续推进", ""],
    ],
    "expect": [
        ("切实做好稳经济大盘", [], "持续推进", None),
        ("围绕深入实施三次产业", [], "持续推进", None),
        ("加大受疫情影响重的餐饮", [], "持续推进", None),
        ("建立市场主体反映投资", [], "年底前", None),
        ("持续推进反垄断", [], "持续推进", None),
    ],
}

# --- PDF ---------------------------------------------------------------------------------------------------
# Two tables and two plans printed as text (a PDF's text layer goes to the plan text reader).

XIANYANG_2022_TEXT = {
    "file": "咸阳市2022年深化放管服改革优化营商环境工作要点",
    "source": "https://newton.com.tw/wiki/鹹陽市2022年深化“放管服”改革最佳化營商環境工作要點/61994341 (一、1; the stored page is in traditional characters, given here in simplified ones)",
    "layout": "the text as printed: a chapter heading and the task with its bracket",
    "title": "咸阳市2022年深化“放管服”改革优化营商环境工作要点",
    "paragraphs": [
        "一、坚持系统集成,推动审批全链条优化",
        "1.全面实施行政许可事项清单管理。依据国家和省行政许可事项清单,2022年10月底前编制并公布市、县两级行政许可事项清单,将依法设定的行政许可事项全部纳入清单管理,清单之外一律不得违法实施行政许可。对清单内事项逐项编制完成行政许可实施规范,大幅提升行政许可标准化水平,加快推进同一事项在不同层级同要素管理、同标准办理。动态调整行政许可事项清单,并做好同市场准入负面清单、政务服务事项基本目录、“互联网+监管”事项清单、投资项目审批事项清单、工程建设项目审批事项清单的衔接。(市政府办公室、市行政审批制度改革工作领导小组办公室牵头,市级各有关部门及各县市区政府按职责分工负责)",
    ],
    "expect": [
        ("全面实施行政许可事项清单管理", ["市政府办公室", "市行政审批制度改革工作领导小组办公室"], "2022年10月底前", "2022-10-31"),
    ],
}

XIAN_2024_TEXT = {
    "file": "西安市2024年强化项目服务保障优化营商环境工作方案",
    "source": XIAN_2024["source"],
    "layout": "the text as printed: chapter, section, the task and its 牵头单位:/责任单位:/完成时限: lines",
    "title": "西安市强化项目服务保障优化营商环境工作方案",
    "paragraphs": [
        "二、重点任务",
        "(一)优审批、强监管,提升项目审批质效",
        "1.营造项目公平准入环境。严格落实市场准入负面清单制度,全面清理妨碍统一市场和公平竞争的政策措施,切实保障民营企业公平参与工程建设、招标投标、政府采购。定期制定公布项目机会清单,鼓励和吸引更多社会资本参与基础设施、民生保障、城市更新、产业发展等领域建设。",
        "牵头单位:市发改委",
        "责任单位:市市场监管局、市投资局、市财政局等市级相关单位,各区县政府、西咸新区管委会、各开发区管委会",
        "完成时限:2024年6月底前",
    ],
    "expect": XIAN_2024["expect"],
}

FANGXIAN_2023_TEXT = {
    "file": "房县2023年以控制成本为核心优化营商环境的具体措施",
    "source": "http://www.fangxian.gov.cn/xxgk/zc/zfbwj/202309/t20230922_4316928.shtml (房县, 2023年6月30日, 一、(一)(二))",
    "layout": "the text as printed: chapter heading, two measures each with its bracket",
    "title": "以控制成本为核心优化营商环境的具体措施",
    "paragraphs": [
        "一、更大力度降低制度性交易成本",
        "(一)深化政务服务标准化建设。定期公布政务服务事项基本目录和实施清单,公开办事指南,实现同一事项无差别受理、同标准办理。持续推进政务服务“510”模式、扩大“跨域通办”成果,落实“好差评”制度,对县乡政务服务情况进行定期评估。加快建设“城市大脑”,推进线上线下融合,实现“一网通办”“一网统管”。大力推进掌办高频政务服务事项数量和覆盖率。深入推行“集成办”“就近办”“网上办”“掌上办”“容缺办”等“个性化”服务场景。(牵头单位:县行政审批局,责任单位:县直各有关单位,各乡镇人民政府)",
        "(二)推行政务服务承诺制。在政务服务中,探索扩大承诺制审批范围,除涉及国家利益、公共安全外,逐步实行以申请人告知承诺书替代证明符合条件材料;承诺书及践诺情况由审批部门推送至十堰市智慧城市信用平台,加强跟踪监管。(牵头单位:县行政审批局、县市场监管局、县发改局,责任单位:县直各有关单位,各乡镇人民政府)",
    ],
    "expect": [
        ("深化政务服务标准化建设", ["县行政审批局"], None, None),
        ("推行政务服务承诺制", ["县行政审批局", "县市场监管局", "县发改局"], None, None),
    ],
}

DOCX = [XIAMEN_2023, LISHAN_2023, XIAN_2024, CHUZHOU_2020, CHIZHOU_XFJ]
XLSX = [CHONGCHUAN_2023, XIANAN_2023, GANGCHENG_2021, XIANGXI_2020, XUCHANG_2020, JIANGMEN_TDCB, XUANCHENG_RSJ]
PDF_TABLES = [XIAMEN_2023, XIANAN_2023, CHUZHOU_2020, CHIZHOU_XFJ, JIANGMEN_TDCB]
PDF_TEXT = [XIANYANG_2022_TEXT, XIAN_2024_TEXT, FANGXIAN_2023_TEXT]


def files() -> list[tuple[str, str, dict]]:
    """(form, file name, plan) for every file of the corpus."""
    found = [("docx", f"{p['file']}.docx", p) for p in DOCX]
    found += [("xlsx", f"{p['file']}.xlsx", p) for p in XLSX]
    found += [("pdf", f"{p['file']}.pdf", p) for p in PDF_TABLES + PDF_TEXT]
    return found


# --- Held-out trials (wt14-tables2) ------------------------------------------------------------------------
# Eight more published task lists, built in layouts the table reader had not been fitted to: an 附件1 line and
# a title above the header, a 填报单位/填报时间 row, a two-row header (责任分工 over 牵头单位 | 责任单位,
# 序号/任务/完成时限 merged down two rows), 牵头单位 and 责任单位 merged down over tasks, a 类别 column merged
# down, cells with line breaks (Alt+Enter), 序号 as number cells, a notes row under the table, an empty spacer
# column, a 说明 or 汇总 sheet before the task sheet, a Word header row repeated where the table goes on to the
# next page, a 具体措施 cell holding several numbered measures of one task, and a 序号 printed as "（一）".
# The hand readings were written before the files were read.  Before any fitting the reader got <see
# tests/test_plan_forms.py>.  Where a layout line is not the page's own words (an 附件1 line, a 填报单位 row, a
# notes row stating where the excerpt comes from, a 汇总 sheet counting the tasks) the `layout` note says so.

BEIJING_ZWGK_2016 = {
    "file": "北京市政务公开工作重点任务分工2016-2020年",
    "source": "https://www.beijing.gov.cn/zhengce/zhengcefagui/201905/t20190522_59289.html (北京市政务公开工作重点任务分工(2016-2020年), 一、1-3)",
    "layout": "the page prints 牵头单位:/责任单位:/完成时限: lines under each task; here as an Excel sheet with an 附件1 line, the title, a two-row header "
    "(责任分工 over 牵头单位 | 责任单位; 序号, 重点任务 and 完成时限 merged down), 序号 as number cells, 牵头单位 and 责任单位 merged down over tasks 2-3, "
    "and a 注 row under the table naming the excerpt (the office's line, not the page's)",
    "title": "北京市政务公开工作重点任务分工(2016-2020年)",
    "annex": "附件1",
    "header": ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"],
    "header_over": {"责任分工": (2, 3)},  # a first header row: this text spans these columns, the others merge down
    "number_cells": True,
    "xlsx_merge_down": [2, 3],
    "rows": [
        ["一、推进行政权力运行全流程公开"],
        ["1", "积极推进本市行政程序立法进程,将公众参与、专家论证、风险评估、合法性审查、集体讨论决定确定为重大行政决策法定程序。决策前,应广泛征求公众意见,对决策的必要性、可行性等组织专家进行咨询论证,对决策的效果预期、资金使用、社会稳定、法律纠纷等进行风险评估,对决策的主体、程序、要件进行合法性审查。", "市人大常委会法制办、市政府法制办", "", "2018年底"],
        ["2", "加大行政决策过程的公开力度,释疑解惑、凝聚共识。", "市政府办公厅、市政府法制办", "各区政府、市政府各部门", "2018年底前完成并持续落实"],
        ["3", "实行重大行政决策预公开制度,对提交市、区政府常务会议审议的涉及群众切身利益、需要社会广泛知晓的重要改革方案、重要政策措施、重大建设项目等重大行政决策事项,相关部门要在决策前向社会公开决策草案、决策依据,并以适当方式公布公众意见收集采纳情况。", "市政府办公厅、市政府法制办", "各区政府、市政府各部门", "2017年底前完成并持续落实"],
    ],
    "notes": ["注:本表摘录北京市政务公开工作重点任务分工(2016-2020年)一、1-3。"],
    "expect": [
        ("积极推进本市行政程序立法进程", ["市人大常委会法制办", "市政府法制办"], "2018年底", "2018-12-31"),
        ("加大行政决策过程的公开力度", ["市政府办公厅", "市政府法制办"], "2018年底前完成并持续落实", "2018-12-31"),
        ("实行重大行政决策预公开制度", ["市政府办公厅", "市政府法制办"], "2017年底前完成并持续落实", "2017-12-31"),
    ],
}

XUNYANG_2023 = {
    "file": "2023年浔阳区政务公开工作要点任务分工表",
    "source": "http://www.xunyang.gov.cn/zwgk/zfxxgkzl/zfxxgkml/fgzc/zcwj_147464/qzfbwj/202309/t20230904_6200719.html (2023年浔阳区政务公开工作要点, 一、(一), its six bracketed items)",
    "layout": "the page prints six items in one paragraph, each with its (牵头单位:…;责任单位:…) bracket; here as a Word 任务分工表 under an 附件1 line and the "
    "title: 序号 | 类别 (merged down) | 工作任务 | 牵头单位 | 责任单位 | 完成时限 (empty), the chapter as a row merged across, two leads on two lines "
    "of one cell, 责任单位 merged down over tasks 1-2, and the header row typed again where the table goes on to the next page",
    "title": "2023年浔阳区政务公开工作要点任务分工表",
    "annex": "附件1",
    "header": ["序号", "类别", "工作任务", "牵头单位", "责任单位", "完成时限"],
    "merge_down": [1, 4],
    "repeat_header_at": 4,  # the header row typed again before the 4th row of the table's body
    "rows": [
        ["一、紧扣工作重点,加强主动公开"],
        ["1", "(一)做好重大战略部署落实情况信息公开", "紧紧围绕高标准建设长江经济带重要节点城市,高标准打造“活力、魅力、聚力”浔阳,培育高质量发展引擎,做优做强“一号发展工程”,构建“2+N”百亿产业集群,推进产业迭代升级。", "区发改委\n区工信局", "区政府各相关部门、各街道", ""],
        ["2", "(一)做好重大战略部署落实情况信息公开", "重塑大中路核心商圈,打造区域消费中心。", "区商务局", "区政府各相关部门、各街道", ""],
        ["3", "(一)做好重大战略部署落实情况信息公开", "坚持优品质、提能级,建设宜居宜业品质之城、生态之城、文明之城,努力打造“魅力江西”浔阳样板。", "区住建局", "区自然资源局、区生态环境局、区城管局、区农水局、区文新旅局", ""],
        ["4", "(一)做好重大战略部署落实情况信息公开", "依法依规做好扩大有效投资相关规划、政策文件及重大建设项目信息公开,积极引导市场预期。", "", "区发改委", ""],
        ["5", "(一)做好重大战略部署落实情况信息公开", "深化国有企业改革行动。", "", "区国资中心", ""],
        ["6", "(一)做好重大战略部署落实情况信息公开", "深化绿色金融改革创新和普惠金融改革试验区建设等重点领域改革攻坚信息公开。", "", "区政府办", ""],
    ],
    "expect": [
        ("紧紧围绕高标准建设长江经济带", ["区发改委", "区工信局"], None, None),
        ("重塑大中路核心商圈", ["区商务局"], None, None),
        ("坚持优品质、提能级", ["区住建局"], None, None),
        ("依法依规做好扩大有效投资", [], None, None),
        ("深化国有企业改革行动", [], None, None),
        ("深化绿色金融改革创新", [], None, None),
    ],
}

NANCHANG_JKQ_2023 = {
    "file": "2023年经开区政务公开工作要点任务清单",
    "source": "https://saintpaulhem.com/ncjk/ncjkq/qtwj/202308/66332e472af24872ab4fb59552f2349a.shtml (洪经管办发〔2023〕6号, 2023年经开区政务公开工作要点, 一、(一))",
    "layout": "the page prints the item with its [责任单位:…] bracket; here as an Excel 任务清单 on the second sheet, after a 说明 sheet holding the notice's sentence, "
    "with a title row, a 填报单位/填报时间 row (the office's), an empty spacer column after 序号, and a 进展情况 column",
    "title": "2023年经开区政务公开工作要点任务清单",
    "first_sheet": ("说明", "《2023年经开区政务公开工作要点》经研究同意,现印发给你们,请结合实际认真贯彻落实。"),
    "filled_row": ["填报单位:(盖章)", "", "", "", "填报时间:  年  月  日"],
    "header": ["序号", "", "重点任务", "具体内容", "责任单位", "完成时限", "进展情况"],
    "rows": [
        ["一、深化政务信息公开工作"],
        ["1", "", "强化重大战略部署落实情况信息公开", "紧紧围绕内陆开放型经济试验区建设、数字经济“一号发展工程”、恢复和扩大消费、城乡区域协调发展、全面推进乡村振兴等重大部署,及时依法公开相关规划、政策措施和建设进展。依法依规做好扩大有效投资相关规划、政策文件及重大建设项目信息公开,积极引导市场预期。深化开发区机制体制、国资国企、绿色金融、农业农村等重点领域和关键环节改革攻坚信息公开。", "临空经济区(空港新城)事务中心,各镇人民政府、街道办事处、管理处,区机关各部门,驻区各单位,区属企业", "", ""],
    ],
    "expect": [
        ("强化重大战略部署落实情况信息公开", [], None, None),
    ],
}

XINJIAN_2024 = {
    "file": "2024年新建区政务公开工作要点任务分工",
    "source": "https://saintpaulhem.com/xjq/xjqrmzf/zcwj01/202407/412601f8b16c4433b24c8e157d04fb23.shtml (新府办发〔2024〕30号, 2024年南昌市新建区政务公开工作要点, 一、(一))",
    "layout": "the page prints the item with its (…按职责分工负责) bracket; here as a Word table whose 序号 keeps the item's own number “(一)”, "
    "the chapter as a row merged across, and a 备注 line under the table (the office's)",
    "title": "2024年新建区政务公开工作要点任务分工",
    "annex": "附件",
    "header": ["序号", "重点任务", "具体内容", "责任单位", "完成时限"],
    "rows": [
        ["一、深化重点领域信息公开,助力经济社会高质量发展"],
        ["(一)", "聚焦政府中心工作", "加强现代化产业体系建设、扩大有效需求、壮大民营经济发展等方面的信息公开。重点公开“一枢纽四中心”建设、市制造业“8810”行动计划、区制造业“3315”行动计划、数字经济做优做强“一号发展工程”“实干奋进、全员招商”行动、“一链一策一批”中小微企业融资促进行动等政策举措和进展成效。", "区发改委、区科工信局、区商务局、区交通运输局、区住建局、区政数局、区金融服务中心按职责分工负责", ""],
    ],
    "notes": ["备注:各责任单位按职责分工负责。"],
    "expect": [
        ("聚焦政府中心工作", [], None, None),
    ],
}

GANZHOU_2023 = {
    "file": "赣州市2023年政务公开工作方案重点工作任务台账",
    "source": "http://mugbar.net/gzszf/c102790vpcnhgkvgththnq/202308/d41d4f150e12433499787db5b1c7ff2f.shtml (赣州市2023年政务公开工作方案, 二、(一)1)",
    "layout": "the page prints the item with its 〔责任单位:…〕 bracket; here as an Excel 台账: title, 填报单位 row, 序号 as a number cell, a 类别 column, "
    "the 责任单位 cell on two lines (Alt+Enter) and a 完成情况 column",
    "title": "赣州市2023年政务公开工作方案重点工作任务台账",
    "filled_row": ["填报单位:"],
    "number_cells": True,
    "header": ["序号", "类别", "工作任务", "具体内容", "责任单位", "完成情况"],
    "rows": [
        ["二、重点工作任务"],
        ["1", "(一)聚焦高质量发展深化政务公开", "强化重大战略部署落实情况信息公开。", "聚焦“三大战略、八大行动”、构建新发展格局、统筹发展与安全、实施扩大内需战略、深化供给侧结构性改革和加快建设革命老区高质量发展示范区等重大部署,及时依法公开相关规划、政策措施和建设进展等信息。加强新一轮深化国有企业改革行动、深化绿色金融改革创新和普惠金融改革试验区建设等重点领域改革攻坚信息公开。", "市政府各部门\n各县(市、区)人民政府", ""],
    ],
    "expect": [
        ("强化重大战略部署落实情况信息公开", [], None, None),
    ],
}

BEIJING_ZWGK_2017 = {
    "file": "北京市2017年政务公开工作要点任务分工",
    "source": "http://law.foodmate.net/show-190932.html (京政办发〔2017〕21号, 北京市2017年政务公开工作要点, 一、(一))",
    "layout": "the page prints the item with its (…分别负责落实) bracket; here as a Word table: 序号 | 工作任务 | 具体内容 | 责任单位 | 完成时限 (empty), "
    "the chapter as a row merged across",
    "title": "北京市2017年政务公开工作要点任务分工",
    "header": ["序号", "工作任务", "具体内容", "责任单位", "完成时限"],
    "rows": [
        ["一、以政务公开助力稳增长、防风险"],
        ["1", "加强预期引导。", "做好产业、财政、就业等对市场预期有重大影响政策的发布解读工作,及时准确传递政策意图,有力引导预期。按月度公开财政收支情况,解读财政收支增减变化及原因,主动回应可能引发社会关注的热点问题。及时发布全市经济社会发展重要指标数据,并对经济形势进行解读。每季度组织召开经济运行情况新闻发布会,发布经济发展质量、效益、结构变化以及供给侧结构性改革进展等情况,引导社会各界正确认识经济形势。在政府债券发行前和存续期内,披露本市经济运行、财政收支、政府债务、信用评级等信息。", "市发展改革委、市财政局、市人力社保局、市统计局分别负责落实", ""],
    ],
    "expect": [
        ("加强预期引导", [], None, None),
    ],
}

YUNCHENG_2017 = {
    "file": "运城市突发事件应急体系建设十三五规划责任分解表",
    "source": "https://ncp.pkulaw.com/epidemiclar/38be8d5449e27cd4d9743b715461238bbdfb.html (运城市突发事件应急体系建设“十三五”规划责任分解, 2017年4月13日, (一)1)",
    "layout": "the page prints the task, its four measures (1)-(4) and one (责任单位:…) line; here as a Word table with the measures in one 具体措施 cell, "
    "one measure a line: one task",
    "title": "运城市突发事件应急体系建设“十三五”规划责任分解表",
    "header": ["序号", "建设任务", "具体措施", "责任单位"],
    "rows": [
        ["(一)“一案三制”建设"],
        ["1", "完善应急预案体系", "(1)加强应急预案管理,规范应急预案编制、审批、发布、备案、修订和评估工作,增强应急预案的针对性、实用性和可操作性。\n(2)推进政府及其部门应急预案“精编化”,及时修订完善现有应急预案,促进单位和基层应急预案编制全覆盖。\n(3)加强应急预案演练,完善演练管理制度,推进“双盲”演练,强化针对性、实战性。\n(4)加强应急预案的培训宣传,扩大应急预案发布范围,提高全社会对应急预案的知晓率。", "市直各有关单位、各县(市、区)人民政府、各开发区管委会"],
    ],
    "expect": [
        ("完善应急预案体系", [], None, None),
    ],
}

CNSCN_XXGK = {
    "file": "政府信息公开工作要点任务分解台账",
    "source": "http://cnscn.com.cn/news/show-htm-itemid-15142-page-2.html (a city's 政府信息公开工作要点, 四、(十四); the stored page names neither the city nor the year)",
    "layout": "the page prints the item with its (…牵头,…分别负责落实) bracket; here as an Excel 台账 on its second sheet, after a 汇总 sheet counting the tasks "
    "(the office's), the whole bracket in one 责任单位 cell, 序号 “(十四)” as printed",
    "title": "政府信息公开工作要点任务分解台账",
    "first_sheet": ("汇总", "任务总数:1项"),
    "header": ["序号", "工作任务", "具体内容", "责任单位", "完成时限", "落实情况"],
    "rows": [
        ["四、做好深化改革相关信息公开工作"],
        ["(十四)", "推进行政权力清单公开。", "推行各级政府工作部门权力清单制度,依法向社会公开政府部门的行政职权及其法律依据、实施主体、运行流程、监督方式等信息。制定行政审批事项清单管理办法,加强对行政审批事项的管理,进一步推进行政审批项目取消、下放以及非行政许可审批事项清理等信息的公开。", "市编办牵头,各区县政府、市政府各部门和各单位分别负责落实", "", ""],
    ],
    "expect": [
        ("推进行政权力清单公开", ["市编办"], None, None),
    ],
}

HELD_OUT_DOCX = [XUNYANG_2023, XINJIAN_2024, BEIJING_ZWGK_2017, YUNCHENG_2017]
HELD_OUT_XLSX = [BEIJING_ZWGK_2016, NANCHANG_JKQ_2023, GANZHOU_2023, CNSCN_XXGK]
DOCX = DOCX + HELD_OUT_DOCX
XLSX = XLSX + HELD_OUT_XLSX

# Round two of the held-out trials, built after round one was fitted: again scored before any change to the reader.

BEIJING_ZWGK_2018 = {
    "file": "北京市2018年政务公开工作要点任务台账",
    "source": "https://eshian.com/laws/41910.html (北京市2018年政务公开工作要点, 一、(一), its first four bracketed items)",
    "layout": "the page prints four items in one paragraph, each with its (…负责落实) bracket; here as an Excel 台账: title, 填报单位 row, "
    "重点领域 | 序号 | 工作举措 | 责任单位 | 完成时限 (empty) | 进展情况, the 重点领域 cell merged down over the four rows, the units "
    "as printed in the bracket, and the form's 填表人/审核人/联系电话 line under the table (the office's, left blank)",
    "title": "北京市2018年政务公开工作要点任务台账",
    "filled_row": ["填报单位:"],
    "number_cells": True,
    "header": ["重点领域", "序号", "工作举措", "责任单位", "完成时限", "进展情况"],
    "xlsx_merge_down": [0],
    "rows": [
        ["一、加强政府重点工作信息公开"],
        ["(一)围绕抓好“三件大事”、打赢“三大攻坚战”做好信息公开", "1", "制定发布城市设计导则以及核心区控制性详细规划、城市副中心规划、新城控制性详细规划等规划信息。", "市规划国土委负责落实", "", ""],
        ["(一)围绕抓好“三件大事”、打赢“三大攻坚战”做好信息公开", "2", "推进支持雄安新区建设、加强京津冀产业对接协作、区域污染联防联控和教育、医疗、社保等基本公共服务合作等信息公开。", "市发展改革委、市经济信息化委、市环保局、市教委、市卫生计生委、市人力社保局分别负责落实", "", ""],
        ["(一)围绕抓好“三件大事”、打赢“三大攻坚战”做好信息公开", "3", "及时公开延崇高速、兴延高速、首都地区环线通州至大兴段建设情况。", "市交通委负责落实", "", ""],
        ["(一)围绕抓好“三件大事”、打赢“三大攻坚战”做好信息公开", "4", "推进2022年北京冬奥会、冬残奥会竞赛场馆新建、改造以及群众冰雪运动普及情况等信息公开。", "市重大项目办、市体育局、市教委分别负责落实", "", ""],
    ],
    "footer": [["填表人:", "", "审核人:", "", "联系电话:", ""]],
    "expect": [
        ("制定发布城市设计导则", [], None, None),
        ("推进支持雄安新区建设", [], None, None),
        ("及时公开延崇高速", [], None, None),
        ("推进2022年北京冬奥会", [], None, None),
    ],
}

BEIJING_ZWGK_2019 = {
    "file": "北京市2019年政务公开工作要点任务分工",
    "source": "http://snncw.org/show-10877.html (北京市2019年政务公开工作要点, 一、(一), its four bracketed items)",
    "layout": "the page prints four items in one paragraph, each with its (…负责落实) bracket; here as a Word table whose first row holds "
    "the title merged across, 序号 | 主要任务 | 责任单位 | 完成时间 (empty), the chapter and the section as rows merged across, "
    "and the table broken in two by an empty paragraph before its last two rows (the second part has no header row)",
    "title": "北京市2019年政务公开工作要点任务分工",
    "annex": "附件2",
    "title_in_table": True,
    "split_at": 4,
    "header": ["序号", "主要任务", "责任单位", "完成时间"],
    "rows": [
        ["一、深化重点领域信息公开,以公开推进政策落实"],
        ["(一)强化京津冀协同发展信息公开"],
        ["1", "做好城市总体规划实施和京津冀协同工程建设标准信息公开,编制并发布中心城区和新城控制性详细规划、专项规划和重点功能区规划。", "市规划自然资源委、市住房城乡建设委分别负责落实", ""],
        ["2", "做好疏解整治促提升专项行动信息公开,及时发布回龙观天通苑地区三年行动计划和三大攻坚工程进展信息。", "市发展改革委负责落实", ""],
        ["3", "推进北京城市副中心建设信息公开,重点做好交通基础设施、教育医疗等重点建设项目信息公开。", "市交通委、市教委、市卫生健康委分别负责落实", ""],
        ["4", "抓好协同发展重点任务落实信息公开,及时公开本市支持雄安新区规划建设进展情况。", "市发展改革委负责落实", ""],
    ],
    "expect": [
        ("做好城市总体规划实施", [], None, None),
        ("做好疏解整治促提升", [], None, None),
        ("推进北京城市副中心建设", [], None, None),
        ("抓好协同发展重点任务落实", [], None, None),
    ],
}

BEIJING_ZWGK_2016_TYPED = {
    **BEIJING_ZWGK_2016,
    "file": "北京市政务公开工作重点任务分工2016-2020年台账",
    "layout": "the same three tasks as an office's own 台账: one header row, no 附件 line, 序号 as number cells, and the first deadline "
    "(printed 2018年底) typed as an Excel date cell, 2018-12-31",
    "header_over": None,
    "annex": None,
    "xlsx_merge_down": [],
    "notes": [],
    "filled_row": ["填报单位:"],
    "typed_cells": {"1": {4: __import__("datetime").datetime(2018, 12, 31)}},
    "expect": [
        ("积极推进本市行政程序立法进程", ["市人大常委会法制办", "市政府法制办"], "2018年12月31日", "2018-12-31"),
        ("加大行政决策过程的公开力度", ["市政府办公厅", "市政府法制办"], "2018年底前完成并持续落实", "2018-12-31"),
        ("实行重大行政决策预公开制度", ["市政府办公厅", "市政府法制办"], "2017年底前完成并持续落实", "2017-12-31"),
    ],
}

HELD_OUT_2_DOCX = [BEIJING_ZWGK_2019]
HELD_OUT_2_XLSX = [BEIJING_ZWGK_2018, BEIJING_ZWGK_2016_TYPED]
DOCX = DOCX + HELD_OUT_2_DOCX
XLSX = XLSX + HELD_OUT_2_XLSX


# --- Held-out trials, round three (wt14-tables3) -----------------------------------------------------------
# Six more published lists, hand-read before they were read: section rows (or a merged-down column) naming the leader
# of the group (一、杨松县长牵头重点工作), a deadline only in the task's own words (确保9月底前…), a 责任单位 cell saying in a
# bracket that the first unit listed leads (列第一位的为工作牵头单位或汇总单位), 序号 printed as （一）, and a
# 预期目标 column (2022年预期目标) as the task column.

SHENGSI_2023 = {
    "file": "嵊泗县2023年政府工作报告重点工作责任分解",
    "source": "http://www.shengsi.gov.cn/art/2023/2/22/art_1229760847_59042791.html (一、1-2; 二、1-4)",
    "layout": "the page prints each item with a 责任单位: line under a heading naming the county leader; here as 序号 | 重点工作 | 责任单位, the headings as rows merged across",
    "title": "2023年政府工作报告重点工作责任分解",
    "header": ["序号", "重点工作", "责任单位"],
    "rows": [
        ["一、杨松县长牵头重点工作"],
        ["1", "一般公共预算收入与经济增长基本同步。", "县财政局"],
        ["2", "深化国有企业、国有资金、国有房产改革,提高财政拨款单位财政资金使用绩效。", "县财政局"],
        ["二、宋晖常务副县长牵头重点工作"],
        ["1", "地区生产总值(GDP)增长10%左右,固定资产投资额达到100亿元以上,城乡常住居民人均可支配收入分别增长8%、8.5%。", "县发改局、县人力社保局、县农业农村局、县属有关部门、各乡镇人民政府"],
        ["2", "编制实施嵊泗国际旅游岛战略性总体规划,全面启动以花鸟岛为核心的国家级旅游度假区创建,创成省级旅游度假区并列入国家级推荐名单。", "县文广旅体局"],
        ["3", "实施渔港经济区建设,开展国家级沿海渔港经济区申报工作。", "县海洋与渔业局、县绿色小微园区开发建设指挥部"],
        ["4", "打造嵊山国际海钓基地,加快推进海钓码头、海钓展示厅等基础设施建设,突破船型审批政策限制,推进海钓场海域“三权分置”,确保9月底前海钓船投入运行。", "县海洋与渔业局、县资源规划局、嵊山镇人民政府"],
    ],
    # 责任单位 alone names no lead (as 宣城's list); the deadline is in the words of 二、4 only
    "expect": [
        ("一般公共预算收入与经济增长", [], None, None),
        ("深化国有企业、国有资金", [], None, None),
        ("地区生产总值(GDP)增长10%", [], None, None),
        ("编制实施嵊泗国际旅游岛", [], None, None),
        ("实施渔港经济区建设", [], None, None),
        ("打造嵊山国际海钓基地", [], "9月底前", "2023-09-30"),
    ],
}

HUZHOU_2023 = {
    "file": "湖州市2023年政府工作报告重点工作责任分解台账",
    "source": "http://www.huzhou.gov.cn/art/2023/4/15/art_1229728396_59061726.html (一、1-2; the stored excerpt ends after 市委人才办 in 2)",
    "layout": "the page prints each item with a 责任单位: line, the first with the bracket saying the first unit leads (下同); here as a 台账 序号 | 重点工作 | 责任单位 | 推进情况, the heading as a row merged across",
    "title": "2023年政府工作报告重点工作责任分解",
    "filled_by": "填报单位:",
    "header": ["序号", "重点工作", "责任单位", "推进情况"],
    "rows": [
        ["一、洪湖鹏市长主抓重点工作"],
        ["1", "坚持并完善“第一议题”等学习制度,更加自觉地用习近平新时代中国特色社会主义思想武装头脑、指导实践、推动工作。", "市政府办公室、市级其他有关单位、各区县政府(南太湖新区、长合区管委会)(列第一位的为工作牵头单位或汇总单位,下同)", ""],
        ["2", "全面实施“大招商大引才大建设大发展”行动,加快打造“六个新湖州”。", "市政府办公室、市委人才办", ""],
    ],
    "expect": [
        ("坚持并完善“第一议题”", ["市政府办公室"], None, None),
        ("全面实施“大招商大引才", ["市政府办公室"], None, None),
    ],
}

CAIDIAN_2023 = {
    "file": "蔡甸区2023年政府工作报告主要目标任务责任分解台账",
    "source": "https://www.caidian.gov.cn/zwgk/zc/zfwj/qzfbgwj/202302/t20230208_2147809.shtml (蔡政办〔2023〕1号, 一、(一)-(三))",
    "layout": "the page prints each target with a 责任单位: line; here as 序号 (（一）as printed) | 目标任务 | 责任单位 | 完成情况, the chapter as a row merged across",
    "title": "2023年区《政府工作报告》确定的主要目标任务责任分解方案",
    "filled_by": "填报单位:",
    "header": ["序号", "目标任务", "责任单位", "完成情况"],
    "rows": [
        ["一、2023年全区经济社会发展的主要预期目标"],
        ["(一)", "地区生产总值增长7%以上", "区发展和改革局", ""],
        ["(二)", "规上工业增加值增长12%以上", "区科技和经信局", ""],
        ["(三)", "固定资产投资增长10%以上", "区发展和改革局", ""],
    ],
    "expect": [
        ("地区生产总值增长7%以上", [], None, None),
        ("规上工业增加值增长12%以上", [], None, None),
        ("固定资产投资增长10%以上", [], None, None),
    ],
}

SHAPINGBA_2022 = {
    "file": "沙坪坝区2022年区政府工作报告经济社会发展预期目标任务分解表",
    "source": "http://www.cqspb.gov.cn/zwgk_235/zfxxgkpt/zcwj0617/bm0617/202203/t20220329_10563014.html (附件1, 序号 1-6)",
    "layout": "the page's table (序号 | 2022年预期目标 | 责任单位) under its 附件1 line and title",
    "annex": "附件1",
    "title": "2022年区政府工作报告经济社会发展预期目标任务分解表",
    "header": ["序号", "2022年预期目标", "责任单位"],
    "rows": [
        ["1", "地区生产总值增长5.5%左右", "区发展改革委"],
        ["2", "固定资产投资增长6%左右", "区发展改革委"],
        ["3", "工业增加值增长7%左右", "区经济信息委"],
        ["4", "社会消费品零售总额增长8%左右", "区商务委"],
        ["5", "进出口总额增长5%以上", "区商务委"],
        ["6", "一般公共预算收入增长5%左右", "区财政局"],
    ],
    "expect": [
        ("地区生产总值增长5.5%左右", [], None, None),
        ("固定资产投资增长6%左右", [], None, None),
        ("工业增加值增长7%左右", [], None, None),
        ("社会消费品零售总额增长8%左右", [], None, None),
        ("进出口总额增长5%以上", [], None, None),
        ("一般公共预算收入增长5%左右", [], None, None),
    ],
}

HAIYAN_2022 = {
    "file": "海盐县政府工作报告2022年重点工作责任分解台账",
    "source": "http://www.haiyan.gov.cn/art/2022/4/26/art_1229436874_59379425.html (盐政办发〔2022〕16号, 一、1-2; 二、1)",
    "layout": "the page prints each item with a 责任单位: line under a heading naming the county leader; here as an office's 台账 with the leader in a 牵头县领导 column merged down over the group, and 完成时限 and 进展情况 columns the page does not fill",
    "title": "政府工作报告2022年重点工作责任分解",
    "filled_by": "填报单位:",
    "header": ["序号", "牵头县领导", "重点工作", "责任单位", "完成时限", "进展情况"],
    "xlsx_merge_down": [1],
    "rows": [
        ["1", "王丹县长", "全县生产总值增长7.5%左右;一般公共预算收入增长8.5%;城乡居民人均可支配收入与经济增长基本同步,收入倍差进一步缩小。", "县发改局(首位单位为牵头单位,下同)、县财政局、县税务局、县农业农村局", "", ""],
        ["2", "王丹县长", "落实党政机关过紧日子的要求,节俭办一切事业,全县非刚性、非重点项目支出预算只减不增,严控“三公”经费和会议费、培训费,努力降低行政运行成本。", "县财政局", "", ""],
        ["3", "曹惠明常务副县长", "坚持县政府常务会议集体学法,加强重大行政决策事前论证和事后评估,发挥法律顾问作用,提高决策科学化民主化水平。", "县司法局", "", ""],
    ],
    "expect": [
        ("全县生产总值增长7.5%左右", ["县发改局"], None, None),
        ("落实党政机关过紧日子", ["县财政局"], None, None),
        ("坚持县政府常务会议集体学法", ["县司法局"], None, None),
    ],
}

YUNYANG_2023 = {
    "file": "郧阳区2023年区政府工作目标任务落实责任分解表",
    "source": "http://yunyang.shiyan.gov.cn/xxgkxi/zc/zfwj/yzf/202302/t20230213_4182632.shtml (郧政发〔2023〕5号, 附件, 一、1; the stored excerpt ends after 区发改局, so 责任单位 and 责任人 are left empty)",
    "layout": "the page's table: 序号 | 目  标  任  务 (spaced out as printed) | 牵头单位 | 责任单位 | 责任人, the group heading with its 牵头领导 bracket as a row merged across",
    "title": "2023年区政府工作目标任务落实责任分解表",
    "header": ["序号", "目  标  任  务", "牵头单位", "责任单位", "责任人"],
    "rows": [
        ["一、主要经济社会发展指标、发改、财政、行政审批、生态环境、营商环境、交通、金融、安全生产等工作目标(牵头领导:成坤、柯相国、王俊)"],
        ["1", "★地区生产总值增长15%。", "区发改局", "", ""],
    ],
    "expect": [
        ("地区生产总值增长15%", ["区发改局"], None, None),
    ],
}

HELD_OUT_3_DOCX = [SHENGSI_2023, YUNYANG_2023]
HELD_OUT_3_XLSX = [HUZHOU_2023, CAIDIAN_2023, SHAPINGBA_2022, HAIYAN_2022]
DOCX = DOCX + HELD_OUT_3_DOCX
XLSX = XLSX + HELD_OUT_3_XLSX
