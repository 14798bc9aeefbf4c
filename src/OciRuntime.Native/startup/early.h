/*
 * early.h - the early executor's protocol (decisions §24, §29), owned by early.c: what it shares
 * with the C# side (Lifecycle/EarlyExecutor.cs, whose constants EarlyExecutorProtocolTests reads
 * from this file) and with no other C file (only early.c includes it; tests/layers.sh checks).
 *
 *   the constructor   clones the executor into OCI_EARLY_CLONE_FLAGS, from the read-only image,
 *                     as "ociruntime init" with OCI_EXECUTOR_ENV=OCI_EARLY_MARK ",<sync fd>"
 *                     (its plan comes later, over the sync socket, a SOCK_SEQPACKET pair);
 *   C#                takes its pid and the host's end of the socket (oci_early_executor_take),
 *                     and sends, in this order:
 *                       [OCI_EARLY_UNSHARE_AHEAD, CLONE_NEW* flags] (two u32), at most once: it
 *                         unshares them at once, and the plan's first UNSHARE step takes them as
 *                         done (C# sends it only for a plan whose first step after CLOSE_FDS
 *                         unshares exactly those); a failed unshare is left to that step;
 *                       [OCI_EARLY_PLAN] (one u32) with the sealed plan memfd (SCM_RIGHTS): it
 *                         runs the plan as any executor, reporting on the same socket;
 *                     or EOF, when C# discards it (and SIGKILLs and reaps it): it exits 0.
 *   Anything else is reported as OCI_MSG_ERROR "receive plan" (EBADMSG) before any step.
 */
#ifndef OCI_STARTUP_EARLY_H
#define OCI_STARTUP_EARLY_H

#include <stdint.h>

#define OCI_EARLY_CLONE_FLAGS CLONE_NEWPID
#define OCI_EARLY_MARK '@'

enum oci_early_msg {
    OCI_EARLY_PLAN = 0,
    OCI_EARLY_UNSHARE_AHEAD = 2,
};

/* Called from C#: the early executor the constructor started for `run` or `create`, waiting on
 * its sync socket. 0 with its pid and the host's end of the socket, taken once; -1 when there
 * is none. Closing the socket unused makes it exit. */
int oci_early_executor_take(int *pid, int *sync_fd);

#endif
