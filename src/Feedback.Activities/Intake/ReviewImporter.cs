using System.Globalization;
using System.Text;
using Feedback.Activities.Cases;

namespace Feedback.Activities.Intake;

/// <summary>
/// Imports e-commerce and social reviews from a CSV export as cases. Columns (header row required, any order):
/// <c>platform, review_id, content</c> (required) and <c>received_at, rating, reviewer, order_number, product</c>; the
/// reviewer is accepted but not kept, as an imported review is anonymous.
/// Importing the same file twice creates no duplicates: each review is keyed by platform and review id. A review
/// rated at or above <see cref="ReviewImportOptions.PraiseFrom"/> runs <see cref="ReviewImportOptions.PraiseProcess"/>
/// (recorded, nothing to rectify); the others run the process the directory's intake routes choose.
/// </summary>
public sealed class ReviewImporter(CaseService cases, FeedbackDomainOptions options)
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 10_000;
    private static readonly string[] Required = ["platform", "review_id", "content"];

    /// <summary>What an import did, row by row.</summary>
    public sealed record Result(int Created, int AlreadyImported, IReadOnlyList<RejectedRow> Rejected);

    /// <summary>A row that did not become a case, and why.</summary>
    public sealed record RejectedRow(int Line, IReadOnlyList<string> Errors);

    /// <exception cref="CaseValidationException">The file as a whole is unusable (too big, no header, missing columns).</exception>
    public async Task<Result> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await csv.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBytes) throw new CaseValidationException([$"file: at most {MaxBytes / 1024 / 1024} MiB."]);
        List<(int Line, IReadOnlyList<string> Fields)> rows;
        try { rows = CsvReader.Read(Encoding.UTF8.GetString(buffer.ToArray()).TrimStart('\uFEFF')).Take(MaxRows + 2).ToList(); }
        catch (FormatException e) { throw new CaseValidationException([$"file: {e.Message}"]); }
        if (rows.Count == 0) throw new CaseValidationException(["file: empty; the first row must name the columns."]);
        if (rows.Count > MaxRows + 1) throw new CaseValidationException([$"file: at most {MaxRows} reviews per import."]);

        var header = rows[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = Required.Where(r => !header.Contains(r)).ToList();
        if (missing.Count > 0) throw new CaseValidationException([$"file: missing column(s) {string.Join(", ", missing)}; the header has {string.Join(", ", header)}."]);

        int created = 0, repeated = 0;
        var rejected = new List<RejectedRow>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            string? Get(string column) => header.IndexOf(column) is var i and >= 0 && i < fields.Count && fields[i].Trim() is { Length: > 0 } v ? v : null;
            var errors = new List<string>();
            var rating = Get("rating");
            int? stars = null;
            if (rating is not null)
            {
                if (int.TryParse(rating, out var r) && r is >= 1 and <= 5) stars = r;
                else errors.Add($"rating: '{rating}' is not 1 to 5.");
            }
            DateTimeOffset? received = null;
            if (Get("received_at") is { } at)
            {
                if (DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) received = parsed.ToUniversalTime();
                else errors.Add($"received_at: '{at}' is not a date and time.");
            }
            if (Get("platform") is null || Get("review_id") is null) errors.Add("platform and review_id are required.");
            if (errors.Count > 0) { rejected.Add(new RejectedRow(line, errors)); continue; }

            var platform = Get("platform")!;
            var registration = new CaseRegistration
            {
                Channel = FeedbackChannel.ECommerceReview,
                ReceivedAt = received,
                // Review exports carry a nickname, not a way to reach the customer.
                Anonymous = true,
                Title = stars is null ? $"{platform} review" : $"{platform} review, {stars} of 5",
                Content = Get("content"),
                Product = Get("product") is null && Get("order_number") is null ? null : new ProductDetails { Name = Get("product"), OrderNumber = Get("order_number") },
            };
            try
            {
                var praise = stars >= options.Reviews.PraiseFrom && !string.IsNullOrWhiteSpace(options.Reviews.PraiseProcess);
                // The reviewer's nickname stays out: the channel becomes an append-only history line, which retention cannot clear.
                var result = await cases.RegisterAsync(registration, "import", $"review import ({platform})", $"review:{platform}:{Get("review_id")}", cancellationToken,
                    process: praise ? options.Reviews.PraiseProcess : null);
                if (result.Created) created++; else repeated++;
            }
            catch (IdempotencyKeyReusedException)
            {
                // Platforms let reviewers edit: the case of the first import stands, and the edit is for a person to read.
                rejected.Add(new RejectedRow(line, [$"review {platform}/{Get("review_id")} was imported before with other text or details; its case stands unchanged. Enter the edited review as a note on that case, or as new feedback."]));
            }
            catch (CaseValidationException e) { rejected.Add(new RejectedRow(line, e.Errors)); }
        }
        return new Result(created, repeated, rejected);
    }
}

/// <summary>Where imported reviews go by their rating.</summary>
public sealed class ReviewImportOptions
{
    /// <summary>The rating (1 to 5) from which a review is praise; above 5 sends every review to the intake routes.</summary>
    public int PraiseFrom { get; set; } = 4;

    /// <summary>The process praise runs; empty sends praise to the intake routes too.</summary>
    public string? PraiseProcess { get; set; } = "positive-review";
}
