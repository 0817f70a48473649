using Feedback.Activities.Cases;
using Feedback.Activities.Classification;

namespace Feedback.Activities.Tests.Classification;

/// <summary>Behaviour of the classifier with the shipped rules: food safety, negation, scripts, evidence, confidence.</summary>
public sealed class FeedbackClassifierTests
{
    private static FeedbackClassification Classify(string text, string? title = null) => FeedbackClassifier.Default.Classify(text, title);

    [Theory]
    [InlineData("罐头胀罐了，盖子都鼓起来了")]
    [InlineData("罐頭脹罐了，蓋子都鼓起來了")]
    [InlineData("Found a foreign object in the tin of sardines")]
    [InlineData("Whole family had food poisoning after eating your stew")]
    [InlineData("快递员态度很差，而且罐头里吃出了头发")]
    public void A_food_safety_signal_forces_product_quality_severity_A_and_the_flag(string text)
    {
        var result = Classify(text);

        result.FoodSafety.Should().BeTrue();
        result.Category.Should().Be(nameof(FeedbackCategory.ProductQuality));
        result.Severity.Should().Be(Severity.A);
        result.Confidence.Should().Be(1);
        result.IsUncertain(0.99).Should().BeFalse();
    }

    [Theory]
    [InlineData("罐头没有胀罐，也没有异味，就是味道淡了点")]
    [InlineData("罐頭沒有發現異物，只是太甜了")]
    [InlineData("The can was not swollen and there was no mould, it just tasted bland")]
    [InlineData("The tin isn't rusty, the label is just scuffed")]
    public void A_negated_food_safety_term_does_not_fire(string text)
    {
        var result = Classify(text);

        result.FoodSafety.Should().BeFalse();
        result.Severity.Should().Be(Severity.C);
        result.Evidence.Where(e => e.Trigger == "FoodSafety").Should().NotBeEmpty().And.OnlyContain(e => e.Negated);
    }

    [Fact]
    public void A_negated_category_term_counts_less_and_is_marked()
    {
        var result = Classify("不是质量问题，是快递太慢了");

        result.Category.Should().Be(nameof(FeedbackCategory.DeliveryLogistics));
        var quality = result.Evidence.Single(e => e.Term == "质量问题");
        quality.Negated.Should().BeTrue();
        quality.Weight.Should().BeLessThan(3);
        result.Scores[nameof(FeedbackCategory.ProductQuality)].Should().BeLessThan(result.Scores[nameof(FeedbackCategory.DeliveryLogistics)]);
    }

    [Theory]
    [InlineData("是不是变质了？喝着有点酸")]
    [InlineData("请问罐头有没有异味是正常的？打开就有")]
    public void A_question_form_is_not_a_negation(string text) =>
        Classify(text).FoodSafety.Should().BeTrue();

    [Theory]
    [InlineData("门市店员态度很差，一直摆臭脸", "門市店員態度很差，一直擺臭臉")]
    [InlineData("申请退货两周了，到现在还没退款", "申請退貨兩週了，到現在還沒退款")]
    [InlineData("物流信息三天没有更新", "物流資訊三天沒有更新")]
    public void Traditional_and_simplified_Chinese_classify_alike(string simplified, string traditional)
    {
        var a = Classify(simplified);
        var b = Classify(traditional);

        b.Category.Should().Be(a.Category);
        b.Severity.Should().Be(a.Severity);
        b.Confidence.Should().BeApproximately(a.Confidence, 1e-9);
    }

    [Theory]
    [InlineData("我要打３１５投诉你们", Severity.A)]
    [InlineData("ＳＷＯＬＬＥＮ ＣＡＮ！", Severity.A)]
    [InlineData("I WILL SEE YOU IN COURT", Severity.A)]
    [InlineData("The can was Out-Of-Date", Severity.A)]
    public void Full_width_case_and_hyphens_are_normalized(string text, Severity expected) =>
        Classify(text).Severity.Should().Be(expected);

    [Theory]
    [InlineData("There is an issue with the lid colour, nothing serious")] // "sue" inside "issue"
    [InlineData("订单号3150，颜色和图片有点差别")] // "315" inside a longer number
    [InlineData("The staff were very courteous")] // "court" inside "courteous"
    [InlineData("My coupon expired yesterday, can you extend it?")]
    [InlineData("会员积分什么时候会过期？")]
    public void Words_inside_other_words_and_harmless_phrases_do_not_raise_severity(string text) =>
        Classify(text).Severity.Should().Be(Severity.C);

