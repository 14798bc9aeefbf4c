/*
 * plan.h - the binary contract between the C# planner (src/OciRuntime/Plan) and the C executor.
 *
 * specs/plan-format.md explains the format in prose; this header is the single source of the
 * numbers, and OCI_PLAN_OPS below the single list of opcodes. The C# side mirrors them in
 * Plan/PlanOp.cs and Plan/ExecutorMessage.cs; a unit test (PlanEncodingTests) parses this file
 * and checks that both agree, so change them together.
 *
 * Everything is little-endian. A plan is:
 *   header:  u32 magic, u32 version, u32 total_size (bytes, header included), u32 step_count
 *   step:    u32 op, u32 payload_size, payload[payload_size]
 * Payload field kinds:
 *   u32, u64        fixed width, unaligned
 *   str             u32 n (n >= 1, counting the terminating NUL), then n bytes whose last byte is
 *                   NUL and which contain no other NUL (so the executor can use them in place)
 *   strlist         u32 count, then count x str
 *   u32list         u32 count, then count x u32
 * The executor rejects (EBADMSG) any plan whose fields overrun their step, whose steps overrun the
 * plan, whose step leaves bytes unread, or whose counts exceed the limits below.
 * The plan fd must be a memfd sealed at least with F_SEAL_WRITE|F_SEAL_SHRINK: the executor
 * validates the whole plan once, then reads it again step by step, which is only sound if it
 * cannot change in between. An unsealed plan is refused (EPERM, "plan not sealed").
 */
#ifndef OCI_PLAN_H
#define OCI_PLAN_H

#define OCI_PLAN_MAGIC 0x4E4C5043u /* bytes "CPLN" */
#define OCI_PLAN_VERSION 1u
#define OCI_PLAN_MAX_SIZE (64u << 20)
#define OCI_PLAN_MAX_STEPS 65536u
#define OCI_PLAN_MAX_LIST 65536u

/* Environment variable that turns a re-executed binary into the executor: "<plan_fd>,<sync_fd>"
 * (host/spawn.c), or the early executor's own value (startup/early.h).
 * The binary is started as argv = { "ociruntime", "init" }. */
#define OCI_EXECUTOR_ENV "_OCIRUNTIME_EXECUTOR"

/* ---- steps ---------------------------------------------------------------------------------- */
/* The one list of opcodes: X(NAME, number, payload schema, handler). Everything else is generated
 * from it: enum oci_plan_op below (OCI_OP_NAME = number), the decoder's schemas (plan_decode.c),
 * the executor's dispatch table and handler declarations (executor/run.c, executor/internal.h:
 * void op_<handler>(struct plan_cursor *), which reads its own fields in schema order), and the
 * C# PlanOp enum is checked against it by a unit test (PlanEncodingTests). The schema is one
 * letter per field: u = u32, Q = u64, s = str, L = strlist, U = u32list. Each entry's comment
 * says what the fields are and what the executor does with them. */
