namespace Feedback.Workflows.Runtime;

/// <summary>An activity could not run: an input failed to evaluate or the activity threw. The message names both.</summary>
public sealed class ActivityFaultException(string message, Exception? inner = null) : Exception(message, inner);
