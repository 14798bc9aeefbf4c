using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

public class SpecValidatorTests
{
    /// <summary>Validates the minimal config with <paramref name="process"/>, <paramref name="linux"/> and <paramref name="top"/> fields merged in.</summary>
    private static List<string> Errors(string process = "", string linux = "", string top = "")
    {
        string Merge(string baseFields, string extra) => extra.Length == 0 ? baseFields : baseFields + ", " + extra;
        string json = "{ " + Merge("\"ociVersion\": \"1.3.0\", \"root\": { \"path\": \"rootfs\" }", top) +
                      ", \"process\": { " + Merge("\"args\": [\"sh\"], \"cwd\": \"/\"", process) + " }" +
                      ", \"linux\": { " + Merge("\"namespaces\": [ { \"type\": \"mount\" } ]", linux) + " } }";
        var spec = ConfigLoader.Parse(TestData.Utf8(json));
        return SpecValidator.Validate(spec, requireProcess: true).Select(e => e.ToString()).ToList();
    }

    private static void AssertSingle(string expected, List<string> errors) => Assert.Equal([expected], errors);

    [Fact]
    public void MinimalConfigIsValid() => Assert.Empty(Errors());

    [Fact]
    public void ErrorToStringJoinsPathAndMessage()
    {
        Assert.Equal("linux.namespaces[2].type: unknown namespace type \"foo\"", new SpecError("linux.namespaces[2].type", "unknown namespace type \"foo\"").ToString());
        Assert.Equal("whole", new SpecError("", "whole").ToString());
    }

    [Fact]
    public void OciVersion()
    {
        var missing = SpecValidator.Validate(ConfigLoader.Parse(TestData.Utf8("""{ "root": { "path": "r" } }""")));
        Assert.Equal(["ociVersion: required"], missing.Select(e => e.ToString()));
        AssertSingle("ociVersion: unsupported version \"2.0.0\" (expected a 1.x.y semantic version)", Errors(top: "\"ociVersion\": \"2.0.0\""));
        AssertSingle("ociVersion: unsupported version \"1.2\" (expected a 1.x.y semantic version)", Errors(top: "\"ociVersion\": \"1.2\""));
        Assert.Empty(Errors(top: "\"ociVersion\": \"1.0.2-dev\""));
    }

    [Fact]
    public void Root()
    {
        var noRoot = SpecValidator.Validate(ConfigLoader.Parse(TestData.Utf8("""{ "ociVersion": "1.3.0" }""")));
        Assert.Equal(["root: required"], noRoot.Select(e => e.ToString()));
        AssertSingle("root.path: required", Errors(top: "\"root\": { \"readonly\": true }"));
    }

    [Fact]
    public void ProcessRequiredOnlyWhenAsked()
    {
        var spec = ConfigLoader.Parse(TestData.Utf8("""{ "ociVersion": "1.3.0", "root": { "path": "r" } }"""));
        Assert.Empty(SpecValidator.Validate(spec));
        Assert.Equal(["process: required"], SpecValidator.Validate(spec, requireProcess: true).Select(e => e.ToString()));
    }

    [Fact]
    public void ProcessArgsCwdEnv()
    {
        AssertSingle("process.args: must name the program to run (at least one element)", Errors(process: "\"args\": []"));
        AssertSingle("process.cwd: must be an absolute path, got \"srv\"", Errors(process: "\"cwd\": \"srv\""));
        AssertSingle("process.cwd: required", Errors(process: "\"cwd\": \"\""));
        Assert.Equal(
            ["process.env[1]: expected NAME=VALUE, got \"NOEQUALS\" (no '=')", "process.env[2]: expected NAME=VALUE, got \"=x\" (empty name)"],
            Errors(process: "\"env\": [\"A=1\", \"NOEQUALS\", \"=x\", \"EMPTY=\"]"));
    }

    [Fact]
    public void Rlimits()
    {
        Assert.Equal(
        [
            "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"",
            "process.rlimits[2].type: duplicate rlimit type \"RLIMIT_NOFILE\" (already set by process.rlimits[1])",
            "process.rlimits[2]: soft limit 2048 is greater than hard limit 1024",
        ], Errors(process: """
            "rlimits": [
                { "type": "RLIMIT_FOO", "hard": 1, "soft": 1 },
                { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 },
                { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 2048 }
            ]
            """));
    }

