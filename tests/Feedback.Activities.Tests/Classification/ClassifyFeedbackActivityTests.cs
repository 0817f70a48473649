using System.Text.Json.Nodes;
using Feedback.Activities.Classification;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Activities.Tests.Classification;

/// <summary>The ClassifyFeedback activity: its designer descriptor, and its ports and outputs when run in a flowchart.</summary>
public sealed class ClassifyFeedbackActivityTests
{
    [Fact]
    public void The_descriptor_has_the_three_ports_and_the_documented_inputs_and_outputs()
    {
        var info = ActivityTypeInfo.Describe(typeof(ClassifyFeedback));
        var descriptor = info.Descriptor;

        descriptor.TypeName.Should().Be("Feedback.ClassifyFeedback");
        descriptor.Category.Should().Be("Feedback");
        descriptor.DisplayName.Should().Be("Classify Feedback");
        descriptor.Description.Should().NotBeNullOrWhiteSpace();
        info.Outcomes.Should().Equal(ClassifyFeedback.Outcomes.Classified, ClassifyFeedback.Outcomes.Uncertain, ClassifyFeedback.Outcomes.FoodSafety);

        var inputs = descriptor.Inputs.ToDictionary(i => i.Name);
        inputs.Keys.Should().Equal("Text", "Title", "Threshold", "KeepBestGuess", "Rules");
        inputs["Text"].UiHint.Should().Be("multiline");
        inputs["Title"].UiHint.Should().Be("singleline");
        inputs["Threshold"].DefaultValue.Should().Be(0.5);
        inputs["Threshold"].UiHint.Should().Be("singleline");
        inputs["Rules"].UiHint.Should().BeOneOf("json-editor", "code-editor");
        inputs["Rules"].DefaultValue.Should().BeNull();
        inputs.Values.Should().OnlyContain(i => i.IsWrapped && i.Description != null);

        descriptor.Outputs.Select(o => o.Name).Should().Equal("Category", "Severity", "Confidence", "FoodSafety", "Evidence");
    }

    [Theory]
    [InlineData("罐头胀罐了，盖子鼓得厉害", null, "FoodSafety")]
    [InlineData("快递显示已签收，但我根本没收到", null, "Classified")]
    [InlineData("快递员态度恶劣", null, "Uncertain")] // courier (delivery) and attitude weigh the same
    [InlineData("快递员态度恶劣，还骂人", null, "Uncertain")] // attitude wins, but only by a little
    [InlineData("快递员态度恶劣，还骂人", 0.2, "Classified")]
    [InlineData("你好", 0.0, "Classified")]
    public async Task It_takes_the_port_for_the_result(string text, double? threshold, string port)
    {
        var run = await RunAsync(text, threshold: threshold);

        run.State.Incidents.Should().BeEmpty();
        run.Completed.Should().Contain("on" + port);
        run.Completed.Where(id => id.StartsWith("on", StringComparison.Ordinal)).Should().ContainSingle();
    }

    [Fact]
    public async Task It_records_every_output()
    {
        var run = await RunAsync("Found a piece of metal in my tuna can. I'm calling my lawyer.", title: "Complaint");

        var outputs = run.State.ActivityOutputs["classify"];
        outputs["Category"]!.GetValue<string>().Should().Be("ProductQuality");
        outputs["Severity"]!.GetValue<string>().Should().Be("A");
        outputs["Confidence"]!.GetValue<double>().Should().Be(1);
        outputs["FoodSafety"]!.GetValue<bool>().Should().BeTrue();
        var evidence = outputs["Evidence"]!.AsArray();
        evidence.Select(e => e!["term"]!.GetValue<string>()).Should().Contain(["piece of metal", "lawyer"]);
        evidence.Should().Contain(e => (string?)e!["trigger"] == "FoodSafety" && (string?)e["severity"] == "A");
    }

