using System.Diagnostics;
using Microsoft.AspNetCore.Identity;

namespace Feedback.EndToEnd.Tests;

/// <summary>`hash-password` prints the hash an administrator puts in Admin:Users:N:PasswordHash, without starting the host.</summary>
public sealed class HashPasswordCommandTests
{
    [Fact]
    public async Task The_printed_hash_verifies_the_password_and_an_empty_one_is_refused()
    {
        var (code, output, error) = await RunAsync("Tinned-peaches-2026\n");
        code.Should().Be(0, error);
        var hash = output.Trim();
        new PasswordHasher<object>().VerifyHashedPassword(new object(), hash, "Tinned-peaches-2026").Should().Be(PasswordVerificationResult.Success);

        var (emptyCode, _, emptyError) = await RunAsync("\n");
        emptyCode.Should().Be(2);
        emptyError.Should().Contain("give the password on standard input");
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string input)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "hash-password"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
