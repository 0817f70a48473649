using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Tasks;

/// <summary>
/// A human task for a person or for anyone with a role in a department: it opens a task with a form, waits until
/// someone completes it through <see cref="TaskService"/>, and continues on the port named by the chosen action.
/// </summary>
[Activity("Feedback", "Feedback",
    "Asks a person, or anyone with a role in a department, to fill in a form and choose an action; each action is an outcome.",
    DisplayName = "Staff Task", Kind = ActivityKind.Task)]
public sealed class StaffTask : Activity
{
    /// <summary>The bookmark name; its payload is <c>{TaskId}</c>.</summary>
    public const string Stimulus = "Feedback.StaffTask";
    /// <summary>The resume input key carrying a <see cref="StaffTaskCompletion"/>.</summary>
    public const string CompletionInputKey = "StaffTaskCompletion";
    /// <summary>The only action when the designer lists none.</summary>
    public const string DefaultAction = "Submit";

    [Input(Description = "What has to be done, as the assignee sees it in the inbox.", Order = 0)]
    public Input<string> Title { get; set; } = default!;

    [Input(Description = "Details for whoever does the task.", UIHint = InputUIHints.MultiLine, Order = 1)]
    public Input<string?> Instructions { get; set; } = default!;

    [Input(Description = "The user name of the person the task is for; empty gives it to the role.", Order = 2)]
    public Input<string?> Assignee { get; set; } = default!;

    [Input(Description = "Give the task to the member responsible for the case when it opens (who may have changed since the assignment); Assignee counts only while the case has nobody responsible.", Order = 2)]
    public Input<bool> ToCaseOwner { get; set; } = default!;

    [Input(Description = "The role that may do the task when no assignee is set.", UIHint = InputUIHints.DropDown,
        Options = [nameof(StaffRole.Staff), nameof(StaffRole.DepartmentHead), nameof(StaffRole.ComplaintDesk), nameof(StaffRole.ComplaintDeskManager), nameof(StaffRole.Management)],
        Order = 3)]
    public Input<string?> Role { get; set; } = default!;

    [Input(Description = "The department whose members with the role may do it; empty uses the case's lead department, or any department.", Order = 4)]
    public Input<string?> Department { get; set; } = default!;

    [Input(Description = "The form: [{\"name\",\"label\",\"type\":\"text|number|date|choice|attachment\",\"required\",\"choices\",\"variable\"}]. Each value is also written to the variable named by 'variable' (or the field name) when declared; a field left empty sets it to null.",
        UIHint = InputUIHints.JsonEditor, Order = 5)]
    public List<TaskField> Fields { get; set; } = new();

    [Input(Description = "The buttons; each becomes an outcome port.", UIHint = InputUIHints.DynamicOutcomes, DefaultSyntax = "Object",
        DefaultValue = new[] { DefaultAction }, Order = 6)]
    public Input<List<string>> Actions { get; set; } = default!;

    [Input(Description = "How long the assignee has (d.hh:mm:ss); shown as the due date.", Order = 7)]
    public Input<TimeSpan?> DueIn { get; set; } = default!;

    [Input(Description = "Count DueIn in working time on the calendar of the task's department (else the case's lead department): its days are working days, its hours working hours.", Order = 8)]
    public Input<bool> DueInWorkingTime { get; set; } = default!;

    [Input(Description = "A due date the flow knows, e.g. the plan's deadline: yyyy-MM-dd (the end of that day in the time zone of the task department's calendar) or a date and time. With DueIn as well, the earlier one counts; one already past is left out.", Order = 9)]
    public Input<string?> DueBy { get; set; } = default!;

    [Input(Description = "A clock of the case's SLA (Plan, Resolution, Reply...) the task may not outlast: it is due no later than that clock's target under the case's policy, so a severity A case's task is due sooner. With DueIn or DueBy as well, the earliest counts; a clock stopped or already past is left out.",
        UIHint = InputUIHints.DropDown, Options = [Sla.SlaClockNames.Acknowledgement, Sla.SlaClockNames.Classification, Sla.SlaClockNames.Assignment, Sla.SlaClockNames.Plan, Sla.SlaClockNames.Resolution, Sla.SlaClockNames.Reply],
        Order = 10)]
    public Input<string?> DueWithSla { get; set; } = default!;

