namespace Feedback.Benchmarks;

/// <summary>Paths inside the repository the runner was built from.</summary>
internal static class Repository
{
    /// <summary>The folder holding Feedback.sln above the runner's binaries (or the working directory).</summary>
    public static string Root { get; } = Find();

    /// <summary>The build configuration and target framework the runner was built with (<c>bin/Release/net10.0</c>).</summary>
    public static (string Configuration, string Framework) Build
    {
        get
        {
            var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return (bin.Parent!.Name, bin.Name);
        }
    }

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Feedback.sln"))) return dir.FullName;
        throw new BenchmarkException("cannot find the repository (Feedback.sln) above " + AppContext.BaseDirectory);
    }
}
