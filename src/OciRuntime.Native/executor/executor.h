/*
 * executor.h - the executor proper, as the other programs see it: one entry point. It runs the
 * plan in the container's init with raw system calls and reports (step, errno) on the sync socket;
 * what each step does is plan.h's opcode list, and its files are described in internal.h.
 */
#ifndef OCI_EXECUTOR_EXECUTOR_H
#define OCI_EXECUTOR_EXECUTOR_H

/* spec is OCI_EXECUTOR_ENV's value: "<plan fd>,<sync fd>", or "@,<sync fd>" for an early
 * executor whose plan comes later over the sync socket. Never returns. */
_Noreturn void executor_main(const char *spec);

#endif