    [Input(Description = "A review of the rectification: the case owner and whoever did one of the case's tasks given to a person (plan, rectification) may not do it. The person the feedback is about is always kept out.", Order = 11)]
    public Input<bool> ExcludeRectifiers { get; set; } = default!;

    [Input(Description = "People who may not do this task, by user name: e.g. whoever did the department head's review, so that the complaint desk's review is a second person's.", UIHint = InputUIHints.MultiText, DefaultSyntax = "Object", Order = 11)]
    public Input<List<string>?> Exclude { get; set; } = default!;

    [Input(Description = "The case's status while the task is open, as staff and the customer's case page show it (e.g. InRectification for the rectification, UnderReview for a review); empty leaves it. A replied or closed case keeps its status.",
        UIHint = InputUIHints.DropDown, Options = [nameof(Cases.CaseStatus.Assigned), nameof(Cases.CaseStatus.PlanSubmitted), nameof(Cases.CaseStatus.InRectification), nameof(Cases.CaseStatus.UnderReview), nameof(Cases.CaseStatus.AwaitingCustomer)],
        Order = 12)]
    public Input<string?> CaseStatus { get; set; } = default!;

    [Input(Description = "The case the task belongs to; empty uses the instance's correlation id when that is a case number.", Category = "Advanced", Order = 13)]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Output(Description = "The action the person chose.")]
    public Output<string> Action { get; set; } = default!;

    [Output(Description = "The submitted form values by field name.")]
    public Output<object> Values { get; set; } = default!;

    [Output(Description = "The user name of whoever completed the task.")]
    public Output<string> CompletedBy { get; set; } = default!;

    /// <summary>The bookmark payload for a task id.</summary>
    public static JsonObject BookmarkPayload(string taskId) => new() { ["TaskId"] = taskId };

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var title = Blank(context.Get(Title)) ?? throw new FormatException("Input 'Title': a task needs a title.");
        var assignee = Blank(context.Get(Assignee));
        var toOwner = context.Get(ToCaseOwner);
        var role = ParseRole(context.Get(Role));
        if (assignee is null && role is null && !toOwner)
            throw new FormatException("Inputs 'Assignee', 'Role' and 'ToCaseOwner' are all empty: a task is for a person, a role or the case's owner; set at least one.");
        var actions = ActionsOf(context.Get(Actions));
        var declared = context.WorkflowContext.Variables;
        var fieldErrors = TaskForm.CheckDefinition(Fields, name => declared.Any(v => v.Name == name || v.Id == name));
        if (fieldErrors.Count > 0) throw new FormatException("Input 'Fields': " + string.Join(" ", fieldErrors));
        var dueIn = context.Get(DueIn);
        if (dueIn < TimeSpan.Zero) throw new FormatException($"Input 'DueIn': {dueIn} is negative.");
        var dueRule = new TaskDue(dueIn, context.Get(DueInWorkingTime), Blank(context.Get(DueBy)), Blank(context.Get(DueWithSla)));
        dueRule.Validate(nameof(DueBy)); // a malformed value faults before anything is read
        var status = ParseStatus(context.Get(CaseStatus));

        var feedbackCase = await FindCaseAsync(context);
        if (toOwner && feedbackCase?.Owner is { } owner) assignee = owner;
        if (assignee is null && role is null)
            throw new FormatException("Input 'ToCaseOwner': the case has nobody responsible yet, and neither Assignee nor Role is set.");
        var department = Blank(context.Get(Department)) ?? (role is not null ? feedbackCase?.LeadDepartment : null);
        var taskId = Ids.New();
        var bookmark = context.CreateBookmark(new BookmarkRequest(Stimulus, BookmarkPayload(taskId)));
        context.Properties["taskId"] = taskId;
        context.Properties["title"] = title;
        context.Properties["caseNumber"] = feedbackCase?.Number;
        context.Properties["actions"] = new JsonArray(actions.Select(a => (JsonNode?)a).ToArray());

        var now = context.Now; // one reading, so the due time is exactly the given span after creation
        var dueAt = await dueRule.ComputeAsync(context, feedbackCase?.Number, department ?? feedbackCase?.LeadDepartment, now, nameof(DueBy));
        var task = new FeedbackTask
        {
            Id = taskId,
            WorkflowInstanceId = context.WorkflowInstanceId,
            BookmarkId = bookmark.Id,
            ActivityId = context.ActivityId,
            CaseNumber = feedbackCase?.Number,
            Title = title,
            Instructions = Blank(context.Get(Instructions)),
            Assignee = assignee,
            Role = role,
            DepartmentId = department,
            Fields = Fields.Select(f => f with { Type = TaskForm.TypeOf(f)! }).ToList(),
            Actions = actions,
            DueAt = dueAt,
            Excluded = await ExcludedAsync(context, feedbackCase?.Number),
            CreatedAt = now,
        };
        var mayGoUp = feedbackCase is not null && assignee is null;
        var recipients = mayGoUp || TaskMail.Sends(context) ? await TaskMail.RecipientsAsync(context, task) : TaskRecipients.NotLookedUp;
        var handedUp = "";
        if (mayGoUp && !recipients.AnyonePresent)
            (recipients, handedUp) = await HandUpAsync(context, task, recipients);
        context.Enlist(new TaskOpened(task));
        var mailed = TaskMail.Stage(context, task, recipients);
        if (feedbackCase is not null)
            context.Enlist(new CaseChange(feedbackCase.Number, "TaskOpened",
                $"Task '{title}' for {TaskAccess.Audience(task)}.{handedUp}" + (mailed.Count > 0 ? $" Mailed to {string.Join(", ", mailed)}." : ""),
                status is { } open ? c => { if (c.Status is not (Cases.CaseStatus.Replied or Cases.CaseStatus.Closed)) c.Status = open; } : NoChange));
        context.AddJournal("TaskOpened", title, new JsonObject { ["taskId"] = taskId });
    }

    protected override ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        var taskId = TaskIdOf(context) ?? throw new InvalidOperationException("The task was resumed but it never opened a task (no task id in its state).");
        var actions = context.Properties["actions"]?.Deserialize<List<string>>(ElsaJson.Options) ?? [DefaultAction];
        var (completion, problem) = ReadCompletion(context.Input);
        var submission = TaskForm.CheckSubmission(Fields, actions, completion?.Action, completion?.Values);
        if (completion is null || string.IsNullOrWhiteSpace(completion.CompletedBy) || !submission.IsValid)
        {
            // The bookmark is spent either way: close the task so no inbox offers it, and fault with the reason;
            // retrying the incident opens a fresh task.
            context.Enlist(new TaskClosed(taskId, FeedbackTaskStatus.Cancelled, null, null, null, null));
            IReadOnlyList<string> problems = problem is not null ? [problem]
                : string.IsNullOrWhiteSpace(completion!.CompletedBy) ? ["completedBy: required."]
                : submission.Errors;
            throw new FormatException($"Task {taskId} cannot complete: {string.Join(" ", problems)}");
        }

        var action = completion.Action!;
        context.Set(Action, action);
        context.Set<object>(Values, submission.Values);
        context.Set(CompletedBy, completion.CompletedBy);
        var declared = context.WorkflowContext.Variables;
        foreach (var field in Fields)
        {
            var variable = string.IsNullOrWhiteSpace(field.Variable) ? field.Name : field.Variable;
            if (!declared.Any(v => v.Name == variable || v.Id == variable)) continue;
            // A field left empty is empty now: a comment from an earlier round must not read as this round's.
            context.SetVariable(variable, submission.Values.TryGetPropertyValue(field.Name, out var value) ? value : null);
        }

        context.Enlist(new TaskClosed(taskId, FeedbackTaskStatus.Completed, completion.CompletedBy, action, submission.Values, completion.CompletionKey, completion.Holder));
        if ((string?)context.Properties["caseNumber"] is { } caseNumber)
            context.Enlist(new CaseChange(caseNumber, "TaskCompleted", $"Task '{(string?)context.Properties["title"]}': {action} by {completion.CompletedBy}{(completion.OnBehalfOf is { } absent ? $" on behalf of {absent}" : "")}.", NoChange,
                Actor: completion.CompletedBy, Via: "task"));
        context.AddJournal("TaskCompleted", action, new JsonObject { ["taskId"] = taskId, ["completedBy"] = completion.CompletedBy });
        context.Complete(action);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask CancelAsync(ActivityExecutionContext context)
    {
        // An execute that faulted opened no task, so there is nothing to close.
        if (TaskIdOf(context) is not { } taskId) return ValueTask.CompletedTask;
        context.Enlist(new TaskClosed(taskId, FeedbackTaskStatus.Cancelled, null, null, null, null));
        if ((string?)context.Properties["caseNumber"] is { } caseNumber)
            context.Enlist(new CaseChange(caseNumber, "TaskCancelled", $"Task '{(string?)context.Properties["title"]}' was withdrawn: its branch of the workflow ended.", NoChange));
        return ValueTask.CompletedTask;
    }

    /// <summary>The actions as the task offers them: trimmed, without blanks or repeats; <see cref="DefaultAction"/> when none.</summary>
    public static List<string> ActionsOf(IEnumerable<string?>? actions)
    {
        var list = (actions ?? []).Select(a => a?.Trim()).Where(a => !string.IsNullOrEmpty(a)).Select(a => a!).Distinct(StringComparer.Ordinal).ToList();
        return list.Count > 0 ? list : [DefaultAction];
    }

    private static string? TaskIdOf(ActivityExecutionContext context) => (string?)context.Properties["taskId"];

    private static (StaffTaskCompletion? Completion, string? Problem) ReadCompletion(IReadOnlyDictionary<string, JsonNode?> input)
    {
        if (input.GetValueOrDefault(CompletionInputKey) is not JsonObject json)
            return (null, $"the resume input has no '{CompletionInputKey}' object; staff tasks are completed through /api/tasks/{{id}}/complete.");
        try
        {
            return (json.Deserialize<StaffTaskCompletion>(ElsaJson.Options), null);
        }
        catch (JsonException e)
        {
            return (null, $"'{CompletionInputKey}' is malformed: {e.Message}");
        }
    }

    /// <exception cref="FormatException">Not the name of a status a case has while it is handled.</exception>
    private static Cases.CaseStatus? ParseStatus(string? status)
    {
        if (Blank(status) is not { } name) return null;
        var open = Enum.GetValues<Cases.CaseStatus>().Where(s => s is not (Cases.CaseStatus.Replied or Cases.CaseStatus.Closed)).ToList();
        foreach (var candidate in open)
            if (candidate.ToString().Equals(name, StringComparison.OrdinalIgnoreCase)) return candidate;
        throw new FormatException($"Input 'CaseStatus': '{name}' is not a status of a case being handled; use one of {string.Join(", ", open)} (the written reply and Close Case end a case).");
    }

    /// <exception cref="FormatException">Not a <see cref="StaffRole"/> name.</exception>
    private static string? ParseRole(string? role)
    {
        if (Blank(role) is not { } name) return null;
        return Enum.GetNames<StaffRole>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"Input 'Role': '{name}' is not a role; use one of {string.Join(", ", Enum.GetNames<StaffRole>())}.");
    }

    /// <summary>
    /// The people the task keeps out (<see cref="FeedbackTask.Excluded"/>): those named in <see cref="Exclude"/>, and on a
    /// case the person complained about and, for a review, the rectifiers: the case owner and the assignees of the case's
    /// person-assigned tasks, open or done, so a rectification finished in this very step counts.
    /// </summary>
    private async Task<List<string>> ExcludedAsync(ActivityExecutionContext context, string? caseNumber)
    {
        var excluded = new List<string?>(context.Get(Exclude) ?? []);
        if (caseNumber is null) return Distinct(excluded);
        var feedback = await context.Services.GetRequiredService<Cases.CaseService>().FindForStepAsync(caseNumber, context);
        excluded.Add(feedback?.ComplainedAbout);
        if (context.Get(ExcludeRectifiers))
        {
            excluded.Add(feedback?.Owner);
            await using var db = await context.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Persistence.FeedbackDbContext>>()
                .CreateDbContextAsync(context.CancellationToken);
            await foreach (var rectifier in RectifiersOf.For(db)(db, caseNumber).WithCancellation(context.CancellationToken))
                excluded.AddRange([rectifier.Assignee, rectifier.CompletedBy]);
        }
        return Distinct(excluded);
    }

    private static List<string> Distinct(IEnumerable<string?> users) =>
        users.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    // Compiled once: every task a step opens asks who already worked on its case.
    private static readonly PerModelQuery<Func<Persistence.FeedbackDbContext, string, IAsyncEnumerable<Rectifier>>> RectifiersOf = new(() =>
        EF.CompileAsyncQuery((Persistence.FeedbackDbContext db, string caseNumber) => db.Tasks
            .Where(t => t.CaseNumber == caseNumber && t.Assignee != null && t.Status != FeedbackTaskStatus.Cancelled)
            .Select(t => new Rectifier(t.Assignee, t.CompletedBy))));

    /// <summary>The case this task belongs to: the named one (which must exist), else the one whose number is the correlation id.</summary>
    /// <exception cref="InvalidOperationException">The CaseNumber input names a case that does not exist.</exception>
    private async Task<CaseRef?> FindCaseAsync(ActivityExecutionContext context)
    {
        var named = Blank(context.Get(CaseNumber));
        var number = named ?? Blank(context.CorrelationId);
        if (number is null) return null;
        // Through the case service: the case as this step will commit it (a lead department chosen earlier in the
        // same burst counts), read once per burst.
        var cases = context.Services.GetRequiredService<Cases.CaseService>();
        var found = await cases.FindForStepAsync(number, context) is { } feedback ? new CaseRef(feedback.Number, feedback.LeadDepartment, feedback.Owner) : null;
        if (found is null && named is not null) throw new InvalidOperationException($"Input 'CaseNumber': there is no case {named}.");
        return found;
    }

    /// <summary>
    /// A role task of a case that nobody with the role can do now (the person complained about, the rectifier, or
    /// everyone away) goes up as escalations do: to the complaint desk manager, then to management. Without anyone
    /// there either it stays where it was, for a supervisor to reassign.
    /// </summary>
    private static async Task<(TaskRecipients, string)> HandUpAsync(ActivityExecutionContext context, FeedbackTask task, TaskRecipients recipients)
    {
        var (role, department, audience) = (task.Role, task.DepartmentId, TaskAccess.Audience(task));
        foreach (var above in new[] { nameof(StaffRole.ComplaintDeskManager), nameof(StaffRole.Management) })
        {
            if (task.Role == above && task.DepartmentId is null) continue;
            (task.Role, task.DepartmentId) = (above, null);
            var found = await TaskMail.RecipientsAsync(context, task);
            if (found.AnyonePresent)
            {
                task.Instructions = $"No one of {audience} can do this task now (the person complained about, the rectifier, or away), so it came to you. {task.Instructions}".TrimEnd();
                return (found, $" No one of {audience} could do it now; it went up.");
            }
        }
        (task.Role, task.DepartmentId) = (role, department);
        return (recipients, $" No one of {audience} can do it now, nor anyone above; a supervisor can reassign it.");
    }

    private static void NoChange(FeedbackCase _) { }

    private sealed record CaseRef(string Number, string? LeadDepartment, string? Owner);

    private sealed record Rectifier(string? Assignee, string? CompletedBy);
}