#define OCI_PLAN_OPS(X)                                                                              \
    /* u32 nstype (CLONE_NEW*), str path: open path, setns(fd, nstype). */                           \
    X(SETNS, 1, "us", setns)                                                                         \
    /* u32 flags: unshare(flags). */                                                                 \
    X(UNSHARE, 2, "u", unshare)                                                                      \
    /* (none): clone(CLONE_PARENT|SIGCHLD). The parent sends MSG_PID(child pid) and _exit(0)s;       \
     * the child goes on with the next step. Used to enter a new or joined pid namespace. */         \
    X(FORK, 3, "", fork)                                                                             \
    /* u32 tag: send MSG_SYNC(tag), block for the host's reply; REPLY_OK goes on, anything else      \
     * (or EOF) ends the executor with _exit(1) without reporting. */                                \
    X(SYNC, 4, "u", sync)                                                                            \
    /* u32 tag: send MSG_NOTIFY(tag) and go on without waiting. */                                   \
    X(NOTIFY, 5, "u", notify)                                                                        \
    /* str name */                                                                                   \
    X(SETHOSTNAME, 6, "s", sethostname)                                                              \
    /* str name */                                                                                   \
    X(SETDOMAINNAME, 7, "s", setdomainname)                                                          \
    /* str host_path: open the container's root directory (O_PATH|O_DIRECTORY) as the "root fd"      \
     * that every IN_ROOT path below is resolved against. */                                         \
    X(OPEN_ROOT, 8, "s", open_root)                                                                  \
    /* str source, str target, str fstype, str data, u64 flags (MS_*), u32 opts (OCI_MNT_*):         \
     * mount(2). With MS_BIND in flags: bind (MS_REC kept) and, with OCI_MNT_REMOUNT, a second       \
     * MS_REMOUNT|MS_BIND with the remaining flags on the re-resolved target. Empty fstype/data      \
     * strings mean NULL. Propagation flags are never in flags (see OCI_OP_PROPAGATE).               \
     * (Executor: binds are open_tree clones; the remount flags are applied with mount_setattr to    \
     * the still-detached clone, so it never appears without them: only added, or with              \
     * OCI_MNT_EXACT_FLAGS exactly those asked. Superblock-only flags such as MS_SYNCHRONOUS are      \
     * ignored for binds, as a bind remount ignores them.) */                                        \
    X(MOUNT, 9, "ssssQu", mount)                                                                     \
    /* str target, u64 flags (MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, maybe |MS_REC),           \
     * u32 opts (OCI_MNT_TARGET_IN_ROOT, OCI_MNT_IGNORE_MISSING for an in-root target). (Executor:   \
     * an in-root target is changed with mount_setattr through its resolved fd, so it works after    \
     * pivot_root too.) */                                                                           \
    X(PROPAGATE, 10, "sQu", propagate)                                                               \
    /* str path (in root), u32 mode (file type bits included: S_IFCHR, S_IFBLK, S_IFIFO),            \
     * u32 major, u32 minor, u32 uid, u32 gid. An existing node of the same type and number is       \
     * left alone; any other existing file at the path is an error (EEXIST).                         \
     * Permissions are set with fchmod/fchown after creation, independent of the umask. */           \
    X(MKNOD, 11, "suuuuu", mknod)                                                                    \
    /* str link_content, str path (in root). An existing path is left alone. */                      \
    X(SYMLINK, 12, "ss", symlink)                                                                    \
    /* str path (in root), u32 mode: create every missing directory of path. */                      \
    X(MKDIR, 13, "su", mkdir)                                                                        \
    /* (none): make the root fd the new root with pivot_root(".", "."), detach the old root          \
     * (after making it MS_SLAVE|MS_REC so the detach does not propagate), chdir("/"), and reopen    \
     * the root fd as "/". */                                                                        \
    X(PIVOT_ROOT, 14, "", pivot_root)                                                                \
    /* (none): for --no-pivot: every mount of a whole proc or sysfs outside the root is made         \
     * MS_SLAVE|MS_REC and detached, or, when locked (EINVAL/EPERM), gets a read-only tmpfs on its   \
     * "sys" ("kernel" for sysfs) and a tmpfs on top (decisions §48); then mount --move the root     \
     * onto "/", chroot("."), chdir("/"). */                                                         \
    X(MOVE_ROOT, 15, "", move_root)                                                                  \
    /* str path (in root), u64 flags: mount(NULL, path, NULL, MS_REMOUNT|MS_BIND|flags) keeping      \
     * the flags the kernel locks on that mount (nosuid, nodev, noexec, atime flags) as statfs       \
     * reports them. u32 opts: OCI_MNT_IGNORE_MISSING. (Executor: done with mount_setattr, which     \
     * only adds attributes, so locked flags are kept without reading statfs.) */                    \
    X(REMOUNT, 16, "sQu", remount)                                                                   \
    /* str path (in root), str null_device: hide path: a directory gets a read-only tmpfs (one for   \
     * the whole plan: the first masked directory gets a new one, the others clones of that mount,   \
     * so all show the same filesystem), anything else gets null_device (verified to be the          \
     * character device 1:3) bind-mounted over it. A missing path is not an error. */                \
    X(MASK, 17, "ss", mask)                                                                          \
    /* str path: chdir(path), then check with getcwd that the cwd is inside the root                 \
     * (CVE-2024-21626); ENOENT/ENOTDIR are reported as is. */                                       \
    X(CHDIR, 18, "s", chdir)                                                                         \
    /* u32 mask */                                                                                   \
    X(UMASK, 19, "u", umask)                                                                         \
    /* u32 resource, u64 soft, u64 hard: prlimit(0, resource, ...) */                                \
    X(RLIMIT, 20, "uQQ", rlimit)                                                                     \
    /* (none): setsid() */                                                                           \
    X(SETSID, 21, "", setsid)                                                                        \
    /* (none): prctl(PR_SET_NO_NEW_PRIVS, 1) */                                                      \
    X(NO_NEW_PRIVS, 22, "", no_new_privs)                                                            \
    /* u64 keep: drop every capability not in keep from the bounding set (PR_CAPBSET_DROP),          \
     * for cap 0..63, stopping at the first EINVAL (beyond the kernel's last cap). */                \
    X(CAPS_BOUNDING, 23, "Q", caps_bounding)                                                         \
    /* u32 uid, u32 gid, u32 opts (OCI_USER_SETGROUPS), u32list additional_gids:                     \
     * with PR_SET_KEEPCAPS set around it: setgroups (when opted), setresgid, setresuid. */          \
    X(SET_USER, 24, "uuuU", set_user)                                                                \
    /* u64 effective, u64 permitted, u64 inheritable, u64 ambient: capset (v3), then clear the       \
     * ambient set and raise each ambient cap. */                                                    \
    X(CAPS, 25, "QQQQ", caps)                                                                        \
    /* str host_path: open the exec fifo O_RDWR|O_CLOEXEC (never blocks) and keep it. */             \
    X(OPEN_FIFO, 26, "s", open_fifo)                                                                 \
    /* (none): read one byte from the fifo kept by OPEN_FIFO (blocks until `start` writes). The fifo \
     * stays open (close-on-exec; EXEC closes it right before execve): a failure from here on is     \
     * also written to it as one struct oci_msg (ERROR) before the executor exits, and `start`,      \
     * which holds a read end, sees the last writer go (POLLHUP) with or without that message. */    \
    X(WAIT_FIFO, 27, "", wait_fifo)                                                                  \
    /* str file, strlist search_dirs: resolve the program now (so a missing program fails            \
     * `create`, not `start`): a file containing '/' is used as is, otherwise the first              \
     * search_dirs[i]/file that is a regular file with execute permission. The checks (stat,         \
     * access) are probes: EPERM or ENOSYS from them (a seccomp filter already in place, an old      \
     * kernel) means "unknown", and the candidate is taken; execve gives the real answer. */         \
    X(RESOLVE_EXEC, 28, "sL", resolve_exec)                                                          \
    /* u32 keep_fds, strlist argv, strlist envp: close every fd >= keep_fds but the sync socket      \
     * (close-on-exec, kept to report a failed execve): closed, not only marked close-on-exec,       \
     * because execve resolves its path before close-on-exec applies, so a leaked directory fd       \
     * would let "/proc/self/fd/N/..." run a host binary (CVE-2024-21626); then load the             \
     * filter SECCOMP kept (OCI_SECCOMP_AT_EXEC), set the sets CAPS_AT_EXEC kept, execve the         \
     * resolved program. Once the container's filter is in, the executor makes no system call but    \
     * capset, execve and, when execve fails, its report: the error record (send; write when the     \
     * filter refuses send), one line on stderr, _exit. */                                           \
    X(EXEC, 29, "uLL", exec)                                                                         \
    /* str path, str value: write value (one write) to path, relative to the procfs of OPEN_PROCFS   \
     * ("sys/net/ipv4/ip_forward"), opened with openat2 RESOLVE_BENEATH | RESOLVE_NO_XDEV |          \
     * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS and checked to be procfs: no mount over the       \
     * file and no symlink can redirect the write. A first component "self" or "thread-self" (procfs' \
     * own links) is read with readlinkat and replaced by its target. */                             \
    X(WRITE_PROC, 30, "ss", write_proc)                                                              \
    /* u32 flags (SECCOMP_FILTER_FLAG_*), u32 opts (OCI_SECCOMP_*), u32list program: a classic BPF   \
     * program, two u32 per instruction (code | jt << 16 | jf << 24, then k), which is the memory    \
     * layout of struct sock_filter on a little-endian machine. Without OCI_SECCOMP_AT_EXEC:         \
     * seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) now. With it: kept, and loaded by EXEC after    \
     * it has reset signals and fd flags, right before execve, so that the program's filter sees     \
     * as few of the executor's own syscalls as possible. With SECCOMP_FILTER_FLAG_NEW_LISTENER in   \
     * flags (never with AT_EXEC: the host is gone by then): the notify fd the kernel returns is     \
     * sent to the host as OCI_MSG_SECCOMP_FD (SCM_RIGHTS), closed, and the executor waits for the   \
     * host's reply as in SYNC. */                                                                   \
    X(SECCOMP, 31, "uuU", seccomp)                                                                   \
    /* u32 persona: personality(persona) */                                                          \
    X(PERSONALITY, 32, "u", personality)                                                             \
    /* u32 ioprio (class << 13 | level): ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio) */                \
    X(IOPRIO, 33, "u", ioprio)                                                                       \
    /* u32 policy, u64 flags, u32 nice (an int), u32 priority, u64 runtime, u64 deadline,            \
     * u64 period: sched_setattr(0, attr, 0) */                                                      \
    X(SCHED, 34, "uQuuQQQ", sched)                                                                   \
    /* (no payload) the WAIT_FIFO that follows drops the executor's read-only segments (code and     \
     * constants, never written, so nothing is lost) from its page tables while it blocks, all but   \
     * the page of the code doing it: a waiting process keeps only what it wrote, and the binary's   \
     * pages stay in the page cache. */                                                              \
    X(RELEASE_CODE, 35, "", release_code)                                                            \
    /* str path (in root), u64 attr_set, u64 attr_clr (MOUNT_ATTR_*), u32 opts (OCI_MNT_IGNORE_MISSING): \
     * mount_setattr(path, AT_RECURSIVE, { attr_set, attr_clr }): the mount at path and every        \
     * mount below it (the recursive mount options "rro", "rnosuid", ...). */                        \
    X(MOUNT_SETATTR, 36, "sQQu", mount_setattr)                                                      \
    /* u32 mode (MPOL_* | MPOL_F_*), u32list nodemask (node n at bit n % 32 of word n / 32, at most  \
     * 32 words): set_mempolicy(mode, the mask, or NULL when the list is empty, 32 * words + 1). */  \
    X(MEMPOLICY, 37, "uU", mempolicy)                                                                \
    /* u64 effective, u64 permitted, u64 inheritable: kept, and set (capset v3) by EXEC right        \
     * after it has loaded the filter OCI_SECCOMP_AT_EXEC kept, before execve. A plan uses it when   \
     * the filter is loaded without no_new_privs, which needs CAP_SYS_ADMIN: CAPS keeps that one     \
     * capability effective until the filter is in, and this lowers the sets to the process's own.   \
     * execve computes the new program's sets from the bounding, inheritable and ambient sets        \
     * alone, all final by then, so this capset only keeps the last instants honest: when the        \
     * container's filter refuses capset (EPERM or ENOSYS), it is skipped rather than failed. */     \
    X(CAPS_AT_EXEC, 38, "QQQ", caps_at_exec)                                                         \
    /* ---- terminals (40-49) ---- */                                                                \
    /* u32 tag: send MSG_SYNC(tag); the host's reply carries one fd (SCM_RIGHTS), the console        \
     * socket, kept for CREATE_PTY. A reply without an fd, or not REPLY_OK, ends the executor. */    \
    X(RECV_CONSOLE, 40, "u", recv_console)                                                           \
    /* str ptmx (in root), u32 rows, u32 cols: open ptmx inside the root, check with fstatfs that    \
     * it is on devpts, unlock it, open its peer with TIOCGPTPEER (checked devpts too), set the      \
     * window size when rows and cols are not 0, send the master over the console socket with        \
     * SCM_RIGHTS (the message data is the string "/dev/ptmx"), close the master and the socket,     \
     * and keep the peer for BIND_CONSOLE and SET_CTTY. */                                           \
    X(CREATE_PTY, 41, "suu", create_pty)                                                             \
    /* str path (in root): bind-mount the kept pty peer onto path (created as an empty file when     \
     * missing), through the peer's fd (open_tree), after checking again that it is a devpts         \
     * character device: the node mounted is the pty, never a path an image could swap. */           \
    X(BIND_CONSOLE, 42, "s", bind_console)                                                           \
    /* (none): make the kept pty peer stdin/stdout/stderr and the controlling terminal of the        \
     * session (TIOCSCTTY; SETSID must come before). */                                              \
    X(SET_CTTY, 43, "", set_ctty)                                                                    \
    /* u32 uid, u32 skip_major, u32 skip_minor: each of fds 0, 1, 2 (those open) whose owner is not  \
     * uid gets uid as its owner with fchown (the group is kept), unless it is the character device  \
     * skip_major:skip_minor; EINVAL and EPERM (owner or group not mapped in the user namespace, or  \
     * not permitted) leave that file as it is. */                                                   \
    X(CHOWN_STDIO, 44, "uuu", chown_stdio)                                                           \
    /* str offsets: after unshare(CLONE_NEWTIME) and before the first child enters the new time      \
     * namespace, write offsets ("monotonic SECS NANOSECS\n" lines) to the executor's own            \
     * /proc/self/timens_offsets, verified to be on procfs. */                                       \
    X(TIMENS_OFFSETS, 50, "s", timens_offsets)                                                       \
    /* ---- id-mapped mounts (60-64) ----                                                            \
     * MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over the user namespace that owns the source's           \
     * filesystem (the initial one for ext4/tmpfs), which the executor loses once it is in the       \
     * container's user namespace: the USERNS_* steps come before SETNS/UNSHARE of the user          \
     * namespace and keep namespace fds in slots; IDMAP_TREE runs at the mount's turn, in the        \
     * container's mount namespace (the executor itself, or the host for it: OCI_IDMAP_BY_HOST),     \
     * and ATTACH_TREE right after it puts the tree in the root. */                                 \
    /* u32 slot, str uid_map, str gid_map: a user namespace that carries these maps ("inside         \
     * outside count" lines, each map written in one write). A helper child is cloned into a new     \
     * user namespace and only waits; the executor, still in the runtime's user namespace, writes    \
     * its /proc/<pid>/uid_map and gid_map (procfs checked), keeps /proc/<pid>/ns/user open in       \
     * the slot, and ends and reaps the helper. */                                                   \
    X(USERNS_FROM_MAPS, 60, "uss", userns_from_maps)                                                 \
    /* u32 slot, str path: open path (checked with NS_GET_NSTYPE to be a user namespace) into the slot. */ \
    X(USERNS_FROM_PATH, 61, "us", userns_from_path)                                                  \
    /* u32 tree, u32 userns, str source, u64 propagation, u32 opts (OCI_IDMAP_*): open_tree(source,  \
     * OPEN_TREE_CLONE, AT_RECURSIVE with OCI_IDMAP_CLONE_RECURSIVE); when propagation is not 0,     \
     * set it on the detached tree (MS_REC in it: AT_RECURSIVE); mount_setattr(MOUNT_ATTR_IDMAP,     \
     * the userns slot's fd; AT_RECURSIVE with OCI_IDMAP_RECURSIVE); keep the tree in slot tree.     \
     * OCI_IDMAP_CLOSE_USERNS: the userns slot is not used again and is closed.                      \
     * OCI_IDMAP_BY_HOST (the executor is in a user namespace and may not id-map): the host does it   \
     * instead: the executor sends OCI_MSG_IDMAP_SOURCE with the userns slot's fd and keeps the tree \
     * fd of the OK reply; the host clones the source after joining the executor's mount namespace. */ \
    X(IDMAP_TREE, 62, "uusQu", idmap_tree)                                                           \
    /* u32 tree, str target, u64 flags (MS_*, no MS_BIND), u32 opts (OCI_MNT_*): attach the tree     \
     * kept by IDMAP_TREE on target as a bind MOUNT does (target resolved and created the same way;  \
     * with OCI_MNT_REMOUNT the flags are set on the still-detached tree first), then close it. */   \
    X(ATTACH_TREE, 63, "usQu", attach_tree)                                                          \
    /* ---- hardening (70-79) ---- */                                                                \
    /* u32 keep_fds: close every fd >= keep_fds except those the executor holds (the sync socket     \
     * and what earlier steps kept: root, fifo, console socket, pty peer, procfs, hook state,        \
     * id-mapped mount slots). The fds the runtime's caller leaked are gone from then on, not        \
     * only at EXEC: nothing reaches them through /proc/<pid>/fd while the init waits. */            \
    X(CLOSE_FDS, 70, "u", close_fds)                                                                 \
    /* u32 how (OCI_PROCFS_*): open the procfs WRITE_PROC writes through, checked with fstatfs.      \
     * NEW: a procfs instance of its own (fsopen/fsmount, detached: nothing can be mounted on        \
     * it), of the executor's pid namespace; CURRENT: "/proc" as the executor's mount namespace      \
     * has it now (before it joins a container's, that is the runtime's own). */                     \
    X(OPEN_PROCFS, 71, "u", open_procfs)                                                             \
    /* u32 tag: send MSG_SYNC(tag); the host's reply carries one fd (SCM_RIGHTS), kept as the        \
     * stdin of every RUN_HOOK (the container's state JSON, read from offset 0 by each hook). */     \
    X(RECV_HOOK_STATE, 72, "u", recv_hook_state)                                                     \
    /* str label, str path, strlist argv, strlist envp, u32 timeout (seconds, 0: none): run a hook   \
     * as a child of the executor, with its current credentials, capabilities, no_new_privs,         \
     * seccomp filter, cgroup, namespaces and root; the state of RECV_HOOK_STATE on stdin, the       \
     * executor's stdout and stderr, no other fd. Waits for it (killed at the timeout); a hook       \
     * that fails is an error whose what is "<label>: exited with status N" (ECHILD), "<label>:      \
     * killed by signal N" (EINTR) or "<label>: timed out, killed after N s" (ETIMEDOUT). */         \
    X(RUN_HOOK, 73, "ssLLu", run_hook)                                                               \
    /* str host_path: without a mount namespace of the container's own (decisions §45): enter the    \
     * root with chroot, never pivot_root or a move onto "/" (both would change the runtime's        \
     * mount namespace). Empty host_path: the root fd of OPEN_ROOT (`create`); otherwise that        \
     * path, opened O_PATH|O_DIRECTORY (`exec`: /proc/<init>/root). fchdir, chroot("."),              \
     * chdir("/"), and the root fd reopened as "/". */                                                \
    X(CHROOT, 74, "s", chroot)                                                                       \
    /* strlist paths: open each path O_PATH (after the mount namespace is entered, before the        \
     * executor becomes the root of a user namespace: still the runtime's uid, it may pass           \
     * directories only that uid can search) and keep the fd for a bind MOUNT with                   \
     * OCI_MNT_SOURCE_OPENED of that source; a path that cannot be opened is skipped. */             \
    X(OPEN_SOURCES, 75, "L", open_sources)

