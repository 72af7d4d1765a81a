using System.Diagnostics;
using System.Globalization;

namespace DrBot.Bench.Bot;

/// <summary>CPU time the bot process used during a measurement, in cores (1.0 = one core busy).</summary>
internal sealed class BotCpu
{
    private readonly int _pid;
    private readonly double _startCpuSeconds;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private BotCpu(int pid)
    {
        _pid = pid;
        _startCpuSeconds = CpuSeconds(pid);
    }

    public static BotCpu Start(int pid) => new(pid);

    public double CoresUsed() => (CpuSeconds(_pid) - _startCpuSeconds) / _clock.Elapsed.TotalSeconds;

    private static double CpuSeconds(int pid)
    {
        var path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
            return 0;
        // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }
}
