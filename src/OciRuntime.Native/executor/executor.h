/*
 * executor.h - the executor proper, as the other programs see it: one entry point. It runs the
 * plan in the container's init with raw system calls and reports (step, errno) on the sync socket;
 * what each step does is plan.h's opcode list, and its files are described in internal.h.
 */
#ifndef OCI_EXECUTOR_EXECUTOR_H
#define OCI_EXECUTOR_EXECUTOR_H

#include <stdint.h>

/* spec is OCI_EXECUTOR_ENV's value: "<plan fd>,<sync fd>" (host/spawn.c). Never returns. */
_Noreturn void executor_main(const char *spec);
/* The same with both fds at hand (the early executor, startup/early.c, received its plan on the
 * sync socket); unshared: CLONE_NEW* flags already unshared, which the plan's first UNSHARE step
 * takes as done (decisions §29). Never returns. */
_Noreturn void executor_run(int plan_fd, int sync_fd, uint32_t unshared);

#endif
