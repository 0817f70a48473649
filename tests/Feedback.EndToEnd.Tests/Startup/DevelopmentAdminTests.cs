using Feedback.Host.Studio;
using Microsoft.Extensions.Configuration;

namespace Feedback.EndToEnd.Tests.Startup;

/// <summary>Without Admin:Users the host makes a development admin in its data folder, once, also when hosts start together.</summary>
public sealed class DevelopmentAdminTests : IDisposable
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "feedback-dev-admin-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataFolder)) Directory.Delete(_dataFolder, recursive: true);
    }

    [Fact]
    public async Task Hosts_starting_together_on_a_fresh_data_folder_share_one_admin_and_only_its_creator_shows_the_password()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var start = new Barrier(8);
        var loaded = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return StudioUsers.Load(configuration, _dataFolder);
        })));

        var passwords = loaded.Select(u => u.NewDevelopmentPassword).OfType<string>().ToList();
        passwords.Should().ContainSingle("one start created the admin; the others read its file");
        loaded.Should().OnlyContain(u => u.Verify("admin", passwords[0]) != null, "every host signs the one admin in");
        Directory.GetFiles(_dataFolder).Select(Path.GetFileName).Should().Equal("dev-admin.json");

        var restarted = StudioUsers.Load(configuration, _dataFolder);
        (restarted.NewDevelopmentPassword, restarted.Verify("admin", passwords[0]) != null).Should().Be((null, true));
    }
}
