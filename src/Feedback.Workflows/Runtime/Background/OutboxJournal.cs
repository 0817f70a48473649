using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>
/// Local files in which the outbox dispatcher notes each claim and each delivery's outcome the moment it is known, before
/// the database hears of it. A host killed between sending a mail and recording it leaves the note behind; the next
/// host started on the machine records the outcome from it instead of sending the mail again.
/// </summary>
/// <remarks>
/// One file per delivery loop ("lane"), held open with an exclusive lock while its process lives: a file nobody holds
/// belongs to a process that ended. Lines are written through to the operating system, not flushed to disk: they survive
/// the process (a crash, a kill), not the machine. Without a folder (<see cref="WorkflowRuntimeOptions.OutboxJournalFolder"/>
/// unset) notes are kept in memory only, and a message claimed by a host that died is sent again when its lease ends.
/// The folder must be local to the machine: the locks are not honoured across machines on every network share. A
/// folder that cannot be written (disk full, permissions) is logged and the notes are kept in memory meanwhile: the
/// journal narrows the window for a resend, it must never stop delivery.
/// </remarks>
public sealed class OutboxJournal : IDisposable
{
    private const string Extension = ".outbox-journal";
    private readonly string? _folder;
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private readonly ILogger _logger;
    private readonly ConcurrentBag<OutboxJournalLane> _idle = new();
    // Lanes whose notes a failed round left: rented first, so their notes are recorded while the lease still holds.
    private readonly ConcurrentQueue<OutboxJournalLane> _unsettled = new();
    private readonly ConcurrentDictionary<OutboxJournalLane, byte> _all = new();
    private int _lanes;

