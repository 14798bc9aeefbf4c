using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using OciRuntime.Cri.Tests.V1;

namespace OciRuntime.Cri.Tests;

/// <summary>
/// What tests/cri/run.sh set up: containerd's socket and the rest, from the environment. A test
/// run outside run.sh fails at once with a message saying so.
/// </summary>
public static class Env
{
    private static string Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set: run the CRI tests with ./build.sh test cri (tests/cri/run.sh)");

    public static string Socket => Get("CRI_SOCKET");
    /// <summary>The cgroup (cgroupfs syntax) below which every pod of this run lives.</summary>
    public static string CgroupParent => Get("CRI_CGROUP_PARENT");
    /// <summary>"systemd" when containerd runs its handlers with SystemdCgroup = true (then
    /// <see cref="CgroupParent"/> is the stem of the pods' slice names), else "cgroupfs".</summary>
    public static bool SystemdDriver => Environment.GetEnvironmentVariable("CRI_CGROUP_DRIVER") == "systemd";
    public static string Tmp => Get("CRI_TMP");
    public static int ContainerdPid => int.Parse(Get("CRI_CONTAINERD_PID"));
    public static string BusyboxImage => Get("CRI_BUSYBOX_IMAGE");
    public static string PauseImage => Get("CRI_PAUSE_IMAGE");
    public static string PodSubnet => Get("CRI_POD_SUBNET");
    public static string Runtime => Get("CRI_RUNTIME");
}

/// <summary>A CRI v1 client over containerd's unix socket (gRPC, HTTP/2 without TLS).</summary>
public sealed class Cri : IDisposable
{
    private readonly GrpcChannel _channel;

    public RuntimeService.RuntimeServiceClient Runtime { get; }
    public ImageService.ImageServiceClient Images { get; }

    public Cri(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        // The authority is not used: the connection is the socket.
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
        Images = new ImageService.ImageServiceClient(_channel);
    }

    /// <summary>Every call has a deadline: a hung containerd fails the test instead of the run.</summary>
    public static CallOptions Deadline(int seconds = 60) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));

    public void Dispose() => _channel.Dispose();
}
