using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>What a process owner does in the shell and in the Elsa Studio editor, in Playwright terms.</summary>
public sealed class StudioPage(IPage page, Uri host)
{
    private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The first render waits for the Studio's .NET runtime to boot in the page.</summary>
    private static readonly float BootTimeout = 120_000;

    public IPage Page => page;

    /// <summary>Fills and sends the sign-in form; on success waits until the shell has left the sign-in page.</summary>
    public async Task SignInAsync(string userName, string password, bool expectSuccess = true)
    {
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", password);
        var answered = page.WaitForResponseAsync(r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/studio/signin");
        await page.ClickAsync("main button[type=submit]");
        await answered;
        if (!expectSuccess)
        {
            await page.Locator("[role=alert]").WaitForAsync();
            return;
        }
        await WaitForPathAsync(path => path != "/studio/signin", "a page other than the sign-in page");
        // Signed-in pages show the navigation; Studio pages keep loading long after that, so the load event is no signal.
        await page.Locator("header.shell nav").WaitForAsync();
    }

    /// <summary>The designer node of an activity (an X6 cell with the activity id).</summary>
    public ILocator Node(string activityId) => page.Locator($"g.x6-node[data-cell-id=\"{activityId}\"]");

    /// <summary>The designer node showing an activity name (for activities the Studio created, whose ids are random).</summary>
    public ILocator NodeNamed(string name) => page.Locator("g.x6-node", new PageLocatorOptions { HasText = name });

    public async Task WaitForDesignerAsync() =>
        await page.Locator(".x6-graph").WaitForAsync(new LocatorWaitForOptions { Timeout = BootTimeout });

    /// <summary>The text field of an input in the activity panel, found by its label.</summary>
    public ILocator InputField(string label) =>
        page.Locator(".mud-input-control", new PageLocatorOptions { HasText = label }).Locator("input").First;

    /// <summary>
    /// The text field (single or multi-line) of an input whose label is exactly <paramref name="label"/>; unlike
    /// <see cref="InputField"/> it does not match another input whose description mentions the label's word.
    /// </summary>
    public ILocator LabelledField(string label) =>
        page.Locator(".mud-input-control")
            .Filter(new LocatorFilterOptions { Has = page.Locator("label", new PageLocatorOptions { HasTextRegex = new Regex($@"^\s*{Regex.Escape(label)}\s*$") }) })
            .Locator("input, textarea").First;

    /// <summary>Types a value into an input and leaves the field, which is when the Studio takes the change (and autosaves).</summary>
    public Task<JsonObject> ChangeInputAndWaitForAutosaveAsync(string label, string value) => ChangeAndWaitForAutosaveAsync(InputField(label), value);

    /// <summary>As <see cref="ChangeInputAndWaitForAutosaveAsync"/>, for the field found by <see cref="LabelledField"/>.</summary>
    public Task<JsonObject> ChangeLabelledInputAndWaitForAutosaveAsync(string label, string value) => ChangeAndWaitForAutosaveAsync(LabelledField(label), value);

    private async Task<JsonObject> ChangeAndWaitForAutosaveAsync(ILocator field, string value)
    {
        // Unescaped, so that a value in Chinese is found as typed (the default writer escapes it as \uXXXX).
        var saved = WaitForSaveAsync(model => model.ToJsonString(Unescaped).Contains(value, StringComparison.Ordinal), publish: false);
        await field.FillAsync(value);
        await field.PressAsync("Tab");
        return await saved;
    }

    /// <summary>
    /// Waits for the Studio's next successful <c>POST /workflow-definitions</c> whose model matches; returns the model
    /// it sent. Autosave and Publish both use that request (with <c>publish</c> false or true).
    /// </summary>
    public async Task<JsonObject> WaitForSaveAsync(Func<JsonObject, bool> matches, bool publish)
    {
        var response = await page.WaitForResponseAsync(r =>
        {
            if (r.Request.Method != "POST" || !r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) || r.Request.PostData is null) return false;
            var body = JsonNode.Parse(r.Request.PostData)!.AsObject();
            var isPublish = body["publish"] is JsonValue p && p.TryGetValue<bool>(out var b) && b;
            return isPublish == publish && body["model"] is JsonObject model && matches(model);
        }, new PageWaitForResponseOptions { Timeout = 30_000 });
        response.Status.Should().Be(200, await response.TextAsync());
        return JsonNode.Parse(response.Request.PostData!)!["model"]!.AsObject();
    }

