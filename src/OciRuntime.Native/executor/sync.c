/*
 * sync.c - messages to the host on the sync socket (SOCK_SEQPACKET: one struct oci_msg per send,
 * so a record is never split or merged) and the host's replies.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "internal.h"
#include "plan.h"

_Static_assert(sizeof(struct oci_msg) == 64, "struct oci_msg is 64 bytes on the C# side");

struct exec_state g_exec = { .sync_fd = -1, .step = OCI_STEP_NONE, .root_fd = -1, .fifo_fd = -1,
                             .console_sock = -1, .pty_peer = -1, .proc_fd = -1, .hook_state_fd = -1 };

static int send_whole(const struct oci_msg *m)
{
    ssize_t n;
    do
        n = send(g_exec.sync_fd, m, sizeof *m, MSG_NOSIGNAL); /* a gone host must not kill us by SIGPIPE */
    while (n < 0 && errno == EINTR);
    /* After EXEC loaded the container's filter, send(to) may be refused where write is not (a
     * profile made for the program, which writes): on a SOCK_SEQPACKET socket write(2) sends the
     * same one record. */
    if (n < 0 && (errno == EPERM || errno == ENOSYS))
        do
            n = write(g_exec.sync_fd, m, sizeof *m);
        while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *m ? 0 : -1;
}

int send_msg(uint32_t type, uint32_t arg, int err, const char *what)
{
    struct oci_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.arg = arg;
    m.err = err;
    if (what)
        strncpy(m.what, what, sizeof m.what - 1);
    return send_whole(&m);
}

/* recvmsg of the host's u32 reply with one fd attached (SCM_RIGHTS, close-on-exec): the fd; -1 at
 * EOF or when the reply is not OK (the host knows why); -2 when no single fd came. */
static int recv_reply_fd(int sock)
{
    uint32_t reply = OCI_REPLY_ABORT;
    int fd;
    ssize_t n = recvmsg_with_fd(sock, &reply, sizeof reply, &fd);
    if (n != (ssize_t)sizeof reply || reply != OCI_REPLY_OK) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd >= 0 ? fd : -2;
}

int sync_recv_fd(uint32_t tag, const char *what)
{
    if (send_msg(OCI_MSG_SYNC, tag, 0, NULL) < 0)
        _exit(1);
    int fd = recv_reply_fd(g_exec.sync_fd);
    if (fd == -1)
        _exit(1); /* as SYNC: the host knows why */
    if (fd < 0)
        fail_err(EBADMSG, what);
    return fd;
}

int send_notify(uint32_t tag)
{
    struct oci_msg m;
    memset(&m, 0, sizeof m);
    m.type = OCI_MSG_NOTIFY;
    m.arg = tag;
    /* When it happened, for --trace: the host reads it later, when it is free to. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    memcpy(m.what, &ns, sizeof ns);
    return send_whole(&m);
}

_Noreturn void fail_err(int err, const char *what)
{
    send_msg(OCI_MSG_ERROR, g_exec.step, err, what);
    if (g_exec.fifo_reports && g_exec.fifo_fd >= 0) {
        /* `start` is past the fifo and no longer on the sync socket: tell it there (WAIT_FIFO). */
        struct oci_msg m;
        memset(&m, 0, sizeof m);
        m.type = OCI_MSG_ERROR;
        m.arg = g_exec.step;
        m.err = err;
        if (what)
            strncpy(m.what, what, sizeof m.what - 1);
        if (write(g_exec.fifo_fd, &m, sizeof m) < 0) {
        }
    }
    _exit(1);
}

_Noreturn void fail(const char *what)
{
    fail_err(errno, what);
}

int send_fd_msg(uint32_t type, uint32_t arg, int fd)
{
    struct oci_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.arg = arg;
    return sendmsg_with_fd(g_exec.sync_fd, &m, sizeof m, fd) == (ssize_t)sizeof m ? 0 : -1;
}

int request_fd(uint32_t type, int fd, const char *what)
{
    if (send_fd_msg(type, g_exec.step, fd) < 0)
        fail(what);
    int got = recv_reply_fd(g_exec.sync_fd);
    if (got == -1)
        _exit(1); /* the host knows why */
    if (got < 0)
        fail_err(EBADMSG, what);
    return got;
}

void sync_with_host(uint32_t tag)
{
    if (send_msg(OCI_MSG_SYNC, tag, 0, NULL) < 0)
        _exit(1);
    wait_host_reply();
}

void wait_host_reply(void)
{
    uint32_t reply;
    ssize_t n;
    do
        n = recv(g_exec.sync_fd, &reply, sizeof reply, 0);
    while (n < 0 && errno == EINTR);
    /* An abort or a host that went away: the host already knows, so end without a report. */
    if (n != (ssize_t)sizeof reply || reply != OCI_REPLY_OK)
        _exit(1);
}
