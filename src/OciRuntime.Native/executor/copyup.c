/*
 * copyup.c - copy a directory tree into another directory (OCI_MNT_COPYUP, "tmpcopyup").
 *
 * The source is the image's directory that a new tmpfs is about to hide, so it is untrusted:
 * every entry is reached with *at() calls relative to its parent's fd and no symlink is ever
 * followed (symlinks are copied as symlinks, regular files are opened O_NOFOLLOW|O_NONBLOCK and
 * checked to be regular files after opening). Owner, mode and times are kept; extended attributes
 * and hard links are not (each link becomes its own file). Directory entries are read with
 * getdents64 into a buffer on the stack, so nothing is allocated.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define COPY_MAX_DEPTH 128

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char copy_buf[65536];

static void keep_attrs(int fd, const struct stat *st)
{
    if (fchown(fd, st->st_uid, st->st_gid) < 0)
        fail("tmpcopyup fchown");
    if (fchmod(fd, st->st_mode & 07777) < 0) /* after chown, which clears set-id bits */
        fail("tmpcopyup fchmod");
    struct timespec t[2] = { st->st_atim, st->st_mtim };
    if (futimens(fd, t) < 0)
        fail("tmpcopyup futimens");
}

static void copy_file(int src, int dst, const char *name, const struct stat *st)
{
    int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (in < 0)
        fail("tmpcopyup open source file");
    struct stat is;
    if (fstat(in, &is) < 0)
        fail("tmpcopyup fstat");
    if (!S_ISREG(is.st_mode) || is.st_ino != st->st_ino || is.st_dev != st->st_dev)
        fail_err(EAGAIN, "tmpcopyup: source changed while copied");
    int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        fail("tmpcopyup create file");
    for (;;) {
        ssize_t n = read(in, copy_buf, sizeof copy_buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("tmpcopyup read");
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, copy_buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                fail("tmpcopyup write");
            off += w;
        }
    }
    keep_attrs(out, &is);
    close(out);
    close(in);
}

static void copy_dir(int src, int dst, int depth);

static void copy_entry(int src, int dst, const char *name, int depth)
{
    struct stat st;
    if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        fail("tmpcopyup fstatat");
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(dst, name, 0700) < 0)
            fail("tmpcopyup mkdir");
        int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            fail("tmpcopyup open directory");
        copy_dir(s, d, depth + 1);
        keep_attrs(d, &st);
        close(s);
        close(d);
    } else if (S_ISREG(st.st_mode)) {
        copy_file(src, dst, name, &st);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(src, name, target, sizeof target - 1);
        if (n < 0)
            fail("tmpcopyup readlink");
        target[n] = '\0';
        if (symlinkat(target, dst, name) < 0)
            fail("tmpcopyup symlink");
        if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
            fail("tmpcopyup lchown");
        struct timespec t[2] = { st.st_atim, st.st_mtim };
        if (utimensat(dst, name, t, AT_SYMLINK_NOFOLLOW) < 0)
            fail("tmpcopyup utimensat");
    } else {
        /* devices, fifos, sockets: the same node */
        if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
            fail("tmpcopyup mknod");
        /* dst is the new, still private filesystem: nothing can swap the node meanwhile */
        if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
            fail("tmpcopyup node attributes");
        struct timespec t[2] = { st.st_atim, st.st_mtim };
        if (utimensat(dst, name, t, AT_SYMLINK_NOFOLLOW) < 0)
            fail("tmpcopyup utimensat");
    }
}

static void copy_dir(int src, int dst, int depth)
{
    if (depth > COPY_MAX_DEPTH)
        fail_err(ELOOP, "tmpcopyup: directories nested too deep");
    char buf[2048] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, src, buf, sizeof buf);
        if (n < 0)
            fail("tmpcopyup getdents64");
        if (n == 0)
            return;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
            off += e->d_reclen;
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            copy_entry(src, dst, e->d_name, depth);
        }
    }
}

void copy_tree(int src, int dst)
{
    copy_dir(src, dst, 0);
}
