using Xunit;

namespace OciRuntime.Tests;

/// <summary>The one /etc/passwd reader (host: rootless user name, `list` OWNER; container: HOME).</summary>
public class PasswdFileTests
{
    private const string Text =
        "root:x:0:0:root:/root:/bin/sh\r\n" +
        "# a comment\n" +
        "broken:x:notanumber:0::/nowhere:/bin/sh\n" +
        "nohome:x:1001:1001::\n" +
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n" +
        "alice2:x:1000:1000::/elsewhere:/bin/sh\n";

    [Fact]
    public void Names_and_homes_come_from_the_first_matching_line()
    {
        Assert.Equal("alice", PasswdFile.NameOf(Text, 1000));
        Assert.Equal("/home/alice", PasswdFile.HomeOf(Text, 1000));
        Assert.Equal("/root", PasswdFile.HomeOf(Text, 0));
    }

    [Fact]
    public void A_user_without_a_home_or_without_a_line_gets_slash_and_no_name()
    {
        Assert.Equal("nohome", PasswdFile.NameOf(Text, 1001));
        Assert.Equal("/", PasswdFile.HomeOf(Text, 1001));
        Assert.Null(PasswdFile.NameOf(Text, 4242));
        Assert.Equal("/", PasswdFile.HomeOf(Text, 4242));
        Assert.Equal("/", PasswdFile.HomeOf(null, 0));
    }

    [Fact]
    public void Lines_that_do_not_parse_are_skipped()
    {
        Assert.Equal(["root", "nohome", "alice", "alice2"], PasswdFile.Parse(Text).Select(e => e.Name));
    }
}
