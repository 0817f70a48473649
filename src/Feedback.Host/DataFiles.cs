namespace Feedback.Host;

/// <summary>Small files the host generates once in its data folder (development keys, secrets) and reads on every later start.</summary>
internal static class DataFiles
{
    /// <summary>
    /// The file's text, trimmed; when the file is missing or blank, the text from <paramref name="create"/> is stored first
    /// and <paramref name="created"/> is set. Several hosts may share a data folder and start at the same moment: the text
    /// is written to a temporary file in the same folder and then moved into place, so no reader ever sees a partly
    /// written file, and of hosts creating the file together only the first to move keeps its text; the others read it.
    /// </summary>
    public static string ReadOrCreate(string file, Func<string> create, out bool created)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        Directory.CreateDirectory(folder);
        var existing = File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        if (existing is { Length: > 0 })
        {
            created = false;
            return existing;
        }

        var text = create().Trim();
        var temporary = Path.Combine(folder, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, text);
            try
            {
                // Without overwriting, the move fails when another host stored the file meanwhile; a blank file left
                // by an interrupted earlier writer is replaced.
                File.Move(temporary, file, overwrite: existing is not null);
                created = true;
                return text;
            }
            catch (IOException) when (File.Exists(file))
            {
                var stored = File.ReadAllText(file).Trim();
                if (stored.Length == 0) throw;
                created = false;
                return stored;
            }
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