    [Fact]
    public async Task Custom_rules_given_as_a_json_object_are_used()
    {
        var rules = new JsonObject
        {
            ["categories"] = new JsonArray(
                new JsonObject { ["name"] = "Billing", ["groups"] = new JsonArray(new JsonObject { ["weight"] = 3, ["en"] = new JsonArray("invoice") }) },
                new JsonObject { ["name"] = "Other" }),
            ["fallbackCategory"] = "Other",
            ["foodSafetyCategory"] = "Other",
        };

        var run = await RunAsync("The invoice is wrong", rules: rules);

        run.State.ActivityOutputs["classify"]["Category"]!.GetValue<string>().Should().Be("Billing");
        run.Completed.Should().Contain("onClassified");
    }

    [Fact]
    public async Task Malformed_rules_become_an_incident_naming_the_activity_and_the_input()
    {
        var run = await RunAsync("罐头胀罐了", rules: JsonValue.Create("{ \"categories\": [ "));

        var incident = run.State.Incidents.Should().ContainSingle().Subject;
        incident.ActivityId.Should().Be("classify");
        incident.Message.Should().Contain("Rules").And.Contain("not valid JSON");
        incident.Exception!.Type.Should().Be(typeof(FormatException).FullName);
        run.Completed.Should().NotContain(id => id.StartsWith("on", StringComparison.Ordinal));
    }

    private sealed record Run(WorkflowState State, List<string> Completed);

    /// <summary>Runs classify → onClassified | onUncertain | onFoodSafety through the real executor, without a database.</summary>
    private static async Task<Run> RunAsync(string text, string? title = null, double? threshold = null, JsonNode? rules = null)
    {
        var inputs = new JsonObject { ["text"] = Literal(text), ["title"] = Literal(title) };
        if (threshold is { } t) inputs["threshold"] = Literal(t);
        if (rules is not null) inputs["rules"] = rules is JsonObject ? Input("Object", rules.ToJsonString()) : Literal(rules);

        var activities = new JsonArray(Activity("classify", "Feedback.ClassifyFeedback", inputs));
        var connections = new JsonArray();
        foreach (var port in new[] { ClassifyFeedback.Outcomes.Classified, ClassifyFeedback.Outcomes.Uncertain, ClassifyFeedback.Outcomes.FoodSafety })
        {
            activities.Add(Activity("on" + port, "Elsa.WriteLine", new JsonObject { ["text"] = Literal(port) }));
            connections.Add(new JsonObject
            {
                ["source"] = new JsonObject { ["activity"] = "classify", ["port"] = port },
                ["target"] = new JsonObject { ["activity"] = "on" + port, ["port"] = "In" },
            });
        }
        var definition = new JsonObject
        {
            ["name"] = "Classify", ["version"] = 1, ["variables"] = new JsonArray(),
            ["root"] = new JsonObject { ["id"] = "flow1", ["type"] = "Elsa.Flowchart", ["version"] = 1, ["activities"] = activities, ["connections"] = connections },
        };

        var registry = new ActivityRegistry().AddFromAssembly(typeof(WorkflowExecutor).Assembly).Add(typeof(ClassifyFeedback));
        IExpressionHandler[] handlers = [new LiteralExpressionHandler(), new ObjectExpressionHandler(), new JsonExpressionHandler()];
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var model = new WorkflowDefinitionReader(registry, handlers).Read(definition, "def", "ver", 1);
        var executor = new WorkflowExecutor(handlers, new SystemClock(), NullLogger<WorkflowExecutor>.Instance);
        var state = executor.CreateState(model, Ids.New(), null, null);
        var context = await executor.StartAsync(model, state, null, services, CancellationToken.None);
        return new Run(state, context.Journal.Where(j => j.EventName == "Completed").Select(j => j.ActivityId!).ToList());
    }

    private static JsonObject Activity(string id, string type, JsonObject inputs)
    {
        var json = new JsonObject { ["id"] = id, ["type"] = type, ["version"] = 1 };
        foreach (var (key, value) in inputs) json[key] = value?.DeepClone();
        return json;
    }

    private static JsonObject Literal<T>(T value) => Input("Literal", value is null ? null : JsonValue.Create(value));

    private static JsonObject Literal(JsonNode? value) => Input("Literal", value);

    private static JsonObject Input(string syntax, JsonNode? value) =>
        new() { ["typeName"] = "Object", ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };
}
