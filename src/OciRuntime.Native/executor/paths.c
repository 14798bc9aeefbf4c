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

/* Appends "/name" (n bytes) to the resolved path in buf (len bytes, "/" alone for the root). */
static size_t path_push(char buf[PATH_MAX], size_t len, const char *name, size_t n)
{
    if (len == 1)
        len = 0;
    if (len + 1 + n >= PATH_MAX)
        fail_err(ENAMETOOLONG, "path");
    buf[len++] = '/';
    memcpy(buf + len, name, n);
    len += n;
    buf[len] = 0;
    return len;
}

int create_in_root(const char *path, mode_t mode, int last_is_file)
{
    /* `done`: the part resolved so far, every component an existing non-symlink, so the kernel
     * resolves it to where we walked. `todo`: what is left; a symlink met is replaced by its
     * target followed by the rest, restarting from the root for an absolute one. Each lookup is
     * one in_root_open of `done` plus a name, so nothing can lead out of the root. */
    char done[PATH_MAX] = "/", todo[PATH_MAX], link[PATH_MAX];
    size_t dlen = 1;
    int links = 0, made = 0;
    if (strlen(path) >= sizeof todo)
        fail_err(ENAMETOOLONG, "path");
    int root = in_root_open("/", O_PATH | O_DIRECTORY); /* no root fd yet: said as such */
    if (root < 0)
        fail("openat2 root");
    close(root);
    strcpy(todo, path);
    const char *p = todo;
    for (;;) {
        while (*p == '/')
            p++;
        if (*p == 0)
            return in_root_open(done, O_PATH | (last_is_file ? 0 : O_DIRECTORY));
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n > NAME_MAX)
            fail_err(ENAMETOOLONG, "path component");
        if (n == 1 && p[0] == '.') {
            p = end;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.') { /* `done` holds no symlink: ".." is lexical */
            char *slash = strrchr(done, '/');
            dlen = slash == done ? 1 : (size_t)(slash - done);
            done[dlen] = 0;
            p = end;
            continue;
        }
        const char *rest = end;
        while (*rest == '/')
            rest++;
        int last = *rest == 0;
        size_t saved = dlen;
        dlen = path_push(done, dlen, p, n);
        int fd = in_root_open(done, O_PATH | O_NOFOLLOW);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) < 0)
                fail("fstat path component");
            if (!S_ISLNK(st.st_mode)) {
                close(fd);
                made = 0;
                p = end;
                continue;
            }
            if (++links > 40)
                fail_err(ELOOP, "path");
            ssize_t ln = readlinkat(fd, "", link, sizeof link - 1);
            close(fd);
            if (ln <= 0)
                fail(ln < 0 ? "readlink" : "empty symlink");
            link[ln] = 0;
            size_t rlen = strlen(end);
            if ((size_t)ln + 1 + rlen >= sizeof todo)
                fail_err(ENAMETOOLONG, "path");
            /* The target, then the rest (which begins with '/' or is empty). */
            memmove(todo + ln, end, rlen + 1);
            memcpy(todo, link, (size_t)ln);
            p = todo;
            dlen = link[0] == '/' ? 1 : saved;
            done[dlen] = 0;
            continue;
        }
        if (errno != ENOENT || made++ > 4)
            fail("openat2 path component");
        /* Missing: made in the resolved parent by its one name, then looked up again. */
        done[saved] = 0;
        int dir = in_root_open(done, O_PATH | O_DIRECTORY);
        if (dir < 0)
            fail("openat2 parent");
        char name[NAME_MAX + 1];
        memcpy(name, p, n);
        name[n] = 0;
        if (last && last_is_file) {
            int f = openat(dir, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (f < 0 && errno != EEXIST)
                fail("create file");
            if (f >= 0)
                close(f);
        } else if (mkdirat(dir, name, mode) < 0 && errno != EEXIST) {
            fail("mkdirat");
        }
        close(dir);
        dlen = saved;
        done[dlen] = 0;
    }
}

int mkdir_all(const char *path, mode_t mode)
{
    /* Usually every directory exists (a mount point of the image): one lookup of the whole path
     * does what the walk does, whose last step resolves that same path the same way. */
    int whole = in_root_open(path, O_PATH | O_DIRECTORY);
    if (whole < 0 && errno == ENOENT)
        whole = mkdir_last(path, mode);
    if (whole >= 0)
        return whole;
    whole = create_in_root(path, mode, 0);
    if (whole < 0)
        fail("openat2 mkdir");
    return whole;
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
