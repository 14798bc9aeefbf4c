/*
 * mounts.c - MOUNT, PROPAGATE, REMOUNT, MASK, PIVOT_ROOT, CHROOT, MOVE_ROOT.
 *
 * Targets inside the root are opened first (paths.c) and everything is done through that fd:
 * bind mounts with open_tree + move_mount, flag changes with mount_setattr. Nothing is ever looked
 * up by a string again after it was resolved, so a symlink swapped in between cannot redirect it.
 * New filesystems (proc, tmpfs, ...) still use mount(2) on "/proc/self/fd/<fd>": their data string
 * is filesystem-specific and mount(2) already parses it; the planner puts them all before
 * PIVOT_ROOT, while /proc is still the host's.
 * The new mount API's calls are common/mount_api.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/common.h"
#include "internal.h"
#include "plan.h"

/* The per-mount MS_* flags as mount_setattr attributes. The others (sync, dirsync, mand,
 * lazytime, iversion, silent) belong to the superblock, which a bind remount never changes
 * either. Bits are only set, never cleared, so flags the kernel locked stay as they are. */
struct mount_attr attr_from_flags(uint64_t flags)
{
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    if (flags & MS_RDONLY)
        a.attr_set |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID)
        a.attr_set |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV)
        a.attr_set |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC)
        a.attr_set |= MOUNT_ATTR_NOEXEC;
    if (flags & MS_NODIRATIME)
        a.attr_set |= MOUNT_ATTR_NODIRATIME;
    if (flags & MS_NOSYMFOLLOW)
        a.attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
    /* atime is one 3-state field: the kernel wants the whole field cleared to set one value. */
    if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
        a.attr_clr |= MOUNT_ATTR__ATIME;
        a.attr_set |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME
                      : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
    }
    return a;
}

/* The flags a user namespace locks on the mounts it inherits (MNT_LOCK_*), and the atime ones. */
#define ATIME_MS_FLAGS ((uint64_t)(MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME))
#define LOCKABLE_MS_FLAGS ((uint64_t)(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) | ATIME_MS_FLAGS)

/* "mount --bind -o <flags>" as mount(2)'s MS_REMOUNT|MS_BIND does it: the per-mount flags become
 * exactly those asked; the atime setting is kept unless one of its flags is asked, and then it is
 * that setting (strictatime over noatime over the default relatime, nodiratime on top). */
