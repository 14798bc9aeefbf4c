/*
 * rootfs.c - files in the container's root: OPEN_ROOT, MKNOD, SYMLINK, MKDIR, CHDIR. Every path is
 * resolved inside the root fd (paths.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

void op_mknod(struct plan_cursor *c)
{
    const char *path = get_str(c);
    uint32_t mode = get_u32(c), major = get_u32(c), minor = get_u32(c), uid = get_u32(c), gid = get_u32(c);
    char buf[PATH_MAX];
    const char *name;
    int dir = open_parent(path, buf, &name);
    if (mknodat(dir, name, (mode_t)mode, makedev(major, minor)) < 0) {
        if (errno != EEXIST)
            fail("mknodat");
        /* runtime-spec: an existing file at the path that is not the requested device is an
         * error. Type and device number are compared; mode and owner are the file's own. */
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            fail("fstatat existing device");
        int is_dev = S_ISCHR(mode) || S_ISBLK(mode);
        if ((st.st_mode & S_IFMT) != (mode & S_IFMT) ||
            (is_dev && (major(st.st_rdev) != major || minor(st.st_rdev) != minor)))
            fail_err(EEXIST, "mknod: a different file exists at the path");
    } else {
        /* Set explicitly: mknod's mode went through the umask. Through an O_PATH fd of the node,
         * checked to be the node just made: a name looked up again (fchmodat follows symlinks)
         * could be a symlink swapped in meanwhile, and the chmod would land on its target. */
        int node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (node < 0)
            fail("open new node");
        struct stat st;
        if (fstat(node, &st) < 0)
            fail("fstat new node");
        if ((st.st_mode & S_IFMT) != (mode & S_IFMT) || ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
                                                         st.st_rdev != makedev(major, minor)))
            fail_err(EEXIST, "new node replaced");
        if (fchownat(node, "", uid, gid, AT_EMPTY_PATH) < 0)
            fail("fchownat");
        /* fchmodat2(AT_EMPTY_PATH) where the kernel has it (6.6), else the fd's /proc link. */
        if (syscall(452 /* fchmodat2 */, node, "", mode & 07777, AT_EMPTY_PATH) < 0) {
            char link[32];
            fd_path(link, node);
            if (chmod(link, mode & 07777) < 0)
                fail("fchmodat");
        }
        close(node);
    }
    close(dir);
}

void op_symlink(struct plan_cursor *c)
{
    const char *content = get_str(c), *path = get_str(c);
    char buf[PATH_MAX];
    const char *name;
    int dir = open_parent(path, buf, &name);
    if (symlinkat(content, dir, name) < 0 && errno != EEXIST)
        fail("symlinkat");
    close(dir);
}

void op_chdir(struct plan_cursor *c)
{
    const char *path = get_str(c);
    if (chdir(path) < 0)
        fail("chdir");
    /* A cwd inherited from outside the root shows as "(unreachable)/..." (CVE-2024-21626). The
     * raw syscall is used because glibc's getcwd hides that form behind ENOENT. */
    char cwd[PATH_MAX];
    if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0 || cwd[0] != '/')
        fail_err(ESTALE, "cwd outside root");
}

void op_open_root(struct plan_cursor *c)
{
    int fd = open(get_str(c), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        fail("open root");
    if (g_exec.root_fd >= 0)
        close(g_exec.root_fd);
    g_exec.root_fd = fd;
}

void op_mkdir(struct plan_cursor *c)
{
    const char *path = get_str(c);
    close(mkdir_all(path, (mode_t)get_u32(c)));
}
