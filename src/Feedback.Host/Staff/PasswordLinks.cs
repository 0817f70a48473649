using System.Text.Json.Nodes;
using Feedback.Activities;
using Feedback.Activities.Links;
using Feedback.Activities.Notification;
using Feedback.Activities.Persistence;
using Feedback.Host.Links;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Staff;

/// <summary>The staff member cannot be sent a password link (unknown, inactive, or without an e-mail address).</summary>
public sealed class PasswordLinkRefusedException(string message) : Exception(message);

/// <summary>
/// Mails a staff member a signed, single-use "set your password" link. The mail goes through the same outbox and
/// handler as task mail (retries, the outbox id as Message-Id), in the staff language's <c>set-password</c> template.
/// A new link cancels the member's earlier ones.
/// </summary>
public sealed class PasswordLinks(
    IDbContextFactory<FeedbackDbContext> feedbackDb, IDbContextFactory<WorkflowDbContext> workflowDb, IActionLinkIssuer issuer,
    MessageTemplates templates, MailLinkOptions links, OutboxSignal signal, IClock clock, StaffCredentials credentials)
{
    public const string TemplateName = "set-password";

    /// <summary>Stages the mail; returns the address it goes to.</summary>
    /// <exception cref="PasswordLinkRefusedException">No active member of that name with an e-mail address.</exception>
    public async Task<string> SendAsync(string userName, CancellationToken cancellationToken)
    {
        Activities.Organization.StaffMember? member;
        await using (var db = await feedbackDb.CreateDbContextAsync(cancellationToken))
            member = await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserName == userName, cancellationToken);
        if (member is not { Active: true }) throw new PasswordLinkRefusedException($"'{userName}' is not an active staff member.");
        if (string.IsNullOrWhiteSpace(member.Email)) throw new PasswordLinkRefusedException($"{userName} has no e-mail address in the directory to send the link to.");

        var now = clock.UtcNow;
        var linkId = LinkTokens.NewId();
        var link = issuer.Issue(new ActionLinkRequest(ActionLinkKind.SetPassword, member.UserName, null, member.UserName, linkId));
        var model = new JsonObject { ["Link"] = link, ["ExpiresAt"] = (now + links.SetPasswordLifetime).ToString("O") };
        var payload = templates.StaffMail(TemplateName, member, model, caseNumber: null, "SetPassword", now);
        // The mail is stored held back, the link recorded, and only then the mail let go: a mail that cannot be stored
        // leaves the earlier link working, and a link that cannot be recorded never leaves in a mail.
        var mail = new OutboxRecord { Id = Ids.New(), Type = NotifyCustomer.EmailOutboxType, Payload = payload.ToJsonString(), CreatedAt = now, NextAttemptAt = now.AddYears(1) };
        await using var outbox = await workflowDb.CreateDbContextAsync(cancellationToken);
        outbox.Outbox.Add(mail);
        await outbox.SaveChangesAsync(cancellationToken);
        try
        {
            // From now on only this link sets the password, whoever holds an earlier one.
            await credentials.RecordPasswordLinkAsync(member.UserName, linkId, cancellationToken);
        }
        catch
        {
            await outbox.Outbox.Where(m => m.Id == mail.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        await outbox.Outbox.Where(m => m.Id == mail.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now), CancellationToken.None);
        signal.Notify();
        return member.Email;
    }
}
