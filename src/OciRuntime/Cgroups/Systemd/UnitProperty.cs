using System.Globalization;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// One property of a systemd unit as D-Bus carries it: a name and a typed value. The value's
/// D-Bus signature is one of "b", "y", "n", "q", "i", "u", "x", "t", "d", "s", "o", "ay", "au",
/// "as", "a(ss)", or "av" (an array of values of one signature, from an annotation). Pure data:
/// the mapping and the annotation parser make these without D-Bus, <see cref="SystemdBus"/>
/// writes them.
/// </summary>
internal sealed record UnitProperty(string Name, UnitValue Value)
{
    public override string ToString() => $"{Name}={Value}";
}

/// <param name="Signature">the D-Bus type of <paramref name="Value"/></param>
/// <param name="Value">bool, byte, short, ushort, int, uint, long, ulong, double, string, byte[],
/// uint[], string[], (string, string)[] or UnitValue[] (all of one signature)</param>
internal sealed record UnitValue(string Signature, object Value)
{
    public static UnitValue Bool(bool v) => new("b", v);
    public static UnitValue UInt64(ulong v) => new("t", v);
    public static UnitValue String(string v) => new("s", v);

    public override string ToString() => Signature + " " + Value switch
    {
        bool b => b ? "true" : "false",
        string s => s,
        double d => d.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => "[" + string.Join(",", bytes) + "]",
        uint[] us => "[" + string.Join(",", us) + "]",
        string[] ss => "[" + string.Join(",", ss) + "]",
        ValueTuple<string, string>[] pairs => "[" + string.Join(",", pairs.Select(p => $"({p.Item1} {p.Item2})")) + "]",
        UnitValue[] vs => "[" + string.Join(",", vs.Select(v => v.ToString())) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var o => o.ToString(),
    };
}
