/*
 * paths.c - paths inside the container's root.
 *
 * Every lookup goes through openat2(root_fd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): ".."
 * and absolute symlinks in the image stop at the root, so a symlink such as "/etc -> ../../.." can
 * never make a mkdir, mknod or mount land on the host. Objects are created with *at() calls in a
 * parent directory that was itself resolved that way, by a single name that is never "." or "..".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int in_root_open(const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd, tries = 0;
    /* EAGAIN: a concurrent rename raced with ".." handling; the kernel asks for a retry. */
    do
        fd = (int)syscall(SYS_openat2, g_exec.root_fd, path, &how, sizeof how);
    while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 16);
    return fd;
}

void fd_path(char buf[32], int fd)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0;
    unsigned v = (unsigned)fd;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    memcpy(buf, prefix, sizeof prefix - 1);
    char *p = buf + sizeof prefix - 1;
    while (n > 0)
        *p++ = digits[--n];
    *p = 0;
}

/* Only the last directory is missing (/dev/pts, a cgroup hierarchy's mount point): made in its
 * parent, which is found, like the result, by one lookup of its whole path. The O_PATH fd, or -1
 * for anything else (then the walk below makes and reports it). */
static int mkdir_last(const char *path, mode_t mode)
{
    char parent[PATH_MAX];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len >= sizeof parent || strstr(path, "/.") != NULL) /* no "." or ".." to make */
        return -1;
    memcpy(parent, path, len);
    parent[len] = 0;
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash[1] == 0 || strlen(slash + 1) > NAME_MAX)
        return -1;
    *slash = 0;
    int dir = in_root_open(slash == parent ? "/" : parent, O_PATH | O_DIRECTORY);
    if (dir < 0)
        return -1;
    int made = mkdirat(dir, slash + 1, mode) == 0 || errno == EEXIST;
    close(dir);
    *slash = '/';
    return made ? in_root_open(parent, O_PATH | O_DIRECTORY) : -1;
}

int mkdir_all(const char *path, mode_t mode)
{
    /* Usually every directory exists (a mount point of the image): one lookup of the whole path
     * does what the walk below would, whose last step resolves that same path the same way. */
    int whole = in_root_open(path, O_PATH | O_DIRECTORY);
    if (whole < 0 && errno == ENOENT)
        whole = mkdir_last(path, mode);
    if (whole >= 0)
        return whole;
    char prefix[PATH_MAX];
    size_t len = 0;
    int dir = in_root_open("/", O_PATH | O_DIRECTORY);
    if (dir < 0)
        fail("openat2 root");
    for (const char *p = path;;) {
        while (*p == '/')
            p++;
        if (*p == 0)
            return dir;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n > NAME_MAX || len + 1 + n >= sizeof prefix)
            fail_err(ENAMETOOLONG, "mkdir path");
        prefix[len++] = '/';
        memcpy(prefix + len, p, n);
        len += n;
        prefix[len] = 0;
        /* Each prefix is resolved from the root again (not from `dir`), so a symlink met on the
         * way is followed inside the root, and `dir` is where the next name really lives. */
        int next = in_root_open(prefix, O_PATH | O_DIRECTORY);
        if (next < 0 && errno == ENOENT) {
            char name[NAME_MAX + 1];
            memcpy(name, p, n);
            name[n] = 0;
            if (mkdirat(dir, name, mode) < 0 && errno != EEXIST)
                fail("mkdirat");
            next = in_root_open(prefix, O_PATH | O_DIRECTORY);
        }
        if (next < 0)
            fail("openat2 mkdir");
        close(dir);
        dir = next;
        p = end;
    }
}

int open_parent(const char *path, char buf[PATH_MAX], const char **name)
{
    size_t len = strlen(path);
    if (len >= PATH_MAX)
        fail_err(ENAMETOOLONG, "path");
    memcpy(buf, path, len + 1);
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = 0;
    char *slash = strrchr(buf, '/');
    char *base = slash ? slash + 1 : buf;
    /* "." or ".." as the name would make *at() act on the parent (or the root's parent). */
    if (*base == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        fail_err(EINVAL, "path names no file");
    *name = base;
    if (slash)
        *slash = 0;
    int dir = mkdir_all(slash ? buf : "/", 0755);
    if (slash)
        *slash = '/'; /* buf is whole again; *name still points at the last component */
    return dir;
}

void make_file(const char *path)
{
    char buf[PATH_MAX];
    const char *name;
    int dir = open_parent(path, buf, &name);
    int fd = openat(dir, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) /* an existing file (or symlink, resolved later) is fine */
        fail("create file");
    if (fd >= 0)
        close(fd);
    close(dir);
}

void reopen_root(void)
{
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        fail("open new root");
    if (g_exec.root_fd >= 0)
        close(g_exec.root_fd);
    g_exec.root_fd = fd;
}
