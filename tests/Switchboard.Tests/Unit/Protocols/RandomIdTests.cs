using Switchboard.Protocols.Responses;
using Switchboard.Protocols.Translation;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>The ids the gateway makes up come from batched cryptographic bytes: never repeated, every letter as likely.</summary>
[Trait("Kind", "Unit")]
public sealed class RandomIdTests
{
    [Fact]
    public void Batched_bytes_are_never_handed_out_twice_across_batches_and_threads()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        Parallel.For(0, 4, _ =>
        {
            Span<byte> bytes = stackalloc byte[24]; // 512 is no multiple of 24: fills cross the batch's end
            for (var i = 0; i < 2_000; i++)
            {
                RandomIdBytes.Fill(bytes);
                Assert.True(seen.TryAdd(Convert.ToHexString(bytes), true));
            }
        });
        var large = new byte[2048]; // past one batch: straight from the generator
        RandomIdBytes.Fill(large);
        Assert.True(large.Count(b => b == 0) < 40);
    }

    [Fact]
    public void Suffixes_are_24_letters_or_digits_each_as_likely_as_another()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var counts = new int[128];
        var suffixes = new HashSet<string>();
        for (var i = 0; i < 5_000; i++)
        {
            var suffix = ToolCallIds.RandomSuffix();
            Assert.Equal(24, suffix.Length);
            Assert.True(suffixes.Add(suffix));
            foreach (var c in suffix) counts[c]++;
        }
        // 120,000 letters over 62: ~1,935 each, standard deviation ~44. A modulo bias (byte % 62 on every byte) would
        // give the first eight letters ~2,340; a letter never drawn, 0.
        foreach (var c in alphabet) Assert.InRange(counts[c], 1_700, 2_170);
        Assert.Equal(120_000, alphabet.Sum(c => counts[c]));
    }

    [Fact]
    public void Responses_ids_carry_their_prefix_and_32_hex_digits()
    {
        var id = ResponsesWire.NewResponseId();
        Assert.Matches("^resp_[0-9a-f]{32}$", id);
        Assert.Matches("^msg_[0-9a-f]{32}$", ResponsesWire.NewItemId("msg"));
        Assert.NotEqual(id, ResponsesWire.NewResponseId());
    }
}
