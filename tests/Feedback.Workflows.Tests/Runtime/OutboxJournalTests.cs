using Feedback.Workflows.Runtime.Background;

namespace Feedback.Workflows.Tests.Runtime;

/// <summary>The outbox journal's files: a living host's are its own, a stopped host's are read by the next.</summary>
public sealed class OutboxJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("feedback-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_living_hosts_notes_are_not_taken_and_a_stopped_hosts_are_read_back()
    {
        var lease = new DateTimeOffset(2026, 11, 25, 3, 0, 0, 123, TimeSpan.Zero);
        var living = new OutboxJournal(_folder);
        var lane = living.Rent();
        lane.Claimed(["a", "b c", "d"], lease);
        lane.Delivered("a");
        lane.Failed("d", lease.AddMinutes(5));

        using var other = new OutboxJournal(_folder);
        other.TakeOrphans().Should().BeEmpty("the living host holds its file");

        living.Dispose(); // the host stops with notes it never recorded
        var orphans = other.TakeOrphans().ToList();
        orphans.Should().ContainSingle();
        using (var orphan = orphans[0])
        {
            orphan.Notes.Claims.Should().BeEquivalentTo(new Dictionary<string, DateTimeOffset> { ["a"] = lease, ["b c"] = lease, ["d"] = lease });
            orphan.Notes.Delivered.Should().BeEquivalentTo(["a"]);
            orphan.Notes.Failed.Should().BeEquivalentTo(new Dictionary<string, DateTimeOffset> { ["d"] = lease.AddMinutes(5) });
            orphan.UnreadableLines.Should().Be(0);
            orphan.Delete();
        }
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public void A_lane_returned_with_unrecorded_notes_is_rented_first()
    {
        using var journal = new OutboxJournal(_folder);
        var failed = journal.Rent();
        var other = journal.Rent();
        failed.Claimed(["a"], DateTimeOffset.UnixEpoch);
        journal.Return(failed);
        journal.Return(other);

        journal.Rent().Should().BeSameAs(failed, "its notes must be recorded while the lease still holds the messages");
    }

    [Fact]
    public void A_folder_that_cannot_be_written_keeps_the_notes_in_memory_and_never_stops_delivery()
    {
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "");
        using (var never = new OutboxJournal(Path.Combine(file, "journal")))
        {
            var lane = never.Rent();
            lane.Claimed(["a"], DateTimeOffset.UnixEpoch);
            lane.Notes.Claims.Should().ContainKey("a");
        }

        var gone = Path.Combine(_folder, "gone");
        using var journal = new OutboxJournal(gone);
        Directory.Delete(gone);
        File.WriteAllText(gone, ""); // the folder is now a file: the lane's file cannot be created
        var later = journal.Rent();
        later.Claimed(["b"], DateTimeOffset.UnixEpoch);
        later.Delivered("b");
        later.Notes.Delivered.Should().Contain("b");
    }

    [Fact]
    public void Recorded_notes_leave_no_file_and_a_line_cut_short_is_left_out()
    {
        using (var journal = new OutboxJournal(_folder))
        {
            var lane = journal.Rent();
            lane.Claimed(["a"], DateTimeOffset.UnixEpoch);
            lane.Clear(); // its outcomes were recorded
            journal.Return(lane);
        }
        Directory.GetFiles(_folder).Should().BeEmpty("a host that recorded everything leaves nothing to read");

        File.WriteAllText(Path.Combine(_folder, "x-1.outbox-journal"), "C a 1\nD a\nX what\nC b 9999999999999999999\nF c -5\nD b");
        using var next = new OutboxJournal(_folder);
        using var orphan = next.TakeOrphans().Single();
        orphan.Notes.Delivered.Should().BeEquivalentTo(["a"], "the last line was cut short by the kill");
        orphan.UnreadableLines.Should().Be(3, "an unknown line and two times no clock can show");
    }
}

/// <summary>The outbox's lease must leave a delivery time to run.</summary>
public sealed class OutboxLeaseTests
{
    [Fact]
    public void A_lease_too_short_for_any_delivery_is_refused_at_registration()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var register = () => services.AddFeedbackWorkflows(o => o.OutboxLease = TimeSpan.FromSeconds(20));

        register.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*OutboxLease must be at least 60 s*");
    }
}
