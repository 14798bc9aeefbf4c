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
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common/common.h"
#include "host.h"

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
    ssize_t n = sendmsg_with_fd(sock, &reply, sizeof reply, fd);
    return n == (ssize_t)sizeof reply ? 0 : n < 0 ? -errno : -EIO;
}

/* Sends fd with name as the message data (as runc's --pidfd-socket and --console-socket do); 0 or
 * -errno. */
int oci_send_named_fd(int sock, int fd, const char *name)
{
    size_t len = strlen(name);
    ssize_t n = sendmsg_with_fd(sock, name, len, fd);
    return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

/* Receives one fd (SCM_RIGHTS, close-on-exec) from a stream socket; the fd or -errno. */
int oci_recv_fd(int sock)
{
    char data[256];
    int fd;
    ssize_t n = recvmsg_with_fd(sock, data, sizeof data, &fd);
    if (n < 0)
        return -errno;
    if (n == 0 || fd < 0)
        return -EBADMSG;
    return fd;
}

/* The caller's terminal in raw mode (as a terminal emulator attached to the container's pty);
 * the previous settings go to saved (at least sizeof(struct termios) bytes). 0 or -errno. */
int oci_tty_raw(int fd, void *saved, int size)
{
    struct termios t;
    if (size < (int)sizeof t)
        return -EINVAL;
    if (tcgetattr(fd, &t) < 0)
        return -errno;
    memcpy(saved, &t, sizeof t);
    cfmakeraw(&t);
    return tcsetattr(fd, TCSANOW, &t) < 0 ? -errno : 0;
}

int oci_tty_restore(int fd, const void *saved)
{
    struct termios t;
    memcpy(&t, saved, sizeof t);
    return tcsetattr(fd, TCSANOW, &t) < 0 ? -errno : 0;
}

/* Output post-processing of NL into CR-NL off (ONLCR), as runc does for a pty it copies from
 * itself: the caller's terminal translates already. 0 or -errno. */
int oci_tty_clear_onlcr(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) < 0)
        return -errno;
    t.c_oflag &= ~ONLCR;
    return tcsetattr(fd, TCSANOW, &t) < 0 ? -errno : 0;
}

/* Window size of one terminal onto another (the caller's onto the container's pty). */
int oci_copy_winsize(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) < 0 || ioctl(to, TIOCSWINSZ, &ws) < 0)
        return -errno;
    return 0;
}
