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

        File.WriteAllText(Path.Combine(_folder, "x-1.outbox-journal"), "C a 1\nD a\nX what\nD b");
        using var next = new OutboxJournal(_folder);
        using var orphan = next.TakeOrphans().Single();
        orphan.Notes.Delivered.Should().BeEquivalentTo(["a"], "the last line was cut short by the kill");
        orphan.UnreadableLines.Should().Be(1);
    }
}
