Console.Error.WriteLine("usage: dotnet run --project bench/Feedback.Benchmarks -c Release -- <benchmark>");
return 2;
