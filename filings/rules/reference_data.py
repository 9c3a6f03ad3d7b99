"""Seed reference data (provincial bureaus, rule lists, rejection reasons) loaded by a data migration."""

from django.utils.translation import gettext_noop

# Values shared by every bureau; each province below lists only what differs. extra_materials is set
# per province so that no two provinces share one mutable list.
# minimum_age: several provinces require the responsible person to be 18 or older; which ones is not
# documented reliably, so 18 everywhere is the safe default (an admin can clear it per province).
# typical_bureau_workdays: for estimates only (domain.md: "about a week on average").
_DEFAULTS = {
    "bureau_review_workdays": 20,
    "max_domains_per_filing": None,
    "max_domains_per_website": None,
    "same_city_addresses": False,
    "personal_local_id_only": False,
    "accepts_residence_permit": False,
    "local_business_licence_only": False,
    "principal_must_be_legal_rep": True,
    "accepts_authorisation_letter": False,
    "face_check_in_own_app": False,
    "minimum_age": 18,
    "footer_shows_subject_number": False,
    "notes": "",
    "typical_bureau_workdays": 7,
}

# notes hold only what no field says (the rules box shows the fields themselves), in Chinese; the
# seeded ones are marked for the catalogue, so a reader in English sees them translated.

# Public-security numbers (公网安备) use the ICP abbreviation except in these provinces (蜀ICP备 /
# 川公网安备, 陇ICP备 / 甘公网安备, 黔ICP备 / 贵公网安备). Loaded by a later migration than PROVINCES,
# which the first one reads before the field existed.
PSB_ABBREVIATIONS = {"51": "川", "52": "贵", "62": "甘"}

