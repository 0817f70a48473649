namespace Feedback.Activities.Intake;

/// <summary>
/// A photo a customer uploaded with their feedback, kept in the database so every host can serve it. The case refers
/// to it by link (<c>ProductDetails.Photos</c>); only staff (API key, or a staff-task link of that case) may fetch it.
/// </summary>
public sealed class UploadedPhoto
{
    /// <summary>A random name; the photo's link ends with it.</summary>
    public required string Id { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
}
