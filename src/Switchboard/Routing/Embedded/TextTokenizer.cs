using System.Buffers;

namespace Switchboard.Routing;

[Flags]
internal enum TokenFlags : ushort
{
    None = 0,
    /// <summary>First token after a sentence boundary (. ! ? ; new line) or at the start.</summary>
    SentenceStart = 1 << 0,
    /// <summary>First token after a clause boundary (, : parentheses, dash).</summary>
    ClauseStart = 1 << 1,
    /// <summary>Looks like code: snake_case, camelCase, file.ext, --flag, inside backticks.</summary>
    CodeShaped = 1 << 2,
    /// <summary>A three-digit 4xx/5xx number: an HTTP error status, most likely.</summary>
    HttpError = 1 << 3,
    /// <summary>Ends in "-ed": a report ("that fixed it"), not a request ("fix it").</summary>
    PastTense = 1 << 4,
    /// <summary>On a bullet-list line ("- fixed crash on logout") after the first line: quoted material.</summary>
    Listed = 1 << 5,
    /// <summary>In capitals after a lower-case word ("EXPLAIN", "UPDATE"): a keyword when it is also a verb.</summary>
    Shouted = 1 << 6,
    /// <summary>First token after a colon that ends a phrase ("My ask: write …").</summary>
    AfterColon = 1 << 7,
    /// <summary>Last word before a question mark: its sentence asks something.</summary>
    QuestionEnd = 1 << 8,
    /// <summary>Ends in a single "-s" ("builds", "reviews"): in a route description a noun in a list, not the route's activity.</summary>
    EndsInS = 1 << 9,
}

/// <summary>One word of text: its lexicon id, its id among the policy's route terms, and shape flags.</summary>
internal struct Token
{
    public int Word;
    public int Term;
    public TokenFlags Flags;
}

/// <summary>What a turn shows besides its words.</summary>
internal struct TurnSignals
{
    public int CodeBlocks;
    public int CodeShapedTokens;
    /// <summary>Strength of stack-trace / error-output evidence (0 when none).</summary>
    public float TraceEvidence;
    /// <summary>Question marks outside code.</summary>
    public int Questions;
}

/// <summary>Resolves a normalised word to a route term id of a compiled policy (-1 when not a term).</summary>
internal interface ITermLookup
{
    int FindTerm(ReadOnlySpan<char> normalized);

    /// <summary>Typo tolerance over the policy's own words (route names and descriptions).</summary>
    SpellingIndex? Spelling { get; }
}

/// <summary>
/// Splits text into normalised tokens in one pass, without regular expressions and without allocating
/// per word: code fences are skipped (but checked for stack traces), camelCase and dotted identifiers are
/// split into words and marked as code, "c++", "c#" and ".net" survive.
/// </summary>
internal static class TextTokenizer
{
    // Substrings of pasted error output that almost always mean "this is broken" (checked once per turn).
    private static readonly (string Marker, float Strength)[] TraceMarkers =
    [
        ("Traceback (most recent call last)", 2.5f),
        ("Exception in thread", 2f),
        ("Caused by:", 1.5f),
        ("panicked at", 2f),
        ("Segmentation fault", 2f),
        ("npm ERR!", 2f),
        ("Unhandled exception", 2f),
        ("[running]:", 1.5f),
        ("\n    at ", 1.5f),
        ("\n\tat ", 1.5f),
        ("error[E", 1.5f),
        ("Error: ", 1f),
        ("Exception: ", 1f),
        ("FAILED", 1f),
        ("fatal: ", 1f),
        ("ERROR: ", 1f),
        (": command not found", 1.5f),
        ("did not complete successfully", 1f),
    ];

    /// <summary>
    /// Tokenizes <paramref name="text"/> into <paramref name="tokens"/> (a pooled buffer, grown as needed);
    /// returns the token count. When <paramref name="normalizedWords"/> is given, also collects each token's
    /// normalised text (used only when compiling a policy).
    /// </summary>
    public static int Tokenize(
        string text,
        ConceptLexicon.Compiled lexicon,
        ITermLookup? terms,
        ref Token[] tokens,
        ref TurnSignals signals,
        List<string>? normalizedWords = null)
    {
        var count = 0;
        var pending = TokenFlags.SentenceStart;
        var inBackticks = false;
        var listed = false;
        Span<char> buffer = stackalloc char[ConceptLexicon.MaxWordLength];

        foreach (var (marker, strength) in TraceMarkers)
            if (text.Contains(marker, StringComparison.Ordinal)) signals.TraceEvidence = Math.Max(signals.TraceEvidence, strength);

        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];

            if (c == '`' && string.CompareOrdinal(text, i, "```", 0, 3) == 0)
            {
                var close = text.IndexOf("```", i + 3, StringComparison.Ordinal);
                signals.CodeBlocks++;
                i = close < 0 ? text.Length : close + 3;
                pending = TokenFlags.SentenceStart;
                continue;
            }
            if (c == '`') { inBackticks = !inBackticks; i++; continue; }