PROVINCES: list[dict] = [
    {
        **_DEFAULTS,
        "code": "11",
        "name": gettext_noop("北京市"),
        "short_name": gettext_noop("北京"),
        "bureau_name": gettext_noop("北京市通信管理局"),
        "icp_abbreviation": "京",
        "extra_materials": [],
        "notes": gettext_noop("管局审核通常需10–14个工作日;管局公布了不可备案的域名后缀清单。"),
        "typical_bureau_workdays": 12,
    },
    {
        **_DEFAULTS,
        "code": "12",
        "name": gettext_noop("天津市"),
        "short_name": gettext_noop("天津"),
        "bureau_name": gettext_noop("天津市通信管理局"),
        "icp_abbreviation": "津",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "13",
        "name": gettext_noop("河北省"),
        "short_name": gettext_noop("河北"),
        "bureau_name": gettext_noop("河北省通信管理局"),
        "icp_abbreviation": "冀",
        "extra_materials": [],
        "same_city_addresses": True,
    },
    {
        **_DEFAULTS,
        "code": "14",
        "name": gettext_noop("山西省"),
        "short_name": gettext_noop("山西"),
        "bureau_name": gettext_noop("山西省通信管理局"),
        "icp_abbreviation": "晋",
        "extra_materials": [],
        "max_domains_per_filing": 3,
        "personal_local_id_only": True,
    },
    {
        **_DEFAULTS,
        "code": "15",
        "name": gettext_noop("内蒙古自治区"),
        "short_name": gettext_noop("内蒙古"),
        "bureau_name": gettext_noop("内蒙古自治区通信管理局"),
        "icp_abbreviation": "蒙",
        "extra_materials": [],
        "personal_local_id_only": True,
    },
    {
        **_DEFAULTS,
        "code": "21",
        "name": gettext_noop("辽宁省"),
        "short_name": gettext_noop("辽宁"),
        "bureau_name": gettext_noop("辽宁省通信管理局"),
        "icp_abbreviation": "辽",
        "extra_materials": [],
        "notes": gettext_noop("管局审核通常需10–14个工作日。"),
        "typical_bureau_workdays": 12,
    },
    {
        **_DEFAULTS,
        "code": "22",
        "name": gettext_noop("吉林省"),
        "short_name": gettext_noop("吉林"),
        "bureau_name": gettext_noop("吉林省通信管理局"),
        "icp_abbreviation": "吉",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "23",
        "name": gettext_noop("黑龙江省"),
        "short_name": gettext_noop("黑龙江"),
        "bureau_name": gettext_noop("黑龙江省通信管理局"),
        "icp_abbreviation": "黑",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "31",
        "name": gettext_noop("上海市"),
        "short_name": gettext_noop("上海"),
        "bureau_name": gettext_noop("上海市通信管理局"),
        "icp_abbreviation": "沪",
        # Needed only above a site-count threshold that is not published reliably, so not required
        # by default; an admin can add "construction_plan" here.
        "extra_materials": [],
        "accepts_residence_permit": True,
        "face_check_in_own_app": True,
        "notes": gettext_noop("网站数量超过一定数量时须提交网站建设方案书;人脸核验须本人在上海境内进行。"),
    },
    {
        **_DEFAULTS,
        "code": "32",
        "name": gettext_noop("江苏省"),
        "short_name": gettext_noop("江苏"),
        "bureau_name": gettext_noop("江苏省通信管理局"),
        "icp_abbreviation": "苏",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "33",
        "name": gettext_noop("浙江省"),
        "short_name": gettext_noop("浙江"),
        "bureau_name": gettext_noop("浙江省通信管理局"),
        "icp_abbreviation": "浙",
        "extra_materials": [],
        "accepts_residence_permit": True,
    },
    {
        **_DEFAULTS,
        "code": "34",
        "name": gettext_noop("安徽省"),
        "short_name": gettext_noop("安徽"),
        "bureau_name": gettext_noop("安徽省通信管理局"),
        "icp_abbreviation": "皖",
        "extra_materials": [],
        "accepts_authorisation_letter": True,
    },
    {
        **_DEFAULTS,
        "code": "35",
        "name": gettext_noop("福建省"),
        "short_name": gettext_noop("福建"),
        "bureau_name": gettext_noop("福建省通信管理局"),
        "icp_abbreviation": "闽",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "36",
        "name": gettext_noop("江西省"),
        "short_name": gettext_noop("江西"),
        "bureau_name": gettext_noop("江西省通信管理局"),
        "icp_abbreviation": "赣",
        "extra_materials": [],
        "accepts_residence_permit": True,
    },
    {
        **_DEFAULTS,
        "code": "37",
        "name": gettext_noop("山东省"),
        "short_name": gettext_noop("山东"),
        "bureau_name": gettext_noop("山东省通信管理局"),
        "icp_abbreviation": "鲁",
        "extra_materials": [],
        "accepts_residence_permit": True,
    },
    {
        **_DEFAULTS,
        "code": "41",
        "name": gettext_noop("河南省"),
        "short_name": gettext_noop("河南"),
        "bureau_name": gettext_noop("河南省通信管理局"),
        "icp_abbreviation": "豫",
        "extra_materials": [],
        "max_domains_per_filing": 5,
        "same_city_addresses": True,
    },
    {
        **_DEFAULTS,
        "code": "42",
        "name": gettext_noop("湖北省"),
        "short_name": gettext_noop("湖北"),
        "bureau_name": gettext_noop("湖北省通信管理局"),
        "icp_abbreviation": "鄂",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "43",
        "name": gettext_noop("湖南省"),
        "short_name": gettext_noop("湖南"),
        "bureau_name": gettext_noop("湖南省通信管理局"),
        "icp_abbreviation": "湘",
        # Needed only above a site-count threshold that is not published reliably, so not required
        # by default; an admin can add "construction_plan" here.
        "extra_materials": [],
        "notes": gettext_noop("网站数量超过一定数量时须提交网站建设方案书。"),
    },
    {
        **_DEFAULTS,
        "code": "44",
        "name": gettext_noop("广东省"),
        "short_name": gettext_noop("广东"),
        "bureau_name": gettext_noop("广东省通信管理局"),
        "icp_abbreviation": "粤",
        # The pledge is well documented; the construction plan comes from the seed article only (uncertain).
        "extra_materials": ["pledge", "construction_plan"],
        "footer_shows_subject_number": True,
    },
    {
        **_DEFAULTS,
        "code": "45",
        "name": gettext_noop("广西壮族自治区"),
        "short_name": gettext_noop("广西"),
        "bureau_name": gettext_noop("广西壮族自治区通信管理局"),
        "icp_abbreviation": "桂",
        "extra_materials": [],
        "personal_local_id_only": True,
    },
    {
        **_DEFAULTS,
        "code": "46",
        "name": gettext_noop("海南省"),
        "short_name": gettext_noop("海南"),
        "bureau_name": gettext_noop("海南省通信管理局"),
        "icp_abbreviation": "琼",
        "extra_materials": [],
        "local_business_licence_only": True,
        "accepts_authorisation_letter": True,
    },
    {
        **_DEFAULTS,
        "code": "50",
        "name": gettext_noop("重庆市"),
        "short_name": gettext_noop("重庆"),
        "bureau_name": gettext_noop("重庆市通信管理局"),
        "icp_abbreviation": "渝",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "51",
        "name": gettext_noop("四川省"),
        "short_name": gettext_noop("四川"),
        "bureau_name": gettext_noop("四川省通信管理局"),
        "icp_abbreviation": "蜀",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "52",
        "name": gettext_noop("贵州省"),
        "short_name": gettext_noop("贵州"),
        "bureau_name": gettext_noop("贵州省通信管理局"),
        "icp_abbreviation": "黔",
        "extra_materials": [],
        "same_city_addresses": True,
    },
    {
        **_DEFAULTS,
        "code": "53",
        "name": gettext_noop("云南省"),
        "short_name": gettext_noop("云南"),
        "bureau_name": gettext_noop("云南省通信管理局"),
        "icp_abbreviation": "滇",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "54",
        "name": gettext_noop("西藏自治区"),
        "short_name": gettext_noop("西藏"),
        "bureau_name": gettext_noop("西藏自治区通信管理局"),
        "icp_abbreviation": "藏",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "61",
        "name": gettext_noop("陕西省"),
        "short_name": gettext_noop("陕西"),
        "bureau_name": gettext_noop("陕西省通信管理局"),
        "icp_abbreviation": "陕",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "62",
        "name": gettext_noop("甘肃省"),
        "short_name": gettext_noop("甘肃"),
        "bureau_name": gettext_noop("甘肃省通信管理局"),
        "icp_abbreviation": "陇",
        "extra_materials": [],
    },
    {
        **_DEFAULTS,
        "code": "63",
        "name": gettext_noop("青海省"),
        "short_name": gettext_noop("青海"),
        "bureau_name": gettext_noop("青海省通信管理局"),
        "icp_abbreviation": "青",
        "extra_materials": [],
        "personal_local_id_only": True,
    },
    {
        **_DEFAULTS,
        "code": "64",
        "name": gettext_noop("宁夏回族自治区"),
        "short_name": gettext_noop("宁夏"),
        "bureau_name": gettext_noop("宁夏回族自治区通信管理局"),
        "icp_abbreviation": "宁",
        "extra_materials": [],
        "personal_local_id_only": True,
    },
    {
        **_DEFAULTS,
        "code": "65",
        "name": gettext_noop("新疆维吾尔自治区"),
        "short_name": gettext_noop("新疆"),
        "bureau_name": gettext_noop("新疆维吾尔自治区通信管理局"),
        "icp_abbreviation": "新",
        "extra_materials": [],
        "max_domains_per_website": 1,
        "personal_local_id_only": True,
    },
]


