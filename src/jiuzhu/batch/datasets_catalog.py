"""The twelve department datasets (R-VER-04 / R-VER-06 / R-SYS-04): columns and item rules.

Order matters only for display. ``rows_per_person`` is the synthetic generator's average volume
per person of the covered population (a year of monthly records where the department keeps them).
"""

from __future__ import annotations

from datetime import date

from .datasets import Column, Dataset, ItemRule

ID = Column("id_number", "id_number", "身份证号")
NAME = Column("name", "string", "姓名", required=False)
YES = ("active",)

DISABILITY_KINDS = (("physical", "肢体"), ("intellectual", "智力"), ("mental", "精神"), ("visual", "视力"),
                    ("hearing", "听力"), ("speech", "言语"), ("multiple", "多重"))

CATALOG = (
    Dataset(
        "social_insurance", "社保/养老金", "人力资源和社会保障局",
        "按月的养老金领取和个人社会保险缴费记录",
        (ID, NAME, Column("month", "date", "月份"),
         Column("kind", "enum", "类型", choices=(("pension", "养老金领取"), ("contribution", "个人缴费"))),
         Column("scheme", "enum", "险种", choices=(("employee", "职工基本养老保险"), ("resident", "城乡居民基本养老保险"))),
         Column("amount", "money", "金额")),
        (ItemRule("transfer", "amount", "month", "R-INC-02(4) 离退休金、养老金", "period",
                  when=(("kind", ("pension",)), ("scheme", ("employee",))), group="pension_employee"),
         # R-INC-03(3): the residents' scheme basic pension is not income during the 14th Five-Year Plan
         ItemRule("transfer", "amount", "month", "R-INC-02(4)、R-INC-03(3) 城乡居民基础养老金", "period",
                  when=(("kind", ("pension",)), ("scheme", ("resident",))), group="pension_resident",
                  excluded=(date(2021, 1, 1), date(2025, 12, 31), "“十四五”期间城乡居民基础养老金不计入收入（R-INC-03(3)）")),
         ItemRule("social_insurance", "amount", "month", "R-INC-02(4)、R-INC-12 个人缴纳社会保险", "period",
                  when=(("kind", ("contribution",)),), group="si_contribution")),
        rows_per_person=7.2),
    Dataset(
        "housing_fund", "住房公积金", "住房公积金管理中心",
        "按月的缴存记录：缴存基数（即月工资）与个人缴存额",
        (ID, NAME, Column("month", "date", "月份"), Column("employer", "string", "单位名称", required=False),
         Column("base", "money", "缴存基数"), Column("contribution", "money", "个人缴存额")),
        (ItemRule("wage", "base", "month", "R-INC-02(1) 工资性收入（公积金缴存基数）", "period", group="wage"),
         ItemRule("social_insurance", "contribution", "month", "R-INC-12 个人缴存住房公积金", "period",
                  group="fund_contribution")),
        rows_per_person=0.9),
    Dataset(
        "real_estate", "不动产登记", "自然资源和规划局（不动产登记中心）",
        "权利人名下的不动产，每个不动产单元一行",
        (ID, NAME, Column("certificate_no", "string", "不动产权证号", required=False),
         Column("usage", "enum", "用途", choices=(("residential", "住宅"), ("commercial", "商业"), ("office", "办公"),
                                              ("garage", "车库车位"), ("other", "其他"))),
         Column("area", "decimal", "建筑面积"), Column("registered_on", "date", "登记日期"),
         Column("price", "money", "登记价格", required=False)),
        (ItemRule("residential_property", "price", "registered_on", "R-AST-01、R-AST-05 住房套数",
                  when=(("usage", ("residential",)),), detail=("certificate_no", "area")),
         ItemRule("non_residential_property", "price", "registered_on", "R-AST-05 非住宅房产（商铺、车库、办公用房）",
                  when=(("usage", ("commercial", "office", "garage", "other")),), detail=("usage", "area"),
                  counted=False)),
        rows_per_person=0.48),
    Dataset(
        "vehicle", "机动车", "公安局交通管理部门",
        "登记在本人名下的机动车",
        (ID, NAME, Column("plate_no", "string", "号牌号码", required=False),
         Column("vehicle_type", "enum", "车辆类型", choices=(("car", "轿车"), ("truck", "货车"), ("motorcycle", "摩托车"),
                                                       ("disability_vehicle", "残疾人机动轮椅车"))),
         Column("registered_on", "date", "登记日期"), Column("value", "money", "评估价值")),
        (ItemRule("vehicle", "value", "registered_on", "R-AST-04 机动车（轿车、货车）",
                  when=(("vehicle_type", ("car", "truck")),), detail=("vehicle_type", "plate_no")),
         ItemRule("vehicle_exempt", "value", "registered_on", "R-AST-04 摩托车、残疾人功能性补偿代步车不计入",
                  when=(("vehicle_type", ("motorcycle", "disability_vehicle")),), detail=("vehicle_type",),
                  counted=False)),
        rows_per_person=0.29),
    Dataset(
        "market_entity", "市场主体及股东", "市场监督管理局",
        "本人投资或担任法定代表人的市场主体（公司、个体工商户、农民专业合作社）",
        (ID, NAME, Column("entity_name", "string", "市场主体名称"), Column("credit_code", "string", "统一社会信用代码",
                                                                      required=False),
         Column("capacity", "enum", "身份", choices=(("shareholder", "股东"), ("proprietor", "经营者"),
                                               ("legal_rep", "法定代表人"))),
         Column("entity_type", "enum", "主体类型", choices=(("company", "公司"), ("individual", "个体工商户"),
                                                       ("cooperative", "农民专业合作社"))),
         Column("subscribed_capital", "money", "认缴出资额"),
         Column("status", "enum", "登记状态", choices=(("active", "存续"), ("revoked", "吊销"), ("cancelled", "注销"))),
         Column("registered_on", "date", "成立日期")),
        (ItemRule("business_capital", "subscribed_capital", "registered_on", "R-AST-03、R-AST-05 市场主体认缴出资",
                  when=(("capacity", ("shareholder", "proprietor")), ("status", YES)), detail=("entity_name", "entity_type")),
         ItemRule("legal_representative", None, "registered_on", "R-AST-03 担任市场主体法定代表人",
                  when=(("capacity", ("legal_rep",)), ("status", YES)), detail=("entity_name",), counted=False)),
        rows_per_person=0.04),
    Dataset(
        "tax", "税务", "税务局",
        "个人所得税按月申报的收入和已缴税款",
        (ID, NAME, Column("month", "date", "所属月份"),
         Column("income_type", "enum", "所得项目", choices=(("wage", "工资薪金所得"), ("labor", "劳务报酬所得"),
                                                         ("business", "经营所得"), ("rental", "财产租赁所得"),
                                                         ("interest", "利息股息红利所得"))),
         Column("income", "money", "收入额"), Column("tax_paid", "money", "已缴税额")),
        (ItemRule("wage", "income", "month", "R-INC-02(1) 工资薪金所得", "period", when=(("income_type", ("wage",)),),
                  group="wage"),
         ItemRule("wage", "income", "month", "R-INC-02(1) 劳务报酬所得", "period", when=(("income_type", ("labor",)),),
                  group="labor"),
         ItemRule("business", "income", "month", "R-INC-02(2) 经营所得", "period",
                  when=(("income_type", ("business",)),), group="business"),
         ItemRule("property", "income", "month", "R-INC-02(3) 财产租赁、利息股息红利所得", "period",
                  when=(("income_type", ("rental", "interest")),), group="property"),
         ItemRule("income_tax", "tax_paid", "month", "R-INC-02(4)、R-INC-12 已缴个人所得税", "period", group="income_tax")),
        rows_per_person=1.6),
    Dataset(
        "bank_deposit", "银行存款", "人民银行及各银行业金融机构",
        "本人名下各账户（存款、理财、基金、证券、保险现金价值）在查询日的余额",
        (ID, NAME, Column("institution", "string", "金融机构"), Column("account_tail", "string", "账号后四位",
                                                                  required=False),
         Column("product", "enum", "资产类别", choices=(("deposit", "存款"), ("wealth", "理财"), ("fund", "基金"),
                                                     ("securities", "证券"), ("insurance", "商业保险"))),
         Column("balance", "money", "余额"), Column("balance_date", "date", "余额日期")),
        (ItemRule("financial", "balance", "balance_date", "R-AST-01、R-AST-03 金融资产（账户余额、市值、现金价值）",
                  detail=("institution", "product")),),
        rows_per_person=1.9),
    Dataset(
        "medical_expense", "医保费用（个人自付）", "医疗保障局",
        "医保结算记录中的个人自付费用",
        (ID, NAME, Column("settled_on", "date", "结算日期"), Column("hospital", "string", "医疗机构", required=False),
         Column("total_cost", "money", "医疗总费用"), Column("self_paid", "money", "个人自付")),
        (ItemRule("medical_extra", "self_paid", "settled_on", "R-INC-04 因病刚性支出（个人自付医疗费用）", "period",
                  group="medical"),),
        rows_per_person=1.5),
    Dataset(
        "disability", "残联认定", "残疾人联合会",
        "持证残疾人的残疾类别和等级",
        (ID, NAME, Column("kind", "enum", "残疾类别", choices=DISABILITY_KINDS),
         Column("grade", "int", "残疾等级", maximum=4), Column("certified_on", "date", "评定日期")),
        (ItemRule("disability", None, "certified_on", "R-DB 分类施保（残疾类别、等级）", detail=("kind", "grade"),
                  counted=False),),
        rows_per_person=0.06),
    Dataset(
        "hukou_death", "户籍及死亡", "公安局（户籍）、卫生健康委和民政局（死亡）",
        "户籍状态：正常、死亡、注销或迁出",
        (ID, NAME, Column("hukou_region", "string", "户籍地区划代码", required=False),
         Column("status", "enum", "户籍状态", choices=(("normal", "正常"), ("deceased", "死亡"), ("cancelled", "注销"),
                                                    ("moved_out", "迁出"))),
         Column("event_date", "date", "变动日期")),
        (ItemRule("deceased", None, "event_date", "R-DM-05 死亡信息（成员减少须复核）", when=(("status", ("deceased",)),),
                  counted=False),
         ItemRule("hukou_cancelled", None, "event_date", "R-HH-01 户籍注销或迁出",
                  when=(("status", ("cancelled", "moved_out")),), detail=("status", "hukou_region"), counted=False)),
        rows_per_person=1.0),
    Dataset(
        "unemployment", "失业登记", "人力资源和社会保障局（就业服务）",
        "失业登记及失业保险金",
        (ID, NAME, Column("registered_on", "date", "登记日期"), Column("ended_on", "date", "注销日期", required=False),
         Column("benefit", "money", "失业保险金（月）")),
        (ItemRule("transfer", "benefit", "registered_on", "R-INC-02(4) 失业保险金", until="ended_on",
                  group="unemployment_benefit"),
         ItemRule("unemployed", None, "registered_on", "R-SYS-04 登记失业", until="ended_on", counted=False)),
        rows_per_person=0.011),
    Dataset(
        "student", "学籍", "教育局",
        "在校学生学籍（学段、公办或民办、学费）",
        (ID, NAME, Column("school", "string", "学校"),
         Column("stage", "enum", "学段", choices=(("preschool", "学前"), ("primary", "小学"), ("junior", "初中"),
                                                ("senior", "高中"), ("vocational", "中职"), ("college", "高等教育"))),
         Column("school_type", "enum", "办学性质", choices=(("public", "公办"), ("private", "民办"))),
         Column("tuition", "money", "年学费"), Column("enrolled_on", "date", "入学日期"),
         Column("left_on", "date", "离校日期", required=False)),
        (ItemRule("student", "tuition", "enrolled_on", "R-INC-10、R-SYS-04 在校学生（高收费学校须关注）", until="left_on",
                  detail=("stage", "school_type", "school"), counted=False),),
        rows_per_person=0.16),
)