static struct mount_attr exact_attr(uint64_t flags)
{
    static const struct { uint64_t ms, attr; } per_mount[] = {
        { MS_RDONLY, MOUNT_ATTR_RDONLY },   { MS_NOSUID, MOUNT_ATTR_NOSUID },
        { MS_NODEV, MOUNT_ATTR_NODEV },     { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
        { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
    };
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    for (size_t i = 0; i < sizeof per_mount / sizeof per_mount[0]; i++) {
        if (flags & per_mount[i].ms)
            a.attr_set |= per_mount[i].attr;
        else
            a.attr_clr |= per_mount[i].attr;
    }
    if (flags & ATIME_MS_FLAGS) {
        a.attr_clr |= MOUNT_ATTR__ATIME;
        a.attr_set |= (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                      : (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME : MOUNT_ATTR_RELATIME;
        if (flags & MS_NODIRATIME)
            a.attr_set |= MOUNT_ATTR_NODIRATIME;
        else
            a.attr_clr |= MOUNT_ATTR_NODIRATIME;
    }
    return a;
}

/* A mount's flags as statfs(2) reports them, as MS_* (no ST_ flag for strictatime: a mount with
 * neither noatime nor relatime is strictatime). */
static uint64_t statfs_ms_flags(int fd)
{
    static const struct { unsigned long st; uint64_t ms; } map[] = {
        { 0x0001, MS_RDONLY }, { 0x0002, MS_NOSUID }, { 0x0004, MS_NODEV }, { 0x0008, MS_NOEXEC },
        { 0x0400, MS_NOATIME }, { 0x0800, MS_NODIRATIME }, { 0x1000, MS_RELATIME },
        { 0x2000, MS_NOSYMFOLLOW },
    };
    struct statfs st;
    if (fstatfs(fd, &st) < 0)
        fail("fstatfs mount source");
    uint64_t ms = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if ((unsigned long)st.f_flags & map[i].st)
            ms |= map[i].ms;
    if (!(ms & (MS_NOATIME | MS_RELATIME)))
        ms |= MS_STRICTATIME;
    return ms;
}

/* Sets the flags of a bind mount on its detached tree. OCI_MNT_EXACT_FLAGS: as runc, exactly the
 * flags asked (bits 32-63: the flags the options cleared); when the kernel refuses because the
 * source's flags are locked (a user namespace), the tree's own lockable flags are added and it is
 * tried again, unless the options cleared one of them or asked for another atime setting (then
 * the mount cannot be what was asked, and the EPERM stands). Otherwise the flags are only added. */
void set_bind_flags(int tree, uint64_t flags, uint32_t opts)
{
    if (!(opts & OCI_MNT_EXACT_FLAGS)) {
        struct mount_attr a = attr_from_flags(flags);
        if ((a.attr_set | a.attr_clr) && sys_mount_setattr(tree, 0, &a) < 0)
            fail("mount_setattr");
        return;
    }
    uint64_t cleared = flags >> 32, asked = flags & 0xffffffffu;
    struct mount_attr a = exact_attr(asked);
    if (sys_mount_setattr(tree, 0, &a) == 0)
        return;
    if (errno != EPERM)
        fail("mount_setattr");
    uint64_t src = statfs_ms_flags(tree);
    if ((src & cleared & LOCKABLE_MS_FLAGS) ||
        ((asked & ATIME_MS_FLAGS) && (asked & ATIME_MS_FLAGS) != (src & ATIME_MS_FLAGS)))
        fail_err(EPERM, "mount_setattr: locked flag of the source");
    a = exact_attr(asked | (src & LOCKABLE_MS_FLAGS));
    if (sys_mount_setattr(tree, 0, &a) < 0)
        fail("mount_setattr with the source's locked flags");
}

/* Clones the tree at src (only its top mount unless MS_REC), applies the flags to the detached
 * copy when asked (so it never appears writable), and attaches it on tgt. */
static void bind_onto(int src, int tgt, uint64_t flags, uint32_t opts)
{
    int tree = sys_open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          ((flags & MS_REC) ? AT_RECURSIVE : 0));
    if (tree < 0)
        fail("open_tree");
    if (opts & OCI_MNT_REMOUNT)
        set_bind_flags(tree, flags, opts);
    if (sys_move_mount(tree, tgt) < 0)
        fail("move_mount");
    close(tree);
}

static void copy_up(int lower, const char *tgt);

/* OPEN_SOURCES: bind sources opened before the executor became the root of its user namespace. */
#define OPENED_SOURCES_MAX 1024
static struct { const char *path; int fd; } opened[OPENED_SOURCES_MAX];
static size_t n_opened;

void op_open_sources(struct plan_cursor *c)
{
    uint32_t n = get_count(c);
    if (n > OPENED_SOURCES_MAX - n_opened)
        fail_err(E2BIG, "open_sources: too many");
    for (uint32_t i = 0; i < n; i++) {
        const char *path = get_str(c);
        opened[n_opened].path = path;
        opened[n_opened++].fd = open(path, O_PATH | O_CLOEXEC);
    }
}

/* The fd OPEN_SOURCES kept for path (the first not taken yet), or -1; the caller owns it. */
static int take_opened(const char *path)
{
    for (size_t i = 0; i < n_opened; i++)
        if (opened[i].path && strcmp(opened[i].path, path) == 0) {
            int fd = opened[i].fd;
            opened[i].path = NULL;
            return fd;
        }
    return -1;
}

static int open_source(const char *src, uint32_t opts)
{
    if (opts & OCI_MNT_SOURCE_IN_ROOT)
        return in_root_open(src, O_PATH);
    int fd = open(src, O_PATH | O_CLOEXEC), early = -1;
    if (opts & OCI_MNT_SOURCE_OPENED)
        early = take_opened(src);
    if (fd >= 0 || early < 0) {
        if (early >= 0)
            close(early);
        return fd;
    }
    /* Not reachable now (a directory on the way only the runtime's uid may search), but it was
     * before the executor became the user namespace's root: as runc, mount what was opened then. */
    return early;
}

/* The target, created first when the opts ask for it. -1 with errno when it cannot be opened. */
int open_target(const char *tgt, uint32_t opts, int src)
{
    if (!(opts & OCI_MNT_TARGET_IN_ROOT))
        return open(tgt, O_PATH | O_CLOEXEC);
    int want_dir = (opts & OCI_MNT_MKDIR) != 0, want_file = (opts & OCI_MNT_MKFILE) != 0;
    if (opts & OCI_MNT_MKLIKE_SOURCE) {
        struct stat st;
        if (src >= 0 && fstat(src, &st) < 0)
            fail("fstat mount source");
        if (src < 0 || S_ISDIR(st.st_mode))
            want_dir = 1;
        else
            want_file = 1;
    }
    if (want_dir)
        return mkdir_all(tgt, 0755);
    int fd = in_root_open(tgt, O_PATH);
    /* A missing file is made where the path leads inside the root, also through a symlink that
     * points to nothing yet (as runc: its target is made, never outside the root). */
    if (fd < 0 && errno == ENOENT && want_file)
        fd = create_in_root(tgt, 0755, 1);
    return fd;
}

void op_mount(struct plan_cursor *c)
{
    const char *src = get_str(c), *tgt = get_str(c), *fstype = get_str(c), *data = get_str(c);
    uint64_t flags = get_u64(c);
    uint32_t opts = get_u32(c);
    int bind = (flags & MS_BIND) != 0, missing_ok = (opts & OCI_MNT_IGNORE_MISSING) != 0;
    int srcfd = -1;
    if (bind && (srcfd = open_source(src, opts)) < 0) {
        if (missing_ok && errno == ENOENT)
            return;
        fail("open mount source");
    }
    if (opts & OCI_MNT_ORDINARY_DIR) {
        int fd = in_root_open(tgt, O_PATH | O_NOFOLLOW);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) < 0)
                fail("fstat mount target");
            if (!S_ISDIR(st.st_mode))
                fail_err(ENOTDIR, "mount target: not an ordinary dir");
            close(fd);
        } else if (errno != ENOENT) {
            fail("open mount target");
        }
    }
    /* An existing directory lends its mode to the new filesystem's root (OCI_MNT_INHERIT_MODE). */
    char moded[4096];
    int tgtfd = -1;
    if (!bind && (opts & OCI_MNT_INHERIT_MODE) && (tgtfd = in_root_open(tgt, O_PATH | O_DIRECTORY)) >= 0) {
        struct stat st;
        if (fstat(tgtfd, &st) < 0)
            fail("fstat mount target");
        int n = snprintf(moded, sizeof moded, "mode=%o%s%s", (unsigned)(st.st_mode & 07777), *data ? "," : "", data);
        if (n < 0 || (size_t)n >= sizeof moded)
            fail_err(E2BIG, "mount data");
        data = moded;
    }
    if (tgtfd < 0)
        tgtfd = open_target(tgt, opts, srcfd);
    if (tgtfd < 0) {
        if (missing_ok && errno == ENOENT) {
            if (srcfd >= 0)
                close(srcfd);
            return;
        }
        fail("open mount target");
    }
    if (bind) {
        bind_onto(srcfd, tgtfd, flags, opts);
        close(srcfd);
    } else {
        /* The directory's own content, opened before the new filesystem hides it. */
        int lower = -1;
        if ((opts & OCI_MNT_COPYUP) && (lower = openat(tgtfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            fail("open copy-up source");
        char where[32];
        fd_path(where, tgtfd);
        if (mount(*src ? src : NULL, where, *fstype ? fstype : NULL, (unsigned long)flags, *data ? data : NULL) < 0)
            fail("mount");
        if (lower >= 0) {
            copy_up(lower, tgt);
            close(lower);
        }
    }
    close(tgtfd);
}

/* Fills the filesystem just mounted on tgt with what lower (the directory below it) holds. The
 * target is opened again, so it shows the new mount; it must be another filesystem than lower's. */
static void copy_up(int lower, const char *tgt)
{
    int upper = in_root_open(tgt, O_RDONLY | O_DIRECTORY);
    if (upper < 0)
        fail("openat2 copy-up target");
    struct stat ls, us;
    if (fstat(lower, &ls) < 0 || fstat(upper, &us) < 0)
        fail("fstat copy-up");
    if (ls.st_dev == us.st_dev)
        fail_err(EXDEV, "copy-up target is not the new mount");
    copy_tree(lower, upper);
    close(upper);
}

void op_mount_setattr(struct plan_cursor *c)
{
    const char *path = get_str(c);
    uint64_t attr_set = get_u64(c), attr_clr = get_u64(c);
    uint32_t opts = get_u32(c);
    int fd = in_root_open(path, O_PATH);
    if (fd < 0) {
        if ((opts & OCI_MNT_IGNORE_MISSING) && errno == ENOENT)
            return;
        fail("openat2 mount_setattr target");
    }
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_set = attr_set;
    a.attr_clr = attr_clr;
    if (sys_mount_setattr(fd, AT_RECURSIVE, &a) < 0)
        fail("mount_setattr recursive");
    close(fd);
}

void op_propagate(struct plan_cursor *c)
{
    const char *tgt = get_str(c);
    uint64_t flags = get_u64(c);
    uint32_t opts = get_u32(c);
    if (!(opts & OCI_MNT_TARGET_IN_ROOT)) {
        if (mount(NULL, tgt, NULL, (unsigned long)flags, NULL) < 0)
            fail("mount propagation");
        return;
    }
    /* Through the fd with mount_setattr: works after pivot_root too, with or without a /proc. */
    int fd = in_root_open(tgt, O_PATH);
    if (fd < 0) {
        if ((opts & OCI_MNT_IGNORE_MISSING) && errno == ENOENT)
            return;
        fail("openat2 propagation target");
    }
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    a.propagation = flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
    if (sys_mount_setattr(fd, (flags & MS_REC) ? AT_RECURSIVE : 0, &a) < 0)
        fail("mount_setattr propagation");
    close(fd);
}

void op_remount(struct plan_cursor *c)
{
    const char *path = get_str(c);
    uint64_t flags = get_u64(c);
    uint32_t opts = get_u32(c);
    /* Opened again: the path now shows the mount that was just put on top of it. */
    int fd = in_root_open(path, O_PATH);
    if (fd < 0) {
        if ((opts & OCI_MNT_IGNORE_MISSING) && errno == ENOENT)
            return;
        fail("openat2 remount target");
    }
    struct mount_attr a = attr_from_flags(flags);
    if (sys_mount_setattr(fd, (flags & MS_REC) ? AT_RECURSIVE : 0, &a) < 0)
        fail("mount_setattr");
    close(fd);
}

/* A new empty tmpfs, read-only both as a superblock and as a mount. */
static int readonly_tmpfs(void)
{
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0)
        fail("fsopen tmpfs");
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        fail("fsconfig tmpfs");
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
    if (mnt < 0)
        fail("fsmount tmpfs");
    close(fs);
    return mnt;
}

/* Masking follows no symlink at all (ELOOP): a masked path that an image turned into a symlink
 * would hide something else than the config names, and a /dev/null symlink could bind any file
 * over it (CVE-2025-31133). */
static int open_no_symlinks(const char *path)
{
    struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
    int fd, tries = 0;
    do
        fd = (int)syscall(SYS_openat2, g_exec.root_fd, path, &how, sizeof how);
    while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 16);
    return fd;
}

void op_mask(struct plan_cursor *c)
{
    const char *path = get_str(c), *null_device = get_str(c);
    int fd = open_no_symlinks(path);
    if (fd < 0) {
        if (errno == ENOENT)
            return;
        fail("openat2 mask target");
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        fail("fstat mask target");
    if (S_ISDIR(st.st_mode)) {
        /* Every masked directory shows the same empty tmpfs (as runc): the first gets a new one,
         * kept open once attached, and the others get clones of that mount. */
        static int shared = -1;
        int mnt = shared < 0 ? readonly_tmpfs()
                             : sys_open_tree(shared, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (mnt < 0)
            fail("open_tree mask tmpfs");
        if (sys_move_mount(mnt, fd) < 0)
            fail("move_mount");
        if (shared < 0)
            shared = mnt;
        else
            close(mnt);
    } else {
        /* The container's /dev/null could be anything the image put there: check it is 1:3. */
        int null_fd = open_no_symlinks(null_device);
        if (null_fd < 0)
            fail("openat2 null device");
        struct stat nst;
        if (fstat(null_fd, &nst) < 0)
            fail("fstat null device");
        if (!S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
            fail_err(EPERM, "verify /dev/null");
        bind_onto(null_fd, fd, 0, 0);
        close(null_fd);
    }
    close(fd);
}

void op_pivot_root(struct plan_cursor *c)
{
    (void)c;
    /* pivot_root(".", ".") stacks the old root on top of the new one; it is then made a slave
     * (so the detach below does not propagate to the host) and detached from under us. The
     * kernel does not promise what "." is right after pivot_root, so we step into the old root
     * through an fd taken before: the slave and detach must hit the old root, never the new
     * one (that would undo the propagation of every mount in the container). */
    int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (old_root < 0)
        fail("open old root");
    if (fchdir(g_exec.root_fd) < 0)
        fail("fchdir root");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        fail("pivot_root");
    if (fchdir(old_root) < 0)
        fail("fchdir old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        fail("make old root slave");
    if (umount2(".", MNT_DETACH) < 0)
        fail("umount old root");
    close(old_root);
    if (chdir("/") < 0)
        fail("chdir /");
    reopen_root();
}

void op_chroot(struct plan_cursor *c)
{
    const char *host_path = get_str(c);
    int fd = g_exec.root_fd;
    if (*host_path && (fd = open(host_path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        fail("open root");
    if (fchdir(fd) < 0)
        fail("fchdir root");
    if (fd != g_exec.root_fd)
        close(fd);
    if (chroot(".") < 0)
        fail("chroot");
    if (chdir("/") < 0)
        fail("chdir /");
    reopen_root();
}

/* Undoes mountinfo's octal escapes (\040 for a space, ...) in place. */
static void unescape_mountinfo(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = 0;
}

/* --no-pivot leaves the runtime's mounts in the container's mount namespace, below the root it
 * moves onto "/": a whole procfs or sysfs there (the host's /proc, /sys) is "fully visible", and
 * the kernel lets a new user namespace of the container mount a bare proc or sysfs (without the
 * masked paths) because of it. As runc: every mount of the root of a proc or sysfs outside the
 * rootfs is made a slave (the detach must not propagate) and detached. Where it cannot be (locked
 * in a user namespace: EINVAL, EPERM), runc covers it with an empty tmpfs; that alone does not
 * do (the kernel does not count a mount on top of it, only mounts inside it over a directory that
 * is not empty), so a tmpfs first goes on a directory inside it ("sys" of a proc, "kernel" of a
 * sysfs), which a user namespace made later finds locked, and then the cover. */
#define HIDE_MAX 64
static void hide_outer_proc_and_sys(void)
{
    char rootfs[PATH_MAX], fdp[32];
    fd_path(fdp, g_exec.root_fd);
    ssize_t n = readlink(fdp, rootfs, sizeof rootfs - 1);
    if (n < 0)
        fail("readlink root");
    rootfs[n] = 0;
    size_t rlen = (size_t)n;

    static char found[HIDE_MAX][1024];
    static char kind[HIDE_MAX]; /* 0: proc, 1: sysfs */
    int count = 0;
    FILE *f = fopen("/proc/thread-self/mountinfo", "re");
    if (!f)
        fail("open mountinfo");
    static char line[16384];
    while (fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint options [optional...] - fstype source superoptions */
        char *save = NULL, *root, *mp, *tok;
        if (!strtok_r(line, " ", &save) || !strtok_r(NULL, " ", &save) || !strtok_r(NULL, " ", &save) ||
            !(root = strtok_r(NULL, " ", &save)) || !(mp = strtok_r(NULL, " ", &save)))
            continue;
        while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-") != 0)
            ;
        char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
        if (!fstype || strcmp(root, "/") != 0 || (strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0))
            continue;
        unescape_mountinfo(mp);
        if (strncmp(mp, rootfs, rlen) == 0 && (mp[rlen] == '/' || mp[rlen] == 0 || rlen == 1))
            continue;
        if (count == HIDE_MAX || strlen(mp) >= sizeof found[0])
            fail_err(E2BIG, "mountinfo: too many proc/sysfs mounts");
        kind[count] = strcmp(fstype, "sysfs") == 0;
        strcpy(found[count++], mp);
    }
    fclose(f);
    for (int i = 0; i < count; i++) {
        if (mount(NULL, found[i], NULL, MS_SLAVE | MS_REC, NULL) < 0) {
            if (errno == ENOENT || errno == EINVAL)
                continue; /* gone with a mount detached before it */
            fail("make host proc/sysfs slave");
        }
        if (umount2(found[i], MNT_DETACH) == 0)
            continue;
        if (errno != EINVAL && errno != EPERM)
            fail("detach host proc/sysfs");
        char inner[sizeof found[0] + 16];
        snprintf(inner, sizeof inner, "%.1023s/%s", found[i], kind[i] ? "kernel" : "sys");
        if (mount("tmpfs", inner, "tmpfs", MS_RDONLY, NULL) < 0)
            fail("cover inside host proc/sysfs");
        if (mount("tmpfs", found[i], "tmpfs", 0, NULL) < 0)
            fail("cover host proc/sysfs");
    }
}

void op_move_root(struct plan_cursor *c)
{
    (void)c;
    hide_outer_proc_and_sys();
    if (fchdir(g_exec.root_fd) < 0)
        fail("fchdir root");
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        fail("mount move root");
    if (chroot(".") < 0)
        fail("chroot");
    if (chdir("/") < 0)
        fail("chdir /");
    reopen_root();
}
