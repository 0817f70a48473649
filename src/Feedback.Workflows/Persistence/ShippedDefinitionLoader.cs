using System.Security.Cryptography;
using System.Text;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Publishes the definitions shipped as JSON files at start-up. A definition is published when absent, and updated
/// when its file changed only while the stored latest version is still the one last shipped: an admin's edit is
/// never overwritten (the file's update is then reported and skipped).
/// </summary>
public sealed class ShippedDefinitionLoader(
    WorkflowRuntimeOptions options,
    WorkflowDefinitionStore store,
    IDbContextFactory<WorkflowDbContext> dbFactory,
    IClock clock,
    StartupRetry retry,
    ILogger<ShippedDefinitionLoader> logger) : IHostedService
{
    /// <summary>The PostgreSQL advisory lock that one load at a time holds, across hosts: the first eight bytes of the SHA-256 of its name.</summary>
    private static readonly long LoadLockId = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("feedback-workflows:shipped-definitions")));

    /// <summary>What happened to one shipped file.</summary>
    public enum Outcome { Published, Updated, Unchanged, KeptAdminEdits }

    public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("shipped definitions", LoadFolderAsync, cancellationToken);

    private async Task LoadFolderAsync(CancellationToken cancellationToken)
    {
        if (options.ShippedDefinitionsFolder is not { } folder) return;
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("The shipped definitions folder {Folder} does not exist; nothing was loaded", folder);
            return;
        }
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            // A broken file is reported and skipped; the host still starts with everything else.
            try
            {
                var outcome = await LoadAsync(await File.ReadAllTextAsync(file, cancellationToken), cancellationToken);
                logger.LogInformation("Shipped definition {File}: {Outcome}", Path.GetFileName(file), outcome);
            }
            catch (WorkflowDefinitionException e)
            {
                logger.LogError("Shipped definition {File} is invalid and was not loaded: {Errors}", Path.GetFileName(file), string.Join(" ", e.Errors));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Publishes or updates one shipped definition according to the rules above.</summary>
    /// <exception cref="WorkflowDefinitionException">The JSON is not a valid definition, or has no <c>definitionId</c>.</exception>
    public async Task<Outcome> LoadAsync(string json, CancellationToken cancellationToken)
    {
        var model = WorkflowDefinitionReader.ParseDefinitionText(json);
        var definitionId = (string?)model["definitionId"];
        if (string.IsNullOrWhiteSpace(definitionId))
            throw new WorkflowDefinitionException("A shipped definition needs a fixed 'definitionId' so that later releases can find it.");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model.ToJsonString())));

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Hosts starting together against one PostgreSQL database load the same files at once: unserialised, both saw
        // the definition absent and inserted version 1 (a duplicate key failed one host's start-up), or published it
        // twice. The lock lasts until the shipped record commits below. SQLite has one host, and a transaction held
        // here would keep its single write lock from the save, which writes on a connection of its own.
        await using var tx = db.Dialect.SupportsRowLocks ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (tx is not null) await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LoadLockId})", cancellationToken);
        var shipped = await db.ShippedDefinitions.FirstOrDefaultAsync(s => s.DefinitionId == definitionId, cancellationToken);
        var latest = await store.FindAsync(definitionId, VersionOptions.Latest, cancellationToken);
        if (shipped?.ContentHash == hash && latest is not null) return Outcome.Unchanged;
        if (latest is not null && (shipped is null || latest.Id != shipped.VersionId || !latest.IsPublished))
        {
            // The save below commits on a connection of its own; a start that lost the database before its shipped
            // record was written left a published version that is this very file. That is no admin's edit: recorded
            // now, so that later releases update it again.
            if (latest.IsPublished && WorkflowDefinitionStore.Holds(latest, model))
            {
                await RecordShippedAsync(db, shipped, definitionId, hash, latest.Id, cancellationToken);
                if (tx is not null) await tx.CommitAsync(cancellationToken);
                return shipped is null ? Outcome.Published : Outcome.Updated;
            }
            logger.LogWarning("Definition {DefinitionId} was edited after it was shipped; the shipped update is not applied", definitionId);
            return Outcome.KeptAdminEdits;
        }

        var saved = await store.SaveAsync(model, publish: true, cancellationToken);
        await RecordShippedAsync(db, shipped, definitionId, hash, saved.Definition.Id, cancellationToken);
        if (tx is not null) await tx.CommitAsync(cancellationToken);
        return latest is null ? Outcome.Published : Outcome.Updated;
    }

    private async Task RecordShippedAsync(WorkflowDbContext db, ShippedDefinitionRecord? shipped, string definitionId, string hash, string versionId, CancellationToken cancellationToken)
    {
        if (shipped is null)
            db.ShippedDefinitions.Add(new ShippedDefinitionRecord { DefinitionId = definitionId, ContentHash = hash, VersionId = versionId, LoadedAt = clock.UtcNow });
        else
        {
            shipped.ContentHash = hash;
            shipped.VersionId = versionId;
            shipped.LoadedAt = clock.UtcNow;
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