    [Fact]
    public void Unknown_capability_names_are_not_validation_errors()
    {
        // runtime-spec v1.3.0: a capability that cannot be granted is a warning (the planner's).
        Assert.Empty(Errors(process: """ "capabilities": { "bounding": ["CAP_CHOWN", "CAP_FOO"], "effective": ["CAP_CHECKPOINT_RESTORE"], "ambient": ["NET_RAW"] } """));
    }

    [Fact]
    public void Umask()
    {
        Assert.Empty(Errors(process: "\"user\": { \"uid\": 0, \"gid\": 0, \"umask\": 511 }"));
        AssertSingle("process.user.umask: must be at most 0777 (511 in decimal), got 512", Errors(process: "\"user\": { \"umask\": 512 }"));
    }

    [Fact]
    public void OtherProcessFields()
    {
        AssertSingle("process.oomScoreAdj: must be between -1000 and 1000, got 1001", Errors(process: "\"oomScoreAdj\": 1001"));
        AssertSingle("process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_X\"", Errors(process: "\"ioPriority\": { \"class\": \"IOPRIO_CLASS_X\", \"priority\": 1 }"));
        AssertSingle("process.ioPriority.priority: must be between 0 and 7, got 8", Errors(process: "\"ioPriority\": { \"class\": \"IOPRIO_CLASS_BE\", \"priority\": 8 }"));
        AssertSingle("process.scheduler.policy: required", Errors(process: "\"scheduler\": { \"nice\": 1 }"));
        AssertSingle("process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\"", Errors(process: "\"scheduler\": { \"policy\": \"SCHED_OTHER\", \"flags\": [\"SCHED_FLAG_X\"] }"));
        AssertSingle("process.execCPUAffinity.final: expected a CPU list such as \"0-3,7\", got \"all\"", Errors(process: "\"execCPUAffinity\": { \"initial\": \"0\", \"final\": \"all\" }"));
    }

    [Fact]
    public void AnnotationKeysMustNotBeEmpty()
    {
        AssertSingle("annotations: a key must not be an empty string", Errors(top: "\"annotations\": { \"\": \"x\", \"a\": \"b\" }"));
        Assert.Empty(Errors(top: "\"annotations\": { \"a\": \"\" }"));
    }

    [Fact]
    public void ListenerMetadataNeedsAListenerPath()
    {
        AssertSingle("linux.seccomp.listenerMetadata: must not be set without linux.seccomp.listenerPath",
            Errors(linux: "\"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"m\" }"));
        Assert.Empty(Errors(linux: "\"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/l.sock\", \"listenerMetadata\": \"m\" }"));
    }

    [Fact]
    public void HostnameNeedsANewUtsNamespace()
    {
        AssertSingle("hostname: requires a new UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)", Errors(top: "\"hostname\": \"h\""));
        // A joined UTS namespace gets the name, as with runc (runtime-tools linux_ns_path).
        Assert.Empty(Errors(top: "\"domainname\": \"d\"", linux: "\"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"uts\", \"path\": \"/proc/1/ns/uts\" } ]"));
        Assert.Empty(Errors(top: "\"hostname\": \"h\"", linux: "\"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"uts\" } ]"));
        // An empty hostname asks for nothing.
        Assert.Empty(Errors(top: "\"hostname\": \"\""));
    }

    [Fact]
    public void Namespaces()
    {
        Assert.Equal(
        [
            "linux.namespaces[2].type: unknown namespace type \"foo\" (expected one of pid, network, mount, ipc, uts, user, cgroup, time)",
            "linux.namespaces[3].type: duplicate namespace type \"pid\" (already in linux.namespaces[1])",
            "linux.namespaces[4].path: must be an absolute path, got \"proc/1/ns/net\"",
            "linux.namespaces[5].type: required",
        ], Errors(linux: """
            "namespaces": [
                { "type": "mount" }, { "type": "pid" }, { "type": "foo" }, { "type": "pid" },
                { "type": "network", "path": "proc/1/ns/net" }, { "path": "/proc/1/ns/ipc" }
            ]
            """));
    }

