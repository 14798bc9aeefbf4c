using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OciRuntime.Cri.Tests;

/// <summary>
/// The kubelet's side of the CRI streaming calls (Exec, Attach): the URL the CRI plugin hands out
/// is served by its streaming server, which speaks Kubernetes' websocket remotecommand protocol
/// (v4.channel.k8s.io: each binary message starts with its channel, 1 stdout, 2 stderr, 3 the
/// final status as JSON). The server listens in containerd's network namespace, so the socket is
/// made by a thread that has joined it (setns); the websocket runs over that socket.
/// </summary>
public static class Streaming
{
    public sealed record Result(string Stdout, string Stderr, string Status, int ExitCode);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    private const int CLONE_NEWNET = 0x40000000;

    /// <summary>A TCP connection to <paramref name="endpoint"/> from the network namespace of <paramref name="pid"/>.</summary>
    private static Socket ConnectIn(int pid, IPEndPoint endpoint)
    {
        Socket? socket = null;
        Exception? error = null;
        // A thread of its own, which ends with the namespace it joined: never a pool thread.
        var t = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/proc/{pid}/ns/net");
                if (setns((int)ns.DangerousGetHandle(), CLONE_NEWNET) != 0)
                    throw new IOException($"setns into the network namespace of {pid}: errno {Marshal.GetLastPInvokeError()}");
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect(endpoint);
                socket = s;
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        t.Join();
        return socket ?? throw new IOException($"cannot connect to {endpoint} in the network namespace of {pid}", error);
    }

    /// <summary>Runs the session behind <paramref name="url"/> (from Exec or Attach) until the
    /// server ends it or <paramref name="seconds"/> pass; <paramref name="stopWhen"/> may end it
    /// early once the output so far is enough (the status is then empty).</summary>
    public static async Task<Result> Run(string url, int netnsPid, double seconds = 30, Func<string, bool>? stopWhen = null)
    {
        var uri = new Uri(url);
        var endpoint = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        using var socket = ConnectIn(netnsPid, endpoint);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));

        // the websocket handshake (RFC 6455), asking for the remotecommand v4 protocol
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\nOrigin: http://{uri.Authority}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        string header = await ReadHeader(stream, cts.Token);
        if (!header.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new IOException($"the streaming server refused the websocket: {header}");
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        if (!header.Contains(accept, StringComparison.Ordinal))
            throw new IOException($"the streaming server's handshake does not accept our key: {header}");

        using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, SubProtocol = "v4.channel.k8s.io" });
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        string status = "";
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (ws.State == WebSocketState.Open)
            {
                var r = await ws.ReceiveAsync(buffer, cts.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                    continue;
                var m = message.ToArray();
                message.SetLength(0);
                if (m.Length < 1)
                    continue;
                string text = Encoding.UTF8.GetString(m, 1, m.Length - 1);
                switch (m[0])
                {
                    case 1: stdout.Append(text); break;
                    case 2: stderr.Append(text); break;
                    case 3: status += text; break;
                }
                if (stopWhen?.Invoke(stdout.ToString()) == true)
                    break;
            }
        }
        catch (OperationCanceledException) when (stopWhen is not null)
        {
        }
        return new Result(stdout.ToString(), stderr.ToString(), status, ExitCode(status));
    }

    /// <summary>0 for "Success"; the ExitCode cause of a "NonZeroExitCode" failure; -1 otherwise.</summary>
    private static int ExitCode(string status)
    {
        if (status.Length == 0)
            return -1;
        var s = JsonNode.Parse(status)!;
        if ((string?)s["status"] == "Success")
            return 0;
        var causes = s["details"]?["causes"]?.AsArray();
        var code = causes?.FirstOrDefault(c => (string?)c?["reason"] == "ExitCode");
        return code is not null && int.TryParse((string?)code["message"], out int x) ? x : -1;
    }

    /// <summary>The response's status line and headers, read a byte at a time so that nothing of
    /// the websocket's first frame is consumed.</summary>
    private static async Task<string> ReadHeader(Stream s, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await s.ReadAsync(one, ct) == 0)
                throw new IOException($"the streaming server closed the connection during the handshake: {sb}");
            sb.Append((char)one[0]);
            if (sb.Length > 16384)
                throw new IOException("the streaming server's handshake response is too long");
        }
        return sb.ToString();
    }
}
