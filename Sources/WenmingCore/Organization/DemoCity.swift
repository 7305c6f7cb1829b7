/// The demo city 青川市 (fictional, code prefix `QC`): what `wenming demo` loads.
///
/// Everything is generated from a fixed-seed SplitMix64 generator, so two calls of `build()` give equal
/// data, in the same order. Pure (no I/O, no clock, no system randomness) and fast (a few milliseconds).
///
/// Shape: 市 → 6 区/县 → 40 街道/镇 → ~250 社区/村 → 2–4 网格 each; 62 市直部门; 3–5 区直部门 per district;
/// ~500 属地 units (schools, hospitals, windows, companies, agencies) each with its 条管 department;
/// the campaign bodies (领导小组, 创文办, 13 工作组, a 创文办 per district) with members and leaders;
/// 包保 of communities, road sections and places; and users of every role. All logins use `password`.
public enum DemoCity {
    /// The password of every demo user.
    public static let password = "Wenming2026"
    public static let cityCode = "QC"
    public static let cityName = "青川市"

    public static func build() -> DemoCityData {
        var b = Builder()
        b.build()
        return DemoCityData(orgs: b.orgs, users: b.users, memberships: b.memberships,
                            groupInfo: b.groupInfo, adoptions: b.adoptions)
    }
}

// MARK: - Deterministic random numbers

extension DemoCity {
    /// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
    public struct RNG: Sendable {
        private var state: UInt64
        public init(seed: UInt64) { state = seed }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// 0 ..< n (n > 0).
        public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        /// Uniform in [0, 1).
        public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
        /// An index drawn with the given relative weights.
        public mutating func weighted(_ w: [Int]) -> Int {
            var r = int(max(1, w.reduce(0, +)))
            for (i, x) in w.enumerated() { if r < x { return i }; r -= x }
            return w.count - 1
        }
        mutating func int(in r: ClosedRange<Int>) -> Int { r.lowerBound + int(r.count) }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
        mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

        mutating func shuffled<T>(_ a: [T]) -> [T] {
            var a = a
            if a.count > 1 {
                for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(i + 1)) }
            }
            return a
        }

        /// `k` distinct elements of `a`, in `a`'s order.
        mutating func sample<T>(_ a: [T], _ k: Int) -> [T] {
            let idx = shuffled(Array(a.indices)).prefix(min(k, a.count)).sorted()
            return idx.map { a[$0] }
        }
    }
}

// MARK: - Static content

extension DemoCity {
    struct DeptSpec: Sendable { let key: String; let name: String }

    /// 市直部门 and the bodies that work like them (群团, 中央/省垂直管理单位, 公共服务企业), in code order QC-D01…
    static let cityDepartments: [DeptSpec] = [
        .init(key: "xcb", name: "中共青川市委宣传部（市文明办）"),
        .init(key: "cgj", name: "青川市城市管理局"),
        .init(key: "scjg", name: "青川市市场监督管理局"),
        .init(key: "jj", name: "青川市公安局交通警察支队"),
        .init(key: "jyj", name: "青川市教育局"),
        .init(key: "wjw", name: "青川市卫生健康委员会"),
        .init(key: "zjj", name: "青川市住房和城乡建设局"),
        .init(key: "jtj", name: "青川市交通运输局"),
        .init(key: "sthj", name: "青川市生态环境局"),
        .init(key: "wgl", name: "青川市文化广电旅游局"),
        .init(key: "mzj", name: "青川市民政局"),
        .init(key: "swj", name: "青川市商务局"),
        .init(key: "zrzy", name: "青川市自然资源和规划局"),
        .init(key: "slj", name: "青川市水利局"),
        .init(key: "nync", name: "青川市农业农村局"),
        .init(key: "rsj", name: "青川市人力资源和社会保障局"),
        .init(key: "czj", name: "青川市财政局"),
        .init(key: "tsw", name: "共青团青川市委员会"),
        .init(key: "fl", name: "青川市妇女联合会"),
        .init(key: "zgh", name: "青川市总工会"),
        .init(key: "kx", name: "青川市科学技术协会"),
        .init(key: "cl", name: "青川市残疾人联合会"),
        .init(key: "yz", name: "青川市邮政管理局"),
        .init(key: "tx", name: "青川市通信发展管理办公室"),
        .init(key: "gd", name: "国网青川供电公司"),
        .init(key: "zls", name: "青川市自来水有限公司"),
        .init(key: "gj", name: "青川市公共交通集团有限公司"),
        .init(key: "yjj", name: "青川市应急管理局"),
        .init(key: "xf", name: "青川市消防救援支队"),
        .init(key: "tyjr", name: "青川市退役军人事务局"),
        .init(key: "tyj", name: "青川市体育局"),
        .init(key: "tjj", name: "青川市统计局"),
        .init(key: "sjj", name: "青川市审计局"),
        .init(key: "sfj", name: "青川市司法局"),
        .init(key: "gzw", name: "青川市人民政府国有资产监督管理委员会"),
        .init(key: "fgw", name: "青川市发展和改革委员会"),
        .init(key: "gxj", name: "青川市工业和信息化局"),
        .init(key: "ybj", name: "青川市医疗保障局"),
        .init(key: "xfj", name: "青川市信访局"),
        .init(key: "sjzy", name: "青川市数据资源管理局"),
        .init(key: "zwfw", name: "青川市政务服务管理局"),
        .init(key: "jgsw", name: "青川市机关事务管理局"),
        .init(key: "yl", name: "青川市园林绿化中心"),
        .init(key: "hw", name: "青川市环境卫生管理中心"),
        .init(key: "dag", name: "青川市档案馆"),
        .init(key: "tsg", name: "青川市图书馆"),
        .init(key: "wl", name: "青川市文学艺术界联合会"),
        .init(key: "hsz", name: "青川市红十字会"),
        .init(key: "qx", name: "青川市气象局"),
        .init(key: "sw", name: "国家税务总局青川市税务局"),
        .init(key: "jr", name: "国家金融监督管理总局青川监管分局"),
        .init(key: "yc", name: "青川市烟草专卖局"),
        .init(key: "xwcm", name: "青川市新闻传媒中心"),
        .init(key: "zzb", name: "中共青川市委组织部"),
        .init(key: "zfw", name: "中共青川市委政法委员会"),
        .init(key: "wxb", name: "中共青川市委网络安全和信息化委员会办公室"),
        .init(key: "gaj", name: "青川市公安局"),
        .init(key: "kjj", name: "青川市科学技术局"),
        .init(key: "rmyh", name: "中国人民银行青川市分行"),
        .init(key: "gsl", name: "青川市工商业联合会"),
        .init(key: "swb", name: "中共青川市委办公室"),
        .init(key: "zfb", name: "青川市人民政府办公室"),
    ]

