using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Organization;

namespace Feedback.Activities.Tests;

/// <summary>
/// The API as a staff member sees it (the <c>X-Staff-User</c> header), or, with no user, as an integration that
/// presents only the API key; and directory entries for the staff of a test.
/// </summary>
internal static class StaffApiCalls
{
    public static Task<HttpResponseMessage> SendAsStaffAsync(this HttpClient api, HttpMethod method, string url, string? user, JsonObject? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (user is not null) request.Headers.Add("X-Staff-User", user);
        return api.SendAsync(request);
    }

    /// <summary>A GET that must answer 200; the body otherwise explains the failed assertion.</summary>
    public static async Task<JsonObject> GetAsStaffAsync(this HttpClient api, string url, string? user)
    {
        var response = await api.SendAsStaffAsync(HttpMethod.Get, url, user);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static StaffMember Member(string user, string department, StaffRole role) =>
        new() { UserName = user, DisplayName = user, DepartmentId = department, Roles = [role] };
}
