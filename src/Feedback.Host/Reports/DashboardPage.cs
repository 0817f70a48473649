using System.Globalization;
using System.Text;
using Feedback.Activities.Reports;
using static Feedback.Host.Studio.StudioHtml;

namespace Feedback.Host.Reports;

/// <summary>The report dashboard: a trend chart, department and category comparisons, each with its table and CSV export.</summary>
internal static class DashboardPage
{
    public static string Render(ReportRequest request, IReadOnlyList<TrendPoint> trend, Report byDepartment, Report byCategory, string baseHref)
    {
        var query = $"period={Uri.EscapeDataString(request.Period.Label)}&trend={Uri.EscapeDataString(request.Trend.Label)}"
            + (request.Department is null ? "" : $"&department={Uri.EscapeDataString(request.Department)}");
        var html = new StringBuilder("<main class=\"page\">");
        html.Append($"<h1>Reports{(request.Department is null ? "" : " — " + Encode(request.Department))}</h1>");
        html.Append($"""
            <form method="get" action="{Encode(baseHref)}">
            <label>Period <input name="period" value="{Encode(request.Period.Label)}" title="2026-03, 2026-Q1, 2026-H1, 2026 or 2026-01-05..2026-02-10"></label>
            <label>Trend <input name="trend" value="{Encode(request.Trend.Label)}"></label>
            <button type="submit">Show</button>
            </form>
            <p class="hint">Malicious or false reviews, duplicates of another case and praise are counted apart and left out of every other figure. Times are hours.</p>
            """);

        html.Append($"<h2>Trend by month, {Encode(request.Trend.Label)}</h2>");
        var labels = trend.Select(p => p.Period.Label).ToList();
        html.Append(SvgCharts.Lines("Cases per month", labels,
        [
            ("Cases", trend.Select(p => (double?)p.Figures.Cases).ToList()),
            ("Negative reviews", trend.Select(p => (double?)p.Figures.NegativeReviews).ToList()),
            ("Repeats", trend.Select(p => (double?)p.Figures.Repeats).ToList()),
            ("Malicious", trend.Select(p => (double?)p.Figures.Malicious).ToList()),
        ]));
        html.Append(SvgCharts.Lines("Rates per month (%)", labels,
        [
            ("On time %", trend.Select(p => p.Figures.OnTimeRate * 100).ToList()),
            ("Satisfied %", trend.Select(p => p.Figures.SatisfactionRate * 100).ToList()),
            ("Repeat %", trend.Select(p => p.Figures.RepeatRate * 100).ToList()),
        ]));
        Table(html, "Month", trend.Select(p => (p.Period.Label, p.Figures)));
        html.Append($"<p><a href=\"{Encode(baseHref + "/trend.csv?" + query)}\">Download CSV</a></p>");

        Section(html, "Departments", byDepartment, "(no department)", baseHref + "/figures.csv?by=department&" + query);
        Section(html, "Categories", byCategory, "(unclassified)", baseHref + "/figures.csv?by=category&" + query);
        return html.Append("</main>").ToString();
    }

    private static void Section(StringBuilder html, string title, Report report, string none, string csv)
    {
        html.Append($"<h2>{title}, {Encode(report.Period.Label)}</h2>");
        html.Append(SvgCharts.Bars($"Cases by {title.ToLowerInvariant()}", report.Rows.Select(r => (r.Key ?? none, (double)r.Cases)).ToList()));
        Table(html, title, report.Rows.Select(r => (r.Key ?? none, r)).Append(("Total", report.Total)));
        html.Append($"<p><a href=\"{Encode(csv)}\">Download CSV</a></p>");
    }

    private static void Table(StringBuilder html, string first, IEnumerable<(string Label, ReportFigures Figures)> rows)
    {
        html.Append($"<table><thead><tr><th>{Encode(first)}</th><th>Cases</th><th>Negative reviews</th><th>Malicious</th><th>Duplicates</th><th>Praise</th><th>Due</th><th>On time</th>"
            + "<th>Satisfied / rectified</th><th>Repeats</th><th>Escalated</th><th>Reworked (reworks)</th>"
            + "<th>1st response median / p90</th><th>Resolution median / p90</th></tr></thead><tbody>");
        foreach (var (label, f) in rows)
            html.Append($"<tr><td>{Encode(label)}</td><td>{f.Cases}</td><td>{f.NegativeReviews}</td><td>{f.Malicious}</td><td>{f.Duplicates}</td><td>{f.Praise}</td><td>{f.DueInPeriod}</td>"
                + $"<td>{f.OnTime} {Pct(f.OnTimeRate)}</td><td>{f.Satisfied} / {f.Rectified} {Pct(f.SatisfactionRate)}</td><td>{f.Repeats} {Pct(f.RepeatRate)}</td>"
                + $"<td>{f.Escalated}</td><td>{f.Reworked} ({f.Reworks})</td><td>{Hours(f.FirstResponse)}</td><td>{Hours(f.Resolution)}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static string Pct(double? rate) => rate is { } r ? $"({(r * 100).ToString("0.#", CultureInfo.InvariantCulture)}%)" : "";

    private static string Hours(DurationFigures d) => d.Count == 0 ? "–"
        : $"{(d.MedianSeconds!.Value / 3600).ToString("0.#", CultureInfo.InvariantCulture)} / {(d.P90Seconds!.Value / 3600).ToString("0.#", CultureInfo.InvariantCulture)}";
}
