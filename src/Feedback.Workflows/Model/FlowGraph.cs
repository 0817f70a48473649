namespace Feedback.Workflows.Model;

/// <summary>
/// A flowchart seen from one start activity: which edges go forward and which close a loop, which activities
/// are reachable, and which share a cycle. A depth-first walk from the start classifies an edge as backward
/// when it returns to an activity still on the walk's path.
/// </summary>
public sealed class FlowGraph
{
    private readonly HashSet<Connection> _backward = new();
    private readonly Dictionary<string, List<Connection>> _outbound = new();
    private readonly Dictionary<string, List<Connection>> _forwardInbound = new();
    private readonly Dictionary<string, int> _cycle = new();

    internal FlowGraph(FlowchartModel flowchart, string startActivityId)
    {
        StartActivityId = startActivityId;
        foreach (var c in flowchart.Connections)
            (_outbound.TryGetValue(c.SourceActivityId, out var list) ? list : _outbound[c.SourceActivityId] = new()).Add(c);

        var state = new Dictionary<string, int>(); // 1 = on path, 2 = done
        var stack = new Stack<(string Id, int Next)>();
        stack.Push((startActivityId, 0));
        state[startActivityId] = 1;
        while (stack.Count > 0)
        {
            var (id, next) = stack.Pop();
            var edges = Outbound(id);
            if (next < edges.Count)
            {
                stack.Push((id, next + 1));
                var edge = edges[next];
                var target = edge.TargetActivityId;
                if (!state.TryGetValue(target, out var s)) { state[target] = 1; stack.Push((target, 0)); }
                else if (s == 1) _backward.Add(edge);
            }
            else state[id] = 2;
        }
        Reachable = state.Keys.ToHashSet();

        foreach (var c in flowchart.Connections)
            if (Reachable.Contains(c.SourceActivityId) && !_backward.Contains(c))
                (_forwardInbound.TryGetValue(c.TargetActivityId, out var list) ? list : _forwardInbound[c.TargetActivityId] = new()).Add(c);

        // Activities on a common cycle: a backward edge t<-s puts every activity on a forward path t..s in t's cycle.
        var cycleId = 0;
        foreach (var back in _backward)
        {
            var members = ForwardPathMembers(back.TargetActivityId, back.SourceActivityId);
            var existing = members.Where(_cycle.ContainsKey).Select(m => _cycle[m]).Distinct().ToList();
            var id = existing.Count > 0 ? existing.Min() : ++cycleId;
            foreach (var (activity, _) in _cycle.Where(kv => existing.Contains(kv.Value)).ToList()) _cycle[activity] = id;
            foreach (var m in members) _cycle[m] = id;
        }
    }

    public string StartActivityId { get; }
    public IReadOnlySet<string> Reachable { get; }

    public IReadOnlyList<Connection> Outbound(string activityId) =>
        _outbound.TryGetValue(activityId, out var list) ? list : [];

    /// <summary>Inbound edges a join waits for: forward edges from reachable activities.</summary>
    public IReadOnlyList<Connection> ForwardInbound(string activityId) =>
        _forwardInbound.TryGetValue(activityId, out var list) ? list : [];

    public bool IsBackward(Connection connection) => _backward.Contains(connection);

    /// <summary>Edges leaving the cycle <paramref name="cycleId"/>.</summary>
    public IEnumerable<Connection> ExitsOf(int cycleId) =>
        _outbound.Values.SelectMany(e => e).Where(c => CycleOf(c.SourceActivityId) == cycleId && !IsBackward(c) && LeavesCycle(c));

    /// <summary>True when the activity is on cycle <paramref name="cycleId"/>.</summary>
    public bool IsOnCycle(string activityId, int cycleId) => CycleOf(activityId) == cycleId;

    /// <summary>The id of the cycle (loop) the activity is on, if any.</summary>
    public int? CycleOf(string activityId) => _cycle.TryGetValue(activityId, out var id) ? id : null;

    /// <summary>True when the edge leaves a loop: its source is on a cycle that its target is not on.</summary>
    public bool LeavesCycle(Connection connection) =>
        _cycle.TryGetValue(connection.SourceActivityId, out var source) &&
        (!_cycle.TryGetValue(connection.TargetActivityId, out var target) || target != source);

    /// <summary>True when the edge stays on the source's cycle (including the backward edge itself).</summary>
    public bool StaysInCycle(Connection connection) =>
        _cycle.TryGetValue(connection.SourceActivityId, out var source) &&
        _cycle.TryGetValue(connection.TargetActivityId, out var target) && target == source;

    /// <summary>Activities from which <paramref name="activityId"/> can be reached along forward edges.</summary>
    public IReadOnlySet<string> ForwardAncestors(string activityId)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>();
        pending.Push(activityId);
        while (pending.Count > 0)
            foreach (var c in ForwardInbound(pending.Pop()))
                if (seen.Add(c.SourceActivityId)) pending.Push(c.SourceActivityId);
        return seen;
    }

    private HashSet<string> ForwardPathMembers(string from, string to)
    {
        // Activities reachable forward from 'from' that can also reach 'to' forward.
        var down = new HashSet<string> { from };
        var pending = new Stack<string>(down);
        while (pending.Count > 0)
            foreach (var c in Outbound(pending.Pop()))
                if (!_backward.Contains(c) && down.Add(c.TargetActivityId)) pending.Push(c.TargetActivityId);
        var up = ForwardAncestors(to).Append(to).ToHashSet();
        down.IntersectWith(up);
        down.Add(from);
        down.Add(to);
        return down;
    }
}
