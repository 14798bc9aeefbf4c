/*
 * entry.c - the binary's constructor, which runs before .NET starts: "<exe> init" with
 * OCI_EXECUTOR_ENV set becomes the executor (executor/main.c, or first early.c for the early
 * executor, whose plan comes over its sync socket) and never returns; anything else is
 * the runtime, whose start-up the constructor speeds up (early.c, prefault.c) before returning.
 */
#include <string.h>

#include "executor/executor.h"
#include "plan.h"
#include "startup.h"

/* glibc passes (argc, argv, envp) to constructors of the main program. Only "<exe> init" with
 * OCI_EXECUTOR_ENV set becomes the executor; anything else returns and .NET starts as usual. */
__attribute__((constructor)) static void oci_executor_entry(int argc, char **argv, char **envp)
{
    if (argc >= 2 && argv != NULL && argv[1] != NULL && strcmp(argv[1], "init") == 0 && envp != NULL) {
        size_t n = strlen(OCI_EXECUTOR_ENV);
        for (char **e = envp; *e; e++)
            if (strncmp(*e, OCI_EXECUTOR_ENV, n) == 0 && (*e)[n] == '=') {
                early_executor_main(*e + n + 1); /* returns unless it is the early executor */
                executor_main(*e + n + 1);
            }
    }
    early_executor_start(argc, argv);
    prefault_runtime_data();
    prefault_malloc_heap();
    early_executor_wait_exec();
}
