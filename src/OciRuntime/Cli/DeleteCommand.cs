using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class DeleteCommand : Command
{
    public override string Name => "delete";
    public override string Summary => "delete a container and everything the runtime holds for it";
    public override string Usage => "[--force] <container-id>";
    public override IReadOnlyList<OptionSpec> Options => [new("force", false, "f")];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        string id = Id(a);
        bool force = a.Flag("force");
        StateStore.ValidateId(id);
        if (!ctx.Store.Exists(id))
        {
            // As runc: deleting what is not there is fine when forced (managers clean up blindly).
            if (force)
                return 0;
            throw StateStore.NotExist(id);
        }
        var record = ctx.Store.TryLoad(id);
        if (record is null)
        {
            // A create that died before writing its state left only the directory.
            ctx.Store.Remove(id);
            return 0;
        }
        new Container(ctx.Store, record).Delete(force);
        return 0;
    }
}
