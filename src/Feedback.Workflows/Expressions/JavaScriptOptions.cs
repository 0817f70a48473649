namespace Feedback.Workflows.Expressions;

/// <summary>Limits and caching for the <c>JavaScript</c> syntax. A limit set to null is off; the handler reads these once, when built.</summary>
public sealed class JavaScriptOptions
{
    /// <summary>Wall-clock budget for one evaluation, including reading and writing variables. Default 2 seconds.</summary>
    public TimeSpan? Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes one evaluation may allocate. It counts allocation, not what stays alive, so churn counts too. Default 32 MB.</summary>
    public long? MemoryLimitBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>How often one function may appear on the call stack at once. Default 256.</summary>
    public int? MaxRecursionDepth { get; set; } = 256;

    /// <summary>Statements one evaluation may execute. Off by default: the timeout already bounds loops.</summary>
    public int? MaxStatements { get; set; }

    /// <summary>How many prepared scripts are kept, keyed by script text. Default 1024.</summary>
    public int ScriptCacheSize { get; set; } = 1024;
}
