//! The words demo customers are made of: common surnames and given names, the cities of the
//! source programs (Guangzhou, Zhongshan, Taizhou, Hangzhou...), occupations, interests, plans
//! and the kind of entries account managers write in their work log.

/// Common surnames, most frequent first (the generator favours the head of the list).
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾",
    "夏", "方", "邹", "熊", "白", "孟", "秦", "邱", "侯", "江", "欧阳", "司马", "上官",
];

/// Characters of given names, by gender; names take one or two of them.
pub const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "俊", "峰", "建", "国", "志", "文", "博", "晨", "睿", "泽",
];
pub const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "颖", "琳", "欣",
    "怡", "萍", "红", "梅", "莉", "倩", "佳", "悦", "晶", "璐", "薇", "瑶", "琪", "岚",
];

/// A region: GB/T 2260 code, city name, and whether Cantonese (yue) is the local language.
#[derive(Debug, Clone, Copy)]
pub struct Region {
    pub code: &'static str,
    pub city: &'static str,
    pub cantonese: bool,
    /// Relative share of demo customers.
    pub weight: u32,
}

pub const REGIONS: &[Region] = &[
    region("440100", "广州", true, 18),
    region("442000", "中山", true, 16),
    region("440300", "深圳", true, 10),
    region("331000", "台州", false, 14),
    region("330100", "杭州", false, 12),
    region("330200", "宁波", false, 6),
    region("110000", "北京", false, 10),
    region("310000", "上海", false, 10),
    region("320100", "南京", false, 4),
];

const fn region(code: &'static str, city: &'static str, cantonese: bool, weight: u32) -> Region {
    Region {
        code,
        city,
        cantonese,
        weight,
    }
}

pub const OCCUPATIONS: &[&str] = &[
    "企业主",
    "公司高管",
    "医生",
    "律师",
    "教师",
    "公务员",
    "金融从业者",
    "工程师",
    "外贸经理",
    "销售总监",
    "自由职业",
    "退休干部",
    "设计师",
    "会计师",
    "个体经营者",
    "大学教授",
];

pub const INTERESTS: &[&str] = &[
    "高尔夫",
    "自驾游",
    "汽车俱乐部",
    "摄影",
    "茶艺",
    "健身",
    "钓鱼",
    "书法",
    "红酒",
    "出境旅游",
    "亲子活动",
    "马拉松",
    "读书会",
    "美食",
    "投资理财",
    "音乐会",
];

/// Plan codes with their typical monthly spend in fen (the customer's level scatters around it).
pub const PLANS: &[(&str, i64)] = &[
    ("5G-BASIC-198", 19_800),
    ("5G-PLUS-398", 39_800),
    ("5G-ULTRA-598", 59_800),
    ("GLOBAL-388", 38_800),
    ("GLOBAL-588", 58_800),
    ("FAMILY-398", 39_800),
    ("BIZ-888", 88_800),
];

/// Words enterprise group names are built from: `<city><brand><trade>有限公司`.
pub const GROUP_BRANDS: &[&str] = &[
    "华信",
    "恒达",
    "中联",
    "金桥",
    "宏远",
    "永盛",
    "新纪元",
    "海纳",
    "天翼",
    "博雅",
    "嘉禾",
    "瑞丰",
    "东方",
    "明珠",
    "盛世",
    "广源",
];
pub const GROUP_TRADES: &[&str] = &[
    "电子", "灯饰", "五金", "物流", "建设", "医药", "纺织", "贸易", "科技", "地产", "汽配", "食品",
];

/// Work-log entries by kind; `{interest}` and `{city}` are filled from the customer.
pub const NEEDS: &[&str] = &[
    "客户希望办理家庭共享套餐，把家人纳入统一付费。",
    "客户常驻{city}，近期出境出差频繁，咨询国际漫游包和机场贵宾厅权益。",
    "客户关注{interest}活动，希望收到俱乐部活动邀请。",
    "客户希望账单提醒改在工作日白天发送，避开休息时间。",
    "客户咨询为公司员工办理集团统付业务。",
];
pub const PROBLEMS: &[&str] = &[
    "客户反映上月流量费用偏高，怀疑套外计费有误，已提交核查。",
    "客户家中宽带晚高峰频繁掉线，较为不满。",
    "客户投诉营销短信过多，要求退订促销类提醒。",
    "客户在国外漫游期间收不到验证码短信。",
    "客户反映营业厅排队时间过长，希望预约办理。",
];
pub const PROGRESS: &[&str] = &[
    "已电话告知客户账单核查结果，差额将于下月返还。",
    "宽带故障已派单，工程师与客户约定周六上门。",
    "已为客户开通国际漫游包，并短信告知资费和拨打方式。",
    "已为客户办理营销短信退订，保留账单和安全类提醒。",
    "已为客户预约VIP专席，到厅无需排队。",
];
pub const CARE: &[&str] = &[
    "客户生日，已送上生日祝福及蛋糕券。",
    "春节前上门拜访，赠送新春礼包。",
    "邀请客户参加{interest}主题VIP沙龙，客户表示有兴趣。",
    "客户入网满十年，致电感谢并赠送流量礼包。",
    "回访上次投诉处理结果，客户表示满意。",
];

/// Plans a customer changes to: name and what it brings, as the billing system words them.
pub const NEW_PLANS: &[(&str, &str)] = &[
    (
        "5G畅享套餐398元",
        "每月398元,含国内流量60GB、国内通话1000分钟",
    ),
    (
        "5G智享套餐598元",
        "每月598元,含国内流量100GB、国内通话2000分钟",
    ),
    (
        "全球通尊享588元",
        "每月588元,含国内流量80GB、国内通话1500分钟、机场贵宾厅6次",
    ),
];

/// Value-added services with a free trial: name, what it does, monthly price in fen.
pub const VALUE_ADDED: &[(&str, &str, i64)] = &[
    ("视频彩铃", "朋友给您打电话时看到您设置的短视频", 500),
    ("和彩云", "手机照片和通讯录自动备份到云端", 1_000),
    ("咪咕音乐会员", "正版音乐无损畅听", 1_500),
];

/// Promotions about to end, and what the customer pays afterwards.
pub const PROMOTIONS: &[(&str, &str)] = &[
    ("流量半价优惠", "恢复套餐原价,超出流量每GB 3元"),
    ("月租减免", "月租恢复原价每月58元"),
    ("赠送通话分钟", "超出套餐的通话每分钟0.19元"),
];

/// What an account manager is asked to do about a customer.
pub const MANAGER_TASKS: &[&str] = &[
    "回访套餐变更办理情况",
    "邀请参加VIP客户沙龙",
    "核实本月话费异常原因",
];

/// Why a bill was higher than usual.
pub const BILL_REASONS: &[&str] = &["国际漫游流量费", "增值业务费", "超出套餐的通话费"];

/// Services a satisfaction survey asks about ("感谢您%SERVICE%").
pub const SURVEYED_SERVICES: &[&str] = &["到营业厅办理业务", "致电10086咨询", "与客户经理沟通"];
