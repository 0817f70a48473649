using Feedback.Activities;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary><c>Feedback:StaffLanguage</c> chooses the language of mail to staff; an unknown language stops the start-up.</summary>
public sealed class StaffLanguageSettingTests
{
    [Fact]
    public async Task A_supported_language_is_taken_and_an_unknown_one_stops_the_host_with_the_setting_named()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using (var english = new StudioTestHost(database.ConnectionString, kestrel: false, new Dictionary<string, string> { ["Feedback:StaffLanguage"] = "en" }))
            english.Services.GetRequiredService<FeedbackDomainOptions>().StaffLanguage.Should().Be("en");

        await using var french = new StudioTestHost(database.ConnectionString, kestrel: false, new Dictionary<string, string> { ["Feedback:StaffLanguage"] = "fr" });
        var start = () => french.Services;
        start.Should().Throw<InvalidOperationException>().WithMessage("*Feedback:StaffLanguage is 'fr'; use zh-CN, zh-TW or en.*");
    }
}
