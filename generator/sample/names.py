"""Word lists for the fictitious county 青禾县 and its enterprises (示例数据).

Names are assembled from these lists so that they look like real registrations
(行政区划 + 字号 + 行业 + 组织形式) while never naming a real company: the 字号
characters avoid 中/国 and famous brand pairs are blocked.
"""

from __future__ import annotations

from functools import cache
from itertools import product

COUNTY = "青禾县"
CITY = "石家庄"
PROVINCE = "河北"

# Fictitious county code under 石家庄 (1301xx); no real county uses 130139.
REGION_CODE = "130139"
CITY_CODE = "130100"
PROVINCE_CODE = "130000"

TOWNS: tuple[str, ...] = (
    "青禾镇",
    "柳泉镇",
    "东汇镇",
    "西河镇",
    "杨柳铺镇",
    "石桥乡",
    "南苑乡",
    "北陈庄乡",
    "龙泉乡",
    "双井乡",
)

# First and second characters of a two-character 字号.
ZIHAO_FIRST = (
    "汇鼎恒瑞祥丰盛信和隆德嘉誉润源安通达宏昌兴旺福金宝利佳卓博明诚亿万聚合众新天远航星辰"
    "晨曦翠禾泽康益美尚雅致朗晟煜骏驰腾凯旭泰永长广东冀燕赵谷田林森海川岳峰宇鸿志远蓝"
)
ZIHAO_SECOND = (
    "通达盛泰源丰信和隆昌兴旺瑞祥德鑫发顺安宇辉耀晖坤峰岳川海林森禾田原阳光远航成建立诚"
    "益新盈腾骏锦程嘉华美康元创凯力越博晟然润泽宏合众佳乐祺琪轩睿鹏翔铭凡"
)

# Pairs that read as well-known brands or banks; never produced.
BLOCKED_ZIHAO = frozenset(
    {
        "平安", "华泰", "恒大", "万达", "华润", "汇丰", "美的", "光大", "兴业", "长城",
        "泰康", "安邦", "宝钢", "长安", "东风", "海尔", "永辉", "华夏", "民生", "新华",
        "联想", "天合", "隆基", "海信", "远航", "远达", "金龙", "鸿海", "恒瑞", "福田",
        "长虹", "明阳", "宇通", "燕京", "中信", "汇源", "金源", "东方", "广发", "利达",
    }
)  # fmt: skip

# Industry words for ordinary companies (市场监管 and 会计信息质量 checks).
INDUSTRIES: tuple[str, ...] = (
    "商贸", "科技", "建材", "食品", "农业科技", "机械制造", "物流", "建筑工程", "电子科技",
    "服装", "家具", "汽车销售", "餐饮管理", "文化传媒", "信息技术", "环保科技", "医疗器械",
    "化工", "印刷", "纺织", "钢结构", "园林绿化", "广告", "装饰工程", "人力资源服务", "五金",
    "塑料制品", "农资", "粮油", "养殖", "种植", "新能源", "电气设备", "汽车维修", "家政服务",
    "教育咨询", "企业管理咨询", "物业服务", "房地产开发", "混凝土", "包装", "玻璃制品",
    "机电设备", "网络科技", "生物科技",
)  # fmt: skip

COMPANY_FORMS: tuple[tuple[str, float], ...] = (
    ("有限公司", 0.70),
    ("有限责任公司", 0.25),
    ("股份有限公司", 0.05),
)

# Suffixes of 个体工商户 food sellers and hotels (registered with type code 92).
FOOD_SHOPS: tuple[str, ...] = ("超市", "便利店", "副食品商行", "粮油店", "生鲜超市", "食品店")
HOTELS: tuple[str, ...] = ("宾馆", "旅馆", "商务宾馆", "快捷酒店", "招待所")

# Outcome texts of follow-up actions, by action.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "责令改正": (
        "已按期完成整改，经复查合格",
        "已当场整改完毕",
        "已提交整改报告，经复核符合要求",
        "整改期限未满，正在整改",
    ),
    "立案查处": (
        "已立案调查，依法给予警告",
        "已立案调查，依法处以罚款",
        "已立案，正在调查中",
    ),
    "列入经营异常名录": (
        "已列入经营异常名录",
        "已列入经营异常名录，企业补报公示后已申请移出",
    ),
    "移送公安机关": ("涉嫌违法犯罪线索已移送公安机关",),
    "移交有关部门": (
        "问题线索已移交有关行业主管部门",
        "已移交属地乡镇人民政府核查处理",
    ),
    "其他": (
        "已约谈企业负责人并开展行政指导",
        "已进行提醒告诫，纳入重点关注名单",
    ),
}

FINES: tuple[int, ...] = (2000, 5000, 10000, 20000, 30000, 50000)


@cache
def zihao(min_count: int = 0) -> tuple[str, ...]:
    """All allowed 字号, two-character ones first.

    Three-character 字号 are appended only when a caller needs more names than the
    two-character space holds, so small samples keep the more common short names.
    """
    first = tuple(dict.fromkeys(ZIHAO_FIRST))
    second = tuple(dict.fromkeys(ZIHAO_SECOND))
    two = [a + b for a, b in product(first, second) if a != b and a + b not in BLOCKED_ZIHAO]
    if min_count <= len(two):
        return tuple(two)
    three = [
        a + b + c
        for a, b, c in product(first, second, second)
        if len({a, b, c}) == 3 and a + b not in BLOCKED_ZIHAO and b + c not in BLOCKED_ZIHAO
    ]
    return tuple(two + three)
