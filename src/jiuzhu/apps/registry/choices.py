from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class AreaType(models.TextChoices):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class Relation(models.TextChoices):
    """Relation to the household head (与户主关系)."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女/外孙子女"
    GRANDPARENT = "grandparent", "祖父母/外祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    OTHER = "other", "其他"


class ObligorRelation(models.TextChoices):
    """Legal support obligors outside the household (R-HH-10, Civil Code arts 1059/1067/1074/1075)."""

    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女/外孙子女"
    GRANDPARENT = "grandparent", "祖父母/外祖父母"
    SIBLING = "sibling", "兄弟姐妹"


class DisabilityKind(models.TextChoices):
    NONE = "none", "无"
    PHYSICAL = "physical", "肢体"
    INTELLECTUAL = "intellectual", "智力"
    MENTAL = "mental", "精神"
    VISUAL = "visual", "视力"
    HEARING = "hearing", "听力"
    SPEECH = "speech", "言语"
    MULTIPLE = "multiple", "多重"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "慢性病"
    SERIOUS = "serious", "重特大疾病"


class Employment(models.TextChoices):
    PRESCHOOL = "preschool", "学龄前"
    STUDENT = "student", "在校学生"
    EMPLOYED = "employed", "就业"
    FLEXIBLE = "flexible", "灵活就业"
    FARMING = "farming", "务农"
    UNEMPLOYED_REGISTERED = "unemployed_registered", "登记失业"
    UNEMPLOYED = "unemployed", "未登记失业"
    RETIRED = "retired", "退休"
    NONE = "none", "无劳动能力"


class MoveReason(models.TextChoices):
    MOVED = "moved", "迁出/并户"
    MARRIAGE = "marriage", "婚嫁"
    DIVORCE = "divorce", "离婚"
    DEATH = "death", "死亡"
    CORRECTION = "correction", "登记更正"
    OTHER = "other", "其他"