# Rule lists. province None applies nationally; a code applies in that province only.

_DENIED_TLD_NOTE = "北京管局公布的不可备案后缀"
_RESERVED_PREFIX_NOTE = "网站名称不得以此开头,国家机关等主体除外"
_INDIVIDUAL_WORD_NOTE = "个人网站名称不得含有,易被视为企业或行业网站"
_INDIVIDUAL_WORD_PRACTICE_NOTE = "个人网站名称不得含有(服务商常见做法)"
_PROVINCIAL_EXAMPLE_NOTE = "示例:省级附加禁用词,请管理员按管局最新要求增删"
_SENSITIVE_NOTE = "网站名称或内容描述含有时退回"
_DROPPED_NATIONALLY_NOTE = "国家层面已取消该前置审批,部分管局仍要求提供"

_PRIOR_APPROVAL_KEYWORDS = {
    # category: (keywords, note)
    "news": (["新闻", "资讯", "时政", "头条", "快讯"], "需互联网新闻信息服务许可"),
    "publishing": (["出版", "电子书", "期刊", "杂志"], "需网络出版服务许可证"),
    "drugs_devices": (["药品", "医药", "药房", "医疗器械"], "需互联网药品信息服务资格证书等审批文件"),
    "culture": (["演出", "艺术品", "动漫", "文化经营"], "需网络文化经营许可证"),
    "audio_video": (
        ["视频", "影视", "电影", "电视", "直播", "广播", "音频"],
        "需信息网络传播视听节目许可证等广电审批文件",
    ),
    "ride_hailing": (["网约车", "打车", "约车", "出行服务"], "需网络预约出租汽车经营许可证"),
    "finance": (
        ["金融", "理财", "基金", "网贷", "P2P", "支付", "贷款", "保险", "证券", "众筹"],
        "需金融监管部门的批准文件",
    ),
    # The exact document the bureaus ask for games varies (publishing approval, culture licence): uncertain.
    "games": (["游戏", "手游", "网游", "页游"], "需网络游戏相关审批文件(如出版审批)"),
    "education": (["教育", "培训", "学校", "课程", "网校"], _DROPPED_NATIONALLY_NOTE),
    "health": (["医疗", "医院", "诊所", "保健", "健康咨询"], _DROPPED_NATIONALLY_NOTE),
}

