using System.Text;

namespace Switchboard.Cli;

/// <summary>Reads the detached gateway's log: its last lines, and what is appended later.</summary>
internal static class LogFile
{
    /// <summary>
    /// The last <paramref name="count"/> lines before byte <paramref name="end"/> (default: the end of the file),
    /// reading only as much of the file as that needs.
    /// </summary>
    public static IReadOnlyList<string> Tail(string path, int count, long? end = null)
    {
        if (count <= 0 || !File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = Math.Min(end ?? long.MaxValue, stream.Length);
        var window = 16 * 1024L;
        while (true)
        {
            var start = Math.Max(0, length - window);
            var bytes = new byte[length - start];
            stream.Position = start;
            stream.ReadExactly(bytes);
            var lines = Encoding.UTF8.GetString(bytes).Split('\n').ToList();
            if (lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1); // after the final newline
            if (start > 0) lines.RemoveAt(0); // probably cut in the middle
            if (lines.Count >= count || start == 0) return lines.TakeLast(count).Select(l => l.TrimEnd('\r')).ToList();
            window *= 4;
        }
    }

    /// <summary>
    /// Writes what is appended to the file from <paramref name="position"/> on, until cancelled. A file that
    /// shrinks (a new gateway started and truncated it) is read again from its start.
    /// </summary>
    public static async Task FollowAsync(string path, long position, TextWriter output, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (!cancellationToken.IsCancellationRequested)
        {
            var length = File.Exists(path) ? new FileInfo(path).Length : 0;
            if (length < position) position = 0;
            if (length > position)
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Position = position;
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    var decoded = decoder.GetChars(buffer, 0, read, chars, 0);
                    await output.WriteAsync(chars.AsMemory(0, decoded), cancellationToken).ConfigureAwait(false);
                    position += read;
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }
}
