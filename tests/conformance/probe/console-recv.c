/*
 * console-recv SOCKET INPUT: the receiving end of --console-socket, as containerd's shim is.
 * Listens on SOCKET, accepts one connection, receives the pty master (SCM_RIGHTS), prints
 * "name=<message data>" and "ptn=<pty number>" (TIOCGPTN: it is a pty master), writes INPUT to
 * the master, then copies everything the container writes to the terminal to stdout after an
 * "output:" line, until the container's side is closed (EIO) or 20 s pass.
 * console-recv SOCKET --pidfd: the receiving end of --pidfd-socket: prints "name=", "pid=" (of
 * the pidfd received), and when a line (or EOF) comes on stdin kills that process through the
 * pidfd and prints "killed".
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "console-recv: %s: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: console-recv SOCKET INPUT\n", stderr);
        return 2;
    }
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0)
        die("listen");
    struct pollfd lp = { ls, POLLIN, 0 };
    if (poll(&lp, 1, 20000) != 1)
        die("no connection");
    int c = accept(ls, NULL, NULL);
    if (c < 0)
        die("accept");
    char name[4096];
    struct iovec iov = { name, sizeof name - 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    ssize_t n = recvmsg(c, &m, 0);
    if (n < 0)
        die("recvmsg");
    name[n] = 0;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) {
        fputs("console-recv: no fd received\n", stderr);
        return 1;
    }
    int master;
    memcpy(&master, CMSG_DATA(cm), sizeof master);
    if (strcmp(argv[2], "--pidfd") == 0) {
        /* --pidfd-socket's receiving end: the pid the pidfd refers to (its fdinfo), then SIGKILL
         * through the pidfd, as a manager would signal that very process. */
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", master);
        FILE *f = fopen(path, "r");
        if (!f)
            die("fdinfo");
        printf("name=%s\n", name);
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "Pid:", 4) == 0)
                printf("pid=%s", line + 4 + strspn(line + 4, " \t"));
        fclose(f);
        fflush(stdout);
        getchar(); /* the caller says when (a line or EOF on stdin) */
        if (syscall(SYS_pidfd_send_signal, master, SIGKILL, NULL, 0) < 0)
            die("pidfd_send_signal");
        printf("killed\n");
        return 0;
    }
    unsigned ptn;
    if (ioctl(master, TIOCGPTN, &ptn) < 0)
        die("TIOCGPTN (not a pty master)");
    printf("name=%s\nptn=%u\n", name, ptn);
    fflush(stdout);
    if (write(master, argv[2], strlen(argv[2])) < 0)
        die("write master");
    printf("output:\n");
    fflush(stdout);
    time_t end = time(NULL) + 20;
    char buf[4096];
    while (time(NULL) < end) {
        struct pollfd p = { master, POLLIN, 0 };
        if (poll(&p, 1, 1000) <= 0)
            continue;
        n = read(master, buf, sizeof buf);
        if (n <= 0)
            break; /* EIO: every fd of the container's side is closed */
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
    return 0;
}