    /// <summary>Clicks the toolbar's Publish button (the one whose tooltip says so) and waits for the publishing save.</summary>
    public async Task<JsonObject> PublishAsync()
    {
        var button = page.Locator(".mud-button-group-root button.mud-primary-text");
        await button.HoverAsync();
        await page.Locator(".mud-tooltip", new PageLocatorOptions { HasText = "Publish workflow" }).WaitForAsync();
        var published = WaitForSaveAsync(_ => true, publish: true);
        await button.ClickAsync();
        return await published;
    }

    /// <summary>
    /// Puts the whole flow on screen: the toolbar's "Zoom to fit" (which stops at half size), then, for a flow still
    /// larger than the canvas, zooming out around the canvas centre with Ctrl+wheel as a user would, down to the
    /// designer's smallest zoom (40 %). A flow that does not fit even then stays partly off screen.
    /// </summary>
    public async Task ZoomToFitAsync()
    {
        var button = page.Locator("[role=toolbar] button").First;
        await button.HoverAsync();
        await page.Locator(".mud-tooltip", new PageLocatorOptions { HasText = "Zoom to fit" }).WaitForAsync();
        await button.ClickAsync();
        var canvas = await page.Locator(".x6-graph").BoundingBoxAsync() ?? throw new InvalidOperationException("The designer canvas is not on screen.");
        var viewport = page.Locator(".x6-graph-svg-viewport").First;
        // Until every node is on the canvas, or the designer's smallest zoom is reached (the zoom stops changing).
        for (var step = 0; step < 30 && await OverflowsAsync(); step++)
        {
            var before = await viewport.GetAttributeAsync("transform");
            await page.Mouse.MoveAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
            await page.Keyboard.DownAsync("Control");
            await page.Mouse.WheelAsync(0, 200);
            await page.Keyboard.UpAsync("Control");
            if (await viewport.GetAttributeAsync("transform") == before) break;
        }
        await page.Mouse.MoveAsync(0, 0);
    }

