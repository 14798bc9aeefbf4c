/*
 * idmap_source.c - host side: the id-mapped clone of a bind source for an init in a user namespace
 * (IDMAP_TREE with OCI_IDMAP_BY_HOST, decisions §53). mount_setattr(MOUNT_ATTR_IDMAP) needs
 * CAP_SYS_ADMIN in the user namespace owning the source's filesystem (the initial one), which the
 * init no longer has; the host, root there, does it at the mount's turn, in the init's mount
 * namespace, so that a source inside the rootfs shows the container's mounts made before it.
 *
 * A .NET thread must not join a mount namespace (its threads share one fs_struct), so a
 * vfork-style clone that shares the caller's fd table does the work: it joins the namespace,
 * clones and id-maps the source, and leaves the tree's fd in the shared table.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "host.h"
#include "plan.h"

struct idmap_job {
    int mntns, userns;
    const char *source;
    uint64_t propagation;
    uint32_t opts;
    int tree;
    int op;
    sigset_t mask;
    volatile int err;
};

/* In the clone: every signal blocked (vfork_spawn), shares the caller's memory and fds. */
static int idmap_child(void *arg)
{
    struct idmap_job *j = arg;
    int tree = -1;
    j->op = OCI_IDMAP_SOURCE_SETNS;
    if (setns(j->mntns, CLONE_NEWNS) < 0)
        goto failed;
    j->op = OCI_IDMAP_SOURCE_OPEN_TREE;
    tree = sys_open_tree(AT_FDCWD, j->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                  ((j->opts & OCI_IDMAP_CLONE_RECURSIVE) ? AT_RECURSIVE : 0));
    if (tree < 0)
        goto failed;
    struct mount_attr a;
    if (j->propagation) {
        j->op = OCI_IDMAP_SOURCE_PROPAGATION;
        memset(&a, 0, sizeof a);
        a.propagation = j->propagation & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
        if (sys_mount_setattr(tree, (j->propagation & MS_REC) ? AT_RECURSIVE : 0, &a) < 0)
            goto close_failed;
    }
    j->op = OCI_IDMAP_SOURCE_IDMAP;
    memset(&a, 0, sizeof a);
    a.attr_set = MOUNT_ATTR_IDMAP;
    a.userns_fd = (uint64_t)j->userns;
    if (sys_mount_setattr(tree, (j->opts & OCI_IDMAP_RECURSIVE) ? AT_RECURSIVE : 0, &a) < 0)
        goto close_failed;
    j->tree = tree;
    return 0;
close_failed:
    j->err = errno;
    close(tree);
    return 1;
failed:
    j->err = errno;
    return 1;
}

int oci_idmap_source(int pid, int userns_fd, const char *source, uint64_t propagation, uint32_t opts, int *failed_op)
{
    struct idmap_job j = { .userns = userns_fd, .source = source, .propagation = propagation, .opts = opts, .tree = -1 };
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", pid);
    *failed_op = OCI_IDMAP_SOURCE_OPEN_NS;
    j.mntns = open(path, O_RDONLY | O_CLOEXEC);
    if (j.mntns < 0)
        return -errno;
    int r = vfork_spawn(idmap_child, &j, &j.mask, &j.err, CLONE_FILES);
    close(j.mntns);
    *failed_op = j.op;
    if (r < 0) /* the clone failed, or the child did (and was reaped) */
        return r;
    while (waitpid(r, NULL, 0) < 0 && errno == EINTR) {
    }
    return j.tree;
}
