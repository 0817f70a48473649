using System.Text;
using System.Text.RegularExpressions;
using MimeKit.Text;

namespace Feedback.Activities.Intake.Mail;

/// <summary>The readable text of an HTML-only mail: text kept, scripts and styles dropped, block elements as line breaks.</summary>
internal static partial class HtmlMailText
{
    private static readonly HashSet<HtmlTagId> Breaks =
    [
        HtmlTagId.Br, HtmlTagId.P, HtmlTagId.Div, HtmlTagId.LI, HtmlTagId.TR, HtmlTagId.H1, HtmlTagId.H2, HtmlTagId.H3,
        HtmlTagId.H4, HtmlTagId.H5, HtmlTagId.H6, HtmlTagId.BlockQuote, HtmlTagId.Table, HtmlTagId.UL, HtmlTagId.OL, HtmlTagId.HR,
    ];

    public static string ToText(string html)
    {
        var text = new StringBuilder();
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var hidden = 0; // inside <script>, <style>, <head>
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head or HtmlTagId.Title:
                    if (!tag.IsEmptyElement) hidden = Math.Max(0, hidden + (tag.IsEndTag ? -1 : 1));
                    break;
                case HtmlTagToken tag when Breaks.Contains(tag.Id):
                    text.Append('\n');
                    break;
                case HtmlDataToken data when hidden == 0 && data.Kind == HtmlTokenKind.Data:
                    text.Append(Whitespace().Replace(data.Data, " "));
                    break;
            }
        }
        // A closing </p> and the next <div> each break the line; one break between blocks is enough.
        return LineBreaks().Replace(string.Join('\n', text.ToString().Split('\n').Select(l => l.Trim())), "\n").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n{2,}")]
    private static partial Regex LineBreaks();
}
