using Feedback.Activities.Access;
using Feedback.Activities.Organization;
using Feedback.Activities.Tasks;
using Feedback.Host.Access;
using Feedback.Host.Pages.Staff;
using Feedback.Workflows.Api;

namespace Feedback.Host.Staff;

/// <summary>Staff sign-in, inbox and entry pages, and the API route that mails a "set your password" link.</summary>
internal static class StaffExtensions
{
    public static IServiceCollection AddFeedbackStaff(this IServiceCollection services, StaffSignInOptions options)
    {
        services.AddSingleton(options);
        // Its own lockout instance and keys (apart from the admin shell's): user names, known or not, and addresses.
        var limits = new Studio.StudioLockoutOptions(options.MaxFailedAttempts, options.MaxFailuresPerAddress, options.LockoutDuration, options.LockoutDuration);
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StaffCredentials>(sp,
            ActivatorUtilities.CreateInstance<Studio.StudioSignInLockout>(sp, limits, TimeProvider.System, "staff-")));
        services.AddSingleton<PasswordLinks>();
        services.AddSingleton<StaffInbox>();
        services.AddSingleton<AbsenceService>();
        StaffSession.Configure(services.AddAuthentication(), options);
        return services;
    }

    public static void MapFeedbackStaff(this IEndpointRouteBuilder app)
    {
        app.MapStaffSignIn();
        app.MapStaffInbox();
        app.MapStaffTaskPage();
        app.MapMaliciousFlagForm();
        app.MapDuplicateMarkForm();
        app.MapPraiseMarkForm();
        app.MapCaseNoteForm();
        app.MapStaffCasePages();
        app.MapComplainedAboutForm();
        app.MapCaseOwnerForm();
        app.MapStaffEntry();
        app.MapStaffAbsence();

        // Administrators (the admin shell) and process owners give a member a password: the member gets a single-use link by mail.
        app.MapPost("/api/staff/{userName}/password-link", async (string userName, HttpContext http, StaffActorResolver access, PasswordLinks links, ILoggerFactory logs, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(http, ct);
            if (!actor.Administrator && !actor.Has(StaffRole.ProcessOwner))
                throw new AccessDeniedException($"{actor.AuditName} may not issue password links; administrators and process owners do (name a process owner in {StaffActorResolver.StaffUserHeader}).");
            try
            {
                var sentTo = await links.SendAsync(userName, ct);
                logs.CreateLogger("Feedback.Host.Staff").LogInformation("Password link for {UserName} mailed at the request of {Actor}", userName, actor.AuditName);
                return Results.Json(new { userName, sentTo = PersonalData.MaskEmail(sentTo) }, statusCode: StatusCodes.Status202Accepted);
            }
            catch (PasswordLinkRefusedException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No password link can be sent.", detail: e.Message);
            }
        }).AddEndpointFilter<ApiKeyFilter>();
    }
}