# Top-level domains whose registries MIIT has approved (工信部批准的域名注册管理机构), as providers'
# filing guides list them; a domain under any other suffix cannot be filed. An admin keeps this
# list current against MIIT's published list (RuleTerm "allowed_tld").
ALLOWED_TLDS = [
    # CNNIC
    "cn", "中国", "公司", "网络",
    # Verisign and other long-approved registries
    "com", "net", "cc", "tv", "name", "org", "info", "biz", "mobi", "pro",
    # New gTLDs approved since 2016
    "top", "xyz", "vip", "club", "shop", "wang", "ren", "xin", "ltd", "ink", "work", "site",
    "online", "tech", "store", "fun", "art", "link", "kim", "group", "red", "beer", "pub", "love",
    "在线", "中文网", "网店", "商城", "集团", "我爱你",
]  # fmt: skip
# Registries MIIT approved later (网址 by KNET, .cloud, .icu/.cyou/.bond, Radix's other suffixes,
# .co, the Guangdong city suffixes). Added by a later migration; an admin keeps the list current.
LATER_ALLOWED_TLDS = [
    "网址", "cloud", "icu", "cyou", "bond", "space", "website", "host", "press", "co",
    "广东", "佛山", "商标", "信息",
]  # fmt: skip
# Domain registrars MIIT has licensed (域名注册服务机构), by the names registrars print on their
# certificates; the check only warns, since the field is free text. Kept current by an admin.
APPROVED_REGISTRARS = [
    "阿里云计算有限公司",
    "北京新网数码信息技术有限公司",
    "北京新网互联科技有限公司",
    "厦门易名科技股份有限公司",
    "成都西维数码科技有限公司",
    "腾讯云计算(北京)有限责任公司",
    "华为云计算技术有限公司",
    "百度在线网络技术(北京)有限公司",
    "厦门三五互联科技股份有限公司",
    "广东互易网络知识产权有限公司",
    "商中在线科技股份有限公司",
    "江苏邦宁科技有限公司",
    "北京中万网络科技有限责任公司",
    "浙江贰贰网络有限公司",
    "中国互联网络信息中心",
]
_APPROVED_REGISTRAR_NOTE = "工信部批准的域名注册服务机构,请管理员按工信部最新公布的名单增删"
_ALLOWED_TLD_NOTE = "工信部批准的可备案域名后缀,请管理员按工信部最新公布的名单增删"

