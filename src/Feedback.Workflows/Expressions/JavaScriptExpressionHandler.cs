using System.Globalization;
using Acornima;
using Feedback.Workflows.Expressions.JavaScript;
using Feedback.Workflows.Model;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Runtime;
using Expression = Feedback.Workflows.Model.Expression;
using Script = Acornima.Ast.Script;

namespace Feedback.Workflows.Expressions;

/// <summary>
/// The <c>JavaScript</c> syntax (Jint), with Elsa 3's globals, generated accessors and <c>variables</c> write-back, sandboxed:
/// no CLR access, and time, memory and recursion limits from <see cref="JavaScriptOptions"/>.
/// </summary>
public sealed class JavaScriptExpressionHandler : IExpressionHandler
{
    // Elsa prepares scripts this way, so both `x > 1` and `return x > 1;` are valid expressions.
    private static readonly ScriptPreparationOptions Preparation = new()
    {
        ParsingOptions = new ScriptParsingOptions { AllowReturnOutsideFunction = true },
    };

    private readonly TimeSpan? _timeout;
    private readonly long? _memoryLimit;
    private readonly int? _recursionLimit;
    private readonly int? _statementLimit;
    private readonly BoundedCache<string, Prepared<Script>> _scripts;

    /// <summary>A handler with the default limits.</summary>
    public JavaScriptExpressionHandler() : this(new JavaScriptOptions())
    {
    }

    /// <summary>A handler with the given limits (read now; later changes to <paramref name="options"/> have no effect).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public JavaScriptExpressionHandler(JavaScriptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "JavaScriptOptions.Timeout must be positive (null turns it off).");
        if (options.MemoryLimitBytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MemoryLimitBytes, "JavaScriptOptions.MemoryLimitBytes must be positive (null turns it off).");
        if (options.MaxRecursionDepth is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRecursionDepth, "JavaScriptOptions.MaxRecursionDepth must be positive (null turns it off).");
        if (options.MaxStatements is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxStatements, "JavaScriptOptions.MaxStatements must be positive (null turns it off).");
        if (options.ScriptCacheSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ScriptCacheSize, "JavaScriptOptions.ScriptCacheSize must be positive.");

