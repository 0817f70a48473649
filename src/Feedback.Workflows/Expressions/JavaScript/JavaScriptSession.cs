using System.Text;
using System.Text.Json.Nodes;
using Feedback.Workflows.Model;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Feedback.Workflows.Expressions.JavaScript;

/// <summary>
/// The globals one evaluation sees (Elsa 3's function set, generated accessors, the <c>variables</c> object) and the
/// write-back of <c>variables.X</c> afterwards. One per evaluation; bound to one engine and one scope.
/// </summary>
internal sealed class JavaScriptSession
{
    /// <summary>Global functions every script gets; generated accessors never shadow these.</summary>
    public static readonly IReadOnlySet<string> BuiltInNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "getWorkflowDefinitionId", "getWorkflowDefinitionVersionId", "getWorkflowDefinitionVersion", "getWorkflowInstanceId",
        "getCorrelationId", "setCorrelationId", "getWorkflowInstanceName", "setWorkflowInstanceName",
        "getVariable", "setVariable", "getInput", "getOutputFrom", "getLastResult",
        "isNullOrWhiteSpace", "isNullOrEmpty", "toJson", "parseGuid", "newGuid", "newGuidString", "newShortGuid",
        "getGuidString", "getShortGuid", "stringToBase64", "stringFromBase64", "variables",
    };

    private readonly Engine _engine;
    private readonly IExpressionScope _scope;
    private readonly JsonBridge _json;
    private readonly Dictionary<string, VariableSlot> _slots = new(StringComparer.Ordinal);
    private readonly ObjectInstance _variables;

    public JavaScriptSession(Engine engine, IExpressionScope scope)
    {
        _engine = engine;
        _scope = scope;
        _json = new JsonBridge(engine);
        InstallCommonFunctions();
        _variables = InstallVariablesObject();
        InstallAccessors();
    }

    public JsonBridge Json => _json;

    /// <summary>
    /// Stores what the script did to <c>variables</c>: assigned entries, and read entries whose JSON changed (in-place edits
    /// such as <c>variables.Customer.name = 'x'</c>). Runs inside the evaluation's time budget: it may call script getters.
    /// </summary>
    /// <exception cref="ExpressionEvaluationException">The script assigned a variable the workflow does not declare.</exception>
    public void WriteBackVariables()
    {
        var undeclared = new List<string>();
        foreach (var key in _variables.GetOwnPropertyKeys(Types.String))
        {
            var name = key.ToString();
            if (_slots.TryGetValue(name, out var slot) && ReferenceEquals(_variables.GetOwnProperty(key).Get, slot.Getter))
                continue;

            // The script replaced our accessor (delete + assign, defineProperty) or added a new key.
            if (slot is null)
            {
                undeclared.Add(name);
                continue;
            }

            slot.Value = _variables.Get(key);
            slot.Assigned = true;
        }

        if (undeclared.Count > 0)
        {
            var declared = _slots.Count == 0 ? "none" : string.Join(", ", _slots.Keys);
            throw new ExpressionEvaluationException(
                $"The script assigned {string.Join(", ", undeclared.Select(n => $"variables.{n}"))}, but the workflow declares no such variable " +
                $"(declared: {declared}). Declare it in the workflow's variables first.");
        }

        foreach (var slot in _slots.Values)
        {
            JsonNode? value;
            if (slot.Assigned)
            {
                value = ToStoredJson(slot.Value, slot.Name);
            }
            else if (slot.Loaded)
            {
                var now = _json.Stringify(slot.Value);
                if (now == slot.Snapshot)
                    continue;
                value = now is null ? null : ToStoredJson(slot.Value, slot.Name);
            }
            else
            {
                continue;
            }

            try
            {
                _scope.SetVariable(slot.Id, value);
            }
            catch (KeyNotFoundException ex)
            {
                throw new ExpressionEvaluationException($"Variable '{slot.Name}' could not be written back: {ex.Message}", ex);
            }
        }
    }

    private JsonNode? ToStoredJson(JsValue value, string name)
    {
        try
        {
            return _json.ToJsonNode(value, $"variables.{name}");
        }
        catch (JavaScriptException ex)
        {
            throw new ExpressionEvaluationException(ex.Message, ex);
        }
    }

    private void InstallCommonFunctions()
    {
        Define("getWorkflowDefinitionId", 0, _ => new JsString(_scope.WorkflowDefinitionId));
        Define("getWorkflowDefinitionVersionId", 0, _ => new JsString(_scope.WorkflowDefinitionVersionId));
        Define("getWorkflowDefinitionVersion", 0, _ => new JsNumber(_scope.WorkflowDefinitionVersion));
        Define("getWorkflowInstanceId", 0, _ => new JsString(_scope.WorkflowInstanceId));
        Define("getCorrelationId", 0, _ => StringOrNull(_scope.CorrelationId));
        Define("setCorrelationId", 1, args =>
        {
            _scope.CorrelationId = OptionalString(Arg(args, 0));
            return JsValue.Undefined;
        });
        Define("getWorkflowInstanceName", 0, _ => StringOrNull(_scope.WorkflowInstanceName));
        Define("setWorkflowInstanceName", 1, args =>
        {
            _scope.WorkflowInstanceName = OptionalString(Arg(args, 0));
            return JsValue.Undefined;
        });
        Define("getVariable", 1, args => ReadVariable(RequiredString(args, 0, "getVariable")));
        Define("setVariable", 2, args =>
        {
            WriteVariable(RequiredString(args, 0, "setVariable"), Arg(args, 1));
            return JsValue.Undefined;
        });
        Define("getInput", 1, args => ReadInput(RequiredString(args, 0, "getInput")));
        Define("getOutputFrom", 2, args =>
        {
            var activity = RequiredString(args, 0, "getOutputFrom");
            var output = OptionalString(Arg(args, 1));
            return _json.ToJs(_scope.GetActivityOutput(activity, output));
        });
        Define("getLastResult", 0, _ => _json.ToJs(_scope.LastResult));
        Define("isNullOrWhiteSpace", 1, args => IsNullOr(Arg(args, 0), string.IsNullOrWhiteSpace));
        Define("isNullOrEmpty", 1, args => IsNullOr(Arg(args, 0), string.IsNullOrEmpty));
        Define("toJson", 1, args => new JsString(_json.Stringify(Arg(args, 0)) ?? "null"));
        Define("parseGuid", 1, args =>
        {
            var text = RequiredString(args, 0, "parseGuid");
            return Guid.TryParse(text, out var guid)
                ? new JsString(guid.ToString("D"))
                : throw new JavaScriptException(_engine.Intrinsics.TypeError, $"parseGuid: '{text}' is not a GUID.");
        });
        // Without CLR access a Guid can only cross as text, so newGuid() gives the same string as newGuidString().
        Define("newGuid", 0, _ => new JsString(Guid.NewGuid().ToString("D")));
        Define("newGuidString", 0, _ => new JsString(Guid.NewGuid().ToString("D")));
        Define("getGuidString", 0, _ => new JsString(Guid.NewGuid().ToString("D")));
        Define("newShortGuid", 0, _ => new JsString(ShortGuid()));
        Define("getShortGuid", 0, _ => new JsString(ShortGuid()));
        Define("stringToBase64", 1, args => new JsString(Convert.ToBase64String(Encoding.UTF8.GetBytes(RequiredString(args, 0, "stringToBase64")))));
        Define("stringFromBase64", 1, args =>
        {
            var text = RequiredString(args, 0, "stringFromBase64");
            var buffer = new byte[text.Length];
            return Convert.TryFromBase64String(text, buffer, out var written)
                ? new JsString(Encoding.UTF8.GetString(buffer, 0, written))
                : throw new JavaScriptException(_engine.Intrinsics.TypeError, "stringFromBase64: the argument is not valid base64.");
        });
    }

    private ObjectInstance InstallVariablesObject()
    {
        var variables = new JsObject(_engine);
        foreach (var definition in _scope.Variables)
        {
            if (_slots.ContainsKey(definition.Name))
                continue; // A name declared twice (nested containers): the scope resolves it, one entry is enough.

            var slot = new VariableSlot(definition.Id, definition.Name);
            slot.Getter = new ClrFunction(_engine, "get " + definition.Name, (_, _) => LoadSlot(slot));
            var setter = new ClrFunction(_engine, "set " + definition.Name, (_, args) =>
            {
                slot.Value = Arg(args, 0);
                slot.Assigned = true;
                return JsValue.Undefined;
            }, 1);
            // Lazy accessors: a variable is converted only if the script touches it, however it is reached
            // (variables.X, variables["my var"], Object.keys, JSON.stringify(variables)).
            variables.DefineOwnProperty(definition.Name, new GetSetPropertyDescriptor(slot.Getter, setter, enumerable: true, configurable: true));
            _slots.Add(definition.Name, slot);
        }

        // Read-only binding so that `variables = {...}` cannot silently detach the object we write back from.
        _engine.Global.DefineOwnProperty("variables", new PropertyDescriptor(variables, writable: false, enumerable: false, configurable: false));
        return variables;
    }

    private void InstallAccessors()
    {
        var claimed = new Dictionary<string, Func<JsValue[], JsValue>>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        var variables = _slots.Values.ToList();
        var inputNames = _scope.WorkflowInput.Keys.ToList();

        // Earlier groups win; within a group, two names producing one accessor make it ambiguous and it is dropped.
        Claim(variables.SelectMany(v => VariableAccessors(v.Id, JavaScriptNames.AccessorSuffixes(v.Name).Take(1))));
        Claim(inputNames.SelectMany(n => InputAccessors(n, JavaScriptNames.AccessorSuffixes(n).Take(1))));
        Claim(variables.SelectMany(v => VariableAccessors(v.Id, JavaScriptNames.AccessorSuffixes(v.Name).Skip(1))));
        Claim(inputNames.SelectMany(n => InputAccessors(n, JavaScriptNames.AccessorSuffixes(n).Skip(1))));

        foreach (var (name, body) in claimed)
            Define(name, name.StartsWith("set", StringComparison.Ordinal) ? 1 : 0, body);

        void Claim(IEnumerable<(string Function, string Target, Func<JsValue[], JsValue> Body)> group)
        {
            foreach (var candidates in group.GroupBy(a => a.Function, StringComparer.Ordinal))
            {
                var name = candidates.Key;
                if (BuiltInNames.Contains(name) || claimed.ContainsKey(name) || ambiguous.Contains(name))
                    continue;
                if (candidates.Select(c => c.Target).Distinct(StringComparer.Ordinal).Count() > 1)
                    ambiguous.Add(name);
                else
                    claimed[name] = candidates.First().Body;
            }
        }
    }

    private IEnumerable<(string, string, Func<JsValue[], JsValue>)> VariableAccessors(string variableId, IEnumerable<string> suffixes)
    {
        foreach (var suffix in suffixes)
        {
            yield return ("get" + suffix, "variable:" + variableId, _ => ReadVariable(variableId));
            yield return ("set" + suffix, "variable:" + variableId, args =>
            {
                WriteVariable(variableId, Arg(args, 0));
                return JsValue.Undefined;
            });
        }
    }

    private IEnumerable<(string, string, Func<JsValue[], JsValue>)> InputAccessors(string input, IEnumerable<string> suffixes) =>
        suffixes.Select(suffix => ("get" + suffix, "input:" + input, (Func<JsValue[], JsValue>)(_ => ReadInput(input))));

    private JsValue LoadSlot(VariableSlot slot)
    {
        if (!slot.Loaded && !slot.Assigned)
        {
            slot.Value = ReadVariable(slot.Id);
            slot.Snapshot = _json.Stringify(slot.Value);
            slot.Loaded = true;
        }

        return slot.Value;
    }

    private JsValue ReadVariable(string nameOrId)
    {
        try
        {
            return _json.ToJs(_scope.GetVariable(nameOrId));
        }
        catch (KeyNotFoundException)
        {
            throw new JavaScriptException(_engine.Intrinsics.Error, $"Variable '{nameOrId}' is not declared in this workflow.");
        }
    }

    private void WriteVariable(string nameOrId, JsValue value)
    {
        var json = _json.ToJsonNode(value, $"setVariable('{nameOrId}')");
        try
        {
            _scope.SetVariable(nameOrId, json);
        }
        catch (KeyNotFoundException)
        {
            throw new JavaScriptException(_engine.Intrinsics.Error,
                $"Variable '{nameOrId}' is not declared in this workflow; declare it before setting it.");
        }

        // The stored value is now newer than anything `variables.X` holds: forget it so a later read reloads it
        // and the write-back does not overwrite this call with a stale copy.
        var declared = _scope.Variables.FirstOrDefault(v => v.Name == nameOrId) ?? _scope.Variables.FirstOrDefault(v => v.Id == nameOrId);
        if (declared is not null && _slots.TryGetValue(declared.Name, out var slot))
            slot.Reset();
    }

    private JsValue ReadInput(string name) => _json.ToJs(JsonMembers.Find(_scope.WorkflowInput, name));

    private void Define(string name, int length, Func<JsValue[], JsValue> body) =>
        _engine.SetValue(name, new ClrFunction(_engine, name, (_, args) => body(args), length));

    private string RequiredString(JsValue[] args, int index, string function)
    {
        var value = Arg(args, index);
        if (value.IsNull() || value.IsUndefined())
            throw new JavaScriptException(_engine.Intrinsics.TypeError, $"{function}: argument {index + 1} is required.");
        return TypeConverter.ToString(value);
    }

    private static JsValue Arg(JsValue[] args, int index) => index < args.Length ? args[index] : JsValue.Undefined;

    private static string? OptionalString(JsValue value) => value.IsNull() || value.IsUndefined() ? null : TypeConverter.ToString(value);

    private static JsValue StringOrNull(string? value) => value is null ? JsValue.Null : new JsString(value);

    private static JsValue IsNullOr(JsValue value, Func<string?, bool> test) =>
        value.IsNull() || value.IsUndefined() || (value.IsString() && test(value.AsString())) ? JsBoolean.True : JsBoolean.False;

    // 22 URL-safe characters: the 16 GUID bytes in base64 without padding.
    private static string ShortGuid() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).Replace('/', '_').Replace('+', '-')[..22];

    private sealed class VariableSlot(string id, string name)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public ClrFunction? Getter { get; set; }
        public JsValue Value { get; set; } = JsValue.Undefined;
        public string? Snapshot { get; set; }
        public bool Loaded { get; set; }
        public bool Assigned { get; set; }

        public void Reset()
        {
            Value = JsValue.Undefined;
            Snapshot = null;
            Loaded = false;
            Assigned = false;
        }
    }
}
