using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Cli;

/// <summary>What `up --detach` records about the background gateway, so later commands can find and stop it.</summary>
internal sealed record GatewayState(
    int Pid,
    int Port,
    string Url,
    string? ConfigPath,
    string LogPath,
    DateTimeOffset StartedAt)
{
    [JsonIgnore]
    public Uri BaseUrl => new(Url);
}

/// <summary>
/// The per-user state directory: $SWITCHBOARD_STATE_DIR, else $XDG_STATE_HOME/switchboard, else
/// ~/.local/state/switchboard. Holds gateway.json (the detached gateway) and gateway.log (its output).
/// </summary>
internal sealed class GatewayStateStore
{
    public const string StateDirVariable = "SWITCHBOARD_STATE_DIR";

    public GatewayStateStore(string directory)
    {
        Directory = directory;
        StatePath = Path.Combine(directory, "gateway.json");
        LogPath = Path.Combine(directory, "gateway.log");
    }

    public static GatewayStateStore For(CliContext context)
    {
        if (context.GetEnvironmentVariable(StateDirVariable) is { Length: > 0 } explicitDir)
            return new GatewayStateStore(context.FullPath(explicitDir));
        var stateHome = context.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(context.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return new GatewayStateStore(Path.Combine(stateHome, "switchboard"));
    }

    public string Directory { get; }
    public string StatePath { get; }
    public string LogPath { get; }

    /// <summary>The recorded gateway, or null when there is none (or the file is unreadable: it is only a hint).</summary>
    public GatewayState? Read()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(StatePath), CliJsonContext.Default.GatewayState);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The recorded gateway if its process is still a running Switchboard; a stale record is removed.</summary>
    public GatewayState? ReadLive()
    {
        var state = Read();
        if (state is null) return null;
        if (ProcessProbe.IsRunningSwitchboard(state.Pid)) return state;
        Delete(state.Pid);
        return null;
    }

    /// <summary>Writes atomically (temp file + rename) so a reader never sees half a file.</summary>
    public void Write(GatewayState state)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = StatePath + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, CliJsonContext.Default.GatewayState));
        File.Move(temp, StatePath, overwrite: true);
    }

    /// <summary>Removes the state file; with <paramref name="onlyForPid"/>, only if it still describes that process.</summary>
    public void Delete(int? onlyForPid = null)
    {
        if (onlyForPid is { } pid && Read() is { } current && current.Pid != pid) return;
        try
        {
            File.Delete(StatePath);
        }
        catch (IOException)
        {
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(GatewayState))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