    [Fact]
    public void IdMappingsNeedAUserNamespace()
    {
        const string Maps = "\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ], \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ]";
        Assert.Equal(["linux.uidMappings: requires a user namespace in linux.namespaces", "linux.gidMappings: requires a user namespace in linux.namespaces"],
            Errors(linux: Maps));
        Assert.Empty(Errors(linux: Maps + ", \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"user\" } ]"));
        Assert.Equal(["linux.uidMappings: required when creating a new user namespace", "linux.gidMappings: required when creating a new user namespace"],
            Errors(linux: "\"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"user\" } ]"));
        Assert.Empty(Errors(linux: "\"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"user\", \"path\": \"/proc/1/ns/user\" } ]"));
        AssertSingle("linux.uidMappings[0].size: must be greater than zero",
            Errors(linux: "\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1, \"size\": 0 } ], \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1, \"size\": 1 } ], \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"user\" } ]"));
    }

    [Fact]
    public void TimeOffsets()
    {
        AssertSingle("linux.timeOffsets: cannot be set when joining an existing time namespace (linux.namespaces[1].path)",
            Errors(linux: "\"timeOffsets\": { \"monotonic\": { \"secs\": 1 } }, \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"time\", \"path\": \"/proc/1/ns/time\" } ]"));
        AssertSingle("linux.timeOffsets: requires a time namespace in linux.namespaces",
            Errors(linux: "\"timeOffsets\": { \"boottime\": { \"secs\": 1 } }"));
        Assert.Equal(["linux.timeOffsets.realtime: unknown clock \"realtime\" (expected monotonic or boottime)", "linux.timeOffsets.boottime.nanosecs: must be less than 1000000000, got 1000000000"],
            Errors(linux: "\"timeOffsets\": { \"realtime\": { \"secs\": 1 }, \"boottime\": { \"nanosecs\": 1000000000 } }, \"namespaces\": [ { \"type\": \"mount\" }, { \"type\": \"time\" } ]"));
    }

    [Fact]
    public void MountDestination()
    {
        AssertSingle("mounts[1].destination: required", Errors(top: "\"mounts\": [ { \"destination\": \"/a\", \"type\": \"tmpfs\" }, { \"type\": \"tmpfs\", \"source\": \"tmpfs\" } ]"));
        // runc takes a relative destination relative to the rootfs; so does the spec since v1.1.
        Assert.Empty(Errors(top: "\"mounts\": [ { \"destination\": \"a/b\", \"type\": \"tmpfs\" } ]"));
    }

    [Fact]
    public void Devices()
    {
        Assert.Equal(
        [
            "linux.devices[0].path: must be an absolute path, got \"dev/x\"",
            "linux.devices[1].type: unknown device type \"x\" (expected c, b, u or p)",
            "linux.devices[2].major: required for a device of type \"c\"",
            "linux.devices[3].minor: required for a device of type \"b\"",
            "linux.devices[4].fileMode: must be at most 07777 (4095 in decimal), got 8630",
            "linux.devices[5].path: required",
            "linux.devices[5].type: required",
        ], Errors(linux: """
            "devices": [
                { "path": "dev/x", "type": "c", "major": 1, "minor": 3 },
                { "path": "/dev/x", "type": "x" },
                { "path": "/dev/c", "type": "c", "minor": 1 },
                { "path": "/dev/b", "type": "b", "major": 8 },
                { "path": "/dev/m", "type": "u", "major": 1, "minor": 2, "fileMode": 8630 },
                { },
                { "path": "/dev/fifo", "type": "p" }
            ]
            """));
    }

    [Fact]
    public void SysctlAndPropagation()
    {
        Assert.Equal(["linux.sysctl: a sysctl name must not be empty", "linux.sysctl[\"net/../../x\"]: invalid sysctl name \"net/../../x\""],
            Errors(linux: "\"sysctl\": { \"\": \"1\", \"net/../../x\": \"1\", \"net.ipv4.ip_forward\": \"1\" }"));
        AssertSingle("linux.rootfsPropagation: unknown propagation \"rshare\" (expected one of shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable)",
            Errors(linux: "\"rootfsPropagation\": \"rshare\""));
        Assert.Empty(Errors(linux: "\"rootfsPropagation\": \"runbindable\""));
    }

