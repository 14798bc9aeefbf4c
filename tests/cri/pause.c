/* pause: the pod sandbox's process for the CRI tests' pause image. It holds the pod's namespaces,
 * reaps whatever is re-parented to it, and exits 0 on SIGINT or SIGTERM. Built static. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig)
{
    (void)sig;
    _exit(0);
}

static void reap(int sig)
{
    (void)sig;
    while (waitpid(-1, 0, WNOHANG) > 0)
        ;
}

int main(void)
{
    signal(SIGINT, quit);
    signal(SIGTERM, quit);
    signal(SIGCHLD, reap);
    for (;;)
        pause();
}
