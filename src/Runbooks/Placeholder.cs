namespace DrBot.Runbooks; internal static class Placeholder { }