    struct DistrictSpec: Sendable {
        let prefix: String      // username prefix: mh_admin, dj_liaison, …
        let name: String
        let short: String
        let kind: OrgKind
        let streets: [String]   // stems: 湖滨 → 湖滨街道 / 青石 → 青石镇
        let roads: [String]
    }

    /// 明湖区 is first (QC01): the documented logins live there. 东江区 is second (QC02, `dj_liaison`).
    static let districts: [DistrictSpec] = [
        .init(prefix: "mh", name: "明湖区", short: "明湖", kind: .district,
              streets: ["湖滨", "明珠", "柳岸", "府前", "文昌", "南湖", "西城", "望湖"],
              roads: ["明湖大道", "湖滨路", "人民路", "解放路", "府前街", "文昌路", "南湖路", "柳岸路", "望湖路", "中山路", "西城路", "青年路"]),
        .init(prefix: "dj", name: "东江区", short: "东江", kind: .district,
              streets: ["东关", "朝阳", "鼓楼", "东湖", "太平", "兴华", "江东"],
              roads: ["东江大道", "东关路", "朝阳路", "鼓楼街", "东湖路", "太平街", "兴华路", "江东路", "建设路", "和平路", "滨江大道"]),
        .init(prefix: "xs", name: "西山区", short: "西山", kind: .district,
              streets: ["西山", "枫林", "翠屏", "凤鸣", "金桥", "白鹭洲", "沙洲"],
              roads: ["西山大道", "枫林路", "翠屏路", "凤鸣路", "金桥路", "白鹭路", "沙洲路", "工农路", "胜利路", "劳动路"]),
        .init(prefix: "gx", name: "高新区", short: "高新", kind: .district,
              streets: ["科创", "软件园", "云谷", "新港", "智谷"],
              roads: ["科创大道", "软件园路", "云谷路", "新港大道", "智谷路", "创新路", "创业路", "高新一路", "高新二路", "学府路"]),
        .init(prefix: "yl", name: "云岭县", short: "云岭", kind: .county,
              streets: ["云岭", "青石", "龙潭", "白马", "茶山", "松林", "黄泥"],
              roads: ["云岭大道", "县前街", "青石街", "龙潭路", "白马路", "茶山路", "正街", "新街"]),
        .init(prefix: "sq", name: "石桥县", short: "石桥", kind: .county,
              streets: ["石桥", "板桥", "双河", "七星", "枫树", "清溪"],
              roads: ["石桥大道", "县府路", "板桥街", "双河路", "七星路", "枫树街", "清溪路", "老街"]),
    ]

    /// Stems of urban communities (X社区).
    static let communityStems: [String] = """
    柳荫 桃园 杏花 桂香 梧桐 芙蓉 翠竹 锦绣 阳光 和平 幸福 新华 建设 光明 文化 育才 东风 胜利 红星 友谊 团结 前进 春晓 \
    银杏 丹桂 紫荆 玉兰 海棠 松涛 清泉 碧水 映月 望江 观澜 滨河 南苑 北苑 西苑 东苑 康乐 安居 福寿 龙泉 青松 \
    荷花 莲塘 菱湖 杨柳 桑园 梨园 枣园 橘园 竹园 兰亭 梅岭 菊苑 槐荫 榆林 桦林 樟树 榕树 明月 宝石 翡翠 \
    琥珀 珍珠 水晶 云锦 霞光 彩虹 星河 银河 月湖 晨光 曙光 黎明 向阳 旭日 晚霞 天鹅 长青 常春 永安 永宁 永兴 \
    长乐 长安 安康 平安 和顺 和谐 吉祥 如意 嘉禾 丰收 富民 兴旺 振华 人民 解放 民主 工农 劳动 创业 奋进 跃进 \
    新村 新苑 新城 新河 新桥 新民 新兴 新风 江畔 江湾 江景 湖畔 湖景 湖心 河畔 河西 河东 港湾 渡口 码头 半岛 \
    滨湖 沿江 环湖 书院 学府 文苑 文庙 府后 城隍 古井 石坊 牌坊 城南 城北 城中 北门 南门 西门 东门 铁路 机场 \
    车站 工业 纺织 机械 化工 电厂 钢厂 棉纺 印染 粮站 油厂 科技 智慧 数码 未来 星光 创智 花园 公园 广场 体育 \
    医院 邮电 电力 水厂 商城 金色 银湖 绿洲 绿城 碧桂 翠湖 翠园 紫薇 百合 丁香 茉莉 牡丹 海燕 白云 蓝天 \
    彩云 祥云 瑞丰 华府 华苑 华庭 锦华 锦园 雅苑 怡景 悦湖 御景 凤凰 麒麟 龙湖 虎山 狮子 象山 鹤鸣 燕山 \
    金山 银山 玉泉 甘泉 温泉 清水 秀水 锦江 金江 青江 碧波 浣纱 洗马 拱辰 迎宾 迎春 聚福 聚贤 育英 求真 崇文
    """.split(separator: " ").map(String.init)

