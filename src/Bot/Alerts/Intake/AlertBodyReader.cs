using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace DrBot.Bot.Alerts.Intake;

/// <summary>Reads a request body into a pooled buffer, stopping as soon as it exceeds the limit.</summary>
internal static class AlertBodyReader
{
    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>. Return the buffer with <see cref="Return"/>.</summary>
    public static async Task<(byte[] Buffer, int Length)?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > maxBytes)
        {
            return null;
        }
        var size = request.ContentLength is { } length ? (int)length + 1 : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(size, 256), maxBytes + 1));
        var total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    // total <= maxBytes here, so the new buffer is always larger.
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (total > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
            return (buffer, total);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
