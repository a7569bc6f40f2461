"""Common Chinese surnames (weighted roughly by frequency) and given-name characters."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
SURNAME_WEIGHTS = tuple(max(1, 80 - i) for i in range(len(SURNAMES)))
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌荣新春海东"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲桂兰萍红燕梅琳雪洁婷慧莉倩颖琴云凤月美佳欣怡晶丹"