    /// Stems of villages (X村).
    static let villageStems: [String] = """
    张家 李家 王家 刘家 陈家 杨家 赵家 黄家 周家 吴家 徐家 孙家 胡家 朱家 高家 林家 何家 郭家 马家 罗家 \
    大坪 小坪 石门 石坝 石湾 柏树 杉木 竹林 茶园 桐木 龙塘 凤凰山 白马寺 黄泥塘 红岩 青岗 枫香 松树坪 梨树 \
    杨梅 油坊 磨坊 水口 河口 溪口 塘坝 堰塘 上坪 下坪 中坪 新田 高桥 双溪 三合 四合 五里 六合 八角 九龙 \
    十里 百花 千家 万福 关口 岩口 坳头 垭口 岭头 岭脚 山背 山口 沙坝 沙湾 泉水 田坝 桃花 杏林 柿子 核桃 \
    栗子 板栗 桑树 蚕桑 金鸡 白鹤 乌龙 青龙 黄龙 卧龙 回龙 龙泉 马鞍 牛角 羊角 鹿鸣 荷塘 莲花 稻香 麦田
    """.split(separator: " ").map(String.init)

    static let surnames: [String] = """
    王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 \
    蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 \
    薛 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 武 戴 莫 孔 向 汤 王 李 张 刘 陈 杨 黄 赵 吴 周
    """.split(separator: " ").map(String.init)

    /// Characters of given names, by the sex they usually suggest (a name draws from one list only).
    static let maleGivenChars: [String] = """
    伟 强 磊 军 洋 勇 杰 涛 明 超 刚 建 文 辉 力 鹏 宇 浩 凯 俊 帆 斌 波 峰 海 亮 志 国 新 林 博 宁 昊 然 轩 \
    晓 东 立 成 永 德 金 荣 庆 鑫 健 毅 坤 翔 彬 兵 卫 泽 天 一 子 嘉 晨 华 平 春 云 思 远 航 铭 哲 睿 飞 龙 学
    """.split(separator: " ").map(String.init)

    static let femaleGivenChars: [String] = """
    芳 娜 敏 静 丽 艳 娟 秀 霞 桂 英 玉 萍 红 欣 怡 婷 雪 琳 颖 倩 慧 佳 雯 丹 燕 梅 婧 璐 涵 思 雨 梓 晓 \
    兰 凤 秋 月 瑶 琪 蕾 薇 洁 爽 悦 诗 嘉 晨 华 平 春 云 子 一 文 宁 莉 晶 妍 露 菲 若 楠 蓉 琴 茜
    """.split(separator: " ").map(String.init)

    static let mobilePrefixes = ["139", "138", "137", "136", "135", "158", "159", "188", "186", "133", "153", "180", "177", "199"]

    static let chineseOrdinals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    struct GroupSpec: Sendable {
        let name: String
        let leaderTitle: String
        let duty: String
        let lead: String
        let members: [String]
    }

    /// The 13 working groups (工作组) of the 领导小组, with 牵头单位 first.
    static let workingGroups: [GroupSpec] = [
        .init(name: "思想道德建设组", leaderTitle: "市委常委、宣传部部长",
              duty: "负责社会主义核心价值观宣传教育、道德模范和身边好人评选、诚信建设等测评内容的组织推进。",
              lead: "xcb", members: ["jyj", "wl", "xwcm", "tsw", "zgh"]),
        .init(name: "未成年人思想道德建设组", leaderTitle: "副市长",
              duty: "负责未成年人思想道德建设测评体系的组织实施，统筹校园及周边环境整治和校外活动场所建设。",
              lead: "jyj", members: ["xcb", "tsw", "fl", "gaj", "wgl", "mzj"]),
        .init(name: "城市环境整治组", leaderTitle: "副市长",
              duty: "负责背街小巷、老旧小区、建筑工地、公厕和城乡结合部等环境卫生整治。",
              lead: "zjj", members: ["cgj", "hw", "yl", "sthj", "slj", "zrzy"]),
        .init(name: "市容秩序组", leaderTitle: "市城市管理局局长",
              duty: "负责占道经营、流动摊贩、乱贴乱画、户外广告和门前三包等市容秩序管理。",
              lead: "cgj", members: ["scjg", "gaj", "swj", "hw"]),
        .init(name: "交通秩序组", leaderTitle: "副市长、市公安局局长",
              duty: "负责机动车、非机动车和行人交通秩序整治，规范停车管理，提升公共交通服务水平。",
              lead: "jj", members: ["gaj", "jtj", "gj", "cgj", "zjj"]),
        .init(name: "窗口服务组", leaderTitle: "市政务服务管理局局长",
              duty: "负责政务大厅、银行、邮政、通信营业厅、车站等窗口单位的文明服务提升。",
              lead: "zwfw", members: ["jr", "rmyh", "yz", "tx", "jtj", "gd", "zls"]),
        .init(name: "公共文化组", leaderTitle: "市文化广电旅游局局长",
              duty: "负责公共文化设施、文化惠民活动、旅游景区和文化市场的文明创建工作。",
              lead: "wgl", members: ["tsg", "wl", "tyj", "dag", "xwcm"]),
        .init(name: "志愿服务组", leaderTitle: "团市委书记",
              duty: "负责志愿服务组织建设、志愿者注册管理和学雷锋志愿服务常态化开展。",
              lead: "tsw", members: ["xcb", "mzj", "fl", "zgh", "hsz", "cl", "tyjr"]),
        .init(name: "社区建设组", leaderTitle: "市民政局局长",
              duty: "负责文明社区创建、社区综合服务设施和新时代文明实践站点建设。",
              lead: "mzj", members: ["zjj", "xcb", "cl", "fl"]),
        .init(name: "农贸市场整治组", leaderTitle: "市市场监督管理局局长",
              duty: "负责农贸市场、商场超市、小型餐馆的环境卫生、经营秩序和食品安全整治。",
              lead: "scjg", members: ["swj", "cgj", "wjw", "nync", "hw"]),
        .init(name: "公共安全组", leaderTitle: "市委常委、政法委书记",
              duty: "负责社会治安、安全生产、消防安全和应急管理等公共安全测评内容的组织推进。",
              lead: "gaj", members: ["zfw", "yjj", "xf", "sfj", "xfj"]),
        .init(name: "宣传氛围营造组", leaderTitle: "市委宣传部常务副部长",
              duty: "负责公益广告、主题宣传和网络文明建设，营造浓厚的创建氛围。",
              lead: "xcb", members: ["wxb", "xwcm", "cgj", "jtj", "gj", "wgl"]),
        .init(name: "督查考核组", leaderTitle: "市委常委、秘书长",
              duty: "负责创建工作日常督查、问题交办和考核问责，定期通报各地各单位工作进展。",
              lead: "swb", members: ["zfb", "zzb", "xcb", "tjj"]),
    ]
}