    /// <param name="folder">Where the lane files live; created if missing; null keeps notes in memory only.</param>
    /// <param name="logger">Where a folder that cannot be written is reported.</param>
    public OutboxJournal(string? folder, ILogger<OutboxJournal>? logger = null)
    {
        _logger = logger ?? NullLogger<OutboxJournal>.Instance;
        _folder = folder is null ? null : Path.GetFullPath(folder);
        if (_folder is null) return;
        try
        {
            Directory.CreateDirectory(_folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(e, "Outbox journal folder {Folder} cannot be created; notes are kept in memory only", _folder);
            _folder = null;
        }
    }

    /// <summary>Takes a lane for one delivery loop's round, one with unrecorded notes first; give it back with <see cref="Return"/>.</summary>
    public OutboxJournalLane Rent()
    {
        if (_unsettled.TryDequeue(out var lane) || _idle.TryTake(out lane)) return lane;
        var number = Interlocked.Increment(ref _lanes);
        lane = new OutboxJournalLane(_folder is null ? null : Path.Combine(_folder, $"{_owner}-{number}{Extension}"), _logger);
        _all[lane] = 0;
        return lane;
    }

    /// <summary>Gives a lane back for the next round; what it still holds is recorded first by whoever rents it next.</summary>
    public void Return(OutboxJournalLane lane)
    {
        if (lane.Notes.IsEmpty) _idle.Add(lane);
        else _unsettled.Enqueue(lane);
    }

    /// <summary>
    /// The notes of lane files no living process holds (a host that was killed or crashed on this machine), each taken
    /// with its file's lock, one at a time: dispose each (and <see cref="OrphanedJournal.Delete"/> it once its outcomes are recorded).
    /// </summary>
    public IEnumerable<OrphanedJournal> TakeOrphans()
    {
        if (_folder is null) yield break;
        foreach (var path in Directory.EnumerateFiles(_folder, "*" + Extension))
        {
            if (Path.GetFileName(path).StartsWith(_owner, StringComparison.Ordinal)) continue;
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Held by a living process (its lock refuses us), or deleted by another host that took it first.
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            JournalNotes notes;
            int unreadable;
            try
            {
                (notes, unreadable) = OutboxJournalLane.Read(file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
            yield return new OrphanedJournal(path, file, notes, unreadable);
        }
    }

    public void Dispose()
    {
        foreach (var lane in _all.Keys) lane.Dispose();
    }
}

/// <summary>What a lane noted: the claims and the outcomes known for them.</summary>
/// <param name="Claims">Message id → the lease its claim set (the value that shows the claim is still this lane's).</param>
/// <param name="Delivered">Messages handed over, their record not yet committed.</param>
/// <param name="Failed">Messages whose delivery failed → when to try again.</param>
public sealed record JournalNotes(Dictionary<string, DateTimeOffset> Claims, HashSet<string> Delivered, Dictionary<string, DateTimeOffset> Failed)
{
    /// <summary>True when nothing is noted.</summary>
    public bool IsEmpty => Claims.Count == 0 && Delivered.Count == 0 && Failed.Count == 0;
}

/// <summary>A lane file left by a process that ended, locked; <see cref="Delete"/> once its outcomes are recorded.</summary>
public sealed class OrphanedJournal(string path, FileStream file, JournalNotes notes, int unreadableLines) : IDisposable
{
    /// <summary>The file's path, for the log.</summary>
    public string Path => path;

    public JournalNotes Notes => notes;

    /// <summary>Lines that were neither cut short nor in the journal's format (the file was edited or damaged).</summary>
    public int UnreadableLines => unreadableLines;

    /// <summary>Deletes the file. Another host may read it between the lock's release and the deletion; recording its notes twice changes nothing.</summary>
    public void Delete()
    {
        file.Dispose();
        File.Delete(path);
    }

    public void Dispose() => file.Dispose();
}

/// <summary>One delivery loop's notes; used by one loop at a time.</summary>
public sealed class OutboxJournalLane : IDisposable
{
    private readonly string? _path;
    private readonly ILogger _logger;
    private FileStream? _file;
    // Set when a write failed: the rest of the round is noted in memory only (the file lacks it), tried again after Clear.
    private bool _unwritable;
    private JournalNotes _notes = new(new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));

    internal OutboxJournalLane(string? path, ILogger logger)
    {
        _path = path;
        _logger = logger;
    }

    /// <summary>What this lane noted since it was last cleared: outcomes a failed round could not record.</summary>
    public JournalNotes Notes => _notes;

    /// <summary>Notes a claim of <paramref name="ids"/> under the lease <paramref name="leaseUntil"/>.</summary>
    public void Claimed(IEnumerable<string> ids, DateTimeOffset leaseUntil)
    {
        var lines = new StringBuilder();
        foreach (var id in ids)
        {
            _notes.Claims[id] = leaseUntil;
            lines.Append("C ").Append(Uri.EscapeDataString(id)).Append(' ').Append(leaseUntil.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        Write(lines.ToString());
    }

    /// <summary>Notes that <paramref name="id"/> was handed over.</summary>
    public void Delivered(string id)
    {
        _notes.Delivered.Add(id);
        Write($"D {Uri.EscapeDataString(id)}\n");
    }

    /// <summary>Notes that delivering <paramref name="id"/> failed and is due again at <paramref name="nextAttemptAt"/>.</summary>
    public void Failed(string id, DateTimeOffset nextAttemptAt)
    {
        _notes.Failed[id] = nextAttemptAt;
        Write($"F {Uri.EscapeDataString(id)} {nextAttemptAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>Forgets every note, once their outcomes are committed.</summary>
    public void Clear()
    {
        _notes = new(new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        _unwritable = false;
        if (_file is null) return;
        try
        {
            _file.SetLength(0);
            _file.Position = 0;
        }
        catch (IOException e)
        {
            Unwritable(e);
        }
    }

    private void Write(string lines)
    {
        if (_path is null || _unwritable) return;
        try
        {
            _file ??= new FileStream(_path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            // Unbuffered: each note reaches the operating system before the next step, so a kill cannot lose it.
            _file.Write(Encoding.ASCII.GetBytes(lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unwritable(e);
        }
    }

    private void Unwritable(Exception e)
    {
        _unwritable = true;
        _file?.Dispose();
        _file = null;
        _logger.LogWarning(e, "Outbox journal {Path} cannot be written; this round's notes are kept in memory only", _path);
    }

    /// <summary>Reads a lane file's notes; a line cut short by a kill is left out, and so is a line no lane writes (counted).</summary>
    internal static (JournalNotes Notes, int Unreadable) Read(FileStream file)
    {
        var notes = new JournalNotes(new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        var unreadable = 0;
        using var reader = new StreamReader(file, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = reader.ReadToEnd();
        var complete = text.LastIndexOf('\n');
        foreach (var line in text[..(complete + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            switch (parts)
            {
                case ["C", var id, var ticks] when long.TryParse(ticks, CultureInfo.InvariantCulture, out var t) && InRange(t):
                    notes.Claims[Uri.UnescapeDataString(id)] = new DateTimeOffset(t, TimeSpan.Zero);
                    break;
                case ["D", var id]:
                    notes.Delivered.Add(Uri.UnescapeDataString(id));
                    break;
                case ["F", var id, var ticks] when long.TryParse(ticks, CultureInfo.InvariantCulture, out var t) && InRange(t):
                    notes.Failed[Uri.UnescapeDataString(id)] = new DateTimeOffset(t, TimeSpan.Zero);
                    break;
                default:
                    unreadable++;
                    break;
            }
        }
        return (notes, unreadable);
    }

    private static bool InRange(long ticks) => ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    public void Dispose()
    {
        _file?.Dispose();
        // A lane whose notes were all recorded leaves no file behind.
        if (_path is not null && _notes.IsEmpty && File.Exists(_path)) File.Delete(_path);
    }
}
