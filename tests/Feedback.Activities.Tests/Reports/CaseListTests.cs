using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Activities.Reports;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tests.Reports;

/// <summary>The case export on PostgreSQL lists, for one department, the same cases its figures count.</summary>
public sealed class CaseListTests : IAsyncLifetime
{
    private static readonly DateTimeOffset March = new(2026, 3, 10, 2, 0, 0, TimeSpan.Zero);
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        db.Cases.AddRange(
            Case("FB-2026-000001", "quality", []),
            Case("FB-2026-000002", "logistics", ["quality"]),
            Case("FB-2026-000003", "logistics", []));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_departments_export_lists_the_cases_it_leads_and_helps_with_as_its_figures_count_them()
    {
        var period = ReportPeriod.Parse("2026-03");
        var list = await _host.Services.GetRequiredService<CaseList>().ListAsync(period, "quality", reader: null, CancellationToken.None);
        var figures = await _host.Services.GetRequiredService<ReportService>().ComputeAsync(period, ReportDimension.Department, "quality", CancellationToken.None);

        list.Select(c => c.Number).Should().Equal("FB-2026-000001", "FB-2026-000002");
        figures.Total.Cases.Should().Be(list.Count);
        (await _host.Services.GetRequiredService<CaseList>().ListAsync(period, null, reader: null, CancellationToken.None)).Should().HaveCount(3);
    }

    private static FeedbackCase Case(string number, string lead, List<string> helpers) => new()
    {
        Number = number, Content = "快递晚了。", ReceivedAt = March, Channel = FeedbackChannel.WebForm, LeadDepartment = lead, HelperDepartments = helpers,
        Category = FeedbackCategory.DeliveryLogistics, WorkflowInstanceId = "wf-" + number, WorkflowDefinitionId = "general-feedback", CreatedAt = March, UpdatedAt = March,
    };
}
