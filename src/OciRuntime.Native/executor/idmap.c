/*
 * idmap.c - USERNS_FROM_MAPS, USERNS_FROM_PATH, IDMAP_TREE, ATTACH_TREE: id-mapped bind mounts.
 *
 * mount_setattr(MOUNT_ATTR_IDMAP) wants CAP_SYS_ADMIN over the user namespace owning the source's
 * filesystem. Inside the container's user namespace the executor no longer has it, so the planner
 * puts the USERNS_* steps before the user namespace is joined or created: they keep namespace fds
 * in slots. IDMAP_TREE runs at the mount's turn, in the container's mount namespace, so that a
 * source inside the rootfs shows the mounts made before it (as runc); in a user namespace the
 * host does it for the executor (OCI_IDMAP_BY_HOST, host/idmap_source.c). ATTACH_TREE runs right
 * after and only attaches (move_mount of a detached tree needs rights over the current mount
 * namespace alone).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "internal.h"
#include "plan.h"

/* fd + 1 of each slot, so that the zeroed arrays mean "empty" */
static int userns_slots[OCI_IDMAP_MAX_SLOTS];
static int tree_slots[OCI_IDMAP_MAX_SLOTS];

static int *slot_of(int *table, uint32_t i)
{
    if (i >= OCI_IDMAP_MAX_SLOTS)
        fail_err(EINVAL, "idmap slot out of range");
    return &table[i];
}

static void put_slot(int *table, uint32_t i, int fd)
{
    int *s = slot_of(table, i);
    if (*s)
        fail_err(EBUSY, "idmap slot in use");
    *s = fd + 1;
}

static int take_slot(int *table, uint32_t i, const char *what)
{
    int *s = slot_of(table, i);
    if (!*s)
        fail_err(EBADF, what);
    int fd = *s - 1;
    *s = 0;
    return fd;
}

size_t idmap_held_fds(int *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < OCI_IDMAP_MAX_SLOTS; i++) {
        if (userns_slots[i] && n < max)
            out[n++] = userns_slots[i] - 1;
        if (tree_slots[i] && n < max)
            out[n++] = tree_slots[i] - 1;
    }
    return n;
}

/* Ends the helper (it waits for EOF on its pipe) and reaps it. */
static void end_helper(int pipe_w, long pid)
{
    close(pipe_w);
    while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

void op_userns_from_maps(struct plan_cursor *c)
{
    uint32_t slot = get_u32(c);
    const char *uid_map = get_str(c), *gid_map = get_str(c);
    if (*slot_of(userns_slots, slot))
        fail_err(EBUSY, "idmap slot in use");
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        fail("pipe2");
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        fail("clone user namespace");
    if (pid == 0) {
        /* The helper only has to exist until its namespace file is open: it waits for EOF, which
         * also comes when the executor dies, so it can never outlive it for long. */
        char b;
        close(p[1]);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        while (read(p[0], &b, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    close(p[0]);

    char path[48];
    snprintf(path, sizeof path, "/proc/%ld", pid);
    int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int err = errno;
    const char *what = "open /proc/<helper>";
    int fd = -1;
    if (dir >= 0) {
        /* uid_map, then gid_map: each once and whole, as the kernel accepts them. */
        if ((fd = openat(dir, "uid_map", O_WRONLY | O_CLOEXEC)) < 0) {
            err = errno, what = "open helper uid_map";
        } else {
            write_procfs(fd, uid_map, "fstatfs helper uid_map", "write helper uid_map");
            if ((fd = openat(dir, "gid_map", O_WRONLY | O_CLOEXEC)) < 0) {
                err = errno, what = "open helper gid_map";
            } else {
                write_procfs(fd, gid_map, "fstatfs helper gid_map", "write helper gid_map");
                if ((fd = openat(dir, "ns/user", O_RDONLY | O_CLOEXEC)) < 0)
                    err = errno, what = "open helper ns/user";
            }
        }
        close(dir);
    }
    end_helper(p[1], pid);
    if (fd < 0)
        fail_err(err, what);
    put_slot(userns_slots, slot, fd);
}

void op_userns_from_path(struct plan_cursor *c)
{
    uint32_t slot = get_u32(c);
    const char *path = get_str(c);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("open user namespace");
    int type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0)
        fail("ioctl NS_GET_NSTYPE");
    if (type != CLONE_NEWUSER)
        fail_err(EINVAL, "not a user namespace");
    put_slot(userns_slots, slot, fd);
}

void op_idmap_tree(struct plan_cursor *c)
{
    uint32_t tree_slot = get_u32(c), ns_slot = get_u32(c);
    const char *source = get_str(c);
    uint64_t propagation = get_u64(c);
    uint32_t opts = get_u32(c);

    if (*slot_of(tree_slots, tree_slot))
        fail_err(EBUSY, "idmap slot in use");
    int *ns = slot_of(userns_slots, ns_slot);
    if (!*ns)
        fail_err(EBADF, "idmap userns slot empty");
    if (opts & OCI_IDMAP_BY_HOST) {
        int tree = request_fd(OCI_MSG_IDMAP_SOURCE, *ns - 1, "receive id-mapped tree");
        if (opts & OCI_IDMAP_CLOSE_USERNS)
            close(take_slot(userns_slots, ns_slot, "idmap userns slot empty"));
        put_slot(tree_slots, tree_slot, tree);
        return;
    }
    int tree = sys_open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                   ((opts & OCI_IDMAP_CLONE_RECURSIVE) ? AT_RECURSIVE : 0));
    if (tree < 0)
        fail("open_tree");
    struct mount_attr a;
    if (propagation) {
        memset(&a, 0, sizeof a);
        a.propagation = propagation & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
        if (sys_mount_setattr(tree, (propagation & MS_REC) ? AT_RECURSIVE : 0, &a) < 0)
            fail("mount_setattr propagation");
    }
    memset(&a, 0, sizeof a);
    a.attr_set = MOUNT_ATTR_IDMAP;
    a.userns_fd = (uint64_t)(*ns - 1);
    if (sys_mount_setattr(tree, (opts & OCI_IDMAP_RECURSIVE) ? AT_RECURSIVE : 0, &a) < 0)
        fail("mount_setattr idmap");
    if (opts & OCI_IDMAP_CLOSE_USERNS)
        close(take_slot(userns_slots, ns_slot, "idmap userns slot empty"));
    put_slot(tree_slots, tree_slot, tree);
}

void op_attach_tree(struct plan_cursor *c)
{
    uint32_t tree_slot = get_u32(c);
    const char *target = get_str(c);
    uint64_t flags = get_u64(c);
    uint32_t opts = get_u32(c);

    int tree = take_slot(tree_slots, tree_slot, "idmap tree slot empty");
    int tgt = open_target(target, opts, tree);
    if (tgt < 0)
        fail("open mount target");
    /* On the detached tree, so that it never appears without its flags (as bind MOUNT). */
    if (opts & OCI_MNT_REMOUNT)
        set_bind_flags(tree, flags, opts);
    if (sys_move_mount(tree, tgt) < 0)
        fail("move_mount");
    close(tree);
    close(tgt);
}
