using Feedback.Activities.Notification;
using Feedback.Host.Pages.DevMail;
using Feedback.Host.Pages.Intake;
using Feedback.Host.Pages.Links;

namespace Feedback.Host.Pages;

/// <summary>The server-rendered pages for customers and staff.</summary>
internal static class PageExtensions
{
    public static IServiceCollection AddFeedbackPages(this IServiceCollection services, EmailOptions email, string dataFolder)
    {
        services.AddSingleton<Intake.PhotoStore>();
        return services;
    }

    public static void MapFeedbackPages(this IEndpointRouteBuilder app)
    {
        app.MapLinkPages();
        app.MapFeedbackForm();
        app.MapDevMailPages();
    }
}
