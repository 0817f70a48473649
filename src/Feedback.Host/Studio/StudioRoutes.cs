namespace Feedback.Host.Studio;

/// <summary>The admin shell's URLs (without the application's path base).</summary>
internal static class StudioRoutes
{
    public const string Root = "/studio";
    public const string SignIn = "/studio/signin";
    public const string SignOut = "/studio/signout";
    public const string Definitions = "/studio/workflows/definitions";
    public const string NewDefinition = "/studio/workflows/definitions/new";
    public const string Instances = "/studio/workflows/instances";
    public const string ShellCss = "/studio/feedback-shell.css";
    public const string ShellJs = "/studio/feedback-shell.js";

    public static string Edit(string definitionId) => $"{Definitions}/{Uri.EscapeDataString(definitionId)}/edit";

    public static string View(string instanceId) => $"{Instances}/{Uri.EscapeDataString(instanceId)}/view";

    /// <summary>
    /// A return address after sign-in, kept only when it points into the shell, so that the sign-in form cannot be
    /// used to send a user to another site.
    /// </summary>
    public static string SafeReturnUrl(string? url) =>
        url is not null && url.StartsWith(Root + "/", StringComparison.Ordinal) && !url.StartsWith(Root + "//", StringComparison.Ordinal)
            && !url.Contains('\\') && url != SignIn && !url.StartsWith(SignIn + "?", StringComparison.Ordinal)
            ? url
            : Definitions;
}
