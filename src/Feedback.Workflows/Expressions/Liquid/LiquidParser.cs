namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>Builds the statement tree of a template; every error names its line and column.</summary>
internal sealed class LiquidParser
{
    private static readonly IReadOnlySet<string> BlockEnds = new HashSet<string>(StringComparer.Ordinal)
    {
        "else", "elsif", "when", "endif", "endunless", "endcase", "endfor", "endcapture",
    };

    private readonly string _source;
    private readonly List<Segment> _segments;
    private int _position;

    private LiquidParser(string source)
    {
        _source = source;
        _segments = LiquidLexer.Scan(source);
    }

    public static IReadOnlyList<LiquidStatement> Parse(string source)
    {
        var parser = new LiquidParser(source);
        var statements = parser.ParseBlock([], out var terminator);
        if (terminator is not null)
            throw parser.Error(terminator.Offset, $"Unexpected '{{% {terminator.TagName} %}}'");
        return statements;
    }

    private List<LiquidStatement> ParseBlock(string[] terminators, out Segment? terminator)
    {
        var statements = new List<LiquidStatement>();
        while (_position < _segments.Count)
        {
            var segment = _segments[_position++];
            switch (segment.Kind)
            {
                case SegmentKind.Text when segment.Content.Length > 0:
                    statements.Add(new TextStatement(segment.Content));
                    break;
                case SegmentKind.Output:
                    statements.Add(new OutputStatement(ParseMarkup(segment, static r => r.FilteredExpression())));
                    break;
                case SegmentKind.Tag when Array.IndexOf(terminators, segment.TagName) >= 0:
                    terminator = segment;
                    return statements;
                case SegmentKind.Tag:
                    if (ParseTag(segment) is { } statement)
                        statements.Add(statement);
                    break;
            }
        }

        terminator = null;
        return statements;
    }

    private LiquidStatement? ParseTag(Segment tag)
    {
        switch (tag.TagName)
        {
            case "#":
                return null;
            case "if":
            case "unless":
                return ParseIf(tag);
            case "case":
                return ParseCase(tag);
            case "for":
                return ParseFor(tag);
            case "assign":
                return ParseMarkup(tag, r =>
                {
                    var name = r.Expect(TokenKind.Identifier, "a variable name").Text;
                    r.Expect(TokenKind.Equals, "'='");
                    return new AssignStatement(name, r.FilteredExpression());
                });
            case "capture":
                var captureName = ParseMarkup(tag, r => r.NameOrString("a variable name"));
                return new CaptureStatement(captureName, ParseBody(tag, ["endcapture"], out _));
            case "increment":
            case "decrement":
                var counter = ParseMarkup(tag, r => r.Expect(TokenKind.Identifier, "a counter name").Text);
                return new CounterStatement(counter, tag.TagName == "decrement");
            case "cycle":
                return ParseMarkup(tag, r =>
                {
                    LiquidExpression? group = null;
                    var values = new List<LiquidExpression> { r.Primary() };
                    if (r.Accept(TokenKind.Colon))
                    {
                        group = values[0];
                        values[0] = r.Primary();
                    }

                    while (r.Accept(TokenKind.Comma))
                        values.Add(r.Primary());
                    // Unnamed cycles with the same values share their position, as in Liquid.
                    return new CycleStatement(group, values, "cycle:" + tag.Markup.Trim());
                });
            case "echo":
                return new OutputStatement(ParseMarkup(tag, static r => r.FilteredExpression()));
            case "break":
            case "continue":
                ParseMarkup(tag, static _ => true);
                return new JumpStatement(tag.TagName == "break" ? Completion.Break : Completion.Continue);
            case var name when BlockEnds.Contains(name):
                throw Error(tag.Offset, $"Unexpected '{{% {name} %}}'");
            case "":
                throw Error(tag.Offset, "A tag has no name");
            case var name:
                throw Error(tag.Offset, $"Unknown tag '{name}'");
        }
    }

    private IfStatement ParseIf(Segment tag)
    {
        var end = "end" + tag.TagName;
        var branches = new List<ConditionalBranch>();
        var condition = ParseMarkup(tag, static r => r.Condition());
        var body = ParseBody(tag, ["elsif", "else", end], out var next);
        branches.Add(new ConditionalBranch(condition, tag.TagName == "unless", body));
        IReadOnlyList<LiquidStatement>? otherwise = null;
        while (next.TagName != end)
        {
            if (next.TagName == "elsif")
            {
                var elsif = next;
                var elsifCondition = ParseMarkup(elsif, static r => r.Condition());
                branches.Add(new ConditionalBranch(elsifCondition, false, ParseBody(tag, ["elsif", "else", end], out next)));
            }
            else
            {
                ParseMarkup(next, static _ => true);
                otherwise = ParseBody(tag, [end], out next);
            }
        }

        ParseMarkup(next, static _ => true);
        return new IfStatement(branches, otherwise);
    }

