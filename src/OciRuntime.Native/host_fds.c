/*
 * host_fds.c - host side (called from C#): the --console-socket connection, and passing an fd to
 * the executor with SCM_RIGHTS in reply to its SYNC. Plain C because .NET's socket API neither
 * exposes SCM_RIGHTS nor hands out a raw fd it will not close behind our back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A connected SOCK_STREAM unix socket (O_CLOEXEC), or -errno; -ENOTSOCK when path is not a socket. */
int oci_connect_unix(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (path == NULL || strlen(path) >= sizeof a.sun_path)
        return -ENAMETOOLONG;
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISSOCK(st.st_mode))
        return -ENOTSOCK;
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int r;
    do
        r = connect(fd, (struct sockaddr *)&a, sizeof a);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Sends the u32 reply with fd attached; 0 or -errno. */
int oci_send_fd(int sock, int fd, uint32_t reply)
{
    struct iovec iov = { &reply, sizeof reply };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do
        n = sendmsg(sock, &m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof reply ? 0 : n < 0 ? -errno : -EIO;
}