    /// <summary>
    /// Waits for a journal entry of the instance viewer. The viewer refreshes its journal while it polls a running
    /// instance, and has been seen to keep the entries of an earlier refresh when the instance finished between two
    /// polls; after <paramref name="beforeReload"/> the page is reloaded once, as a user would, and waited on again.
    /// </summary>
    /// <exception cref="TimeoutException">The entry did not appear, before or after the reload.</exception>
    public async Task WaitForJournalEntryAsync(string text, TimeSpan beforeReload)
    {
        var entry = page.Locator($"text={text}").First;
        try
        {
            await entry.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)beforeReload.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            await page.ReloadAsync();
            await entry.WaitForAsync(new LocatorWaitForOptions { Timeout = BootTimeout });
        }
    }

    /// <summary>Whether some node of the flow lies outside the designer canvas.</summary>
    private Task<bool> OverflowsAsync() => page.EvaluateAsync<bool>(@"() => {
        const canvas = document.querySelector('.x6-graph').getBoundingClientRect();
        return [...document.querySelectorAll('g.x6-node')].map(n => n.getBoundingClientRect())
            .some(n => n.left < canvas.left || n.right > canvas.right || n.top < canvas.top || n.bottom > canvas.bottom);
    }");

    /// <summary>The outcome ports drawn on a node, in drawing order, with the label shown next to each.</summary>
    public static async Task<IReadOnlyList<(string Port, string Label)>> OutcomePortsAsync(ILocator node)
    {
        var json = await node.EvaluateAsync<string>(
            "n => JSON.stringify([...n.querySelectorAll('g.x6-port-out')].map(p => [p.querySelector('.x6-port-body')?.getAttribute('port') ?? '', (p.querySelector('.x6-port-label')?.textContent ?? '').trim()]))");
        return JsonNode.Parse(json)!.AsArray().Select(p => ((string)p![0]!, (string)p[1]!)).ToList();
    }

    /// <summary>Opens a definition from the shell's workflow list (its name links to the editor) and waits for the designer.</summary>
    public async Task OpenFromListAsync(string definitionId, string name)
    {
        var link = page.Locator($"main table a[href$=\"/workflows/definitions/{definitionId}/edit\"]");
        (await link.InnerTextAsync()).Trim().Should().Be(name);
        await link.ClickAsync();
        await WaitForPathAsync(path => path.EndsWith($"/studio/workflows/definitions/{definitionId}/edit", StringComparison.Ordinal), "the editor");
        await WaitForDesignerAsync();
    }

    /// <summary>
    /// Waits until the page's address has a path that matches. Polled: WaitForURLAsync, when the navigation has already
    /// committed, waits for the page's load event instead, which a Studio page on a busy machine may not reach in time.
    /// </summary>
    private async Task WaitForPathAsync(Func<string, bool> matches, string what)
    {
        var until = DateTime.UtcNow.AddMilliseconds(BootTimeout);
        while (!matches(new Uri(page.Url).AbsolutePath))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"The browser did not reach {what}; it is at {page.Url}.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Drags an activity from the toolbox (opening its category) onto the canvas at the given point, and waits for its
    /// node, with the other categories closed. A drop the designer missed (its canvas is on screen before the Studio
    /// handles drops, which under load takes a while) adds no node and is made again, at most three times.
    /// </summary>
    public async Task DragFromToolboxAsync(string category, string displayName, float x, float y)
    {
        var item = page.Locator("div[draggable=\"true\"]", new PageLocatorOptions { HasTextRegex = new Regex($@"^\s*{Regex.Escape(displayName)}\s*$") });
        var nodes = page.Locator("g.x6-node");
        var before = await nodes.CountAsync();
        for (var attempt = 1; ; attempt++)
        {
            // Only this category open: with several open, the item can lie below the window, and scrolling it into
            // view during the drag moves the canvas under the pointer, so the drop is lost.
            foreach (var open in await page.Locator(".mud-expand-panel.mud-panel-expanded", new PageLocatorOptions { Has = page.Locator("div[draggable=\"true\"]") }).AllAsync())
                if (!(await open.Locator(".mud-expand-panel-header").InnerTextAsync()).Contains(category, StringComparison.Ordinal))
                    await open.Locator(".mud-expand-panel-header").ClickAsync();
            if (!await item.IsVisibleAsync()) await page.ClickAsync($".mud-expand-panel-header:has-text(\"{category}\")");
            await item.WaitForAsync();
            await item.DragToAsync(page.Locator(".x6-graph"), new LocatorDragToOptions { TargetPosition = new TargetPosition { X = x, Y = y } });
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (await nodes.CountAsync() == before && DateTime.UtcNow < until) await Task.Delay(200);
            if (await nodes.CountAsync() > before) return;
            if (attempt == 3) throw new TimeoutException($"Dropping '{displayName}' on the canvas added no node, three times.");
        }
    }

    /// <summary>Draws a connection with the mouse from an outcome port of one node to the In port of another.</summary>
    public async Task ConnectAsync(ILocator source, string outcome, ILocator target)
    {
        var from = await PortCentreAsync(source, outcome);
        var to = await PortCentreAsync(target, "In");
        await page.Mouse.MoveAsync(from.X, from.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(to.X, to.Y, new MouseMoveOptions { Steps = 20 });
        await page.Mouse.UpAsync();
    }

    /// <summary>An absolute URL on the host.</summary>
    public string Url(string path) => new Uri(host, path).ToString();

    private static async Task<(float X, float Y)> PortCentreAsync(ILocator node, string port)
    {
        var box = await node.Locator($"g.x6-port-body[port=\"{port}\"] circle").First.BoundingBoxAsync()
            ?? throw new InvalidOperationException($"Port '{port}' is not on screen.");
        return (box.X + box.Width / 2, box.Y + box.Height / 2);
    }
}
