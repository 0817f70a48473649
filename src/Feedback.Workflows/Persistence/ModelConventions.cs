using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Feedback.Workflows.Persistence;

/// <summary>Conventions every context of the product follows, so that its tables read alike in any SQL tool.</summary>
public static class ModelConventions
{
    /// <summary>Names every column in snake_case (<c>DefinitionVersionId</c> → <c>definition_version_id</c>).</summary>
    public static void UseSnakeCaseColumns(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
    }

    /// <summary>
    /// SQLite cannot order or compare DateTimeOffset stored as text; store it as a 64-bit number that sorts in time
    /// order (all values are UTC).
    /// </summary>
    public static void UseSortableDateTimeOffsets(ModelConfigurationBuilder builder)
    {
        builder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    public static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
