"""Reference data every committee starts with; committees edit it in the admin afterwards."""

from jianyan.people.models import Committee, ReasonCode, Theme

NATIONAL_REASON_CODES = [
    ("R1", "涉及党和国家秘密"),
    ("R2", "属于国家明令禁止的内容"),
    ("R3", "中共党员对党内组织、人事安排有意见"),
    ("R4", "民主党派成员反映本组织内部问题"),
    ("R5", "已进入民事、刑事、行政诉讼或仲裁程序"),
    ("R6", "属于学术研讨"),
    ("R7", "为本人或亲属解决个人问题"),
    ("R8", "宣传、推介具体作品、产品"),
    ("R9", "指明举报"),
    ("R10", "内容空泛、没有具体建议"),
]

# Yangquan's five themes of its 2024 report, with their national areas.
YANGQUAN_THEMES = [
    ("产业转型", Theme.Area.ECONOMY, "产业转型升级、新质生产力、专精特新、科技创新",
     "产业 转型 工业 制造 企业 专精特新 科技 创新 数字 园区 招商 新质生产力 专业镇"),
    ("营商环境与基层治理", Theme.Area.POLITICS, "优化营商环境、基层治理、法治、人才",
     "营商环境 审批 治理 基层 社区 法治 矛盾纠纷 人才 政务 服务"),
    ("城市品牌与文旅", Theme.Area.CULTURE, "城市品牌、文化、文旅融合、非遗",
     "文化 旅游 文旅 品牌 非遗 景区 博物馆 历史 红色 体育"),
    ("公共服务与民生", Theme.Area.SOCIETY, "教育、医疗、养老、社保、乡村振兴等民生",
     "教育 学校 医疗 医院 养老 社保 就业 乡村振兴 农村 住房 民生 托育"),
    ("绿色低碳", Theme.Area.ECOLOGY, "碳达峰碳中和、生态环境、公交优先、固废利用",
     "绿色 低碳 碳达峰 生态 环境 污染 河道 固废 节能 公交 新能源"),
]


def seed_reason_codes(committee: Committee) -> None:
    for code, text in NATIONAL_REASON_CODES:
        ReasonCode.objects.get_or_create(committee=committee, code=code, defaults={"text": text})


def seed_themes(committee: Committee, themes=YANGQUAN_THEMES) -> list[Theme]:
    return [
        Theme.objects.get_or_create(
            committee=committee, name=name,
            defaults={"national_area": area, "description": desc, "keywords": kw, "order": i},
        )[0]
        for i, (name, area, desc, kw) in enumerate(themes)
    ]
