using System.Text.Json.Nodes;
using Feedback.Activities.Notification;

namespace Feedback.Activities.Tests.Notification;

/// <summary>The message templates shipped in <c>workflows/templates</c>: complete in every page language, and valid.</summary>
public sealed class ShippedTemplatesTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "workflows", "templates");
    private static readonly string[] Languages = ["zh-CN", "zh-TW", "en"];

    [Fact]
    public void Every_message_has_a_template_in_every_language_that_starts_with_its_subject_and_renders()
    {
        var names = Directory.GetFiles(Folder, "*.liquid").Select(f => Path.GetFileName(f).Split('.')[0]).Distinct().ToList();
        names.Should().Contain(["staff-task", "helper-notice", "note-notice", "escalation", "sla-warning", "acknowledgement"]);
        var templates = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder });
        foreach (var name in names)
            foreach (var language in Languages)
            {
                File.Exists(Path.Combine(Folder, $"{name}.{language}.liquid")).Should().BeTrue($"{name} needs a {language} template, or that language falls back to zh-CN");
                // An empty model: every value a template reads may be missing without the rendering failing.
                templates.Render(name, language, new JsonObject(), DateTimeOffset.UtcNow).Subject.Should().NotBeNullOrWhiteSpace($"{name}.{language}");
            }
    }

    [Fact]
    public void The_escalation_mail_names_the_levels_in_the_staff_language()
    {
        var templates = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder });
        var model = new JsonObject
        {
            ["Staff"] = new JsonObject { ["DisplayName"] = "Zhou Min" },
            ["Case"] = new JsonObject { ["Number"] = "FB-2026-000009", ["About"] = "罐头胀罐", ["Anonymous"] = true, ["FoodSafety"] = true, ["ReworkCount"] = 1, ["Status"] = "InRectification" },
            ["AlertOnly"] = false, ["Level"] = 2, ["LevelRole"] = "ComplaintDeskManager", ["Previous"] = 1, ["PreviousRole"] = "DepartmentHead",
            ["Reason"] = "客户再次投诉", ["By"] = "workflow", ["At"] = "2026-11-24 16:00 (UTC+08:00)",
        };
        var zh = templates.Render("escalation", "zh-CN", model, DateTimeOffset.UtcNow);
        zh.Subject.Should().Be("案件已升级至您：FB-2026-000009（投诉受理台主管）- 罐头胀罐");
        zh.Text.Should().Contain("原级别：1（部门负责人）").And.Contain("顾客：匿名").And.Contain("类别：未分类").And.Contain("食品安全");
        var en = templates.Render("escalation", "en", model, DateTimeOffset.UtcNow);
        en.Subject.Should().Be("Escalated to you: FB-2026-000009 (complaint desk manager) - 罐头胀罐");
        en.Text.Should().Contain("Previous level: 1 (department head)").And.Contain("Customer: anonymous").And.Contain("no department, no owner");
    }

    [Fact]
    public void The_note_notice_says_on_whose_behalf_in_each_language()
    {
        var templates = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder });
        var model = new JsonObject
        {
            ["Staff"] = new JsonObject { ["DisplayName"] = "Zhang Hua" }, ["Case"] = new JsonObject { ["Number"] = "FB-2026-000007" },
            ["Author"] = "xu.ting", ["Text"] = "Called the customer.", ["OnBehalfOf"] = "Li Wei", ["CasePage"] = "https://feedback.example.cn/staff/cases/FB-2026-000007",
        };
        templates.Render("note-notice", "en", model, DateTimeOffset.UtcNow).Text.Should()
            .Contain("xu.ting added a note on case FB-2026-000007, for which Li Wei, whom you stand in for, is responsible:")
            .And.Contain("Called the customer.").And.Contain("https://feedback.example.cn/staff/cases/FB-2026-000007");
        templates.Render("note-notice", "zh-TW", model, DateTimeOffset.UtcNow).Text.Should().Contain("xu.ting 在您代理的 Li Wei 負責的案件 FB-2026-000007 上新增了備註");
    }

    [Fact]
    public void Customers_and_staff_read_dates_on_the_company_calendar_and_staff_mails_name_it()
    {
        var templates = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder, Reports = { TimeZone = "Asia/Shanghai" } });
        // 07:59 on 25 November in Beijing.
        var received = new DateTimeOffset(2026, 11, 24, 23, 59, 0, TimeSpan.Zero);
        var model = new JsonObject { ["Case"] = new JsonObject { ["Number"] = "FB-2026-000012", ["CustomerName"] = "王女士", ["ReceivedAt"] = received } };
        foreach (var language in Languages)
        {
            var text = templates.Render(CustomerMessage.Acknowledgement, language, model, received).Text;
            text.Should().Contain("2026-11-25", language).And.NotContain("2026-11-24", language);
        }

        var task = new JsonObject { ["Task"] = new JsonObject { ["Title"] = "Classify", ["DueAt"] = received }, ["Link"] = "https://feedback.example.cn/l/x" };
        templates.Render("staff-task", "en", task, received).Text.Should().Contain("Due: 2026-11-25 07:59 (UTC+08:00)");

        // Each time names its own offset: a task mailed in Berlin's summer time, due after the clocks went back.
        var berlin = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder, Reports = { TimeZone = "Europe/Berlin" } });
        var later = new JsonObject { ["Task"] = new JsonObject { ["Title"] = "Plan", ["DueAt"] = new DateTimeOffset(2026, 10, 27, 9, 0, 0, TimeSpan.Zero) }, ["Link"] = "https://feedback.example.cn/l/x" };
        berlin.Render("staff-task", "en", later, new DateTimeOffset(2026, 10, 20, 8, 0, 0, TimeSpan.Zero)).Text.Should().Contain("Due: 2026-10-27 10:00 (UTC+01:00)");
    }

    [Fact]
    public void Without_a_configured_company_name_the_signature_is_in_the_mail_language_alone()
    {
        var templates = new MessageTemplates(new FeedbackDomainOptions { TemplatesFolder = Folder });
        // What the notifying activity puts in: the configured name, by default none.
        JsonObject Model(string company) => new() { ["Company"] = company, ["Case"] = new JsonObject { ["Number"] = "FB-2026-000012", ["ReceivedAt"] = DateTimeOffset.UtcNow } };
        var unnamed = new FeedbackDomainOptions().CompanyName;
        templates.Render(CustomerMessage.Acknowledgement, "zh-CN", Model(unnamed), DateTimeOffset.UtcNow).Text.Should().EndWith("\n客户反馈中心\n");
        templates.Render(CustomerMessage.Acknowledgement, "en", Model(unnamed), DateTimeOffset.UtcNow).Text.Should().EndWith("\nCustomer feedback centre\n");
        templates.Render(CustomerMessage.Acknowledgement, "zh-TW", Model("Golden Cannery"), DateTimeOffset.UtcNow).Text.Should().EndWith("\nGolden Cannery 顧客意見中心\n");
        templates.Render(CustomerMessage.Acknowledgement, "en", Model("Golden Cannery"), DateTimeOffset.UtcNow).Text.Should().EndWith("\nGolden Cannery customer feedback centre\n");
    }
}