// MARK: - Builder

extension DemoCity {
    struct CommunityRef {
        let code: String
        let name: String
        let stem: String
        let kind: OrgKind
        let street: Int
        var grids: [(code: String, name: String)] = []
    }

    struct StreetRef {
        let code: String
        let name: String
        let stem: String
        var communities: [CommunityRef] = []
        var units: [String] = []
    }

    struct DistrictRef {
        let spec: DistrictSpec
        let code: String
        let office: String
        var departments: [String] = []      // 区直部门
        var districtUnits: [String] = []    // units hanging directly under the district node
        var streets: [StreetRef] = []
        var firstOf: [OrgKind: String] = [:]   // lookups only, never iterated
        var communityUnits: [(unit: String, community: Int, street: Int)] = []
    }

    struct Builder {
        var rng = RNG(seed: 0x5143_2026_57E1_3A11)
        var orgs: [DemoOrg] = []
        var users: [DemoUser] = []
        var memberships: [DemoMembership] = []
        var groupInfo: [DemoGroupInfo] = []
        var adoptions: [DemoAdoption] = []

        private var kinds: [String: OrgKind] = [:]
        private var siblingNames: Set<String> = []
        private var dept: [String: String] = [:]        // key → city department code
        private var cityDeptCodes: [String] = []
        private var phones: Set<String> = []
        private var usernames: Set<String> = []
        private var usedCommunityStems: Set<String> = []
        private var usedVillageStems: Set<String> = []
        private var communityPool: [String] = []
        private var villagePool: [String] = []
        private var unitSeq: [String: Int] = [:]
        private var districtRefs: [DistrictRef] = []
        private var workingGroupCodes: [String] = []

        static let city = DemoCity.cityCode
        static let leadingGroup = "QC-LG"
        static let office = "QC-OFF"

        // MARK: helpers

        static func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }

        mutating func person() -> String {
            let surname = rng.pick(DemoCity.surnames)
            let chars = rng.chance(50) ? DemoCity.maleGivenChars : DemoCity.femaleGivenChars
            let first = rng.pick(chars)
            if rng.chance(30) { return surname + first }
            var second = rng.pick(chars)
            while second == first { second = rng.pick(chars) }
            return surname + first + second
        }

        mutating func phone() -> String {
            while true {
                var p = rng.pick(DemoCity.mobilePrefixes)
                for _ in 0..<8 { p += String(rng.int(10)) }
                if phones.insert(p).inserted { return p }
            }
        }

        mutating func number() -> String { "\(rng.int(in: 1...288))号" }

        /// Adds an org; false (and nothing added) when the code is taken or a sibling has the same name.
        @discardableResult
        mutating func org(_ code: String, _ name: String, _ kind: OrgKind, _ parent: String?,
                          sector: String? = nil, address: String) -> Bool {
            guard kinds[code] == nil else { return false }
            guard siblingNames.insert((parent ?? "") + "\u{1}" + name).inserted else { return false }
            kinds[code] = kind
            orgs.append(DemoOrg(code: code, name: name, kind: kind, parentCode: parent, sectorCode: sector,
                                address: address, contact: person(), phone: phone()))
            return true
        }

        /// Adds a 属地 unit of district `d` under `parent`; returns its code, or nil on a name clash.
        mutating func unit(_ d: DistrictRef, _ name: String, _ kind: OrgKind, under parent: String,
                           sector key: String?, address: String) -> String? {
            let n = (unitSeq[d.code] ?? 0) + 1
            let code = d.code + "-U" + Self.pad(n, 3)
            guard org(code, name, kind, parent, sector: key.flatMap { dept[$0] }, address: address) else { return nil }
            unitSeq[d.code] = n
            return code
        }

        mutating func user(_ username: String, _ role: Role, _ orgCode: String, name: String? = nil) {
            guard usernames.insert(username).inserted else { return }
            let display = name ?? person()
            users.append(DemoUser(username: username, displayName: display, role: role, orgCode: orgCode, phone: phone()))
        }

        mutating func nextCommunityStem() -> String {
            while let s = communityPool.popLast() {
                if usedCommunityStems.insert(s).inserted { return s }
            }
            // Pool exhausted (does not happen with the built-in list): numbered new communities.
            var i = 1
            while !usedCommunityStems.insert("新建\(i)").inserted { i += 1 }
            return "新建\(i)"
        }

        mutating func nextVillageStem() -> String {
            while let s = villagePool.popLast() {
                if usedVillageStems.insert(s).inserted { return s }
            }
            var i = 1
            while !usedVillageStems.insert("新建\(i)").inserted { i += 1 }
            return "新建\(i)"
        }

        // MARK: build

