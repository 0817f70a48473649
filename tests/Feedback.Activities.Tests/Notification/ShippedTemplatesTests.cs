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
        names.Should().Contain(["staff-task", "helper-notice", "note-notice", "acknowledgement"]);
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
}
