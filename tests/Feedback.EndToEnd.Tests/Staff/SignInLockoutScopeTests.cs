using System.Net;
using Feedback.Activities.Persistence;
using Feedback.Host.Studio;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>The admin shell's and the staff pages' sign-in counts share one table; each side prunes only its own.</summary>
public sealed class SignInLockoutScopeTests
{
    [Fact]
    public async Task The_staff_side_pruning_after_its_short_window_leaves_the_shells_longer_count_alone()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var factory = new Factory(database.ConnectionString);
        await using (var db = factory.CreateDbContext()) await db.Database.MigrateAsync();
        var time = new SteppedTime();
        var shell = new StudioSignInLockout(new StudioLockoutOptions(3, 0, TimeSpan.FromHours(1), TimeSpan.FromMinutes(15)), factory, time, scope: "");
        var staff = new StudioSignInLockout(new StudioLockoutOptions(3, 20, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)), factory, time, scope: "staff-");
        var address = IPAddress.Parse("192.0.2.7");

        await FailAsync(shell, "admin", address);
        await FailAsync(shell, "admin", address);
        time.Now += TimeSpan.FromMinutes(20);
        // Past its own 15-minute window and its 5-minute pruning pause: the staff side prunes now.
        await FailAsync(staff, "li.wei", address);

        (await FailAsync(shell, "admin", address)).Should().NotBeNull(
            "the shell counts three failures within its hour, whatever the staff side's window");
    }

    [Fact]
    public async Task Attempts_still_being_checked_refuse_more_for_a_moment_without_locking_the_address_on_right_passwords()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var factory = new Factory(database.ConnectionString);
        await using (var db = factory.CreateDbContext()) await db.Database.MigrateAsync();
        var staff = new StudioSignInLockout(new StudioLockoutOptions(5, 3, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)), factory, new SteppedTime(), scope: "staff-");
        var office = IPAddress.Parse("192.0.2.9");
        // Two typos from the office's shared address.
        for (var i = 0; i < 2; i++)
        {
            (await staff.BeginAttemptAsync("li.wei", office, default)).Should().BeNull();
            await staff.EndAttemptAsync("li.wei", office, succeeded: false, default);
        }

        (await staff.BeginAttemptAsync("zhang.hua", office, default)).Should().BeNull("the third attempt is within the limit; its password is being checked");
        var meanwhile = await staff.BeginAttemptAsync("chen.jie", office, default);
        meanwhile.Should().NotBeNull("the limit's worth of attempts is counted while one is still checked");
        (await staff.LockedUntilAsync("chen.jie", office, default)).Should().BeNull("an attempt that may yet succeed locks nothing");
        await staff.EndAttemptAsync("zhang.hua", office, succeeded: true, default);

        (await staff.BeginAttemptAsync("chen.jie", office, default)).Should().BeNull("the right password gave its count back: the office may sign in");
    }

    /// <summary>A sign-in with a wrong password: the lock that refused it or that it set, or null.</summary>
    private static async Task<AttemptLock?> FailAsync(StudioSignInLockout lockout, string userName, IPAddress address) =>
        await lockout.BeginAttemptAsync(userName, address, default) ?? await lockout.EndAttemptAsync(userName, address, succeeded: false, default);

    private sealed class SteppedTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2027, 3, 1, 1, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Factory(string connectionString) : IDbContextFactory<FeedbackDbContext>
    {
        public FeedbackDbContext CreateDbContext() => new PostgresFeedbackDbContext(new DbContextOptionsBuilder<PostgresFeedbackDbContext>()
            .UseNpgsql(connectionString, n => n.MigrationsHistoryTable("__feedback_migrations")).Options);
    }
}