            if (IsWordChar(c))
            {
                var start = i;
                while (i < text.Length && (IsWordChar(text[i]) || (IsApostrophe(text[i]) && i + 1 < text.Length && char.IsLetter(text[i + 1])))) i++;
                // "c++", "c#", "f#": a one-letter word followed by + or #.
                if (i - start == 1 && i < text.Length && text[i] is '+' or '#')
                    while (i < text.Length && text[i] is '+' or '#') i++;
                // ".net" and friends: a dot glued to the front of a word after a space.
                if (start >= 1 && text[start - 1] == '.' && (start == 1 || char.IsWhiteSpace(text[start - 2]))) start--;

                var flags = pending | (inBackticks ? TokenFlags.CodeShaped : TokenFlags.None) | (listed ? TokenFlags.Listed : TokenFlags.None);
                pending = TokenFlags.None;
                if (IsCodeShaped(text, start, i))
                {
                    flags |= TokenFlags.CodeShaped;
                    // "KeyError", "CrashLoopBackOff": the name of a failure is a symptom, whatever words it is made of.
                    if (NamesAFailure(text.AsSpan(start, i - start))) signals.TraceEvidence = Math.Max(signals.TraceEvidence, FailureNameEvidence);
                }
                else if (IsShoutedMidSentence(text, start, i)) flags |= TokenFlags.Shouted;
                if ((flags & TokenFlags.CodeShaped) != 0) signals.CodeShapedTokens++;
                EmitChunk(text.AsSpan(start, i - start), flags, lexicon, terms, ref tokens, ref count, buffer, normalizedWords);
                continue;
            }

