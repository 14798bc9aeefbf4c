/*
 * common.h - the little that two of the native programs share (the executor, the host helpers
 * called from C#, the start-up code; see README's layout). Nothing here calls into any of them.
 */
#ifndef OCI_COMMON_H
#define OCI_COMMON_H

#include <stddef.h>
#include <sys/types.h>

/* fdpass.c: one fd over a unix socket with SCM_RIGHTS. No allocation: safe in the executor. */
/* sendmsg of len bytes with fd attached, retried on EINTR; bytes sent or -1 (errno) */
ssize_t sendmsg_with_fd(int sock, const void *data, size_t len, int fd);
/* recvmsg into data, retried on EINTR; bytes received or -1 (errno); *fd the one fd that came
 * with it (SCM_RIGHTS, close-on-exec), else -1 */
ssize_t recvmsg_with_fd(int sock, void *data, size_t len, int *fd);

/* signals.c */
void reset_signal_handlers(void); /* every disposition to SIG_DFL; async-signal-safe */
void reset_ignored_signals(void); /* what is left to reset after an execve: the ignored ones */

/* mount_api.c: the new mount API's system calls (glibc wraps them only since 2.36). Each returns
 * the result, or -1 with errno. */
struct mount_attr;
int sys_open_tree(int dfd, const char *path, unsigned flags);
/* move_mount of the detached tree `from` onto the fd `to` (both by fd, empty paths) */
int sys_move_mount(int from, int to);
/* mount_setattr on the fd itself (AT_EMPTY_PATH | flags) */
int sys_mount_setattr(int fd, unsigned flags, struct mount_attr *attr);

#endif