RULE_TERMS: list[dict] = [
    *(
        {"kind": "allowed_tld", "value": tld, "category": "", "province": None, "note": _ALLOWED_TLD_NOTE}
        for tld in [*ALLOWED_TLDS, *LATER_ALLOWED_TLDS]
    ),
    *(
        {
            "kind": "approved_registrar",
            "value": name,
            "category": "",
            "province": None,
            "note": _APPROVED_REGISTRAR_NOTE,
        }
        for name in APPROVED_REGISTRARS
    ),
    # Named by bureaus as not fileable; already outside the allow-list, kept so that the reason reads
    # plainly and stays refused if someone adds it to the allow-list by mistake.
    *(
        {"kind": "denied_tld", "value": tld, "category": "", "province": None, "note": _DENIED_TLD_NOTE}
        for tld in ["io", "me", "hk", "tw", "asia", "jp", "win", "ai"]
    ),
    *(
        {
            "kind": "reserved_name_prefix",
            "value": prefix,
            "category": "",
            "province": None,
            "note": _RESERVED_PREFIX_NOTE,
        }
        for prefix in ["中国", "中华", "中央", "人民", "人大", "国家", "纪检", "监察", "信访", "维权", "投诉"]
    ),
    *(
        {
            "kind": "individual_name_word",
            "value": word,
            "category": "",
            "province": None,
            "note": _INDIVIDUAL_WORD_NOTE,
        }
        for word in [
            "公司",
            "企业",
            "官方",
            "官网",
            "论坛",
            "平台",
            "社区",
            "门户",
            "导航",
            "工作室",
            "网络",
            "网站",
            "资讯",
            "服务",
            "在线",
        ]
    ),
    *(
        {
            "kind": "individual_name_word",
            "value": word,
            "category": "",
            "province": None,
            "note": _INDIVIDUAL_WORD_PRACTICE_NOTE,
        }
        for word in ["集团", "商城", "交易"]
    ),
    # Provincial examples only: not taken from a published bureau list.
    {
        "kind": "individual_name_word",
        "value": "中心",
        "category": "",
        "province": "44",
        "note": _PROVINCIAL_EXAMPLE_NOTE,
    },
    {
        "kind": "individual_name_word",
        "value": "协会",
        "category": "",
        "province": "33",
        "note": _PROVINCIAL_EXAMPLE_NOTE,
    },
    *(
        {"kind": "sensitive_word", "value": word, "category": "", "province": None, "note": _SENSITIVE_NOTE}
        for word in ["赌博", "博彩", "彩票", "色情", "代孕", "翻墙", "私服", "外挂", "办证", "代开发票"]
    ),
    *(
        {
            "kind": "prior_approval_keyword",
            "value": keyword,
            "category": category,
            "province": None,
            "note": note,
        }
        for category, (keywords, note) in _PRIOR_APPROVAL_KEYWORDS.items()
        for keyword in keywords
    ),
]


# Catalogue of provider returns (初审退回) and bureau rejections (管局退回) a reviewer picks from.
# field is a dotted path into the filing data; "subject_principal.face_verification" names the face check
# step, which has no model field of its own.

