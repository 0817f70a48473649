using System.Text;

namespace Feedback.Activities.Intake;

/// <summary>Reads RFC 4180 CSV: quoted fields, doubled quotes, and line breaks inside quotes.</summary>
public static class CsvReader
{
    /// <summary>The records of <paramref name="text"/>, each with the line it starts on.</summary>
    /// <exception cref="FormatException">A quoted field is never closed.</exception>
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Read(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    if (fields.Count > 1 || fields[0].Length > 0) yield return (recordLine, fields);
                    fields = new List<string>();
                    recordLine = ++line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted) throw new FormatException($"A quoted field starting on line {recordLine} is never closed.");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}
