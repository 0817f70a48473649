namespace Feedback.Workflows.Runtime;

/// <summary>The runtime's notion of now; replace it in tests to control time.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

/// <summary>The wall clock.</summary>
public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