    [Theory]
    [InlineData("快递显示已签收，但我根本没收到", nameof(FeedbackCategory.DeliveryLogistics), Severity.B)]
    [InlineData("申请退款十天了还没到账", nameof(FeedbackCategory.AfterSales), Severity.B)]
    [InlineData("建议出一款低糖的黄桃罐头", nameof(FeedbackCategory.Suggestion), Severity.C)]
    [InlineData("收银员态度太差了，问她一句话就翻白眼", nameof(FeedbackCategory.ServiceAttitude), Severity.C)]
    [InlineData("What are your opening hours on bank holidays?", nameof(FeedbackCategory.Other), Severity.C)]
    [InlineData("The kettle stopped working after two weeks.", nameof(FeedbackCategory.ProductQuality), Severity.B)]
    [InlineData("退款拖了一个月，再不处理我就去消协投诉", nameof(FeedbackCategory.AfterSales), Severity.A)]
    [InlineData("The rude cashier will be all over TikTok tonight", nameof(FeedbackCategory.ServiceAttitude), Severity.A)]
    public void Typical_feedback_gets_its_category_and_severity(string text, string category, Severity severity)
    {
        var result = Classify(text);

        result.Category.Should().Be(category);
        result.Severity.Should().Be(severity);
        result.FoodSafety.Should().BeFalse();
    }

    [Fact]
    public void Evidence_lists_the_matched_terms_with_category_trigger_and_weight_in_text_order()
    {
        var result = Classify("快递员态度很差，还把包裹摔碎了，我要投诉到消协");

        result.Evidence.Should().ContainEquivalentOf(new ClassificationEvidence("快递员", nameof(FeedbackCategory.DeliveryLogistics), null, null, 3, false));
        result.Evidence.Should().ContainEquivalentOf(new ClassificationEvidence("态度很差", nameof(FeedbackCategory.ServiceAttitude), null, null, 3, false));
        result.Evidence.Should().ContainEquivalentOf(new ClassificationEvidence("摔碎", null, "DefectOrLoss", Severity.B, 0, false));
        result.Evidence.Should().Contain(e => e.Term == "消协" && e.Trigger == "Legal" && e.Severity == Severity.A);
        result.Evidence.Select(e => e.Term).First().Should().Be("快递员");
        result.Severity.Should().Be(Severity.A);
    }

    [Fact]
    public void The_title_is_read_with_the_text()
    {
        Classify("如题，请尽快处理").FoodSafety.Should().BeFalse();
        Classify("如题，请尽快处理", title: "罐头胀罐").FoodSafety.Should().BeTrue();
    }

    [Fact]
    public void Confidence_is_the_smoothed_margin_between_the_two_best_categories()
    {
        var clear = Classify("快递太慢了，物流信息一周都不更新，包裹到现在都没送到");
        var mixed = Classify("快递员态度恶劣");
        var nothing = Classify("你好");

        clear.Confidence.Should().BeGreaterThan(0.8);
        mixed.Confidence.Should().BeLessThan(0.5); // delivery person and attitude weigh the same
        mixed.IsUncertain(ClassifyFeedback.DefaultThreshold).Should().BeTrue();
        nothing.Category.Should().Be(nameof(FeedbackCategory.Other));
        nothing.Confidence.Should().Be(0);
        nothing.Evidence.Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("👍")]
    public void Empty_or_symbol_only_text_is_an_uncertain_Other_C(string? text)
    {
        var result = Classify(text!);

        result.Category.Should().Be(nameof(FeedbackCategory.Other));
        result.Severity.Should().Be(Severity.C);
        result.IsUncertain(0.1).Should().BeTrue();
    }

    [Fact]
    public void Classification_is_deterministic()
    {
        var text = "罐头外面有锈，快递还晚了两天，客服态度也一般，建议改进包装";
        var first = Classify(text);
        var second = new FeedbackClassifier(ClassificationRules.Default).Classify(text);

        second.Should().BeEquivalentTo(first, o => o.WithStrictOrdering());
    }
}
