/*
 * signal_forward.c - while `run` or a foreground `exec` waits for the container's process, the
 * signals a user sends to the runtime go to that process (host side, in the .NET process).
 *
 * Why not .NET's PosixSignalRegistration: its first use starts the runtime's signal-handling
 * machinery, which costs more than a millisecond on every `run`, on the start path that this
 * project is judged by. A plain sigaction handler that calls kill(2) (async-signal-safe) does the
 * whole job. Which signals is the caller's decision.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "host.h"

#define OCI_FORWARD_MAX 16

static volatile sig_atomic_t g_target;
static int g_signals[OCI_FORWARD_MAX];
static struct sigaction g_saved[OCI_FORWARD_MAX];
static int g_count;

static void forward(int sig)
{
    int saved_errno = errno;
    pid_t target = (pid_t)g_target;
    if (target > 0)
        kill(target, sig);
    errno = saved_errno;
}

/* Forwards each of signals[0..n) to pid until oci_forward_signals_stop; 0 or -errno. */
int oci_forward_signals_start(int pid, const int *signals, int n)
{
    if (pid <= 0 || n < 0 || n > OCI_FORWARD_MAX || g_count != 0)
        return -EINVAL;
    g_target = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < n; i++) {
        if (sigaction(signals[i], &sa, &g_saved[i]) < 0) {
            int err = errno;
            while (--i >= 0)
                sigaction(g_signals[i], &g_saved[i], NULL);
            g_count = 0;
            g_target = 0;
            return -err;
        }
        g_signals[i] = signals[i];
        g_count = i + 1;
    }
    return 0;
}

/* Puts back the dispositions that were there before oci_forward_signals_start. */
void oci_forward_signals_stop(void)
{
    for (int i = g_count - 1; i >= 0; i--)
        sigaction(g_signals[i], &g_saved[i], NULL);
    g_count = 0;
    g_target = 0;
}