            switch (c)
            {
                case '.' or '!' or '?' or ';' or '\n':
                    if (c == '?')
                    {
                        signals.Questions++;
                        if (count > 0) tokens[count - 1].Flags |= TokenFlags.QuestionEnd;
                    }
                    if (c == '\n') listed = IsBulletLine(text, i + 1);
                    // "TL;DR", "a;b": a semicolon between letters is not a sentence end.
                    if (c == ';' && i > 0 && i + 1 < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1])) break;
                    // "parser.py", "java.lang.Error", "3.5": a dot inside a word is not a sentence end.
                    if (!(c == '.' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))) pending = TokenFlags.SentenceStart | (pending & TokenFlags.AfterColon);
                    break;
                case ',' or '(' or ')' or '—' or '–':
                    if (pending == TokenFlags.None) pending = TokenFlags.ClauseStart;
                    break;
                case ':':
                    if (i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])) break;
                    if (pending == TokenFlags.None) pending = TokenFlags.ClauseStart;
                    pending |= TokenFlags.AfterColon;
                    break;
                case '-':
                    if (i + 1 < text.Length && text[i + 1] == ' ' && i > 0 && text[i - 1] == ' ' && pending == TokenFlags.None) pending = TokenFlags.ClauseStart;
                    break;
            }
            i++;
        }
        return count;
    }

    /// <summary>A line starting (after indentation) with "- ", "* ", "• " or "1. ".</summary>
    private static bool IsBulletLine(string text, int start)
    {
        var i = start;
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        if (i + 1 >= text.Length) return false;
        if (text[i] is '-' or '*' or '•') return text[i + 1] == ' ';
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        return i > start && i + 1 < text.Length && text[i] is '.' or ')' && text[i + 1] == ' ';
    }

    private const float FailureNameEvidence = 1f;

    private static readonly string[] FailureNameEndings = ["Error", "Exception", "BackOff", "Failure", "Fault", "Panic", "Timeout"];

    /// <summary>An identifier naming a failure: "ValueError", "NullPointerException", "CrashLoopBackOff".</summary>
    private static bool NamesAFailure(ReadOnlySpan<char> word)
    {
        if (word.Length < 6 || !char.IsUpper(word[0])) return false;
        foreach (var ending in FailureNameEndings)
            if (word.Length > ending.Length && word.EndsWith(ending, StringComparison.Ordinal)) return true;
        return word.StartsWith("Crash", StringComparison.Ordinal);
    }

    /// <summary>
    /// An all-capitals word after a lower-case one ("… EXPLAIN shows Seq Scan", "run UPDATE on it"): a keyword of SQL or a
    /// shell, not the writer's verb. A whole sentence in capitals is shouting, and keeps its verbs.
    /// </summary>
    private static bool IsShoutedMidSentence(string text, int start, int end)
    {
        if (end - start < 3) return false;
        for (var i = start; i < end; i++)
            if (!char.IsAsciiLetterUpper(text[i])) return false;
        for (var i = start - 1; i >= 0 && text[i] != '\n'; i--)
        {
            if (char.IsLetter(text[i])) return char.IsLower(text[i]);
            if (text[i] is '.' or '!' or '?' or ':') return false;
        }
        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019';

    /// <summary>snake_case, camelCase, file.ext / a.b.c, --flags, call(), a/b paths.</summary>
    private static bool IsCodeShaped(string text, int start, int end)
    {
        var sawLower = false;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c == '_' && i > start && i < end - 1) return true;
            if (char.IsUpper(c) && sawLower) return true;
            if (char.IsLower(c)) sawLower = true;
        }
        if (start > 0 && text[start - 1] == '/') return true;
        if (start > 1 && text[start - 1] == '.' && !char.IsWhiteSpace(text[start - 2])) return true;
        if (start > 1 && text[start - 1] == '-' && text[start - 2] == '-') return true;
        if (end < text.Length - 1 && text[end] is '.' or '/' && char.IsLetter(text[end + 1])) return true;
        if (end < text.Length && text[end] == '(') return true;
        return false;
    }

    private static void EmitChunk(
        ReadOnlySpan<char> chunk,
        TokenFlags flags,
        ConceptLexicon.Compiled lexicon,
        ITermLookup? terms,
        ref Token[] tokens,
        ref int count,
        Span<char> buffer,
        List<string>? normalizedWords)
    {
        // Split camelCase unless the whole word is known ("JavaScript", "GraphQL", "PostgreSQL").
        if ((flags & TokenFlags.CodeShaped) != 0 && HasCaseTransition(chunk))
        {
            var length = ConceptLexicon.Normalize(chunk, buffer);
            if (length == 0 || (lexicon.Find(buffer[..length]) < 0 && (terms?.FindTerm(buffer[..length]) ?? -1) < 0))
            {
                var partStart = 0;
                for (var i = 1; i <= chunk.Length; i++)
                {
                    if (i < chunk.Length && !(char.IsUpper(chunk[i]) && char.IsLower(chunk[i - 1])) && chunk[i] != '_') continue;
                    if (i > partStart) Emit(chunk[partStart..i], flags, lexicon, terms, ref tokens, ref count, buffer, normalizedWords);
                    flags &= ~(TokenFlags.SentenceStart | TokenFlags.ClauseStart);
                    partStart = i < chunk.Length && chunk[i] == '_' ? i + 1 : i;
                }
                return;
            }
        }
        Emit(chunk, flags, lexicon, terms, ref tokens, ref count, buffer, normalizedWords);
    }

    private static bool HasCaseTransition(ReadOnlySpan<char> chunk)
    {
        for (var i = 1; i < chunk.Length; i++)
            if (char.IsUpper(chunk[i]) && char.IsLower(chunk[i - 1])) return true;
        return false;
    }

    private static void Emit(
        ReadOnlySpan<char> word,
        TokenFlags flags,
        ConceptLexicon.Compiled lexicon,
        ITermLookup? terms,
        ref Token[] tokens,
        ref int count,
        Span<char> buffer,
        List<string>? normalizedWords)
    {
        var length = ConceptLexicon.Normalize(word, buffer);
        if (length == 0) return;
        var normalized = buffer[..length];

        if (count == tokens.Length)
        {
            var larger = ArrayPool<Token>.Shared.Rent(tokens.Length * 2);
            tokens.AsSpan(0, count).CopyTo(larger);
            ArrayPool<Token>.Shared.Return(tokens);
            tokens = larger;
        }
        if (length == 3 && normalized[0] is '4' or '5' && char.IsAsciiDigit(normalized[1]) && char.IsAsciiDigit(normalized[2]))
            flags |= TokenFlags.HttpError;
        if (word.Length > 4 && word.EndsWith("ed", StringComparison.OrdinalIgnoreCase)) flags |= TokenFlags.PastTense;
        if (word.Length > 3 && word[^1] is 's' or 'S' && word[^2] is not ('s' or 'S')) flags |= TokenFlags.EndsInS;

        var wordId = lexicon.Find(normalized);
        var termId = terms?.FindTerm(normalized) ?? -1;
        // In a request, a word of another language for an activity ("escribe", "erklären") reads as its English word.
        if (wordId < 0 && termId < 0 && terms is not null && ForeignCues.Find(word) is { } english)
        {
            length = ConceptLexicon.Normalize(english, buffer);
            normalized = buffer[..length];
            wordId = lexicon.Find(normalized);
            termId = terms.FindTerm(normalized);
        }
        if ((flags & TokenFlags.Shouted) != 0 && wordId >= 0 && (lexicon.Flags[wordId] & WordFlags.ActionVerb) != 0) flags |= TokenFlags.CodeShaped;
        // A word nobody knows, in a request (not a route description), not code, not a capitalised name
        // mid-sentence: perhaps a typo of a word that is known ("explian", "documnetation").
        if (wordId < 0 && termId < 0 && terms is not null && word.Length >= SpellingIndex.MinLength
            && (flags & TokenFlags.CodeShaped) == 0 && (char.IsLower(word[0]) || (flags & TokenFlags.SentenceStart) != 0))
        {
            var corrected = terms.Spelling?.Correct(word) ?? lexicon.Spelling.Correct(word);
            if (corrected is not null)
            {
                wordId = lexicon.Find(corrected);
                termId = terms.FindTerm(corrected);
            }
        }

        tokens[count++] = new Token
        {
            Word = wordId,
            Term = termId,
            Flags = flags,
        };
        normalizedWords?.Add(new string(normalized));
    }
}