    [Fact]
    public void Hooks()
    {
        Assert.Equal(
        [
            "hooks.prestart[0].path: must be an absolute path, got \"hook\"",
            "hooks.poststart[0].path: required",
            "hooks.poststop[1].timeout: must be greater than zero, got 0",
        ], Errors(top: """
            "hooks": {
                "prestart": [ { "path": "hook" } ],
                "createRuntime": [ { "path": "/bin/true", "timeout": 1 } ],
                "poststart": [ { "args": ["x"] } ],
                "poststop": [ { "path": "/bin/true" }, { "path": "/bin/true", "timeout": 0 } ]
            }
            """));
    }

    [Fact]
    public void SeccompLight()
    {
        Assert.Equal(
        [
            "linux.seccomp.defaultAction: required",
            "linux.seccomp.architectures[0]: unknown seccomp architecture \"x86_64\"",
            "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_MAYBE\"",
            "linux.seccomp.syscalls[1].names: must name at least one system call",
            "linux.seccomp.syscalls[1].args[0].index: must be between 0 and 5, got 6",
            "linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"",
        ], Errors(linux: """
            "seccomp": {
                "architectures": ["x86_64"],
                "syscalls": [
                    { "names": ["read"], "action": "SCMP_ACT_MAYBE" },
                    { "names": [], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 6, "value": 1, "op": "SCMP_CMP_XX" } ] }
                ]
            }
            """));
    }

    [Fact]
    public void MemoryPolicyPersonalityNetDevices()
    {
        AssertSingle("linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\"", Errors(linux: "\"memoryPolicy\": { \"mode\": \"MPOL_FAST\", \"nodes\": \"0\" }"));
        AssertSingle("linux.personality.domain: unknown personality domain \"LINUX64\"", Errors(linux: "\"personality\": { \"domain\": \"LINUX64\" }"));
        Assert.Equal(["linux.netDevices: requires a network namespace in linux.namespaces", "linux.netDevices[\"bad/name\"]: invalid network interface name \"bad/name\""],
            Errors(linux: "\"netDevices\": { \"bad/name\": { }, \"eth0\": { \"name\": \"ctr0\" } }"));
    }

    [Fact]
    public void OtherPlatformSectionsMustBeObjects()
    {
        Assert.Equal(["vm: expected an object, got 5", "freebsd: expected an object, got an array"],
            Errors(top: "\"vm\": 5, \"freebsd\": [], \"windows\": { \"layerFolders\": [] }, \"zos\": null"));
    }

    [Fact]
    public void AllErrorsAreReportedNotJustTheFirst()
    {
        var spec = ConfigLoader.Parse(TestData.Utf8("""
            {
                "ociVersion": "0.9",
                "hostname": "h",
                "process": { "args": [], "cwd": "rel", "env": ["X"], "rlimits": [ { "type": "RLIMIT_X", "hard": 1, "soft": 2 } ] },
                "mounts": [ { "destination": "" } ],
                "linux": { "namespaces": [ { "type": "bogus" } ], "devices": [ { "path": "d", "type": "c" } ] }
            }
            """));
        var errors = SpecValidator.Validate(spec).Select(e => e.Path).ToList();
        Assert.Equal(
        [
            "ociVersion", "root", "process.args", "process.cwd", "process.env[0]", "process.rlimits[0].type", "process.rlimits[0]",
            "mounts[0].destination", "linux.namespaces[0].type", "hostname", "linux.devices[0].path", "linux.devices[0].major", "linux.devices[0].minor",
        ], errors);
    }

    [Fact]
    public void ThrowIfInvalidListsEveryError()
    {
        var errors = new[] { new SpecError("a", "one"), new SpecError("b[0]", "two") };
        var e = Assert.Throws<ConfigException>(() => SpecValidator.ThrowIfInvalid(errors));
        Assert.Equal($"config.json: a: one{Environment.NewLine}config.json: b[0]: two", e.Message);
        SpecValidator.ThrowIfInvalid([]);
    }

    [Fact]
    public void ExecProcessPathsAreRelativeToTheProcessObject()
    {
        var p = ConfigLoader.ParseProcess(TestData.Utf8("""{ "args": [], "cwd": "x" }"""));
        Assert.Equal(["args: must name the program to run (at least one element)", "cwd: must be an absolute path, got \"x\""],
            SpecValidator.ValidateProcess(p).Select(e => e.ToString()));
    }
}
