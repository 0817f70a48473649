using Feedback.Benchmarks;

// dotnet run --project bench/Feedback.Benchmarks -c Release -- <classifier|intake|resume|reports|timers|http|memory|outbox|drill> [--option value ...]
if (args.Length == 0 || args[0] is "-h" or "--help" || !Benchmarks.Names.Contains(args[0]))
{
    Console.Error.WriteLine(Benchmarks.Usage);
    return 2;
}

// Read before any work of our own raises it.
_ = Machine.LoadAtStart;

BenchOptions options;
try { options = BenchOptions.Parse(args.Skip(1)); }
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Benchmarks.Usage);
    return 2;
}

try
{
    return await Benchmarks.RunAsync(args[0], options);
}
catch (BenchmarkException e)
{
    Console.Error.WriteLine($"{args[0]}: {e.Message}");
    return 1;
}
