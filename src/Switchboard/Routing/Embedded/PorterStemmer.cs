namespace Switchboard.Routing;

/// <summary>
/// The Porter (1980) stemmer over a lower-case ASCII word held in a span, stemmed in place without allocating.
/// Written here because no NLP package installs in this environment (and none is needed for this).
/// "explaining" → "explain", "documentation" → "document", "crashes" → "crash", "generating" → "gener".
/// </summary>
internal ref struct PorterStemmer
{
    private readonly Span<char> _b;
    private int _k; // end of the current word (inclusive)
    private int _j; // end of the stem before a matched suffix (inclusive)

    private PorterStemmer(Span<char> word)
    {
        _b = word;
        _k = word.Length - 1;
        _j = 0;
    }

    /// <summary>Stems <paramref name="word"/> in place; returns the stem's length. Words of up to two letters are kept.</summary>
    public static int Stem(Span<char> word)
    {
        if (word.Length <= 2) return word.Length;
        foreach (var c in word)
            if (c is < 'a' or > 'z') return word.Length; // not a plain word: identifiers, numbers, c++
        var stemmer = new PorterStemmer(word);
        stemmer.Step1ab();
        if (stemmer._k > 0)
        {
            stemmer.Step1c();
            stemmer.Step2();
            stemmer.Step3();
            stemmer.Step4();
            stemmer.Step5();
        }
        return stemmer._k + 1;
    }

    private readonly bool IsConsonant(int i) => _b[i] switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => i == 0 || !IsConsonant(i - 1),
        _ => true,
    };

    /// <summary>Number of vowel-consonant sequences in b[0.._j].</summary>
    private readonly int Measure()
    {
        int n = 0, i = 0;
        while (true)
        {
            if (i > _j) return n;
            if (!IsConsonant(i)) break;
            i++;
        }
        i++;
        while (true)
        {
            while (true)
            {
                if (i > _j) return n;
                if (IsConsonant(i)) break;
                i++;
            }
            i++;
            n++;
            while (true)
            {
                if (i > _j) return n;
                if (!IsConsonant(i)) break;
                i++;
            }
            i++;
        }
    }

    private readonly bool VowelInStem()
    {
        for (var i = 0; i <= _j; i++)
            if (!IsConsonant(i)) return true;
        return false;
    }

    private readonly bool DoubleConsonant(int i) => i >= 1 && _b[i] == _b[i - 1] && IsConsonant(i);

    /// <summary>consonant-vowel-consonant ending at i, the last not w, x or y ("hop" → "hope").</summary>
    private readonly bool Cvc(int i)
    {
        if (i < 2 || !IsConsonant(i) || IsConsonant(i - 1) || !IsConsonant(i - 2)) return false;
        return _b[i] is not ('w' or 'x' or 'y');
    }

    private bool Ends(string suffix)
    {
        var length = suffix.Length;
        if (length > _k + 1) return false;
        if (!_b.Slice(_k - length + 1, length).SequenceEqual(suffix)) return false;
        _j = _k - length;
        return true;
    }

    private void SetTo(string replacement)
    {
        replacement.AsSpan().CopyTo(_b[(_j + 1)..]);
        _k = _j + replacement.Length;
    }

    private void ReplaceIfMeasured(string replacement)
    {
        if (Measure() > 0) SetTo(replacement);
    }

    private void Step1ab()
    {
        if (_b[_k] == 's')
        {
            if (Ends("sses")) _k -= 2;
            else if (Ends("ies")) SetTo("i");
            else if (_b[_k - 1] != 's') _k--;
        }
        if (Ends("eed"))
        {
            if (Measure() > 0) _k--;
        }
        else if ((Ends("ed") || Ends("ing")) && VowelInStem())
        {
            _k = _j;
            if (Ends("at")) SetTo("ate");
            else if (Ends("bl")) SetTo("ble");
            else if (Ends("iz")) SetTo("ize");
            else if (DoubleConsonant(_k))
            {
                _k--;
                if (_b[_k] is 'l' or 's' or 'z') _k++;
            }
            else if (Measure() == 1 && Cvc(_k))
            {
                _j = _k;
                SetTo("e");
            }
        }
    }

    private void Step1c()
    {
        if (Ends("y") && VowelInStem()) _b[_k] = 'i';
    }

    private void Step2()
    {
        if (_k < 1) return;
        switch (_b[_k - 1])
        {
            case 'a':
                if (Ends("ational")) ReplaceIfMeasured("ate");
                else if (Ends("tional")) ReplaceIfMeasured("tion");
                break;
            case 'c':
                if (Ends("enci")) ReplaceIfMeasured("ence");
                else if (Ends("anci")) ReplaceIfMeasured("ance");
                break;
            case 'e':
                if (Ends("izer")) ReplaceIfMeasured("ize");
                break;
            case 'l':
                if (Ends("bli")) ReplaceIfMeasured("ble");
                else if (Ends("alli")) ReplaceIfMeasured("al");
                else if (Ends("entli")) ReplaceIfMeasured("ent");
                else if (Ends("eli")) ReplaceIfMeasured("e");
                else if (Ends("ousli")) ReplaceIfMeasured("ous");
                break;
            case 'o':
                if (Ends("ization")) ReplaceIfMeasured("ize");
                else if (Ends("ation")) ReplaceIfMeasured("ate");
                else if (Ends("ator")) ReplaceIfMeasured("ate");
                break;
            case 's':
                if (Ends("alism")) ReplaceIfMeasured("al");
                else if (Ends("iveness")) ReplaceIfMeasured("ive");
                else if (Ends("fulness")) ReplaceIfMeasured("ful");
                else if (Ends("ousness")) ReplaceIfMeasured("ous");
                break;
            case 't':
                if (Ends("aliti")) ReplaceIfMeasured("al");
                else if (Ends("iviti")) ReplaceIfMeasured("ive");
                else if (Ends("biliti")) ReplaceIfMeasured("ble");
                break;
            case 'g':
                if (Ends("logi")) ReplaceIfMeasured("log");
                break;
        }
    }

    private void Step3()
    {
        switch (_b[_k])
        {
            case 'e':
                if (Ends("icate")) ReplaceIfMeasured("ic");
                else if (Ends("ative")) ReplaceIfMeasured("");
                else if (Ends("alize")) ReplaceIfMeasured("al");
                break;
            case 'i':
                if (Ends("iciti")) ReplaceIfMeasured("ic");
                break;
            case 'l':
                if (Ends("ical")) ReplaceIfMeasured("ic");
                else if (Ends("ful")) ReplaceIfMeasured("");
                break;
            case 's':
                if (Ends("ness")) ReplaceIfMeasured("");
                break;
        }
    }

    private void Step4()
    {
        if (_k < 1) return;
        var matched = _b[_k - 1] switch
        {
            'a' => Ends("al"),
            'c' => Ends("ance") || Ends("ence"),
            'e' => Ends("er"),
            'i' => Ends("ic"),
            'l' => Ends("able") || Ends("ible"),
            'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
            'o' => (Ends("ion") && _j >= 0 && _b[_j] is 's' or 't') || Ends("ou"),
            's' => Ends("ism"),
            't' => Ends("ate") || Ends("iti"),
            'u' => Ends("ous"),
            'v' => Ends("ive"),
            'z' => Ends("ize"),
            _ => false,
        };
        if (matched && Measure() > 1) _k = _j;
    }

    private void Step5()
    {
        _j = _k;
        if (_b[_k] == 'e')
        {
            var m = Measure();
            if (m > 1 || (m == 1 && !Cvc(_k - 1))) _k--;
        }
        if (_b[_k] == 'l' && DoubleConsonant(_k) && Measure() > 1) _k--;
    }
}
