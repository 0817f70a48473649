namespace Feedback.Activities.Intake.Mail;

/// <summary>
/// A customer's mail added to an existing case, by its idempotency key: stored in the same transaction as the case's
/// history line, so a mail read twice (a host that stopped before marking it) is added once. Mail that opened a case
/// needs no row here: the case itself carries the key.
/// </summary>
public sealed class ReceivedMail
{
    public required string Key { get; set; }
    public required string CaseNumber { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>Absolute links to stored photos; provided by the host, which serves them. Without it, mailed pictures are not kept.</summary>
public interface IPhotoLinks
{
    string LinkFor(string photoId);
}