    private CaseStatement ParseCase(Segment tag)
    {
        var subject = ParseMarkup(tag, static r => r.Primary());
        // Whatever sits between `case` and the first `when` is never rendered.
        ParseBody(tag, ["when", "else", "endcase"], out var next);
        var branches = new List<CaseBranch>();
        IReadOnlyList<LiquidStatement>? otherwise = null;
        while (next.TagName != "endcase")
        {
            if (next.TagName == "when")
            {
                var values = ParseMarkup(next, static r =>
                {
                    var list = new List<LiquidExpression> { r.Primary() };
                    while (r.Accept(TokenKind.Comma) || r.AcceptWord("or"))
                        list.Add(r.Primary());
                    return list;
                });
                branches.Add(new CaseBranch(values, ParseBody(tag, ["when", "else", "endcase"], out next)));
            }
            else
            {
                ParseMarkup(next, static _ => true);
                otherwise = ParseBody(tag, ["endcase"], out next);
            }
        }

        ParseMarkup(next, static _ => true);
        return new CaseStatement(subject, branches, otherwise);
    }

    private ForStatement ParseFor(Segment tag)
    {
        var (variable, collection, limit, offset, reversed) = ParseMarkup(tag, static r =>
        {
            var name = r.Expect(TokenKind.Identifier, "a loop variable").Text;
            if (!r.AcceptWord("in"))
                throw r.Unexpected("'in'");
            var source = r.Primary();
            LiquidExpression? limitExpression = null, offsetExpression = null;
            var isReversed = false;
            while (!r.AtEnd)
            {
                if (r.AcceptWord("reversed"))
                {
                    isReversed = true;
                    continue;
                }

                var attribute = r.Expect(TokenKind.Identifier, "'limit', 'offset' or 'reversed'");
                r.Expect(TokenKind.Colon, "':'");
                switch (attribute.Text)
                {
                    case "limit":
                        limitExpression = r.Primary();
                        break;
                    case "offset":
                        offsetExpression = r.Primary();
                        break;
                    default:
                        throw r.ErrorAt(attribute, $"Unknown for-loop attribute '{attribute.Text}'");
                }
            }

            return (name, source, limitExpression, offsetExpression, isReversed);
        });

        var body = ParseBody(tag, ["else", "endfor"], out var next);
        IReadOnlyList<LiquidStatement>? otherwise = null;
        if (next.TagName == "else")
        {
            ParseMarkup(next, static _ => true);
            otherwise = ParseBody(tag, ["endfor"], out next);
        }

        ParseMarkup(next, static _ => true);
        return new ForStatement(variable, collection, limit, offset, reversed, body, otherwise);
    }

    private List<LiquidStatement> ParseBody(Segment opener, string[] terminators, out Segment terminator)
    {
        var body = ParseBlock(terminators, out var found);
        terminator = found ?? throw Error(opener.Offset,
            $"'{{% {opener.TagName} %}}' is never closed with '{{% {terminators[^1]} %}}'");
        return body;
    }

    private T ParseMarkup<T>(Segment segment, Func<MarkupReader, T> parse)
    {
        var reader = new MarkupReader(this, LiquidLexer.Tokenize(_source, segment.Markup, segment.MarkupOffset));
        var result = parse(reader);
        if (!reader.AtEnd)
            throw reader.Unexpected("the end of the tag");
        return result;
    }

    private LiquidParseException Error(int offset, string message) => LiquidLexer.Error(_source, offset, message);

    /// <summary>Recursive descent over one tag's or output's tokens.</summary>
    private sealed class MarkupReader(LiquidParser parser, List<Token> tokens)
    {
        private int _index;

        public bool AtEnd => Peek.Kind == TokenKind.End;

        private Token Peek => tokens[_index];