enum oci_plan_op {
#define OCI_OP_ENUM(name, number, schema, handler) OCI_OP_##name = number,
    OCI_PLAN_OPS(OCI_OP_ENUM)
#undef OCI_OP_ENUM
};

/* OCI_OP_USERNS_* / OCI_OP_IDMAP_TREE / OCI_OP_ATTACH_TREE slots are below this */
#define OCI_IDMAP_MAX_SLOTS 256u

/* OCI_OP_IDMAP_TREE opts */
enum oci_idmap_opts {
    OCI_IDMAP_CLONE_RECURSIVE = 1u << 0, /* clone the source's submounts too (rbind) */
    OCI_IDMAP_RECURSIVE = 1u << 1,       /* id-map the submounts too (ridmap) */
    OCI_IDMAP_CLOSE_USERNS = 1u << 2,    /* last use of the userns slot */
    OCI_IDMAP_BY_HOST = 1u << 3,         /* the host clones and id-maps (OCI_MSG_IDMAP_SOURCE) */
};

/* OCI_OP_OPEN_PROCFS how */
enum oci_procfs_how {
    OCI_PROCFS_NEW = 0,
    OCI_PROCFS_CURRENT = 1,
};

/* OCI_OP_SECCOMP opts */
enum oci_seccomp_opts {
    OCI_SECCOMP_AT_EXEC = 1u << 0,
};