/// <summary>What completing a staff task sends to the waiting activity (under <see cref="StaffTask.CompletionInputKey"/>).</summary>
/// <param name="CompletionKey">The client's idempotency key, stored on the task so a repeated submit gets the first answer.</param>
/// <param name="OnBehalfOf">The absent member whose task a delegate completed, for the case history.</param>
/// <param name="Holder">Who held the task when the completion was allowed; the step closes the task only if they still do.</param>
public sealed record StaffTaskCompletion(string? Action, JsonObject? Values, string CompletedBy, string? CompletionKey, string? OnBehalfOf = null, TaskHolder? Holder = null);

/// <summary>
/// Who held a task (assignee, claimant, exclusions) when a completion was checked against it. The completion waits for
/// its workflow's turn after that check, so the step closes the task only if nobody reassigned, claimed or excluded
/// anyone in between.
/// </summary>
public sealed record TaskHolder(string? Assignee, string? ClaimedBy, IReadOnlyList<string> Excluded)
{
    public static TaskHolder Of(FeedbackTask task) => new(task.Assignee, task.ClaimedBy, [.. task.Excluded]);

    /// <summary>Whether <paramref name="task"/> is still open and held as it was.</summary>
    public bool StillHolds(FeedbackTask task) =>
        task.Status is FeedbackTaskStatus.Open or FeedbackTaskStatus.Claimed
        && task.Assignee == Assignee && task.ClaimedBy == ClaimedBy && task.Excluded.SequenceEqual(Excluded, StringComparer.OrdinalIgnoreCase);
}
