/*
 * procfs.c - writes to procfs files that nothing can redirect: OPEN_PROCFS, WRITE_PROC,
 * TIMENS_OFFSETS, and write_procfs, which the id-map helper's maps use too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

/* Writes value in one write(2) to fd, after checking that fd is a procfs file (a mount or a
 * symlink must not redirect the write); closes fd. what names the file in errors. */
void write_procfs(int fd, const char *value, const char *what_fstatfs, const char *what_write)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        fail(what_fstatfs);
    if (sf.f_type != PROC_SUPER_MAGIC)
        fail_err(EPERM, "verify procfs");
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    if (w < 0)
        fail(what_write);
    if ((size_t)w != len)
        fail_err(EIO, what_write);
    close(fd);
}

/* OPEN_PROCFS: the procfs that WRITE_PROC writes through, one nothing of the container's config
 * has been (or can be) mounted on. */
void op_open_procfs(struct plan_cursor *c)
{
    uint32_t how = get_u32(c);
    int fd;
    if (how == OCI_PROCFS_NEW) {
        int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
        if (fs < 0)
            fail("fsopen proc");
        if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
            fail("fsconfig proc");
        fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (fd < 0)
            fail("fsmount proc");
        close(fs);
    } else if (how == OCI_PROCFS_CURRENT) {
        fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            fail("open /proc");
    } else
        fail_err(EINVAL, "procfs source");
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        fail("fstatfs procfs");
    if (sf.f_type != PROC_SUPER_MAGIC)
        fail_err(EPERM, "verify procfs");
    if (g_exec.proc_fd >= 0)
        close(g_exec.proc_fd);
    g_exec.proc_fd = fd;
}

/* WRITE_PROC: path is relative to the procfs of OPEN_PROCFS and is walked without crossing a mount
 * or following any symlink, so no mount (a config's, or one a shared volume propagates) and no
 * link can send the value to another file (CVE-2019-19921, CVE-2025-52881). Only a leading "self"
 * or "thread-self", procfs' own links, is read and replaced by its target first. */
void op_write_proc(struct plan_cursor *c)
{
    const char *path = get_str(c), *value = get_str(c);
    if (g_exec.proc_fd < 0)
        fail_err(EBADF, "no procfs opened");
    char buf[PATH_MAX];
    const char *p = path;
    size_t first = strcspn(path, "/");
    if ((first == 4 && strncmp(path, "self", 4) == 0) || (first == 11 && strncmp(path, "thread-self", 11) == 0)) {
        char link[12];
        memcpy(link, path, first);
        link[first] = 0;
        ssize_t n = readlinkat(g_exec.proc_fd, link, buf, sizeof buf - 1);
        if (n < 0)
            fail("readlink procfs self");
        size_t rest = strlen(path + first);
        if ((size_t)n + rest >= sizeof buf)
            fail_err(ENAMETOOLONG, "proc file path");
        memcpy(buf + n, path + first, rest + 1);
        p = buf;
    }
    struct open_how how = {
        .flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, g_exec.proc_fd, p, &how, sizeof how);
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    if (fd < 0)
        fail("openat2 proc file");
    write_procfs(fd, value, "fstatfs proc file", "write proc file");
}

/* The time namespace's offsets can be set only while no process is in it: the executor unshared it
 * (which moves only its children) and writes its own file before it forks. The file is reached
 * from /proc through the "self" link and checked to be procfs, so a mount over /proc cannot
 * redirect the write. */
void op_timens_offsets(struct plan_cursor *c)
{
    const char *offsets = get_str(c);
    int self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (self < 0)
        fail("open /proc/self");
    int fd = openat(self, "timens_offsets", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    close(self);
    if (fd < 0)
        fail("open timens_offsets");
    write_procfs(fd, offsets, "fstatfs timens_offsets", "write timens_offsets");
}
