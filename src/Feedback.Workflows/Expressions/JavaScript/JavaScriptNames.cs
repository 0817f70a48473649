using System.Text;

namespace Feedback.Workflows.Expressions.JavaScript;

/// <summary>
/// Turns variable and input names into the suffixes of generated accessors (<c>get&lt;Suffix&gt;()</c>).
/// Elsa strips everything but letters and digits, so <c>order_id</c> only works as <c>getOrderId()</c>; we publish that
/// form and also one that keeps the name readable (<c>getOrder_id()</c>), so neither habit breaks.
/// </summary>
internal static class JavaScriptNames
{
    /// <summary>Distinct suffixes for <paramref name="name"/>, the name-preserving one first.</summary>
    public static IReadOnlyList<string> AccessorSuffixes(string name)
    {
        var suffixes = new List<string>(2);
        var preserving = Preserving(name);
        if (preserving.Length > 0)
            suffixes.Add(preserving);
        var pascal = Pascal(name);
        if (pascal.Length > 0 && pascal != preserving)
            suffixes.Add(pascal);
        return suffixes;
    }

    /// <summary>First letter upper-cased; every character JavaScript does not allow in an identifier becomes '_'.</summary>
    public static string Preserving(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "";
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
            builder.Append(IsIdentifierPart(c) ? c : '_');
        builder[0] = char.ToUpperInvariant(builder[0]);
        return builder.ToString();
    }

    /// <summary>Elsa's form: words split at anything but letters and digits, each capitalised, joined.</summary>
    public static string Pascal(string name)
    {
        var builder = new StringBuilder(name.Length);
        var startOfWord = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }

            builder.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }

        return builder.ToString();
    }

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