/* OCI_OP_MOUNT / OCI_OP_PROPAGATE / OCI_OP_REMOUNT opts */
enum oci_mount_opts {
    OCI_MNT_TARGET_IN_ROOT = 1u << 0,  /* target is resolved inside the root fd (RESOLVE_IN_ROOT) */
    OCI_MNT_SOURCE_IN_ROOT = 1u << 1,  /* source too (bind of a path of the container onto itself) */
    OCI_MNT_MKDIR = 1u << 2,           /* create the target directory (and parents) if missing */
    OCI_MNT_MKFILE = 1u << 3,          /* create the target as an empty file (parents as dirs) */
    OCI_MNT_MKLIKE_SOURCE = 1u << 4,   /* create a dir or a file, whichever the source is */
    OCI_MNT_REMOUNT = 1u << 5,         /* bind mounts: remount with the flags after binding */
    OCI_MNT_IGNORE_MISSING = 1u << 6,  /* a missing target (or source) is not an error */
    OCI_MNT_COPYUP = 1u << 7,          /* MOUNT of a new filesystem on a directory: copy what the
                                          directory held into it (files, directories, symlinks,
                                          nodes; owner, mode and times kept; no xattrs), never
                                          following a symlink ("tmpcopyup") */
    OCI_MNT_INHERIT_MODE = 1u << 8,    /* MOUNT of a new filesystem on a directory that exists
                                          already: "mode=<its permission bits, octal>" goes in
                                          front of data, so the new root keeps its mode (a target
                                          made by the step gets the filesystem's default) */
    OCI_MNT_ORDINARY_DIR = 1u << 9,    /* a target that exists must be a directory itself, not a
                                          symlink (nor a file): ENOTDIR otherwise */
    OCI_MNT_EXACT_FLAGS = 1u << 10,    /* bind MOUNT / ATTACH_TREE with OCI_MNT_REMOUNT: the mount
                                          gets exactly the per-mount flags asked (ro, nosuid, nodev,
                                          noexec, nosymfollow; the atime flags when one is asked,
                                          else the source's), as "mount --bind -o" (runc); bits
                                          32-63 of flags are the MS_* flags the options cleared.
                                          When the kernel refuses (EPERM: flags locked by a user
                                          namespace), the source's lockable flags (statfs) are
                                          added and it is tried once more, unless the options
                                          cleared one of them or asked another atime setting */
    OCI_MNT_SOURCE_OPENED = 1u << 11,  /* bind MOUNT: when the source cannot be opened by path, use
                                          the fd OPEN_SOURCES opened for that path, if any */
};