        _timeout = options.Timeout;
        _memoryLimit = options.MemoryLimitBytes;
        _recursionLimit = options.MaxRecursionDepth;
        _statementLimit = options.MaxStatements;
        _scripts = new BoundedCache<string, Prepared<Script>>(options.ScriptCacheSize, StringComparer.Ordinal);
    }

    public string Type => Expression.Types.JavaScript;

    public ExpressionDescriptor Descriptor { get; } =
        ExpressionDescriptors.Create(Expression.Types.JavaScript, "JavaScript", isBrowsable: true, monacoLanguage: "javascript");

    /// <summary>
    /// Runs the script synchronously on the calling thread and returns null, bool, string, long (integral numbers), double, or a
    /// <see cref="System.Text.Json.Nodes.JsonNode"/> (objects, arrays). A blank script gives null. Cancelling
    /// <paramref name="cancellationToken"/> stops the script and cancels the returned task; failures fault it with
    /// <see cref="ExpressionEvaluationException"/>.
    /// </summary>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(context);
        return EvaluationResult.From(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var script = expression.ValueAsText;
            return string.IsNullOrWhiteSpace(script) ? null : Run(Prepare(script), context.Scope, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Parses the script (without running it); a syntax error is reported with its line and column.</summary>
    public IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var script = expression.ValueAsText;
        if (string.IsNullOrWhiteSpace(script))
            return [];
        try
        {
            Prepare(script);
            return [];
        }
        catch (ExpressionEvaluationException ex)
        {
            return [ex.Message];
        }
    }

    private Prepared<Script> Prepare(string script)
    {
        try
        {
            return _scripts.GetOrAdd(script, static text => Engine.PrepareScript(text, source: null, strict: false, Preparation));
        }
        catch (ScriptPreparationException ex)
        {
            throw new ExpressionEvaluationException(DescribeSyntaxError(ex), ex);
        }
    }

    private object? Run(Prepared<Script> prepared, IExpressionScope scope, CancellationToken cancellationToken)
    {
        // One deadline for the whole evaluation: the built-in timeout restarts on every engine entry, and reading
        // results or writing variables back can call into script (getters, toJSON) after the main run.
        var deadline = new OperationDeadlineConstraint();
        using var engine = new Engine(options => Configure(options, deadline));
        var session = new JavaScriptSession(engine, scope);

        deadline.Begin(_timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
        try
        {
            var completion = engine.Evaluate(in prepared);
            var result = session.Json.ToResult(Settle(completion));
            session.WriteBackVariables();
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ExpressionEvaluationException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Translate(ex);
        }
        finally
        {
            deadline.End();
        }
    }

    private void Configure(Options options, OperationDeadlineConstraint deadline)
    {
        options.Constraint(deadline);
        if (_memoryLimit is { } bytes)
            options.LimitMemory(bytes);
        if (_recursionLimit is { } depth)
            options.LimitRecursion(depth);
        if (_statementLimit is { } statements)
            options.MaxStatements(statements);

        // Recursion that does not repeat one function (eval, getters, new Function) escapes LimitRecursion; without this
        // guard it would overflow the native stack and take the whole process down.
        options.Constraints.StackOverflowGuard = true;
        options.Interop.Enabled = false;
        options.Culture = CultureInfo.InvariantCulture;
        // Jint would read and print local dates in the machine's zone; pinned to UTC, as Liquid is, so that hosts in
        // different zones compute the same dates from one script.
        options.TimeZone = TimeZoneInfo.Utc;
        options.Strict = false;
    }

    private static JsValue Settle(JsValue completion)
    {
        try
        {
            // Nothing asynchronous exists in the sandbox, so a promise is settled by now unless it can never settle.
            return completion.UnwrapIfPromise();
        }
        catch (InvalidOperationException ex)
        {
            throw new ExpressionEvaluationException("The script returned a promise that never settles.", ex);
        }
    }

    private ExpressionEvaluationException Translate(Exception ex) => ex switch
    {
        TimeoutException => new ExpressionEvaluationException(
            $"The script exceeded the time limit of {Describe(_timeout!.Value)} and was stopped.", ex),
        MemoryLimitExceededException => new ExpressionEvaluationException(
            $"The script exceeded the memory limit of {DescribeBytes(_memoryLimit!.Value)} and was stopped ({ex.Message}).", ex),
        RecursionDepthOverflowException recursion => new ExpressionEvaluationException(
            $"The script exceeded the recursion limit of {_recursionLimit} nested calls of one function and was stopped (call chain: {Truncate(recursion.CallChain, 200)}).", ex),
        StatementsCountOverflowException => new ExpressionEvaluationException(
            $"The script exceeded the limit of {_statementLimit} statements and was stopped.", ex),
        PromiseRejectedException rejected => new ExpressionEvaluationException($"The script's promise was rejected: {rejected.Message}", ex),
        JavaScriptException js => new ExpressionEvaluationException(DescribeScriptError(js), ex),
        _ => new ExpressionEvaluationException($"The script failed: {ex.Message}", ex),
    };

    private static string DescribeSyntaxError(ScriptPreparationException ex)
    {
        if (ex.InnerException is ParseErrorException parse)
            return $"JavaScript syntax error at line {parse.LineNumber}, column {parse.Column + 1}: {parse.Description}"; // Acornima counts columns from 0.
        return $"JavaScript syntax error: {ex.Message}";
    }

    private static string DescribeScriptError(JavaScriptException ex)
    {
        var name = ex.Error is Jint.Native.Object.ObjectInstance error && error.Get("name") is JsString errorName ? errorName.ToString() : "Error";
        var start = ex.Location.Start;
        var where = start.Line > 0 ? $" at line {start.Line}, column {start.Column + 1}" : "";
        return $"JavaScript {name}{where}: {ex.Message}";
    }

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds)
            ? $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";

    private static string DescribeBytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";
}