        mutating func build() {
            communityPool = rng.shuffled(DemoCity.communityStems)
            villagePool = rng.shuffled(DemoCity.villageStems)

            org(Self.city, DemoCity.cityName, .city, nil, address: "青川市明湖区人民路1号")

            // 市直部门
            let govRoads = ["人民路", "府前街", "中山路", "解放路", "明湖大道", "文昌路"]
            for (i, s) in DemoCity.cityDepartments.enumerated() {
                let code = "QC-D" + Self.pad(i + 1, 2)
                dept[s.key] = code
                cityDeptCodes.append(code)
                org(code, s.name, .department, Self.city, address: "青川市明湖区" + rng.pick(govRoads) + number())
            }

            // Campaign bodies
            org(Self.leadingGroup, "青川市创建全国文明城市工作领导小组", .leadingGroup, Self.city,
                address: "青川市明湖区人民路1号")
            org(Self.office, "青川市创建全国文明城市工作办公室（创文办）", .office, Self.city,
                address: "青川市明湖区府前街8号")
            for (i, g) in DemoCity.workingGroups.enumerated() {
                let code = "QC-WG" + Self.pad(i + 1, 2)
                workingGroupCodes.append(code)
                org(code, g.name, .workingGroup, Self.leadingGroup, address: "青川市明湖区府前街8号")
            }

            // Territory and 属地 units
            let counts = communityCounts()
            var streetIndex = 0
            for (di, spec) in DemoCity.districts.enumerated() {
                var d = buildDistrictNode(di, spec)
                for (si, stem) in spec.streets.enumerated() {
                    buildStreet(&d, si, stem, communities: counts[streetIndex])
                    streetIndex += 1
                }
                buildCommunityUnits(&d)
                districtRefs.append(d)
            }

            buildBodies()
            buildAdoptions()
            buildUsers()
        }

        /// Communities per street: 5–8 each, nudged so that the city has 245–255 in all.
        mutating func communityCounts() -> [Int] {
            let streets = DemoCity.districts.reduce(0) { $0 + $1.streets.count }
            var c = (0..<streets).map { _ in 5 + rng.int(4) }
            while c.reduce(0, +) > 255 {
                let i = rng.int(c.count)
                if c[i] > 5 { c[i] -= 1 }
            }
            while c.reduce(0, +) < 245 {
                let i = rng.int(c.count)
                if c[i] < 8 { c[i] += 1 }
            }
            return c
        }

        mutating func buildDistrictNode(_ di: Int, _ spec: DistrictSpec) -> DistrictRef {
            let code = "QC" + Self.pad(di + 1, 2)
            let base = "青川市" + spec.name
            let isCounty = spec.kind == .county
            org(code, spec.name, spec.kind, Self.city, address: base + spec.roads[0] + number())
            var d = DistrictRef(spec: spec, code: code, office: code + "-OFF")
            org(d.office, spec.name + "创文办", .office, code, address: base + spec.roads[0] + number())

            // 区直部门 (3–5), each 条管 by its city counterpart
            let deptTemplates: [(String, String)] = [
                ("城市管理局", "cgj"), ("市场监督管理局", "scjg"), ("教育局", "jyj"),
                ("卫生健康局", "wjw"), ("住房和城乡建设局", "zjj"),
            ]
            let n = 3 + rng.int(3)
            for j in 0..<n {
                let c = code + "-D" + Self.pad(j + 1, 2)
                if org(c, spec.name + deptTemplates[j].0, .department, code, sector: dept[deptTemplates[j].1],
                       address: base + rng.pick(spec.roads) + number()) {
                    d.departments.append(c)
                }
            }

            func addr() -> String { base + rng.pick(spec.roads) + number() }

            // Units at the district node
            var list: [(String, OrgKind, String?)] = []
            if spec.short == "高新" {
                list += [("高新区党工委办公室", .agency, nil), ("高新区管委会办公室", .agency, nil)]
            } else {
                list += [(spec.name + "人大常委会办公室", .agency, nil), (spec.name + "政协办公室", .agency, nil)]
            }
            list += [
                (spec.name + "人民法院", .agency, nil), (spec.name + "人民检察院", .agency, nil),
                (spec.name + "实验小学", .school, "jyj"), (spec.name + "第一中学", .school, "jyj"),
                (spec.name + (isCounty ? "职业中学" : "实验中学"), .school, "jyj"),
                (spec.name + "人民医院", .hospital, "wjw"), (spec.name + "中医院", .hospital, "wjw"),
                (spec.name + "妇幼保健院", .hospital, "wjw"),
                (spec.name + "政务服务中心", .window, "zwfw"),
                (spec.name + "图书馆", .window, "wgl"),
                (isCounty ? spec.short + "汽车站" : spec.short + "公交总站", .window, isCounty ? "jtj" : "gj"),
                ("青川" + spec.short + "建设投资集团有限公司", .company, "gzw"),
                (isCounty ? "青川" + spec.short + "文化旅游发展有限公司" : "青川" + spec.short + "商业广场有限公司",
                 .company, isCounty ? "wgl" : "swj"),
            ]
            switch di {
            case 0:
                list += [("青川市第一人民医院", .hospital, "wjw"), ("青川市第一中学", .school, "jyj"),
                         ("青川市政务服务中心", .window, "zwfw"), ("青川汽车客运中心站", .window, "jtj"),
                         ("青川市旅游集散中心", .window, "wgl"), ("青川日报印务有限公司", .company, "scjg")]
            case 1:
                list += [("青川市中心医院", .hospital, "wjw"), ("青川市中医院", .hospital, "wjw"),
                         ("青川市第二中学", .school, "jyj"), ("青川火车站", .window, "jtj"),
                         ("青川市博物馆", .window, "wgl"), ("青川东江港务有限公司", .company, "jtj")]
            case 2:
                list += [("青川市第二人民医院", .hospital, "wjw"), ("青川市妇幼保健院", .hospital, "wjw"),
                         ("青川市实验中学", .school, "jyj"), ("青川西山旅游景区管理有限公司", .company, "wgl")]
            case 3:
                list += [("青川外国语学校", .school, "jyj"), ("青川职业技术学院", .school, "jyj"),
                         ("青川云谷信息技术有限公司", .company, "gxj"), ("青川智芯半导体有限公司", .company, "gxj"),
                         ("青川新港新材料股份有限公司", .company, "gxj"), ("青川华辰生物医药有限公司", .company, "gxj"),
                         ("青川星河智能装备有限公司", .company, "gxj"), ("青川数智软件有限公司", .company, "gxj"),
                         ("高新区人才服务中心", .window, "rsj")]
            default:
                list += [("青川" + spec.short + "茶业集团有限公司", .company, "nync"),
                         ("青川" + spec.short + "水务有限公司", .company, "zls")]
            }
            for (name, kind, key) in list {
                if let u = unit(d, name, kind, under: code, sector: key, address: addr()) {
                    d.districtUnits.append(u)
                    if d.firstOf[kind] == nil { d.firstOf[kind] = u }
                }
            }
            return d
        }

