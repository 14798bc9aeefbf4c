using System.Runtime.InteropServices;
using OciRuntime.Linux;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;

namespace OciRuntime.Lifecycle;

/// <summary>
/// Runs runtime-spec hooks from the host: each with the container's state JSON on stdin, its own
/// args and env (nothing inherited), and its timeout. Hooks that the spec puts in the container's
/// namespaces (createContainer, startContainer) join the namespaces of the container's init
/// before their execve (the native helper does that in the child; .NET never forks).
/// </summary>
internal static unsafe class HookRunner
{
    /// <summary>Runs the hooks in order; the first failure throws (<paramref name="warnOnly"/>:
    /// logged, and the others still run, as poststop wants).</summary>
    /// <param name="kind">"prestart", "createRuntime", ... (for messages: hooks.KIND[i])</param>
    /// <param name="state">the state they read on stdin, made only when there are hooks to run</param>
    /// <param name="nsOfPid">join this process's namespaces (those that differ from ours); 0: run in ours</param>
    /// <param name="cwd">the hooks' working directory (resolved after the namespaces are joined);
    /// null: the runtime's own, or with <paramref name="nsOfPid"/> the root of its mount namespace</param>
    public static void Run(string kind, List<Hook>? hooks, Func<State> state, int nsOfPid = 0, bool warnOnly = false,
        string? cwd = null)
    {
        if (hooks is not { Count: > 0 })
            return;
        byte[] stdin = StateWriter.Serialize(state(), indented: false);
        var ns = nsOfPid > 0
            ? ContainerExec.NamespacesToJoin(nsOfPid).Select(t => $"/proc/{nsOfPid}/ns/{Namespaces.ProcName(t)}").ToList()
            : [];
        for (int i = 0; i < hooks.Count; i++)
        {
            string field = $"hooks.{kind}[{i}]";
            try
            {
                RunOne(hooks[i], stdin, ns, cwd, field);
            }
            catch (RuntimeError e) when (warnOnly)
            {
                Diagnostics.Log.Warn(e.Message);
            }
        }
    }

    private static void RunOne(Hook hook, byte[] stdin, List<string> ns, string? cwd, string field)
    {
        string path = hook.Path ?? throw new RuntimeError($"{field}.path: required");
        int fd = StateFd(stdin);
        int pid;
        try
        {
            List<string> args = hook.Args is { Count: > 0 } a ? a : [path];
            using var argv = new CStrings(args);
            using var envp = new CStrings(hook.Env ?? []);
            using var nsPaths = new CStrings(ns);
            pid = HookSpawn.oci_spawn_hook(path, argv.Ptr, envp.Ptr, fd, ns.Count > 0 ? nsPaths.Ptr : null, cwd);
        }
        finally
        {
            LibC.close(fd);
        }
        if (pid < 0)
            throw new RuntimeError($"{field}: cannot run {path}: {LibC.StrError(-pid)}");

        int status = Wait(pid, hook.Timeout, out bool timedOut);
        if (timedOut)
            throw new RuntimeError($"{field}: {path} timed out after {hook.Timeout} s (killed)");
        if (status != 0)
            throw new RuntimeError((status & 0x7f) == 0
                ? $"{field}: {path} exited with status {(status >> 8) & 0xff}"
                : $"{field}: {path} was killed by signal {status & 0x7f}");
    }

    /// <summary>The state in a memfd at offset 0: any size, and the hook may read it as it likes.</summary>
    internal static int StateFd(byte[] bytes)
    {
        int fd = LibC.memfd_create("ociruntime-hook-state", LibC.MFD_CLOEXEC);
        if (fd < 0)
            throw SyscallException.Last("memfd_create");
        fixed (byte* p = bytes)
        {
            nint off = 0;
            while (off < bytes.Length)
            {
                nint w = LibC.write(fd, p + off, bytes.Length - off);
                if (w <= 0)
                {
                    LibC.close(fd);
                    throw SyscallException.Last("write the hook's state");
                }
                off += w;
            }
        }
        LibC.lseek(fd, 0, 0);
        return fd;
    }

    /// <summary>waitpid with a timeout (seconds; none: wait as long as it takes), via a pidfd.</summary>
    private static int Wait(int pid, int? timeoutSeconds, out bool timedOut)
    {
        timedOut = false;
        if (timeoutSeconds is > 0)
        {
            int pfd = LibC.PidfdOpen(pid);
            if (pfd >= 0)
            {
                var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds.Value);
                LibC.PollFd p = new() { Fd = pfd, Events = LibC.POLLIN };
                while (true)
                {
                    int ms = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);
                    int r = LibC.poll(&p, 1, ms);
                    if (r > 0)
                        break;
                    if (r == 0 || ms == 0)
                    {
                        timedOut = true;
                        LibC.kill(pid, 9);
                        break;
                    }
                }
                LibC.close(pfd);
            }
        }
        return ChildProcess.WaitForExit(pid, 0, $"wait for hook {pid}");
    }
}
