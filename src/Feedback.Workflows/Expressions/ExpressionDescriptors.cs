namespace Feedback.Workflows.Expressions;

/// <summary>Builds the descriptors the handlers publish, in the shape Elsa Studio expects.</summary>
internal static class ExpressionDescriptors
{
    /// <summary>Property key Studio reads to pick the Monaco editor language; Studio expects it exactly as spelled.</summary>
    public const string MonacoLanguageKey = "MonacoLanguage";

    public static ExpressionDescriptor Create(string type, string displayName, bool isBrowsable, string? monacoLanguage = null)
    {
        IReadOnlyDictionary<string, object> properties = monacoLanguage is null
            ? new Dictionary<string, object>()
            : new Dictionary<string, object> { [MonacoLanguageKey] = monacoLanguage };
        return new ExpressionDescriptor(type, displayName, IsSerializable: true, isBrowsable, properties);
    }
}
