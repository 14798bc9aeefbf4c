/*
 * terminal.c - process.terminal: the console socket handed over by the host, the pty made in the
 * container's own devpts, /dev/console, and the controlling terminal; the owner of stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "common/common.h"
#include "internal.h"
#include "plan.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Unix98 pty slaves: majors 136-143 (UNIX98_PTY_SLAVE_MAJOR .. + 7). */
static int is_devpts_pty(int fd)
{
    struct statfs sf;
    struct stat st;
    if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
        return 0;
    return sf.f_type == DEVPTS_SUPER_MAGIC && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

void op_recv_console(struct plan_cursor *c)
{
    int fd = sync_recv_fd(get_u32(c), "receive console socket");
    if (g_exec.console_sock >= 0)
        close(g_exec.console_sock);
    g_exec.console_sock = fd;
}

static void send_master(int master)
{
    static const char name[] = "/dev/ptmx";
    if (sendmsg_with_fd(g_exec.console_sock, name, sizeof name - 1, master) < 0)
        fail("send pty master to the console socket");
}

void op_create_pty(struct plan_cursor *c)
{
    const char *ptmx = get_str(c);
    uint32_t rows = get_u32(c), cols = get_u32(c);
    if (g_exec.console_sock < 0)
        fail_err(EBADF, "no console socket");
    int master = in_root_open(ptmx, O_RDWR | O_NOCTTY);
    if (master < 0)
        fail("openat2 ptmx");
    /* The container's devpts, not whatever an image put at that path. */
    struct statfs sf;
    if (fstatfs(master, &sf) < 0)
        fail("fstatfs ptmx");
    if (sf.f_type != DEVPTS_SUPER_MAGIC)
        fail_err(EPERM, "verify ptmx is on devpts");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        fail("unlock pty");
    int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (peer < 0)
        fail("open pty peer");
    if (!is_devpts_pty(peer))
        fail_err(EPERM, "verify pty peer is a devpts inode");
    if (rows != 0 && cols != 0) {
        struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            fail("set window size");
    }
    send_master(master);
    close(master);
    close(g_exec.console_sock);
    g_exec.console_sock = -1;
    g_exec.pty_peer = peer;
}

void op_bind_console(struct plan_cursor *c)
{
    const char *path = get_str(c);
    /* CVE-2025-52565: what is mounted is checked to be the devpts pty, and it is mounted from its
     * fd, so nothing in the image can substitute another node for it. */
    if (g_exec.pty_peer < 0 || !is_devpts_pty(g_exec.pty_peer))
        fail_err(EPERM, "verify console is a devpts inode");
    make_file(path);
    int target = in_root_open(path, O_PATH | O_NOFOLLOW);
    if (target < 0)
        fail("openat2 console");
    struct stat st;
    if (fstat(target, &st) < 0)
        fail("fstat console");
    if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
        fail_err(EINVAL, "console target is not a file");
    int tree = sys_open_tree(g_exec.pty_peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0)
        fail("open_tree pty");
    if (sys_move_mount(tree, target) < 0)
        fail("move_mount console");
    close(tree);
    close(target);
}

void op_set_ctty(struct plan_cursor *c)
{
    (void)c;
    int peer = g_exec.pty_peer;
    if (peer < 0)
        fail_err(EBADF, "no pty");
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(peer, fd) < 0)
            fail("dup2 pty");
    if (ioctl(0, TIOCSCTTY, 0) < 0)
        fail("set controlling terminal");
    if (peer > 2)
        close(peer);
    g_exec.pty_peer = -1;
}

/* OCI_OP_CHOWN_STDIO: u32 uid, u32 skip_major, u32 skip_minor. Each of fds 0, 1, 2 not owned by uid
 * yet gets it as owner (the group is kept), unless it is the character device skip_major:skip_minor.
 * EINVAL (the owner or group is not mapped in the user namespace) and EPERM (not allowed) leave the
 * file as it is; an fd that is not open is skipped. Decodes its own fields. */
void op_chown_stdio(struct plan_cursor *c)
{
    uint32_t uid = get_u32(c), skip_major = get_u32(c), skip_minor = get_u32(c);
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            if (errno == EBADF)
                continue;
            fail("fstat stdio");
        }
        if (st.st_uid == uid ||
            (S_ISCHR(st.st_mode) && major(st.st_rdev) == skip_major && minor(st.st_rdev) == skip_minor))
            continue;
        if (fchown(fd, uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM)
            fail("fchown stdio");
    }
}
