using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Feedback.Workflows.Api;

/// <summary>Where the API's credentials come from.</summary>
public sealed class ElsaApiOptions
{
    /// <summary>The key callers send as <c>Authorization: ApiKey &lt;key&gt;</c>.</summary>
    public required string ApiKey { get; init; }

    /// <summary>Optional extra check for <c>Bearer</c> tokens (the admin shell's signed-in users); null accepts none.</summary>
    public Func<string, bool>? ValidateBearerToken { get; init; }
}

/// <summary>Rejects requests without a valid <c>ApiKey</c> (or accepted <c>Bearer</c>) authorization with 401.</summary>
public sealed class ApiKeyFilter(ElsaApiOptions options) : IEndpointFilter
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.ApiKey);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (header.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), _key))
            return await next(context);
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && options.ValidateBearerToken?.Invoke(header[7..].Trim()) == true)
            return await next(context);
        const string Detail = "Send 'Authorization: ApiKey <key>' with the key from the Security:ApiKey setting.";
        // The same shape as every other error: clients read the errors list.
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: Detail,
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { Detail } });
    }
}
