using System.Data;
using System.Security.Cryptography;
using System.Text;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Feedback.Activities.Intake.Mail;

/// <summary>
/// Keeps mailbox passes to one host at a time. On PostgreSQL a transaction-scoped advisory lock, held for the pass: it
/// ends with the transaction (or the connection, if the host dies), so no lock outlives its holder. The embedded
/// SQLite default is a single host, where an in-process gate is enough.
/// </summary>
public sealed class MailIntakeLock(IDbContextFactory<FeedbackDbContext> dbFactory, MailIntakeOptions options)
{
    private readonly SemaphoreSlim _local = new(1, 1);
    // One lock per mailbox folder, so hosts configured for different mailboxes do not wait for each other.
    private readonly long _key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"feedback-mail-intake:{options.Host}:{options.Port}:{options.Username}:{options.Folder}")), 0);

    /// <summary>The held lock, or null when another pass (on this host or another) holds it.</summary>
    public async Task<IAsyncDisposable?> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (!await _local.WaitAsync(0, cancellationToken)) return null;
        FeedbackDbContext? db = null;
        try
        {
            db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!db.Database.IsNpgsql())
            {
                await db.DisposeAsync();
                db = null;
                return new Held(_local, null, null);
            }
            var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = $"SELECT pg_try_advisory_xact_lock({_key})";
            if (await command.ExecuteScalarAsync(cancellationToken) is true) return new Held(_local, db, transaction);
            await transaction.DisposeAsync();
            await db.DisposeAsync();
            db = null;
            _local.Release();
            return null;
        }
        catch
        {
            if (db is not null) await db.DisposeAsync();
            _local.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim local, FeedbackDbContext? db, IDbContextTransaction? transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // Rolling back ends the transaction and with it the advisory lock; the transaction wrote nothing.
                if (transaction is not null) await transaction.DisposeAsync();
                if (db is not null) await db.DisposeAsync();
            }
            finally
            {
                local.Release();
            }
        }
    }
}