        mutating func buildStreet(_ d: inout DistrictRef, _ si: Int, _ stem: String, communities count: Int) {
            let spec = d.spec
            let isCounty = spec.kind == .county
            let scode = d.code + "-" + Self.pad(si + 1, 2)
            let sname = stem + (isCounty ? "镇" : "街道")
            let base = "青川市" + spec.name + sname
            org(scode, sname, isCounty ? .town : .street, d.code, address: base + rng.pick(spec.roads) + number())
            var s = StreetRef(code: scode, name: sname, stem: stem)

            // Communities / villages, the first one named after the street or town seat.
            for ci in 0..<count {
                let cstem: String
                let kind: OrgKind
                if ci == 0 && usedCommunityStems.insert(stem).inserted {
                    cstem = stem; kind = .community
                } else if isCounty {
                    cstem = nextVillageStem(); kind = .village
                } else {
                    cstem = nextCommunityStem(); kind = .community
                }
                let cname = cstem + (kind == .village ? "村" : "社区")
                let ccode = scode + "-" + Self.pad(ci + 1, 2)
                let caddr = kind == .village ? base + cname + "\(rng.int(in: 1...9))组"
                                             : base + cstem + "路" + number()
                org(ccode, cname, kind, scode, address: caddr)
                var c = CommunityRef(code: ccode, name: cname, stem: cstem, kind: kind, street: si)
                let grids = 2 + rng.int(3)
                for g in 0..<grids {
                    let gcode = ccode + "-G\(g + 1)"
                    let gname = cname + "第" + DemoCity.chineseOrdinals[g] + "网格"
                    org(gcode, gname, .grid, ccode, address: "青川市" + spec.name + sname + gname)
                    c.grids.append((gcode, gname))
                }
                s.communities.append(c)
            }

            // Street/town units
            func addr() -> String { base + rng.pick(spec.roads) + number() }
            var list: [(String, OrgKind, String?)] = []
            list.append((isCounty ? spec.name + "公安局" + stem + "派出所" : "青川市公安局" + spec.short + "分局" + stem + "派出所",
                         .agency, "gaj"))
            if isCounty {
                list.append((sname + (si == 0 ? "中心卫生院" : "卫生院"), .hospital, "wjw"))
                list.append((sname + "中心小学", .school, "jyj"))
                list.append((sname + "中学", .school, "jyj"))
            } else {
                list.append((sname + "社区卫生服务中心", .hospital, "wjw"))
                list.append((spec.name + stem + "小学", .school, "jyj"))
                if rng.chance(40) { list.append((spec.name + stem + "中学", .school, "jyj")) }
            }
            list.append((sname + "便民服务中心", .window, "zwfw"))
            let banks = isCounty ? ["青川农商银行", "中国邮政储蓄银行", "中国农业银行"]
                                 : ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "中国邮政储蓄银行", "青川农商银行"]
            for b in rng.sample(banks, !isCounty && rng.chance(30) ? 2 : 1) {
                list.append((b + (b.hasPrefix("青川") ? "" : "青川") + stem + "支行", .window, "jr"))
            }
            list.append(("中国邮政" + stem + "营业所", .window, "yz"))
            for t in rng.sample(["中国移动", "中国联通", "中国电信"], !isCounty && rng.chance(30) ? 2 : 1) {
                list.append((t + stem + "营业厅", .window, "tx"))
            }
            if isCounty {
                let templates: [(String, String)] = [
                    ("青川" + stem + "农业开发有限公司", "nync"), ("青川" + stem + "食品有限公司", "scjg"),
                    ("青川" + stem + "建材有限公司", "gxj"), ("青川" + stem + "生态农庄有限公司", "wgl"),
                ]
                let t = rng.pick(templates)
                list.append((t.0, .company, t.1))
            } else {
                let chain = rng.pick(["华联超市", "永辉超市", "家家乐超市", "惠民超市", "青川百货"])
                let templates: [(String, String)] = [
                    (chain + stem + "店", "swj"), ("青川" + stem + "物业服务有限公司", "zjj"),
                    (stem + "大酒店", "wgl"), ("青川" + stem + "餐饮管理有限公司", "scjg"),
                    ("青川" + stem + "汽车销售服务有限公司", "scjg"), ("青川" + stem + "电子科技有限公司", "gxj"),
                ]
                for t in rng.sample(templates, 1 + rng.int(2)) { list.append((t.0, .company, t.1)) }
            }
            for (name, kind, key) in list {
                if let u = unit(d, name, kind, under: scode, sector: key, address: addr()) {
                    s.units.append(u)
                    if d.firstOf[kind] == nil { d.firstOf[kind] = u }
                }
            }
            d.streets.append(s)
        }

        /// Kindergartens, 便民超市 and 村卫生室 at community/village level.
        mutating func buildCommunityUnits(_ d: inout DistrictRef) {
            let spec = d.spec
            for si in d.streets.indices {
                let s = d.streets[si]
                for (ci, c) in s.communities.enumerated() {
                    let base = "青川市" + spec.name + s.name
                    if c.kind == .village {
                        if rng.chance(20),
                           let u = unit(d, c.name + "卫生室", .hospital, under: c.code, sector: "wjw",
                                        address: base + c.name + "\(rng.int(in: 1...9))组") {
                            d.communityUnits.append((u, ci, si))
                        }
                    } else {
                        if rng.chance(15),
                           let u = unit(d, c.stem + "幼儿园", .school, under: c.code, sector: "jyj",
                                        address: base + c.stem + "路" + number()) {
                            d.communityUnits.append((u, ci, si))
                        }
                        if rng.chance(5),
                           let u = unit(d, c.stem + "便民超市", .company, under: c.code, sector: "swj",
                                        address: base + c.stem + "路" + number()) {
                            d.communityUnits.append((u, ci, si))
                        }
                    }
                }
            }
        }

        // MARK: bodies: leaders and members

        mutating func buildBodies() {
            groupInfo.append(DemoGroupInfo(groupCode: Self.leadingGroup, leaderName: person(), leaderTitle: "市委书记",
                                           duty: "统筹领导全市创建全国文明城市工作，研究决定重大事项，部署年度创建任务。"))
            groupInfo.append(DemoGroupInfo(groupCode: Self.office, leaderName: person(),
                                           leaderTitle: "市委宣传部常务副部长、市文明办主任",
                                           duty: "承担领导小组日常工作，负责测评体系分解、督查调度、问题交办和考核评价。"))
            for (i, g) in DemoCity.workingGroups.enumerated() {
                groupInfo.append(DemoGroupInfo(groupCode: workingGroupCodes[i], leaderName: person(),
                                               leaderTitle: g.leaderTitle, duty: g.duty))
            }
            for d in districtRefs {
                let head = d.spec.kind == .county ? "县委常委、宣传部部长" : "区委常委、宣传部部长"
                groupInfo.append(DemoGroupInfo(groupCode: d.office, leaderName: person(),
                                               leaderTitle: head + "、" + d.spec.name + "创文办主任",
                                               duty: "负责" + d.spec.name + "创建工作的组织协调、任务分解和督查考核，落实属地责任。"))
            }

            // 领导小组: every city department is a member unit.
            for c in cityDeptCodes {
                memberships.append(DemoMembership(groupCode: Self.leadingGroup, memberCode: c, isLead: false))
            }
            // 创文办: 宣传部 (文明办) leads, the two general offices take part.
            for key in ["xcb", "swb", "zfb"] {
                memberships.append(DemoMembership(groupCode: Self.office, memberCode: dept[key]!, isLead: key == "xcb"))
            }
            // 工作组: 牵头单位 + members.
            for (i, g) in DemoCity.workingGroups.enumerated() {
                memberships.append(DemoMembership(groupCode: workingGroupCodes[i], memberCode: dept[g.lead]!, isLead: true))
                for m in g.members where m != g.lead {
                    memberships.append(DemoMembership(groupCode: workingGroupCodes[i], memberCode: dept[m]!, isLead: false))
                }
            }
            // District 创文办: the district departments, 城管局 leading.
            for d in districtRefs {
                for (j, c) in d.departments.enumerated() {
                    memberships.append(DemoMembership(groupCode: d.office, memberCode: c, isLead: j == 0))
                }
            }
        }

        // MARK: 包保

        mutating func buildAdoptions() {
            // City departments each take one or two communities of the urban districts (市直单位包保社区).
            var cityQueue = rng.shuffled(cityDeptCodes) + rng.shuffled(cityDeptCodes).prefix(30)
            cityQueue.reverse()     // popLast() takes from the shuffled front
            for d in districtRefs {
                let local = d.departments + d.districtUnits
                var rr = rng.int(max(1, local.count))
                let urban = d.spec.kind == .district
                for s in d.streets {
                    for (ci, c) in s.communities.enumerated() {
                        guard rng.chance(urban ? 88 : 80) else { continue }
                        let adopter: String
                        if urban, ci % 2 == 0, let next = cityQueue.popLast() {
                            adopter = next
                        } else if !local.isEmpty {
                            adopter = local[rr % local.count]; rr += 1
                        } else {
                            adopter = rng.pick(s.units)
                        }
                        adoptions.append(DemoAdoption(unitCode: adopter, targetCode: c.code, targetName: c.name, kind: .community))
                    }
                }
                // Kindergartens and shops look after one grid of their own community.
                for cu in d.communityUnits.prefix(4) {
                    let c = d.streets[cu.street].communities[cu.community]
                    let g = c.grids[rng.int(c.grids.count)]
                    adoptions.append(DemoAdoption(unitCode: cu.unit, targetCode: g.code, targetName: g.name, kind: .community))
                }
            }

            // Road sections (路段包保).
            for d in districtRefs {
                let roads = d.spec.roads
                let urban = d.spec.kind == .district
                let local = d.departments + d.districtUnits
                var used: Set<String> = []
                var made = 0
                var tries = 0
                while made < (urban ? 4 : 2) && tries < 50 {
                    tries += 1
                    let r = rng.sample(roads, 3)
                    let road = r[rng.int(3)]
                    let ends = r.filter { $0 != road }
                    let section = road + "（" + ends[0] + "—" + ends[1] + "段）"
                    guard used.insert(road).inserted else { continue }
                    let adopter = urban ? (cityQueue.popLast() ?? rng.pick(cityDeptCodes)) : rng.pick(local)
                    adoptions.append(DemoAdoption(unitCode: adopter, targetCode: nil, targetName: section, kind: .road))
                    made += 1
                }
            }

            // Places (点位包保): each street's 农贸市场, each district's park and square, a few city places.
            let marketDepts = ["scjg", "swj", "cgj", "wjw", "nync", "hw"].map { dept[$0]! }
            for d in districtRefs {
                let scjg = d.departments.count > 1 ? d.departments[1] : d.departments[0]
                for s in d.streets {
                    let adopter = d.spec.kind == .district && rng.chance(50) ? rng.pick(marketDepts) : scjg
                    adoptions.append(DemoAdoption(unitCode: adopter, targetCode: nil, targetName: s.stem + "农贸市场", kind: .place))
                }
                let local = d.departments + d.districtUnits
                adoptions.append(DemoAdoption(unitCode: rng.pick(local), targetCode: nil, targetName: d.spec.short + "公园", kind: .place))
                adoptions.append(DemoAdoption(unitCode: rng.pick(local), targetCode: nil, targetName: d.spec.short + "文化广场", kind: .place))
            }
            let cityPlaces: [(String, String)] = [
                ("jtj", "青川火车站站前广场"), ("cgj", "人民广场"), ("tyj", "青川市体育中心"),
                ("yl", "滨江公园"), ("jj", "青川汽车客运中心站周边"), ("wgl", "青川古城历史文化街区"),
                ("hw", "明湖大道公厕群"), ("swj", "东江步行街"),
            ]
            for (key, place) in cityPlaces {
                adoptions.append(DemoAdoption(unitCode: dept[key]!, targetCode: nil, targetName: place, kind: .place))
            }
        }

        // MARK: users

        mutating func buildUsers() {
            let mh = districtRefs[0]
            let dj = districtRefs[1]
            let firstCommunity = mh.streets[0].communities[0]
            let school = mh.districtUnits.first { kinds[$0] == .school }!   // 明湖区实验小学
            let lgLeader = groupInfo.first { $0.groupCode == Self.leadingGroup }!.leaderName
            let officeHead = groupInfo.first { $0.groupCode == Self.office }!.leaderName

            // The documented logins.
            user("admin", .officeAdmin, Self.city)
            user("leader", .leader, Self.city, name: lgLeader)
            user("mh_admin", .officeAdmin, mh.code)
            user("mh_liaison", .liaison, mh.code)
            user("grid01", .gridWorker, firstCommunity.grids[0].code)
            user("cgj_liaison", .liaison, dept["cgj"]!)
            user("school_liaison", .liaison, school)
            user("school_head", .unitHead, school)
            user("inspector", .inspector, Self.city)
            user("supervisor", .supervisor, Self.city)
            user("volunteer", .volunteer, firstCommunity.code)
            user("citizen", .citizen, Self.city)
            user("dj_liaison", .liaison, dj.code)

            // City office and bodies.
            user("cwb_admin", .officeAdmin, Self.office, name: officeHead)
            user("lg_leader", .leader, Self.leadingGroup)
            for (i, code) in workingGroupCodes.enumerated() {
                let name = groupInfo.first { $0.groupCode == code }?.leaderName
                user("wg" + Self.pad(i + 1, 2) + "_leader", .leader, code, name: name)
            }
            for i in 2...5 { user("inspector" + Self.pad(i, 2), .inspector, Self.office) }
            user("wg13_inspector", .inspector, workingGroupCodes[12])
            for i in 1...3 { user("pg" + Self.pad(i, 2), .inspector, Self.city) }   // third-party evaluators

            // One liaison per city department; heads for the first ten.
            for (i, code) in cityDeptCodes.enumerated() {
                user("d" + Self.pad(i + 1, 2) + "_liaison", .liaison, code)
            }
            for (i, code) in cityDeptCodes.prefix(10).enumerated() {
                user("d" + Self.pad(i + 1, 2) + "_head", .unitHead, code)
            }

            // Per district / county.
            for d in districtRefs {
                let p = d.spec.prefix
                user(p + "_admin", .officeAdmin, d.code)
                user(p + "_office", .officeAdmin, d.office)
                user(p + "_leader", .leader, d.code)
                user(p + "_liaison", .liaison, d.code)
                user(p + "_inspector", .inspector, d.office)
                for (si, s) in d.streets.enumerated() {
                    user(p + Self.pad(si + 1, 2) + "_liaison", .liaison, s.code)
                }
                // A liaison and a head at a hospital, a window and a company (and a school outside 明湖区).
                var picked: [String] = []
                for kind in [OrgKind.hospital, .window, .company] {
                    if let u = d.firstOf[kind] { picked.append(u) }
                }
                if d.code != mh.code, let u = d.firstOf[.school] { picked.append(u) }
                if d.code == mh.code, let u = d.districtUnits.first(where: { kinds[$0] == .school && $0 != school }) {
                    picked.append(u)
                }
                for u in picked {
                    let tag = p + "_u" + String(u.suffix(3))
                    user(tag + "_liaison", .liaison, u)
                    user(tag + "_head", .unitHead, u)
                }
                user(p + "_supervisor", .supervisor, d.code)
            }

            // Grid workers: every grid of 明湖区's first communities, in order (grid01 is the first).
            var n = 1
            outer: for s in mh.streets {
                for c in s.communities {
                    for g in c.grids {
                        if n > 1 { user("grid" + Self.pad(n, 2), .gridWorker, g.code) }
                        n += 1
                        if n > 30 { break outer }
                    }
                }
            }
            // A community-level grid worker in each other district's first village or community.
            for d in districtRefs.dropFirst() {
                user(d.spec.prefix + "_grid01", .gridWorker, d.streets[0].communities.last!.code)
            }

            // Volunteers, supervisors and citizens.
            var v = 2
            for d in districtRefs {
                for s in d.streets.prefix(2) {
                    user("volunteer" + Self.pad(v, 2), .volunteer, s.communities[0].code)
                    v += 1
                }
            }
            user("volunteer_school", .volunteer, school)
            for (i, d) in districtRefs.prefix(4).enumerated() {
                user("citizen" + Self.pad(i + 2, 2), .citizen, d.streets[0].code)
            }
            user("media01", .supervisor, Self.city)
            user("npc01", .supervisor, Self.city)
        }
    }
}
