namespace Feedback.Activities.Intake.Mail;

/// <summary>
/// A customer's mail added to an existing case, by its idempotency key: stored in the same transaction as the case's
/// history line, so a mail read twice (a host that stopped before marking it) is added once. Mail that opened a case
/// needs no row here: the case itself carries the key.
/// </summary>
/// <remarks>
/// The mail's text lives here, not in the history line, which is append-only: the line refers to this row
/// (<see cref="CustomerMessages"/>), and anonymising the case removes the text.
/// </remarks>
public sealed class ReceivedMail
{
    public required string Key { get; set; }
    public required string CaseNumber { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>What the customer wrote, as added to the case; null once the case is anonymised (or for mail stored before texts were kept here).</summary>
    public string? Text { get; set; }
}

/// <summary>Absolute links to stored photos; provided by the host, which serves them. Without it, mailed pictures are not kept.</summary>
public interface IPhotoLinks
{
    string LinkFor(string photoId);
}
