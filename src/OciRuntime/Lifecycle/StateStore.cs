using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The directory tree under --root: one directory per container holding state.json and, while the
/// container is created but not started, the exec fifo.
/// </summary>
internal sealed class StateStore(string root)
{
    public const string DefaultRoot = "/run/ociruntime";
    private const string StateFile = "state.json";
    private const string FifoFile = "exec.fifo";

    public string Root { get; } = root;

    /// <summary>An id is one path component of letters, digits, '_', '+', '-', '.' (as runc).</summary>
    public static void ValidateId(string id)
    {
        if (id.Length == 0)
            throw new RuntimeError("container id cannot be empty");
        if (id is "." or ".." || id.Length > 1024 || !id.All(IsIdChar))
            throw new RuntimeError($"invalid container id \"{id}\": use letters, digits and _ + - . only");
    }

    // A loop, not a Regex: the regex engine costs start-up time on every command.
    private static bool IsIdChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '+' or '-' or '.';

    public string DirOf(string id) => Path.Combine(Root, id);

    public string FifoOf(string id) => Path.Combine(Root, id, FifoFile);

    /// <summary>Claims the id: mkdir is atomic, so two creates of one id cannot both succeed.</summary>
    public string CreateDir(string id)
    {
        ValidateId(id);
        try
        {
            Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (UnauthorizedAccessException)
        {
            throw RootDenied();
        }
        string dir = DirOf(id);
        if (LibC.mkdir(dir, 0b111_001_001) != 0) // 0711
        {
            int e = LibC.Errno;
            if (e == LibC.EEXIST)
                throw new RuntimeError($"container \"{id}\" already exists");
            if (e == LibC.EACCES)
                throw RootDenied();
            throw new SyscallException($"mkdir {dir}", e);
        }
        return dir;
    }

    /// <summary>An unprivileged caller without XDG_RUNTIME_DIR lands on the host root's default.</summary>
    private RuntimeError RootDenied() =>
        new($"--root {Root}: permission denied" +
            (LibC.geteuid() != 0 ? " (not running as root: set XDG_RUNTIME_DIR or give --root a directory you own)" : ""));

    public bool Exists(string id) => Directory.Exists(DirOf(id));

    /// <summary>The record of a created container; null while its create has not finished (or
    /// was aborted).</summary>
    public ContainerRecord? TryLoad(string id)
    {
        ValidateId(id);
        string file = Path.Combine(DirOf(id), StateFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        return ContainerRecordJson.Parse(bytes, file);
    }

    public ContainerRecord Load(string id)
    {
        if (!Exists(id))
        {
            ValidateId(id);
            throw NotExist(id);
        }
        return TryLoad(id) ?? throw NotExist(id);
    }

    public static RuntimeError NotExist(string id) => new($"container \"{id}\" does not exist");

    /// <summary>Written to a temporary file and renamed, so a reader never sees half a record.</summary>
    public void Save(ContainerRecord record)
    {
        string file = Path.Combine(DirOf(record.Id), StateFile);
        SysFile.ReplaceFile(file, file + ".tmp", ContainerRecordJson.Serialize(record));
    }

    public void Remove(string id)
    {
        string dir = DirOf(id);
        // What the store itself puts there, then the directory: no enumeration on the common path
        // (every `delete`, and every `run`). Anything else in it falls back to a recursive delete.
        foreach (var name in (ReadOnlySpan<string>)[StateFile, StateFile + ".tmp", FifoFile])
            LibC.unlink(Path.Combine(dir, name));
        if (LibC.rmdir(dir) == 0 || LibC.Errno == LibC.ENOENT)
            return;
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root))
            return [];
        return Directory.EnumerateDirectories(Root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal);
    }
}