REJECTION_REASONS: list[dict] = [
    {
        "code": "licence-scan-unclear",
        "field": "materials.business_licence",
        "reason": gettext_noop("营业执照扫描件不清晰或分辨率低于300dpi。"),
        "suggested_fix": gettext_noop(
            "请使用证件原件彩色扫描,分辨率不低于300dpi,确保文字和印章清晰可辨后重新上传。"
        ),
    },
    {
        "code": "licence-scan-corners-missing",
        "field": "materials.business_licence",
        "reason": gettext_noop("营业执照扫描件四角不完整,或为复印件、翻拍件、截图。"),
        "suggested_fix": gettext_noop("请重新扫描证件原件,确保四角完整在画面内,不得裁切、遮挡或使用复印件。"),
    },
    {
        "code": "licence-expired",
        "field": "subject.licence_valid_until",
        "reason": gettext_noop("主体证件已过期或即将过期。"),
        "suggested_fix": gettext_noop("请先到发证机关换发或延续证件,再上传新证件并更新有效期。"),
    },
    {
        "code": "business-scope-mismatch",
        "field": "subject.business_scope",
        "reason": gettext_noop("网站内容与主体经营范围不符。"),
        "suggested_fix": gettext_noop(
            "请修改网站名称和内容描述,使其与营业执照经营范围一致;或先变更经营范围。"
        ),
    },
    {
        "code": "subject-already-filed",
        "field": "subject.certificate_number",
        "reason": gettext_noop("该主体已有备案(可能在其他省份或其他服务商),或所填信息与已备案信息不一致。"),
        "suggested_fix": gettext_noop(
            "请使用已有主体备案号办理新增网站或新增接入;信息有变化的,请先办理变更备案。"
        ),
    },
    {
        "code": "local-id-required",
        "field": "subject.certificate_number",
        "reason": gettext_noop("所在省份的个人备案仅接受本省身份证或居住证,所填证件不符合要求。"),
        "suggested_fix": gettext_noop("请使用本省核发的证件,或改在证件所在省份办理备案。"),
    },
    {
        "code": "addresses-not-same-city",
        "field": "subject.postal_address",
        "reason": gettext_noop("所在省份要求证件地址与通信地址位于同一城市,当前地址不符合。"),
        "suggested_fix": gettext_noop("请将通信地址改为证件地址所在城市的实际地址,并精确到门牌号。"),
    },
    {
        "code": "id-expiring",
        "field": "subject_principal.id_valid_until",
        "reason": gettext_noop("负责人身份证件已过期或剩余有效期不足3个月。"),
        "suggested_fix": gettext_noop("请换领新证件后上传新证件照片,并更新证件有效期。"),
    },
    {
        "code": "id-photo-unclear",
        "field": "materials.id_front",
        "reason": gettext_noop("身份证照片模糊、反光、四角不完整或与所填信息不一致。"),
        "suggested_fix": gettext_noop(
            "请在光线充足处拍摄证件原件,确保四角完整、文字清晰,并核对姓名和证件号码。"
        ),
    },
    {
        "code": "principal-not-legal-rep",
        "field": "subject_principal.name",
        "reason": gettext_noop("主体负责人不是法定代表人,且未提交授权书。"),
        "suggested_fix": gettext_noop(
            "请将主体负责人改为法定代表人;所在省份接受授权书的,可上传加盖公章的授权书。"
        ),
    },
    {
        "code": "face-verification-failed",
        "field": "subject_principal.face_verification",
        "reason": gettext_noop("负责人人脸核验未通过。"),
        "suggested_fix": gettext_noop(
            "请负责人本人在光线充足处重新进行人脸核验,确保与证件照片为同一人且证件在有效期内。"
        ),
    },
    {
        "code": "website-name-too-short",
        "field": "website.name",
        "reason": gettext_noop("网站名称少于3个汉字,或仅由数字、字母组成,或使用了符号、域名。"),
        "suggested_fix": gettext_noop(
            "请使用至少3个汉字的名称(个人网站建议3–10个汉字),不要使用纯数字、字母、符号或域名。"
        ),
    },
    {
        "code": "website-name-reserved-prefix",
        "field": "website.name",
        "reason": gettext_noop("网站名称以“中国”“中华”“国家”等词开头,非国家机关等主体不得使用。"),
        "suggested_fix": gettext_noop("请去掉名称开头的“中国”“中华”“中央”“人民”“国家”等字样后重新填写。"),
    },
    {
        "code": "website-name-individual-company",
        "field": "website.name",
        "reason": gettext_noop("个人网站名称含有“公司”“官网”“论坛”“平台”等企业或行业性词语。"),
        "suggested_fix": gettext_noop("请改用体现个人性质的名称,例如“某某的个人博客”“某某的摄影作品集”。"),
    },
    {
        "code": "description-too-vague",
        "field": "website.description",
        "reason": gettext_noop("网站内容描述过于简单,或与网站名称、经营范围不符。"),
        "suggested_fix": gettext_noop(
            "请具体说明网站的主要内容和用途(例如“展示公司产品与联系方式”),与网站名称保持一致。"
        ),
    },
    {
        "code": "prior-approval-required",
        "field": "website.description",
        "reason": gettext_noop(
            "网站内容涉及新闻、出版、药品、视听、金融、游戏等需前置审批的内容,但未提供审批文件。"
        ),
        "suggested_fix": gettext_noop(
            "请提供对应的前置审批文号和文件;没有许可的,请从内容描述和网站中删除相关内容。"
        ),
    },
    {
        "code": "prior-approval-document-invalid",
        "field": "website.prior_approvals",
        "reason": gettext_noop("前置审批文件缺失、模糊或已过期,或审批文号与文件不一致。"),
        "suggested_fix": gettext_noop("请上传有效期内的审批文件清晰扫描件,并核对审批文号。"),
    },
    {
        "code": "domain-tld-not-fileable",
        "field": "domain.name",
        "reason": gettext_noop("域名后缀未获工信部批准,不能备案。"),
        "suggested_fix": gettext_noop("请更换为可备案的域名后缀(如 .cn .com .net),并在境内注册商处注册。"),
    },
    {
        "code": "domain-registrant-mismatch",
        "field": "domain.registrant_name",
        "reason": gettext_noop("域名注册人与备案主体不一致。"),
        "suggested_fix": gettext_noop("请在注册商处将域名持有人过户或修改为备案主体,完成实名认证后再提交。"),
    },
    {
        "code": "domain-real-name-not-synced",
        "field": "domain.real_name_verified_at",
        "reason": gettext_noop("域名未完成实名认证,或实名认证后未满{real_name_wait},信息尚未同步到管局。"),
        "suggested_fix": gettext_noop("请完成域名实名认证,并在认证后至少等待{real_name_wait}再提交备案。"),
    },
    {
        "code": "domain-expiring",
        "field": "domain.expires_on",
        "reason": gettext_noop("域名已过期或将在3个月内到期。"),
        "suggested_fix": gettext_noop("请在注册商处为域名续费,使剩余有效期超过3个月后再提交。"),
    },
    {
        "code": "server-validity-short",
        "field": "website.server_valid_until",
        "reason": gettext_noop("服务器购买的服务期(含续费)不足{server_term},或为按量付费实例。"),
        "suggested_fix": gettext_noop(
            "请续费服务器,使服务期合计不少于{server_term};按量付费实例请转为包年包月。"
        ),
    },
    {
        "code": "phone-unreachable",
        "field": "website_principal.mobile",
        "reason": gettext_noop("核验电话无法接通,或接听人无法确认备案信息。"),
        "suggested_fix": gettext_noop("请确认手机号码填写正确并保持畅通,由负责人本人接听核验电话。"),
    },
    {
        "code": "emergency-phone-duplicate",
        "field": "subject_principal.emergency_phone",
        "reason": gettext_noop("应急电话与负责人手机号码相同,或已被其他主体使用。"),
        "suggested_fix": gettext_noop(
            "请填写一个与负责人手机号不同、未被其他主体使用且能随时接通的电话号码。"
        ),
    },
    {
        "code": "pledge-missing",
        "field": "materials.pledge",
        "reason": gettext_noop("未提交互联网信息服务备案承诺书(广东等省份要求)。"),
        "suggested_fix": gettext_noop("请下载承诺书模板,由负责人签字(单位加盖公章)后扫描上传。"),
    },
    {
        "code": "construction-plan-missing",
        "field": "materials.construction_plan",
        "reason": gettext_noop("未提交网站建设方案书,或方案书未签字盖章。"),
        "suggested_fix": gettext_noop("请按模板填写网站建设方案书,签字(单位加盖公章)后扫描上传。"),
    },
    {
        "code": "existing-site-noncompliant",
        "field": "website.homepage",
        "reason": gettext_noop("该主体已备案的网站无法访问,或页脚未展示备案号。"),
        "suggested_fix": gettext_noop(
            "请恢复已备案网站的访问,并在页脚展示备案号且链接到 https://beian.miit.gov.cn/;不再使用的网站请先注销。"
        ),
    },
]


