namespace Feedback.Activities.Classification;

/// <summary>The shipped classification rules, as the JSON an admin copies and edits (format: Classification/README.md).</summary>
/// <remarks>
/// Weights: 3 for words that name the topic on their own, 2 for typical but shared words, 1 for words that only lean
/// towards it; 4 for explicit refund, return and exchange requests, which make a case after-sales whatever caused it.
/// Traditional Chinese lists hold wording that differs from mainland usage; characters are converted anyway.
/// </remarks>
internal static class DefaultClassificationRules
{
    public const string Json = """
        {
          "categories": [
            {
              "name": "ProductQuality",
              "description": "The product itself: defects, taste, freshness, spoilage, contamination, workmanship; for the service firm, the quality of the work done.",
              "groups": [
                {
                  "weight": 3,
                  "zhHans": ["质量问题", "质量差", "质量太差", "质量不好", "质量不行", "质量很差", "品质差", "品质问题", "次品", "残次品", "瑕疵", "做工差", "做工粗糙",
                    "变质", "发霉", "霉变", "长毛", "异物", "异味", "怪味", "胀罐", "胀袋", "胀包", "胖听", "鼓包", "生锈", "锈迹", "漏液", "漏汤", "漏气",
                    "渗漏", "过期", "临期", "保质期", "难吃", "不好吃", "味道不对", "味道很怪", "味道怪", "口感差", "口感不好", "不新鲜", "馊", "发酸", "酸臭", "发臭",
                    "臭了", "有虫", "虫子", "头发", "吃出", "碎玻璃", "玻璃渣", "金属片", "塑料片", "太咸", "太淡", "太甜", "太酸", "太硬", "太油", "肉很少",
                    "全是汤", "缩水", "褪色", "掉色", "起球", "开线", "开胶", "脱线", "掉漆", "故障", "不能用", "用不了", "没法用", "无法使用", "不好用", "不制冷",
                    "不加热", "打不开", "拉环断", "假货", "三无", "不干净", "没打扫干净", "打扫不干净", "清洁不到位", "很脏", "还是脏", "效果差", "效果不好", "没效果",
                    "又坏了", "坏了", "坏掉", "没反应", "失灵", "不灵", "漏电", "不太好吃", "不怎么好吃", "没以前好吃", "不如以前", "很硬", "硬邦邦", "很咸", "偏咸",
                    "很甜", "偏甜", "很淡", "偏淡", "很酸", "腥味", "太腥", "油腻", "鼓起", "膨胀", "起泡", "冒泡", "喷出"],
                  "zhHant": ["品質", "品質很差", "品質不好", "臭酸", "膨罐", "發黴", "黴", "有蟲", "怪怪的", "壞掉", "很難吃", "做工很差"],
                  "en": ["poor quality", "bad quality", "low quality", "quality issue", "quality problem", "quality control",
                    "defective", "faulty", "defect", "flaw", "mould", "mold", "mouldy", "moldy", "mildew", "rotten", "stale",
                    "rancid", "expired", "out of date", "best before", "use by", "swollen", "bulging", "bloated", "rust",
                    "rusty", "rusted", "leaking", "leaked", "leaky", "foreign object", "foreign body", "hair in", "hairs in",
                    "insect", "bugs", "worm", "maggot", "cockroach", "glass", "shard", "metal piece", "piece of metal",
                    "piece of plastic", "tastes awful", "taste awful", "tasted awful", "tastes bad", "taste bad",
                    "tasted bad", "tastes off", "tasted off", "smells off", "smelled off", "smelt off", "gone off",
                    "gone bad", "went bad", "bad smell", "funny smell", "strange smell", "weird taste", "strange taste",
                    "horrible taste", "disgusting", "inedible", "too salty", "too sweet", "too sour", "bland", "mushy",
                    "watery", "not fresh", "stopped working", "not work", "fell apart", "falling apart", "faded", "shrank",
                    "shrunk", "peeling", "flimsy", "cheap material", "counterfeit", "not clean", "still dirty", "dirty",
                    "left dirty", "sloppy work", "poor workmanship", "badly made", "died after", "battery died",
                    "stopped charging", "not charge", "not turn on", "not open", "snapped", "slimy", "fizzy", "bubbles",
                    "bubbling", "smelled funny", "smells funny", "smelled bad", "smells bad", "smelled strange",
                    "smells strange", "smelled weird", "tasted funny", "tastes funny"]
                },
                {
                  "weight": 1,
                  "zhHans": ["质量", "味道", "口感", "产品", "商品", "罐头", "食品", "包装", "东西", "做工", "品控", "拉环", "咸", "腥", "电饭煲", "热水壶",
                    "电水壶", "吹风机", "微波炉", "冰箱", "洗衣机", "衣服", "鞋子", "裤子", "外套", "插座", "电池", "拉链"],
                  "zhHant": ["罐頭", "產品", "商品"],
                  "en": ["quality", "taste", "tastes", "flavour", "flavor", "texture", "product", "tin", "tins", "tinned",
                    "canned", "cans", "the can", "a can", "this can", "smell", "smells", "batch", "lid", "ring-pull",
                    "kettle", "hoover", "vacuum", "blender", "toaster", "fridge", "freezer", "washing machine", "microwave",
                    "zip", "zipper", "battery", "charger", "jacket", "shirt", "shoes", "trousers", "jeans"]
                }
              ]
            },
            {
              "name": "ServiceAttitude",
              "description": "How people behaved: rudeness, indifference, impatience, blame-shifting, unprofessional conduct of staff, agents and technicians.",
              "groups": [
                {
                  "weight": 3,
                  "zhHans": ["态度", "服务态度", "态度差", "态度恶劣", "态度很差", "不耐烦", "爱理不理", "爱答不理", "不理人", "不搭理", "不理睬", "冷漠", "敷衍",
                    "很凶", "好凶", "凶巴巴", "骂人", "骂我", "辱骂", "吼我", "吼人", "翻白眼", "白眼", "甩脸", "摆脸色", "脸色难看", "没礼貌", "没有礼貌", "不礼貌",
                    "没素质", "素质差", "傲慢", "嘲笑", "讽刺", "阴阳怪气", "歧视", "推卸责任", "踢皮球", "推来推去", "互相推诿", "推诿", "不专业", "不负责", "挂电话",
                    "挂我电话", "玩手机", "迟到", "放鸽子", "爽约", "脏话", "没耐心", "不耐心"],
                  "zhHant": ["態度", "服務態度", "擺臭臉", "臭臉", "很兇", "口氣很差", "語氣很差", "講話很衝", "愛理不理", "不耐煩", "放鳥", "沒禮貌"],
                  "en": ["rude", "rudely", "rudeness", "attitude", "impolite", "not polite", "disrespectful",
                    "unprofessional", "dismissive", "arrogant", "condescending", "patronising", "patronizing", "sarcastic",
                    "yelled", "shouted", "screamed", "swore at", "insulted", "mocked", "laughed at", "rolled her eyes",
                    "rolled his eyes", "rolled their eyes", "eye roll", "ignored me", "ignored us", "ignored my",
                    "unfriendly", "not friendly", "unhelpful", "not helpful", "hung up", "hang up on", "could not care less",
                    "did not care", "no apology", "never apologised", "never apologized", "refused to help", "on her phone",
                    "on his phone", "blamed me", "passed the buck", "impatient", "no manners", "late for the appointment",
                    "no-show", "not show up", "never showed up", "not turn up", "never turned up"]
                },
                {
                  "weight": 2,
                  "zhHans": ["店员", "服务员", "收银员", "导购", "营业员", "保安", "工作人员", "员工", "师傅", "安装师傅", "维修师傅", "保洁", "经理", "店长",
                    "服务差", "服务太差", "服务很差", "服务不好"],
                  "zhHant": ["店員", "服務人員", "門市人員", "櫃檯", "專員", "服務很差"],
                  "en": ["staff", "staff member", "employee", "cashier", "receptionist", "clerk", "shop assistant",
                    "sales assistant", "store manager", "manager", "supervisor", "security guard", "technician", "engineer",
                    "cleaner", "agent", "operator", "representative", "waiter", "waitress", "poor service", "bad service",
                    "terrible service", "customer service was"]
                },
                {
                  "weight": 1,
                  "zhHans": ["客服", "服务", "人员", "接待", "语气", "说话"],
                  "zhHant": ["服務", "語氣"],
                  "en": ["service", "the lady", "the guy", "the man", "the woman", "tone", "spoke to me", "talked to me"]
                }
              ]
            },
            {
              "name": "DeliveryLogistics",
              "description": "Getting goods to the customer: shipping, couriers, delays, lost or mis-delivered parcels, transit damage.",
              "groups": [
                {
                  "weight": 3,
                  "zhHans": ["快递", "物流", "配送", "送货", "发货", "没发货", "未发货", "还没发货", "不发货", "到货", "没到货", "派送", "派件", "签收", "包裹",
                    "快递员", "快递小哥", "骑手", "配送员", "送货员", "丢件", "没收到", "没有收到", "未收到", "还没到", "还没收到", "迟迟不到", "迟迟没到", "没送到",
                    "没有送到", "延迟", "延误", "晚到", "送错", "送晚", "运输", "压坏", "压扁", "压瘪", "外箱", "快递盒", "纸箱", "运单", "单号", "物流信息",
                    "没有物流", "没物流", "不更新", "驿站", "快递柜", "放门口", "放在门口", "顺丰", "圆通", "中通", "申通", "韵达", "京东物流", "邮政", "运费", "包邮",
                    "送达", "到了没", "几天了还没", "显示已签收", "显示签收", "显示已送达"],
                  "zhHant": ["宅配", "到貨", "出貨", "寄送", "運送", "貨運", "黑貓", "新竹物流", "超商取貨", "店到店", "取貨", "寄件", "外送", "外送員", "還沒到",
                    "沒收到", "運費", "寄來"],
                  "en": ["delivery", "delivered", "deliver", "deliveries", "not deliver", "never deliver", "shipping",
                    "shipment", "shipped", "not shipped", "courier", "parcel", "package", "tracking", "no tracking",
                    "dispatch", "dispatched", "not dispatched", "driver", "postman", "post office", "in transit",
                    "arrived late", "late delivery", "delayed", "delay", "not arrive", "never arrive", "not receive",
                    "never receive", "not received", "left at the door", "left outside", "wrong address", "delivery slot",
                    "collection point", "pickup point", "parcel locker", "freight", "carrier", "ups", "dhl", "fedex", "usps",
                    "royal mail", "postage", "crushed", "dented", "squashed", "says delivered", "marked as delivered",
                    "shows delivered", "not here"]
                },
                {
                  "weight": 2,
                  "zhHans": ["送到时", "送来时", "送到的时候", "送来的时候", "到货时"],
                  "zhHant": [],
                  "en": ["bubble wrap", "packaging", "padding"]
                },
                {
                  "weight": 1,
                  "zhHans": ["慢", "太慢", "很慢", "等了", "一周", "好几天", "箱子", "送", "地址", "碎了", "破损", "摔碎", "洒了"],
                  "zhHant": ["很慢", "箱子"],
                  "en": ["late", "arrived", "arrive", "box", "boxes", "days", "a week", "still waiting", "waiting", "address",
                    "smashed", "shattered", "damaged", "broken in", "soaked", "rain", "spilled", "spilt"]
                }
              ]
            },
            {
              "name": "AfterSales",
              "description": "What happens after a purchase: returns, refunds, exchanges, repairs, warranty, compensation, invoices, complaint handling.",
              "groups": [
                {
                  "weight": 4,
                  "zhHans": ["退货", "退款", "不退款", "不退货", "不给退", "换货", "不给换", "退换", "退换货", "退钱", "驳回", "退款被拒", "退货被拒", "拒绝退款"],
                  "zhHant": ["退貨", "退費", "換貨", "退錢", "退換"],
                  "en": ["refund", "refunded", "no refund", "not refund", "refund refused", "refused to refund"]
                },
                {
                  "weight": 3,
                  "zhHans": ["售后", "维修", "保修", "质保", "返修", "三包", "赔偿", "补偿", "补发", "理赔", "发票", "送修", "没修好", "修不好", "修了", "扣款",
                    "扣钱", "取消订单", "没有发票", "工单", "报修", "索赔", "七天无理由", "7天无理由", "无理由退", "寄回", "退回", "运费险", "处理结果", "给个说法",
                    "一直没处理", "没人处理", "没人管", "没人回复", "不回复", "没回复", "没有回复", "跟进", "退差价", "价保", "保价", "延保", "售后服务", "退单", "没有售后",
                    "保修过期", "质保过期", "过了保修期"],
                  "zhHant": ["售後", "維修", "保固", "賠償", "發票", "客訴", "補寄", "鑑賞期"],
                  "en": ["return", "returned", "returning", "returns", "exchange", "replacement", "replace", "not replace",
                    "warranty", "warranty expired", "guarantee", "repair", "repaired", "after-sales", "after sales",
                    "compensation", "no compensation", "compensate", "reimburse", "money back", "store credit", "credit note",
                    "invoice", "receipt", "ticket number", "case number", "complaint number", "reference number",
                    "no response", "no reply", "not reply", "not respond", "never replied", "never responded",
                    "nobody replied", "no one replied", "no answer", "follow up", "follow-up", "escalate", "chargeback",
                    "claim", "rma", "cancelled", "canceled", "cancel my order", "charged", "billing", "heard nothing",
                    "my complaint"]
                },
                {
                  "weight": 1,
                  "zhHans": ["客服", "处理", "申请", "联系", "回复", "解决", "投诉", "电话"],
                  "zhHant": ["處理", "客服"],
                  "en": ["customer service", "support", "email", "emailed", "called", "phoned", "contacted", "complaint",
                    "complained", "reply", "response", "respond"]
                }
              ]
            },
            {
              "name": "Suggestion",
              "description": "Ideas and wishes: new products, flavours, sizes, features, improvements, without a complaint behind them.",
              "groups": [
                {
                  "weight": 3,
                  "zhHans": ["建议", "提议", "提个建议", "希望能", "希望可以", "希望你们能", "希望你们可以", "希望推出", "希望增加", "能不能出", "能否", "可否", "如果能",
                    "要是能", "如果可以", "可以考虑", "考虑一下", "最好能", "期待", "出个", "推出", "新口味", "小包装", "大包装", "小罐", "开一家", "开个", "改进",
                    "改良", "优化", "多出", "多一些", "多点", "少放", "低糖", "低盐", "无糖", "大一点", "小一点", "多一点", "少一点", "就好了", "就更好了", "方便多了"],
                  "zhHant": ["建議", "希望能", "可以考慮", "如果可以", "要是能", "推出", "新口味", "改進", "優化", "期待"],
                  "en": ["suggest", "suggestion", "suggestions", "would be nice", "would be great", "it'd be great",
                    "it'd be nice", "please add", "please consider", "consider adding", "consider offering", "could you add",
                    "could you make", "could you offer", "can you add", "can you make", "why not", "idea", "i wish",
                    "wish you", "would love", "would like to see", "feature request", "improve", "improvement",
                    "add an option", "bring back", "stock more", "more options", "more flavours", "more flavors",
                    "smaller size", "smaller tins", "bigger size", "larger size", "new flavour", "new flavor", "vegan option",
                    "low sugar", "less sugar", "less salt", "low salt", "reduced salt", "recyclable packaging"]
                },
                {
                  "weight": 2,
                  "zhHans": [],
                  "zhHant": [],
                  "en": ["you should", "should add", "should offer", "should have", "should make"]
                },
                {
                  "weight": 1,
                  "zhHans": ["希望", "能不能", "增加", "提供", "开发", "添加", "意见", "可以"],
                  "zhHant": ["希望", "增加"],
                  "en": ["hope", "maybe", "perhaps", "option", "please"]
                }
              ]
            },
            {
              "name": "Other",
              "description": "Brand image, advertising, prices and promotions, membership, praise and thanks, general questions.",
              "groups": [
                {
                  "weight": 3,
                  "zhHans": ["品牌", "品牌形象", "形象", "广告", "代言", "代言人", "宣传", "营销", "公关", "会员", "会员卡", "积分", "优惠券", "优惠", "促销",
                    "价格", "太贵", "涨价", "贵了", "性价比", "表扬", "感谢", "谢谢", "好评", "点赞", "支持你们", "好吃", "喜欢", "从小吃到大", "一直在吃", "一直支持",
                    "老顾客", "回购", "一如既往", "继续保持", "请问", "咨询", "营业时间", "门店地址", "在哪里买", "哪里可以买", "哪里能买", "招聘", "合作", "加盟", "代理",
                    "环保", "公益", "捐赠", "社会责任", "包装设计", "商标", "冒充", "优惠券过期", "券过期", "积分过期", "会员过期", "活动过期", "抖音上看到", "微博上看到",
                    "小红书上看到", "朋友圈广告", "抖音店", "抖音旗舰店", "抖音直播间"],
                  "zhHant": ["廣告", "代言人", "官網", "會員", "點數", "集點", "優惠", "優惠券", "折價券", "價格", "太貴", "漲價", "謝謝", "感謝", "讚", "請問",
                    "營業時間", "門市在哪", "好吃", "喜歡"],
                  "en": ["brand", "brand image", "reputation", "advert", "advertisement", "advertising", "ad", "ads",
                    "commercial", "campaign", "marketing", "sponsor", "sponsorship", "logo", "slogan", "membership",
                    "loyalty", "points", "coupon", "voucher", "promotion", "promo", "discount", "price", "prices", "pricing",
                    "expensive", "overpriced", "price increase", "thank", "thanks", "love your", "love the", "great job",
                    "well done", "keep it up", "compliment", "praise", "delicious", "tasty", "question", "enquiry", "inquiry",
                    "opening hours", "where can i buy", "stockist", "franchise", "partnership", "collaborate",
                    "sustainability", "charity", "donation", "recruit", "vacancy", "career", "ethical", "newsletter",
                    "coupon expired", "voucher expired", "expired coupon", "expired voucher", "points expired",
                    "membership expired", "saw your ad", "saw your advert"]
                },
                {
                  "weight": 2,
                  "zhHans": ["耐心", "热情", "周到", "细心"],
                  "zhHant": [],
                  "en": ["polite", "helpful", "friendly", "careful", "patient"]
                },
                {
                  "weight": 1,
                  "zhHans": ["活动", "赞", "棒", "官网", "公众号", "小程序", "网站"],
                  "zhHant": ["棒", "官網", "粉專"],
                  "en": ["great", "love", "amazing", "awesome", "website", "app"]
                }
              ]
            }
          ],
          "triggers": [
            {
              "name": "FoodSafety",
              "severity": "A",
              "foodSafety": true,
              "zhHans": ["胀罐", "胀袋", "胀包", "胀气", "胀了", "罐头胀", "胖听", "鼓包", "鼓起", "鼓了", "盖子鼓", "漏气", "漏液", "漏汤", "渗漏", "变质",
                "发霉", "霉变", "霉点", "长毛", "长霉", "异物", "异味", "怪味", "臭味", "发臭", "臭了", "馊了", "馊味", "酸臭", "变味", "吃坏", "吃出", "拉肚子",
                "腹泻", "呕吐", "上吐下泻", "肚子疼", "肚子痛", "食物中毒", "中毒", "过期", "过了保质期", "超过保质期", "超出保质期", "生锈", "锈迹", "锈了", "虫子", "有虫",
                "活虫", "死虫", "苍蝇", "蟑螂", "头发", "毛发", "碎玻璃", "玻璃渣", "玻璃碎", "金属片", "铁丝", "铁屑", "塑料片", "石子", "有毒", "细菌", "肉毒",
                "食品安全", "吃了不舒服", "吃完不舒服", "有点鼓", "鼓鼓的", "鼓胀", "发鼓", "凸起", "膨胀", "膨了", "膨起", "起泡", "冒泡", "气泡", "喷出", "虫", "胀",
                "过敏", "过敏原", "未标注"],
              "zhHant": ["脹罐", "脹袋", "膨罐", "膨脹", "鼓起來", "變質", "發霉", "發黴", "長黴", "黴菌", "異物", "異味", "怪味", "臭酸", "食物中毒", "拉肚子",
                "腹瀉", "嘔吐", "吃壞肚子", "過期", "生鏽", "有蟲", "頭髮"],
              "en": ["swollen", "bulging", "bulged", "bloated", "puffed up", "blown can", "domed", "lid popped", "popped lid",
                "leaking", "leaked", "leaky", "mould", "mold", "mouldy", "moldy", "mildew", "foreign object", "foreign body",
                "foreign material", "hair", "strand of hair", "allergic reaction", "anaphylaxis", "allergen", "undeclared",
                "insect", "bug in", "bugs in", "worm", "maggot", "cockroach", "dead fly", "fly in", "flies in", "glass in",
                "piece of glass", "shard", "metal piece", "piece of metal", "metal fragment", "piece of plastic",
                "plastic in", "stone in", "food poisoning", "poisoned", "poisoning", "diarrhoea", "diarrhea", "vomit",
                "threw up", "throw up", "throwing up", "stomach ache", "stomach pain", "stomach cramps", "sick after",
                "got sick", "made me sick", "made us sick", "fell ill", "became ill", "rotten inside", "was rotten",
                "were rotten", "rotten fruit", "rotten meat", "rotten fish", "rotten smell", "gone off", "gone bad",
                "went bad", "rancid", "off smell", "smelled off", "smells off", "smelt off", "tasted off", "tastes off",
                "bad smell", "foul smell", "sour smell", "smells awful", "smelled awful", "rust", "rusty", "rusted",
                "expired", "out of date", "past its best before", "past the best before", "past the use by",
                "past its use by", "past expiry", "botulism", "contaminated", "contamination", "unsafe to eat", "food safety",
                "slimy", "slime", "fizzy", "fizzing", "bubbles", "bubbling", "frothy", "hissed", "hissing", "spurted",
                "smelled really off", "smells really off", "smelled a bit off", "smells a bit off", "tasted a bit off",
                "tastes a bit off", "smelled funny", "smells funny", "smelled bad", "smells bad", "smelled strange",
                "smells strange", "smelled weird", "smells weird", "smelled rotten", "tasted funny", "tastes funny"]
            },
            {
              "name": "Injury",
              "severity": "A",
              "zhHans": ["受伤", "割伤", "划伤", "划破", "割破", "割到手", "划到手", "烫伤", "烧伤", "摔伤", "砸伤", "扎伤", "刺伤", "夹伤", "流血", "出血",
                "骨折", "住院", "急诊", "送医", "去医院", "进医院", "看医生", "就医", "触电", "漏电", "爆炸", "起火", "着火"],
              "zhHant": ["受傷", "割傷", "燙傷", "流血", "住院", "急診", "送醫", "看醫生", "就醫", "觸電"],
              "en": ["injury", "injured", "injuries", "hurt", "cut my", "cut myself", "cut her", "cut his", "cut their",
                "sliced my", "bleeding", "bled", "blood", "burned my", "burnt my", "scalded", "fracture", "broken arm",
                "broken leg", "broken wrist", "hospital", "a&e", "emergency room", "doctor", "gp", "ambulance",
                "electric shock", "electrocuted", "exploded", "caught fire", "sharp edge"]
            },
            {
              "name": "Legal",
              "severity": "A",
              "zhHans": ["起诉", "告你们", "告到", "上法院", "法院", "打官司", "律师", "律师函", "法律途径", "法律手段", "走法律", "法律责任", "维权", "315",
                "12315", "消协", "消费者协会", "工商", "工商局", "市场监管", "市监局", "食药监", "质监局", "报警", "警察", "仲裁", "举报", "监管部门", "有关部门",
                "相关部门"],
              "zhHant": ["起訴", "提告", "告你們", "律師", "律師函", "法律途徑", "消基會", "消保官", "消保處", "消委會", "衛生局", "食藥署", "報警", "檢舉"],
              "en": ["lawsuit", "sue", "sued", "suing", "lawyer", "attorney", "solicitor", "legal action", "take legal",
                "court", "small claims", "trading standards", "consumer council", "consumer protection", "consumer rights",
                "ombudsman", "regulator", "food standards agency", "fsa", "fda", "health department", "environmental health",
                "report you", "reporting you", "police", "bbb", "better business bureau", "class action"]
            },
            {
              "name": "Media",
              "severity": "A",
              "zhHans": ["曝光", "媒体", "记者", "电视台", "新闻", "微博", "抖音", "小红书", "发到网上", "发网上", "网上曝光", "公之于众", "上热搜", "热搜", "朋友圈",
                "自媒体", "让大家看看", "让更多人知道"],
              "zhHant": ["爆料", "媒體", "記者", "新聞", "臉書", "粉專", "爆料公社", "ptt", "dcard", "公開", "上新聞", "投書"],
              "en": ["journalist", "reporter", "the press", "media", "newspaper", "news", "tv station", "go public",
                "going public", "social media", "post this", "posting this", "post it online", "post about", "tell everyone",
                "warn others", "viral", "expose", "twitter", "tiktok", "facebook", "instagram", "reddit", "youtube"]
            },
            {
              "name": "DefectOrLoss",
              "severity": "B",
              "zhHans": ["坏了", "坏的", "坏掉", "破损", "破了", "碎了", "摔碎", "裂了", "裂开", "压坏", "压扁", "压瘪", "凹陷", "瘪了", "变形", "发错", "错发",
                "发错货", "寄错", "送错", "少发", "漏发", "少了一", "少一个", "少一件", "少一罐", "少一箱", "少一瓶", "少一包", "少了两", "缺件", "缺了", "缺少配件",
                "不能用", "用不了", "没法用", "无法使用", "故障", "不工作", "打不开", "开不了", "不制冷", "不加热", "充不进电", "假货", "山寨", "仿冒", "没收到", "未收到",
                "没有收到", "还没收到", "丢件", "包裹丢了", "快递丢了", "货丢了", "弄丢", "丢失", "没送到", "没有送到", "没到货", "拒绝退款", "不给退", "不予退", "退不了",
                "不退款", "不给换", "不给赔", "退款没到", "没到账", "未到账", "还没退", "没退款", "迟迟不退", "重复扣款", "扣了两次", "多扣", "乱收费", "多收", "收错",
                "被骗", "欺骗", "骗人", "虚假宣传", "货不对板", "与描述不符", "描述不符", "缺斤少两", "分量不足", "净含量不足", "损失", "赔偿", "索赔", "辱骂", "骂人",
                "骂我", "歧视", "没修好", "修不好", "又坏了", "放鸽子", "爽约", "断了", "断裂", "折断", "同样的问题", "一样的问题", "还是坏", "修了两次", "修了三次",
                "修了几次", "驳回", "被拒", "拒绝", "瑕疵", "不符", "不见了", "找不到包裹", "找不到货", "显示已签收", "显示签收", "洒了", "洒出", "尺码不对", "尺码不一样",
                "颜色不对", "颜色不一样", "型号不对", "型号不一样", "款式不对", "规格不对", "跟图片不一样", "和图片不一样", "扣款", "脏话"],
              "zhHant": ["壞了", "壞掉", "破損", "寄錯", "送錯", "少寄", "漏寄", "缺件", "不能用", "故障", "假貨", "沒收到", "還沒收到", "遺失", "搞丟", "不給退",
                "拒絕退款", "退款還沒", "重複扣款", "多扣", "被騙", "賠償", "放鳥"],
              "en": ["broken", "broke", "smashed", "shattered", "cracked", "crushed", "damaged", "dented", "torn", "ripped",
                "wrong item", "wrong size", "wrong colour", "wrong color", "wrong product", "wrong order", "sent the wrong",
                "sent me the wrong", "received the wrong", "incorrect item", "missing", "not work", "stopped working",
                "defective", "faulty", "dead on arrival", "counterfeit", "fake", "not receive", "never receive", "not arrive",
                "never arrive", "never came", "never turned up", "not turn up", "no-show", "not show up",
                "not been delivered", "not deliver", "never deliver", "lost parcel", "lost package", "lost the parcel",
                "lost my parcel", "lost my order", "lost my package", "lost the package", "lost in transit", "got lost",
                "was lost", "refund refused", "refused refund", "refused to refund", "refused a refund", "refuse to refund",
                "refused to replace", "refused to exchange", "no refund", "still no refund", "not refund", "charged twice",
                "double charged", "overcharged", "charged me for", "scam", "scammed", "ripped off", "rip-off", "short weight",
                "underweight", "half empty", "compensation", "insulted", "swore at", "discriminat", "misleading",
                "false advertising", "same problem", "same fault", "same issue", "still faulty", "still broken",
                "called me a", "accused me", "not here", "says delivered", "marked as delivered", "shows delivered",
                "cannot find my", "soaked", "water damage", "ruined", "spilled", "spilt", "still charged", "was charged",
                "battery died", "died after", "not charge", "not turn on", "snapped", "not open"]
            }
          ],
          "ignore": {
            "zhHans": ["工商银行", "希望尽快", "希望能尽快", "希望你们尽快", "希望你们能尽快", "希望可以尽快", "希望给", "希望能给", "希望你们给", "希望你们能给", "希望得到",
              "希望能得到", "希望处理", "希望赔偿", "希望退款", "少一点", "少一些", "优惠券过期", "券过期", "积分过期", "会员过期", "活动过期", "链接过期", "验证码过期", "保修过期",
              "质保过期", "抖音上看到", "微博上看到", "小红书上看到", "朋友圈广告", "朋友圈看到", "抖音店", "抖音旗舰店", "抖音直播间", "抖音上买", "在抖音买", "会过期", "什么时候过期",
              "何时过期", "多久过期", "快过期", "杀虫", "驱虫", "虫草"],
            "zhHant": [],
            "en": ["courteous", "courtesy", "newsletter", "coupon expired", "voucher expired", "expired coupon",
              "expired voucher", "points expired", "membership expired", "subscription expired", "card expired",
              "link expired", "code expired", "offer expired", "promotion expired", "warranty expired",
              "warranty has expired", "saw your ad", "saw your advert", "facebook ad", "hurt my feelings", "will expire",
              "expire soon", "expires on", "when does it expire", "bubble wrap", "hair dryer", "hairdryer", "haircut",
              "hairdresser", "hair salon", "hairbrush", "hair straightener", "hair clip"]
          },
          "negation": {
            "cues": {
              "zhHans": ["不是", "并不是", "并非", "绝非", "不属于", "没有", "并没有", "没", "无", "毫无", "并无", "未", "不"],
              "zhHant": ["並非", "沒有", "並沒有", "沒", "無"],
              "en": ["not", "no", "never", "without", "nothing", "none", "neither", "nor"]
            },
            "fillers": {
              "zhHans": ["发现", "看到", "见到", "出现", "有", "任何", "什么", "一点", "很", "太", "那么", "都", "也", "会", "想", "打算", "再"],
              "zhHant": ["發現", "任何"],
              "en": ["a", "an", "the", "any", "very", "really", "too", "so", "all", "been", "be", "is", "was", "were", "are",
                "even", "just", "that", "find", "found", "see", "seen", "saw", "notice", "noticed", "there", "actually",
                "going to", "want to", "plan to", "will", "would", "yet", "any sign of"]
            },
            "exceptions": {
              "zhHans": ["是不是", "有没有", "会不会", "能不能", "可不可以", "是否", "要不要", "好不好", "不得不", "不仅", "不但", "不管", "无论", "不知道"],
              "zhHant": ["有沒有", "是不是"],
              "en": ["not only", "no matter", "whether or not", "no idea if", "not sure if"]
            },
            "maxFillers": 2,
            "weightFactor": 0.5
          },
          "fallbackCategory": "Other",
          "foodSafetyCategory": "ProductQuality",
          "confidenceSmoothing": 1
        }
        """;
}
