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
/* early.c: in "ociruntime init", env_value is OCI_EXECUTOR_ENV's value: when it is an early
 * executor's, wait for the plan (early.h) and run it; never returns then. Returns otherwise. */
void early_executor_main(const char *env_value);

/* prefault.c: the runtime's (not the executor's) zero-initialised data and malloc heap, each
 * populated in one call */
void prefault_runtime_data(void);
void prefault_malloc_heap(void);

#endif