/* OCI_OP_SET_USER opts */
enum oci_user_opts {
    OCI_USER_SETGROUPS = 1u << 0,
};

/* ---- messages on the sync socket (SOCK_SEQPACKET) ------------------------------------------- */
/* executor -> host: one fixed-size record per message */
struct oci_msg {
    unsigned int type;   /* enum oci_msg_type */
    unsigned int arg;    /* PID: pid; SYNC/NOTIFY: tag; ERROR: step index (0-based) */
    int err;             /* ERROR: errno (positive) */
    char what[52];       /* ERROR: the operation that failed ("mount", "openat2 target", ...);
                            NOTIFY: CLOCK_MONOTONIC in ns when it was sent (u64, host order) */
};

enum oci_msg_type {
    OCI_MSG_PID = 1,
    OCI_MSG_SYNC = 2,
    OCI_MSG_NOTIFY = 3,
    OCI_MSG_ERROR = 4,
    /* arg: step index; one fd in an SCM_RIGHTS control message: the seccomp notify fd.
     * The host replies as to OCI_MSG_SYNC once it has passed the fd on. */
    OCI_MSG_SECCOMP_FD = 15,
    /* arg: step index of an IDMAP_TREE with OCI_IDMAP_BY_HOST; one fd (SCM_RIGHTS): its user
     * namespace. The host clones the step's source in the sender's mount namespace, id-maps it,
     * and replies OK with the tree's fd attached; on failure it reports the error itself and
     * replies ABORT (or not at all). */
    OCI_MSG_IDMAP_SOURCE = 16,
};

/* host -> executor: one u32 in reply to OCI_MSG_SYNC */
enum oci_reply {
    OCI_REPLY_OK = 0,
    OCI_REPLY_ABORT = 1,
};

/* Step index reported for failures before the first step (reading or decoding the plan). */
#define OCI_STEP_NONE 0xFFFFFFFFu

#endif
