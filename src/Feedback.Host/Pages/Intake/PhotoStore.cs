using System.Security.Cryptography;
using Feedback.Activities.Intake;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Pages.Intake;

/// <summary>Checks and keeps uploaded photos: JPEG, PNG or WebP by their first bytes (not by name or claimed type), size-capped.</summary>
internal sealed class PhotoStore(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    public const int MaxPhotos = PhotoRules.MaxPhotos;
    public const int MaxPhotoBytes = PhotoRules.MaxPhotoBytes;
    public const string Route = PhotoRules.Route;

    /// <summary>A checked photo ready to store.</summary>
    public sealed record Photo(string Id, string ContentType, byte[] Content);

    /// <summary>A problem with an upload, for the page to say in its language: too-many, empty, too-large or not-picture.</summary>
    public sealed record Problem(string Code, string? FileName = null);

    /// <summary>Reads and checks the uploaded files; problems name the file.</summary>
    public static async Task<(IReadOnlyList<Photo> Photos, IReadOnlyList<Problem> Problems)> ReadAsync(IFormFileCollection files, string field, CancellationToken ct)
    {
        var photos = new List<Photo>();
        var problems = new List<Problem>();
        var uploads = files.GetFiles(field).Where(f => f.Length > 0 || !string.IsNullOrEmpty(f.FileName)).ToList();
        if (uploads.Count > MaxPhotos) problems.Add(new Problem("too-many"));
        foreach (var file in uploads.Take(MaxPhotos))
        {
            var name = Path.GetFileName(file.FileName);
            if (file.Length == 0) { problems.Add(new Problem("empty", name)); continue; }
            if (file.Length > MaxPhotoBytes) { problems.Add(new Problem("too-large", name)); continue; }
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var content = buffer.ToArray();
            if (Sniff(content) is not { } type) { problems.Add(new Problem("not-picture", name)); continue; }
            photos.Add(new Photo(RandomNumberGenerator.GetHexString(32, lowercase: true), type, content));
        }
        return (photos, problems);
    }

    public async Task SaveAsync(IReadOnlyList<Photo> photos, CancellationToken ct)
    {
        if (photos.Count == 0) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNow;
        foreach (var photo in photos) db.Photos.Add(new UploadedPhoto { Id = photo.Id, ContentType = photo.ContentType, Content = photo.Content, UploadedAt = now });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes photos no case refers to: their registration failed, or a repeated submit found the first case.</summary>
    public async Task DeleteAsync(IReadOnlyList<Photo> photos, CancellationToken ct)
    {
        if (photos.Count == 0) return;
        var ids = photos.Select(p => p.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Photos.Where(p => ids.Contains(p.Id)).ExecuteDeleteAsync(ct);
    }

    public async Task<UploadedPhoto?> FindAsync(string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Photos.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
    }

    /// <summary>The picture type by its signature, or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> content) => PhotoRules.Sniff(content);

    /// <summary>
    /// The uploaded photo <paramref name="id"/> as a file, when <paramref name="feedback"/> shows it; 404 otherwise, so
    /// that a page of one case never serves another case's photo.
    /// </summary>
    public async Task<IResult> ServeAsync(Feedback.Activities.Cases.FeedbackCase? feedback, string id, CancellationToken ct)
    {
        if (feedback?.Product?.Photos.Any(p => p.EndsWith($"{Route}/{id}", StringComparison.Ordinal)) != true) return Results.NotFound();
        return await FindAsync(id, ct) is { } photo ? Results.File(photo.Content, photo.ContentType) : Results.NotFound();
    }
}
