using System.Text;

namespace OciRuntime.Conformance;

/// <summary>
/// Settings of the fuzz tests: a fixed seed and a few iterations in the test suite; `./build.sh fuzz`
/// sets OCI_FUZZ_SEED (random, printed) and OCI_FUZZ_ITERATIONS (many) for a longer run. A failure
/// names the seed and the iteration, so `OCI_FUZZ_SEED=S` replays it.
/// </summary>
public static class Fuzz
{
    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("OCI_FUZZ_SEED"), out int s) ? s : 20261206;

    /// <summary>The iterations of one fuzz test: <paramref name="inSuite"/>, or OCI_FUZZ_ITERATIONS.</summary>
    public static int Iterations(int inSuite) =>
        int.TryParse(Environment.GetEnvironmentVariable("OCI_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : inSuite;

    /// <summary>A random string of about <paramref name="chars"/> characters: ASCII, two- and
    /// three-byte UTF-8 and astral characters (surrogate pairs), never NUL or a line break (the probe
    /// prints one value per line).</summary>
    private const string Specials = "=\t \"\\'$;|&*?~`#";

    public static string Text(Random rnd, int chars)
    {
        var sb = new StringBuilder(chars);
        while (sb.Length < chars)
        {
            switch (rnd.Next(8))
            {
                case 0: sb.Append((char)rnd.Next(0xA0, 0x800)); break;               // 2 bytes
                case 1: sb.Append((char)rnd.Next(0x800, 0xD800)); break;             // 3 bytes
                case 2: sb.Append(char.ConvertFromUtf32(rnd.Next(0x10000, 0x10FFFF))); break; // 4 bytes
                case 3: sb.Append(Specials[rnd.Next(Specials.Length)]); break;
                default: sb.Append((char)rnd.Next(0x21, 0x7F)); break;
            }
        }
        return sb.ToString();
    }

    public static int Utf8Bytes(IEnumerable<string> list) => list.Sum(s => Encoding.UTF8.GetByteCount(s) + 1);

    /// <summary>Runs <paramref name="args"/> (after "/probe args") and then <paramref name="env"/>
    /// (with "/probe env") in containers and asserts the process got exactly those: the values
    /// cross the C# plan encoder, the executor's decoder and execve.</summary>
    public static void AssertRoundTrip(Runtime rt, Bundle b, IReadOnlyList<string> args, IReadOnlyList<string> env, string what)
    {
        b.Args(["/probe", "args", .. args]);
        b.Process["env"] = new System.Text.Json.Nodes.JsonArray();
        var p = rt.Run(b).AssertOk(what + ": run with the arguments").Probe;
        Xunit.Assert.Equal((args.Count + 2).ToString(), p.Get("argc"));
        for (int i = 0; i < args.Count; i++)
            if (p.Get("arg" + (i + 2)) != args[i])
                throw new Xunit.Sdk.XunitException($"{what}: argument {i} ({Encoding.UTF8.GetByteCount(args[i])} bytes) came back different");

        b.Args("/probe", "env");
        b.Process["env"] = new System.Text.Json.Nodes.JsonArray(env.Select(e => (System.Text.Json.Nodes.JsonNode)e).ToArray());
        var r = rt.Run(b).AssertOk(what + ": run with the environment");
        var got = r.Stdout.Split('\n').ToHashSet();
        foreach (string e in env)
            if (!got.Contains(e))
                throw new Xunit.Sdk.XunitException($"{what}: environment entry of {Encoding.UTF8.GetByteCount(e)} bytes came back different or missing");
    }
}
