using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Feedback.Host.Reports;

/// <summary>Small server-rendered SVG charts: trend lines and horizontal bars, with their numbers as text for screen readers.</summary>
internal static class SvgCharts
{
    private static readonly string[] Colours = ["#1f6feb", "#d1242f", "#8250df", "#1a7f37", "#bf8700"];

    /// <summary>One line per series over the labels; null values leave a gap.</summary>
    public static string Lines(string title, IReadOnlyList<string> labels, IReadOnlyList<(string Name, IReadOnlyList<double?> Values)> series)
    {
        const int width = 760, height = 260, left = 48, right = 16, top = 16, bottom = 56;
        var max = Math.Max(1, series.SelectMany(s => s.Values).Max(v => v ?? 0));
        var step = labels.Count > 1 ? (double)(width - left - right) / (labels.Count - 1) : 0;
        double X(int i) => left + i * step;
        double Y(double v) => top + (height - top - bottom) * (1 - v / max);
        var svg = Open(title, width, height);
        for (var g = 0; g <= 4; g++)
        {
            var value = max * g / 4;
            svg.Append($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(value))}\" y2=\"{F(Y(value))}\" stroke=\"#ddd\"/>");
            svg.Append($"<text x=\"{left - 6}\" y=\"{F(Y(value) + 4)}\" text-anchor=\"end\" font-size=\"11\">{F(value)}</text>");
        }
        for (var i = 0; i < labels.Count; i++)
            svg.Append($"<text x=\"{F(X(i))}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{E(labels[i])}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = series[s].Values.Select((v, i) => v is { } y ? $"{F(X(i))},{F(Y(y))}" : null).Where(p => p is not null);
            svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            for (var i = 0; i < series[s].Values.Count; i++)
                if (series[s].Values[i] is { } y) svg.Append($"<circle cx=\"{F(X(i))}\" cy=\"{F(Y(y))}\" r=\"3\" fill=\"{colour}\"><title>{E(series[s].Name)} {E(labels[i])}: {F(y)}</title></circle>");
            svg.Append($"<rect x=\"{left + s * 150}\" y=\"{height - 22}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>");
            svg.Append($"<text x=\"{left + s * 150 + 16}\" y=\"{height - 12}\" font-size=\"12\">{E(series[s].Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>One horizontal bar per label.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double Value)> bars)
    {
        const int width = 760, labelWidth = 160, rowHeight = 26, top = 8;
        var height = top * 2 + Math.Max(1, bars.Count) * rowHeight;
        var max = Math.Max(1, bars.Count == 0 ? 0 : bars.Max(b => b.Value));
        var svg = Open(title, width, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var y = top + i * rowHeight;
            var length = (width - labelWidth - 60) * bars[i].Value / max;
            svg.Append($"<text x=\"{labelWidth - 8}\" y=\"{y + 16}\" text-anchor=\"end\" font-size=\"12\">{E(bars[i].Label)}</text>");
            svg.Append($"<rect x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{F(length)}\" height=\"{rowHeight - 8}\" fill=\"{Colours[0]}\"/>");
            svg.Append($"<text x=\"{F(labelWidth + length + 6)}\" y=\"{y + 16}\" font-size=\"12\">{F(bars[i].Value)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Open(string title, int width, int height) =>
        new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title>{E(title)}</title>");

    private static string F(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture);
    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}