        public LiquidExpression FilteredExpression()
        {
            var expression = Primary();
            while (Accept(TokenKind.Pipe))
            {
                var nameToken = Expect(TokenKind.Identifier, "a filter name");
                if (!LiquidFilters.TryGet(nameToken.Text, out var filter))
                    throw ErrorAt(nameToken, $"Unknown filter '{nameToken.Text}'");
                var positional = new List<LiquidExpression>();
                var named = new List<KeyValuePair<string, LiquidExpression>>();
                if (Accept(TokenKind.Colon))
                {
                    do
                    {
                        if (Peek.Kind == TokenKind.Identifier && tokens[_index + 1].Kind == TokenKind.Colon)
                        {
                            var argumentName = tokens[_index].Text;
                            _index += 2;
                            if (!filter.NamedArguments.Contains(argumentName))
                                throw ErrorAt(tokens[_index - 2], $"Filter '{filter.Name}' has no argument named '{argumentName}'");
                            named.Add(new(argumentName, Primary()));
                        }
                        else
                        {
                            positional.Add(Primary());
                        }
                    }
                    while (Accept(TokenKind.Comma));
                }

                if (positional.Count < filter.MinArguments || positional.Count > filter.MaxArguments)
                {
                    var expected = filter.MinArguments == filter.MaxArguments
                        ? $"{filter.MinArguments}"
                        : $"{filter.MinArguments} to {filter.MaxArguments}";
                    throw ErrorAt(nameToken, $"Filter '{filter.Name}' takes {expected} argument(s), not {positional.Count}");
                }

                expression = new FilterExpression(expression, filter, positional, named);
            }

            return expression;
        }

        public LiquidExpression Condition()
        {
            var left = Comparison();
            if (AcceptWord("and"))
                return new LogicalExpression(true, left, Condition());
            if (AcceptWord("or"))
                return new LogicalExpression(false, left, Condition());
            return left;
        }

        public LiquidExpression Primary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case TokenKind.String:
                case TokenKind.Number:
                    _index++;
                    return new LiteralExpression(token.Value);
                case TokenKind.LeftParenthesis:
                    _index++;
                    var from = Primary();
                    Expect(TokenKind.DotDot, "'..'");
                    var to = Primary();
                    Expect(TokenKind.RightParenthesis, "')'");
                    return new RangeExpression(from, to);
                case TokenKind.LeftBracket:
                    _index++;
                    var rootIndex = Primary();
                    Expect(TokenKind.RightBracket, "']'");
                    return new PathExpression(null, rootIndex, PathSegments());
                case TokenKind.Identifier:
                    _index++;
                    switch (token.Text)
                    {
                        case "true":
                            return new LiteralExpression(true);
                        case "false":
                            return new LiteralExpression(false);
                        case "nil":
                        case "null":
                            return new LiteralExpression(null);
                        case "empty":
                            return new LiteralExpression(LiquidValues.Empty);
                        case "blank":
                            return new LiteralExpression(LiquidValues.Blank);
                    }

                    return new PathExpression(token.Text, null, PathSegments());
                default:
                    throw Unexpected("a value");
            }
        }

        public string NameOrString(string what)
        {
            var token = Peek;
            if (token.Kind is TokenKind.Identifier or TokenKind.String)
            {
                _index++;
                return token.Kind == TokenKind.String ? (string)token.Value! : token.Text;
            }

            throw Unexpected(what);
        }

        public Token Expect(TokenKind kind, string what)
        {
            if (Peek.Kind != kind)
                throw Unexpected(what);
            return tokens[_index++];
        }

        public bool Accept(TokenKind kind)
        {
            if (Peek.Kind != kind)
                return false;
            _index++;
            return true;
        }

        public bool AcceptWord(string word)
        {
            if (Peek.Kind != TokenKind.Identifier || Peek.Text != word)
                return false;
            _index++;
            return true;
        }

        public LiquidParseException Unexpected(string expected) =>
            ErrorAt(Peek, Peek.Kind == TokenKind.End ? $"Expected {expected} but the tag ended" : $"Expected {expected} but found '{Peek.Text}'");

        public LiquidParseException ErrorAt(Token token, string message) => parser.Error(token.Offset, message);

        private LiquidExpression Comparison()
        {
            var left = Primary();
            if (Peek.Kind == TokenKind.Comparison)
            {
                var op = tokens[_index++].Text;
                return new ComparisonExpression(op, left, Primary());
            }

            if (AcceptWord("contains"))
                return new ComparisonExpression("contains", left, Primary());
            return left;
        }

        private List<PathSegment> PathSegments()
        {
            var segments = new List<PathSegment>();
            while (true)
            {
                if (Accept(TokenKind.Dot))
                {
                    segments.Add(new PathSegment(Expect(TokenKind.Identifier, "a member name").Text, null));
                }
                else if (Accept(TokenKind.LeftBracket))
                {
                    segments.Add(new PathSegment(null, Primary()));
                    Expect(TokenKind.RightBracket, "']'");
                }
                else
                {
                    return segments;
                }
            }
        }
    }
}
