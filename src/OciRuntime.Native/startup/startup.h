/*
 * startup.h - the start-up code: the binary's constructor (entry.c) decides whether it is the
 * executor or the runtime, and for the runtime does what pays off before .NET starts.
 */
#ifndef OCI_STARTUP_H
#define OCI_STARTUP_H

/* early.c: in the runtime's constructor, start the executor for `run`/`create` before .NET does */
void early_executor_start(int argc, char **argv);
/* early.c: at the end of the constructor, wait until that executor no longer shares our memory */
void early_executor_wait_exec(void);

/* early.c, called from C#: the early executor the constructor started for `run` or `create`:
 * cloned into a new pid namespace, from the read-only image, waiting on its sync socket for a
 * plan fd (sent as a u32 OCI_REPLY_OK with SCM_RIGHTS). 0 with its pid and the host's end of the
 * socket, taken once; -1 when there is none. Closing the socket unused makes it exit. */
int oci_early_executor_take(int *pid, int *sync_fd);

/* prefault.c: the runtime's (not the executor's) zero-initialised data and malloc heap, each
 * populated in one call */
void prefault_runtime_data(void);
void prefault_malloc_heap(void);

#endif
