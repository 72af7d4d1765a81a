namespace DrBot.TeamsPackage;

/// <summary>
/// DrBot's app icons, drawn in code: a white medical cross (the "Dr") on the accent colour for the
/// 192x192 colour icon, and the cross's white outline on transparency for the 32x32 outline icon
/// (Teams wants only white and transparent pixels there).
/// </summary>
public static class TeamsIcons
{
    public const int ColorSize = 192;
    public const int OutlineSize = 32;
    private static readonly (byte R, byte G, byte B) Accent = (0xC4, 0x31, 0x4B);

    public static byte[] Color()
    {
        const int n = ColorSize;
        var pixels = new byte[n * n * 4];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                // The symbol stays inside the central 96x96 safe area Teams asks for.
                var white = InCross(x + 0.5, y + 0.5, n / 2.0, arm: 44, halfWidth: 15);
                Set(pixels, n, x, y, white ? (byte)255 : Accent.R, white ? (byte)255 : Accent.G, white ? (byte)255 : Accent.B, 255);
            }
        }

        return PngEncoder.Encode(n, n, pixels);
    }

    public static byte[] Outline()
    {
        const int n = OutlineSize;
        var pixels = new byte[n * n * 4];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var px = x + 0.5;
                var py = y + 0.5;
                var edge = InCross(px, py, n / 2.0, arm: 13, halfWidth: 5) && !InCross(px, py, n / 2.0, arm: 11, halfWidth: 3);
                Set(pixels, n, x, y, 255, 255, 255, edge ? (byte)255 : (byte)0);
            }
        }

        return PngEncoder.Encode(n, n, pixels);
    }

    private static bool InCross(double x, double y, double centre, double arm, double halfWidth)
    {
        var dx = Math.Abs(x - centre);
        var dy = Math.Abs(y - centre);
        return (dx <= halfWidth && dy <= arm) || (dy <= halfWidth && dx <= arm);
    }

    private static void Set(byte[] pixels, int width, int x, int y, byte r, byte g, byte b, byte a)
    {
        var i = (y * width + x) * 4;
        pixels[i] = r;
        pixels[i + 1] = g;
        pixels[i + 2] = b;
        pixels[i + 3] = a;
    }
}