# Catalogue texts name these as {code}; filings.rules.durations reads them (defaults there too).
DURATION_RULES: list[dict] = [
    {
        "code": "real_name_wait",
        "amount": 3,
        "unit": "workdays",
        "note": "服务商普遍要求实名认证后等待3个工作日",
    },
    {
        "code": "server_term",
        "amount": 3,
        "unit": "months",
        "note": "服务器购买的服务期合计不少于3个月,续费计入",
    },
]

# Platforms of mini-programs and quick apps, with the form of the id each gives (from the platforms'
# developer documentation; an admin corrects them as platforms change): WeChat wx + 16 hex digits,
# Alipay 16 digits from 20, Baidu a numeric App ID, ByteDance (Douyin) tt + 16 hex digits, QQ 10
# digits from 1, Kuaishou ks + digits; a quick app is named by its package name.
MINI_PROGRAM_PLATFORMS = [
    {"code": "wechat", "name": "微信", "app_kind": "mini_program", "id_label": "AppID",
     "id_pattern": r"^wx[0-9a-f]{16}$", "id_example": "wx1234567890abcdef", "position": 1},
    {"code": "alipay", "name": "支付宝", "app_kind": "mini_program", "id_label": "AppID",
     "id_pattern": r"^20\d{14}$", "id_example": "2021001234567890", "position": 2},
    {"code": "baidu", "name": "百度", "app_kind": "mini_program", "id_label": "App ID",
     "id_pattern": r"^\d{6,12}$", "id_example": "24567890", "position": 3},
    {"code": "bytedance", "name": "字节跳动(抖音)", "app_kind": "mini_program", "id_label": "AppID",
     "id_pattern": r"^tt[0-9a-f]{16}$", "id_example": "tt1234567890abcdef", "position": 4},
    {"code": "qq", "name": "QQ", "app_kind": "mini_program", "id_label": "AppID",
     "id_pattern": r"^1\d{9}$", "id_example": "1112345678", "position": 5},
    {"code": "kuaishou", "name": "快手", "app_kind": "mini_program", "id_label": "AppID",
     "id_pattern": r"^ks\d{10,20}$", "id_example": "ks671426925491574592", "position": 6},
    {"code": "quick_app", "name": "快应用联盟", "app_kind": "quick_app", "id_label": "快应用包名",
     "id_pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", "id_example": "com.example.quickapp",
     "position": 1},
]  # fmt: skip
