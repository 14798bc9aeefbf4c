using System.Diagnostics;
using System.Text;
using OciRuntime.Linux;

namespace OciRuntime.Cgroups.Systemd.DBus;

/// <summary>
/// A synchronous D-Bus client connection over a unix socket (libc socket/connect/send/recv/poll;
/// no sockets library, no threads, no tasks): SASL EXTERNAL, then Hello on a bus (a peer such as
/// systemd's /run/systemd/private has no bus driver and answers Hello with an error, so none is
/// sent there). Every wait is bounded by poll. Signals that come while a reply is awaited go to
/// <see cref="SignalReceived"/>, so a signal that overtakes its method's reply is not lost.
/// </summary>
internal sealed unsafe class DBusConnection : IDisposable
{
    private int _fd;
    private uint _serial;
    private byte[] _in = new byte[4096];
    private int _inLength;

    public string Address { get; }

    /// <summary>The unique name the bus gave (null on a peer connection).</summary>
    public string? UniqueName { get; private set; }

    public Action<DBusMessage>? SignalReceived { get; set; }

    private DBusConnection(int fd, string address)
    {
        _fd = fd;
        Address = address;
    }

    /// <summary>Connects to the first entry of a D-Bus address ("unix:path=..." or
    /// "unix:abstract=...", ';'-separated) that accepts, authenticates, and on a bus says Hello.</summary>
    public static DBusConnection Open(string address, bool bus, TimeSpan timeout)
    {
        var errors = new List<string>();
        foreach (string entry in address.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int fd = -1;
            try
            {
                fd = ConnectSocket(entry);
                var c = new DBusConnection(fd, address);
                fd = -1;
                try
                {
                    var deadline = Deadline(timeout);
                    c.Authenticate(deadline);
                    if (bus)
                        c.UniqueName = (string)c.Call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                            "Hello", "", null, timeout).Body().Value("s");
                    return c;
                }
                catch
                {
                    c.Dispose();
                    throw;
                }
            }
            catch (DBusException e)
            {
                errors.Add(address.Contains(';') ? $"{entry}: {e.Message}" : e.Message);
            }
            finally
            {
                if (fd >= 0)
                    LibC.close(fd);
            }
        }
        throw new DBusException(errors.Count == 0 ? $"no usable entry in the D-Bus address \"{address}\"" : string.Join("; ", errors));
    }

    /// <summary>The socket connected to one address entry.</summary>
    private static int ConnectSocket(string entry)
    {
        int colon = entry.IndexOf(':');
        string transport = colon < 0 ? entry : entry[..colon];
        if (transport != "unix")
            throw new DBusException($"D-Bus transport \"{transport}\" is not supported (only unix:path= and unix:abstract=)");
        string? path = null, @abstract = null;
        foreach (string kv in entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = kv.IndexOf('=');
            if (eq < 0)
                continue;
            string value = Uri.UnescapeDataString(kv[(eq + 1)..]);
            switch (kv[..eq])
            {
                case "path": path = value; break;
                case "abstract": @abstract = value; break;
            }
        }
        if (path is null && @abstract is null)
            throw new DBusException($"D-Bus address \"{entry}\" has neither path= nor abstract=");
        byte[] name = Encoding.UTF8.GetBytes(path ?? @abstract!);
        if (name.Length == 0 || name.Length > 107)
            throw new DBusException($"D-Bus socket name \"{path ?? @abstract}\" is not 1 to 107 bytes");

        byte* addr = stackalloc byte[110]; // struct sockaddr_un: sa_family_t + 108 bytes
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = LibC.AF_UNIX;
        int offset = path is null ? 1 : 0; // an abstract name starts with a NUL
        name.CopyTo(new Span<byte>(addr + 2 + offset, 108 - offset));
        uint length = (uint)(2 + offset + name.Length + (path is null ? 0 : 1));

        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new DBusException($"socket: {LibC.StrError(LibC.Errno)}");
        while (LibC.connect(fd, addr, length) != 0)
        {
            int errno = LibC.Errno;
            if (errno == LibC.EINTR)
                continue;
            LibC.close(fd);
            throw new DBusException($"connect to {(path ?? "@" + @abstract)}: {LibC.StrError(errno)}");
        }
        return fd;
    }

    /// <summary>SASL: a NUL byte, AUTH EXTERNAL with the uid in hex-encoded decimal, BEGIN.</summary>
    private void Authenticate(long deadline)
    {
        string uid = LibC.geteuid().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(Math.Max(0.001, (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
        Send(Encoding.ASCII.GetBytes("\0AUTH EXTERNAL " + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(uid)) + "\r\n"), timeout);
        string line = ReadLine(deadline);
        if (!line.StartsWith("OK ", StringComparison.Ordinal))
            throw new DBusException($"authentication refused: \"{line}\"");
        Send("BEGIN\r\n"u8, timeout);
    }

    private string ReadLine(long deadline)
    {
        while (true)
        {
            int end = _in.AsSpan(0, _inLength).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                string line = Encoding.ASCII.GetString(_in, 0, end);
                Consume(end + 2);
                return line;
            }
            if (_inLength > 1024)
                throw new DBusException("authentication: no line end in the server's answer");
            Receive(deadline, "the authentication answer");
        }
    }

    /// <summary>Calls a method and returns its reply; an error reply throws
    /// <see cref="DBusErrorReplyException"/>, no reply in time <see cref="DBusTimeoutException"/>.</summary>
    public DBusMessage Call(string? destination, string path, string @interface, string member, string signature,
        DBusWriter? body, TimeSpan timeout)
    {
        uint serial = ++_serial;
        Send(DBusMessage.MethodCall(serial, destination, path, @interface, member, signature, body), timeout);
        var deadline = Deadline(timeout);
        while (true)
        {
            var m = ReadMessage(deadline, $"the reply to {member}");
            if (m.ReplySerial != serial || m.Type is not (DBusMessageType.MethodReturn or DBusMessageType.Error))
                continue;
            if (m.Type == DBusMessageType.Error)
                throw new DBusErrorReplyException(m.ErrorName ?? "(no error name)", m.FirstString());
            return m;
        }
    }

    /// <summary>Reads the next message (signals are handed to <see cref="SignalReceived"/> and
    /// returned too), waiting until <paramref name="deadline"/>.</summary>
    public DBusMessage ReadMessage(long deadline, string what)
    {
        while (true)
        {
            if (_inLength >= DBusMessage.FixedHeaderLength)
            {
                int total = DBusMessage.TotalLength(_in.AsSpan(0, _inLength));
                if (_inLength >= total)
                {
                    var bytes = _in.AsSpan(0, total).ToArray();
                    Consume(total);
                    var m = DBusMessage.Parse(bytes);
                    if (m.Type == DBusMessageType.Signal)
                        SignalReceived?.Invoke(m);
                    return m;
                }
                if (_in.Length < total)
                    Array.Resize(ref _in, total);
            }
            Receive(deadline, what);
        }
    }

    /// <summary>A point in time for the waits (Stopwatch ticks).</summary>
    public static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    private void Receive(long deadline, string what)
    {
        if (_inLength == _in.Length)
            Array.Resize(ref _in, _in.Length * 2);
        while (true)
        {
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
                throw new DBusTimeoutException($"no answer ({what}) in time");
            var pfd = new LibC.PollFd { Fd = _fd, Events = LibC.POLLIN };
            int ms = (int)Math.Min(int.MaxValue, Math.Max(1, left * 1000 / Stopwatch.Frequency));
            int ready = LibC.poll(&pfd, 1, ms);
            if (ready < 0 && LibC.Errno != LibC.EINTR)
                throw new DBusException($"poll: {LibC.StrError(LibC.Errno)}");
            if (ready <= 0)
                continue;
            nint n;
            fixed (byte* p = &_in[_inLength])
                n = LibC.recv(_fd, p, _in.Length - _inLength, 0);
            if (n < 0 && LibC.Errno is LibC.EINTR or LibC.EAGAIN)
                continue;
            if (n < 0)
                throw new DBusException($"recv: {LibC.StrError(LibC.Errno)}");
            if (n == 0)
                throw new DBusException($"the connection was closed by the other side (waiting for {what})");
            _inLength += (int)n;
            return;
        }
    }

    private void Consume(int count)
    {
        _in.AsSpan(count, _inLength - count).CopyTo(_in);
        _inLength -= count;
    }

    /// <summary>Sends all of <paramref name="data"/>; a peer that reads nothing for the whole
    /// timeout while the socket's buffer is full is an error, not a hang.</summary>
    private void Send(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        if (_fd < 0)
            throw new DBusException("the connection is closed");
        long deadline = Deadline(timeout);
        fixed (byte* p = data)
        {
            int sent = 0;
            while (sent < data.Length)
            {
                nint n = LibC.send(_fd, p + sent, data.Length - sent, LibC.MSG_NOSIGNAL | MsgDontWait);
                if (n >= 0)
                {
                    sent += (int)n;
                    continue;
                }
                int errno = LibC.Errno;
                if (errno == LibC.EINTR)
                    continue;
                if (errno != LibC.EAGAIN)
                    throw new DBusException($"send: {LibC.StrError(errno)}");
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0)
                    throw new DBusTimeoutException("the other side reads nothing (send timed out)");
                var pfd = new LibC.PollFd { Fd = _fd, Events = PollOut };
                LibC.poll(&pfd, 1, (int)Math.Min(int.MaxValue, Math.Max(1, left * 1000 / Stopwatch.Frequency)));
            }
        }
    }

    private const int MsgDontWait = 0x40;
    private const short PollOut = 4;

    public void Dispose()
    {
        if (_fd >= 0)
            LibC.close(_fd);
        _fd = -1;
    }
}
