/*
 * probe — a tiny static helper that the conformance tests put into every test rootfs at /probe.
 *
 * Each subcommand prints machine-readable "key=value" lines on stdout, so a test can check from
 * inside the container what the runtime set up. Failures print "error=<ERRNO NAME>" (ENOENT,
 * EROFS, EACCES, ...) and make the exit status 1; a usage error exits 2.
 * Commands taking PATH accept several paths: each path's lines start with "path=PATH".
 *
 *   probe id                  uid gid euid egid groups=a,b umask=0022
 *   probe caps                CapInh CapPrm CapEff CapBnd CapAmb (hex, as in /proc/self/status)
 *   probe fds                 fds=0,1,2 (open fds, without the one used to list them)
 *   probe ns                  ns.<type>=<type>:[inode] for each entry of /proc/self/ns
 *   probe hostname            hostname= domainname=
 *   probe cwd                 cwd=
 *   probe env                 the environment, one NAME=VALUE a line
 *   probe rlimit NAME...      name=NOFILE (or RLIMIT_NOFILE) soft= hard= ("unlimited": RLIM_INFINITY)
 *   probe stat PATH...        lstat: type= mode=(octal) uid= gid= rdev=maj:min size=
 *   probe readlink PATH...    target=
 *   probe write PATH...       create/truncate and write: result=ok
 *   probe read PATH...        bytes=<bytes read, up to 1 MiB>
 *   probe ls PATH...          entries=a,b,c (sorted, without . and ..) count=N
 *   probe cat PATH...         the files verbatim (no path= lines)
 *   probe mountinfo           /proc/self/mountinfo verbatim
 *   probe mount PATH...       the top mount at PATH: mountpoint root fstype source options
 *                             superoptions propagation (optional fields or "private") line
 *   probe exec PATH [ARG...]  execv PATH; on failure error=
 *   probe args ARG...         argc= and arg0= arg1= ... (argv of the probe itself)
 *   probe trap SECONDS        catch every catchable signal, print ready=1, wait; on a signal print
 *                             signal=N signame=TERM and exit 0; after SECONDS print timeout=1, exit 1
 *   probe exit N              exit with status N
 *   probe sleep SECONDS       sleep (fractions allowed), then exit 0
 *   probe pid                 pid= ppid=
 *   probe nnp                 nnp= (NoNewPrivs: 0 or 1)
 *   probe sigs                SigPnd ShdPnd SigBlk SigIgn SigCgt (hex, from /proc/self/status)
 *   probe syscall NR [ARG...] syscall(NR, ARGs) (decimal or 0x hex, up to 6): result=N or error=
 *   probe uname               sysname= machine= (as uname(2) reports them, so personality shows)
 *   probe alloc MIB           allocate and touch MIB MiB, printing touched=N after each MiB
 *   probe fork N              fork N children that wait; forked=K (and error= if one failed);
 *                             the children are killed and reaped before it exits
 *   probe spin SECONDS        burn cpu for SECONDS of wall-clock time
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int failed;

static void print_error(int err)
{
    const char *name = strerrorname_np(err);
    if (name)
        printf("error=%s\n", name);
    else
        printf("error=E%d\n", err);
    printf("errno=%d\n", err);
    failed = 1;
}

static void usage(void)
{
    fputs("usage: probe id|caps|fds|ns|hostname|cwd|env|mountinfo|pid|nnp|sigs|clock|mempolicy\n"
          "       probe rlimit NAME...|stat PATH...|readlink PATH...|write PATH...|read PATH...\n"
          "       probe ls PATH...|mount PATH...|cat PATH...|exec PATH [ARG...]|args ARG...\n"
          "       probe trap SECONDS|exit N|sleep SECONDS\n",
          stderr);
    exit(2);
}

/* Print the lines of /proc/self/status whose key is in keys. */
static void status_fields(const char *const *keys)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) {
        print_error(errno);
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = 0;
        for (const char *const *k = keys; *k; k++) {
            if (strcmp(line, *k) == 0) {
                char *v = colon + 1;
                while (*v == ' ' || *v == '\t')
                    v++;
                v[strcspn(v, "\n")] = 0;
                printf("%s=%s\n", line, v);
            }
        }
    }
    fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void cmd_id(void)
{
    printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", getuid(), getgid(), geteuid(), getegid());
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    printf("groups=");
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("\n");
    mode_t m = umask(0);
    umask(m);
    printf("umask=%04o\n", m);
}

static void cmd_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        print_error(errno);
        return;
    }
    int self = dirfd(d);
    int fds[4096], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd != self)
            fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, n, sizeof fds[0], cmp_int);
    printf("fds=");
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", fds[i]);
    printf("\n");
}

static void cmd_ns(void)
{
    DIR *d = opendir("/proc/self/ns");
    if (!d) {
        print_error(errno);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], target[PATH_MAX];
        snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len < 0) {
            printf("ns.%s.error=%s\n", names[i], strerrorname_np(errno));
            failed = 1;
        } else {
            target[len] = 0;
            printf("ns.%s=%s\n", names[i], target);
        }
        free(names[i]);
    }
}

static void cmd_hostname(void)
{
    struct utsname u;
    if (uname(&u) < 0) {
        print_error(errno);
        return;
    }
    printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
}

static void cmd_cwd(void)
{
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf))
        print_error(errno);
    else
        printf("cwd=%s\n", buf);
}

static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    {"AS", RLIMIT_AS},         {"CORE", RLIMIT_CORE},         {"CPU", RLIMIT_CPU},
    {"DATA", RLIMIT_DATA},     {"FSIZE", RLIMIT_FSIZE},       {"LOCKS", RLIMIT_LOCKS},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
    {"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC},       {"RSS", RLIMIT_RSS},
    {"RTPRIO", RLIMIT_RTPRIO}, {"RTTIME", RLIMIT_RTTIME},     {"SIGPENDING", RLIMIT_SIGPENDING},
    {"STACK", RLIMIT_STACK},
};

static void print_rlim(const char *key, rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf("%s=unlimited\n", key);
    else
        printf("%s=%llu\n", key, (unsigned long long)v);
}

static void cmd_rlimit(const char *arg)
{
    const char *name = arg;
    if (strncmp(name, "RLIMIT_", 7) == 0)
        name += 7;
    for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++) {
        if (strcasecmp(name, rlimits[i].name) == 0) {
            struct rlimit rl;
            if (getrlimit(rlimits[i].resource, &rl) < 0) {
                print_error(errno);
                return;
            }
            print_rlim("soft", rl.rlim_cur);
            print_rlim("hard", rl.rlim_max);
            return;
        }
    }
    print_error(EINVAL);
}

static void cmd_stat(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        print_error(errno);
        return;
    }
    const char *type = "unknown";
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: type = "file"; break;
    case S_IFDIR: type = "dir"; break;
    case S_IFLNK: type = "symlink"; break;
    case S_IFCHR: type = "char"; break;
    case S_IFBLK: type = "block"; break;
    case S_IFIFO: type = "fifo"; break;
    case S_IFSOCK: type = "socket"; break;
    }
    printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\nrdev=%u:%u\nsize=%lld\n", type,
           (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid, major(st.st_rdev),
           minor(st.st_rdev), (long long)st.st_size);
}

static void cmd_readlink(const char *path)
{
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        print_error(errno);
        return;
    }
    target[n] = 0;
    printf("target=%s\n", target);
}

static void cmd_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        print_error(errno);
        return;
    }
    static const char data[] = "probe\n";
    if (write(fd, data, sizeof data - 1) != (ssize_t)(sizeof data - 1)) {
        print_error(errno);
        close(fd);
        return;
    }
    if (close(fd) < 0) {
        print_error(errno);
        return;
    }
    printf("result=ok\n");
}

static void cmd_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        print_error(errno);
        return;
    }
    static char buf[65536];
    long long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            print_error(errno);
            close(fd);
            return;
        }
        if (n == 0)
            break;
        total += n;
        if (total >= 1024 * 1024)
            break;
    }
    close(fd);
    printf("bytes=%lld\n", total);
}

static void cmd_ls(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        print_error(errno);
        return;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    printf("entries=");
    for (int i = 0; i < n; i++) {
        printf("%s%s", i ? "," : "", names[i]);
        free(names[i]);
    }
    printf("\ncount=%d\n", n);
    free(names);
}

static void cmd_cat(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        print_error(errno);
        return;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
}

/* Decode the octal escapes (\040 etc.) that mountinfo uses in paths. */
static void unescape(char *s)
{
    char *o = s;
    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
}

static void cmd_mount(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) {
        print_error(errno);
        return;
    }
    static char line[8192], found[8192];
    int have = 0;
    while (fgets(line, sizeof line, f)) {
        char copy[8192];
        memcpy(copy, line, sizeof copy);
        char *save = NULL;
        strtok_r(copy, " ", &save);          /* id */
        strtok_r(NULL, " ", &save);          /* parent */
        strtok_r(NULL, " ", &save);          /* maj:min */
        strtok_r(NULL, " ", &save);          /* root */
        char *mp = strtok_r(NULL, " ", &save);
        if (!mp)
            continue;
        unescape(mp);
        if (strcmp(mp, path) == 0) {
            memcpy(found, line, sizeof found);
            have = 1; /* keep the last one: the top of the stack */
        }
    }
    fclose(f);
    if (!have) {
        printf("error=NOTMOUNTED\n");
        failed = 1;
        return;
    }
    found[strcspn(found, "\n")] = 0;
    printf("line=%s\n", found);
    char *save = NULL;
    char *field[6];
    for (int i = 0; i < 6; i++)
        field[i] = strtok_r(i ? NULL : found, " ", &save);
    char prop[1024] = "";
    char *tok;
    while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-") != 0) {
        if (prop[0])
            strncat(prop, " ", sizeof prop - strlen(prop) - 1);
        strncat(prop, tok, sizeof prop - strlen(prop) - 1);
    }
    char *fstype = strtok_r(NULL, " ", &save);
    char *source = strtok_r(NULL, " ", &save);
    char *super = strtok_r(NULL, " ", &save);
    unescape(field[3]);
    unescape(field[4]);
    printf("mountpoint=%s\nroot=%s\noptions=%s\npropagation=%s\nfstype=%s\nsource=%s\n"
           "superoptions=%s\n",
           field[4], field[3], field[5], prop[0] ? prop : "private", fstype ? fstype : "",
           source ? source : "", super ? super : "");
}

static void cmd_sleep(const char *arg)
{
    double s = strtod(arg, NULL);
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void cmd_alloc(const char *arg)
{
    long mib = atol(arg);
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (!p) {
            print_error(errno);
            return;
        }
        memset(p, 1, 1 << 20);
        printf("touched=%ld\n", i + 1);
        fflush(stdout);
    }
}

static void cmd_fork(const char *arg)
{
    int n = atoi(arg), k = 0;
    pid_t kids[1024];
    if (n > 1024)
        n = 1024;
    for (; k < n; k++) {
        pid_t p = fork();
        if (p < 0) {
            print_error(errno);
            break;
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
        kids[k] = p;
    }
    printf("forked=%d\n", k);
    for (int i = 0; i < k; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < k; i++)
        waitpid(kids[i], NULL, 0);
}

static void cmd_spin(const char *arg)
{
    double s = strtod(arg, NULL);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++)
            x++;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 < s);
    printf("spun=1\n");
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    caught = sig;
}

static void cmd_trap(const char *arg)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        sigaction(sig, &sa, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    printf("ready=1\n");
    fflush(stdout);
    double s = strtod(arg, NULL);
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (!caught && nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    if (caught) {
        const char *name = sigabbrev_np(caught);
        printf("signal=%d\nsigname=%s\n", (int)caught, name ? name : "?");
    } else {
        printf("timeout=1\n");
        failed = 1;
    }
}

/* The task's NUMA memory policy: get_mempolicy(2) mode (with its MPOL_F_* flags) and node mask. */
static void cmd_mempolicy(void)
{
    int mode = -1;
    unsigned long mask[16] = {0};
    if (syscall(SYS_get_mempolicy, &mode, mask, 1024UL, NULL, 0UL) < 0) {
        print_error(errno);
        return;
    }
    printf("mode=%d\nmodebase=%d\nmodeflags=0x%x\nnodes=", mode, mode & 0xff, mode & ~0xff);
    int first = 1;
    for (int n = 0; n < 1024; n++)
        if (mask[n / 64] & (1UL << (n % 64))) {
            printf("%s%d", first ? "" : ",", n);
            first = 0;
        }
    printf("\n");
}

typedef void (*path_fn)(const char *);

static void each_path(int argc, char **argv, path_fn fn, const char *key)
{
    if (argc < 3)
        usage();
    for (int i = 2; i < argc; i++) {
        printf("%s=%s\n", key, argv[i]);
        fn(argv[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *cmd = argv[1];

    if (strcmp(cmd, "id") == 0) {
        cmd_id();
    } else if (strcmp(cmd, "mempolicy") == 0) {
        cmd_mempolicy();
    } else if (strcmp(cmd, "caps") == 0) {
        static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL};
        status_fields(keys);
    } else if (strcmp(cmd, "fds") == 0) {
        cmd_fds();
    } else if (strcmp(cmd, "ns") == 0) {
        cmd_ns();
    } else if (strcmp(cmd, "hostname") == 0) {
        cmd_hostname();
    } else if (strcmp(cmd, "cwd") == 0) {
        cmd_cwd();
    } else if (strcmp(cmd, "env") == 0) {
        extern char **environ;
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
    } else if (strcmp(cmd, "rlimit") == 0) {
        each_path(argc, argv, cmd_rlimit, "name");
    } else if (strcmp(cmd, "stat") == 0) {
        each_path(argc, argv, cmd_stat, "path");
    } else if (strcmp(cmd, "readlink") == 0) {
        each_path(argc, argv, cmd_readlink, "path");
    } else if (strcmp(cmd, "write") == 0) {
        each_path(argc, argv, cmd_write, "path");
    } else if (strcmp(cmd, "read") == 0) {
        each_path(argc, argv, cmd_read, "path");
    } else if (strcmp(cmd, "ls") == 0) {
        each_path(argc, argv, cmd_ls, "path");
    } else if (strcmp(cmd, "cat") == 0) {
        for (int i = 2; i < argc; i++)
            cmd_cat(argv[i]);
    } else if (strcmp(cmd, "mountinfo") == 0) {
        cmd_cat("/proc/self/mountinfo");
    } else if (strcmp(cmd, "mount") == 0) {
        each_path(argc, argv, cmd_mount, "path");
    } else if (strcmp(cmd, "exec") == 0) {
        if (argc < 3)
            usage();
        fflush(stdout);
        execv(argv[2], argv + 2);
        print_error(errno);
    } else if (strcmp(cmd, "args") == 0) {
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++)
            printf("arg%d=%s\n", i, argv[i]);
    } else if (strcmp(cmd, "trap") == 0) {
        if (argc != 3)
            usage();
        cmd_trap(argv[2]);
    } else if (strcmp(cmd, "exit") == 0) {
        if (argc != 3)
            usage();
        return atoi(argv[2]);
    } else if (strcmp(cmd, "sleep") == 0) {
        if (argc != 3)
            usage();
        cmd_sleep(argv[2]);
    } else if (strcmp(cmd, "pid") == 0) {
        printf("pid=%d\nppid=%d\n", getpid(), getppid());
    } else if (strcmp(cmd, "nnp") == 0) {
        int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        if (v < 0)
            print_error(errno);
        else
            printf("nnp=%d\n", v);
    } else if (strcmp(cmd, "syscall") == 0) {
        if (argc < 3 || argc > 9)
            usage();
        long a[6] = {0};
        for (int i = 3; i < argc; i++)
            a[i - 3] = (long)strtoull(argv[i], NULL, 0);
        long r = syscall(strtol(argv[2], NULL, 0), a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r < 0)
            print_error(errno);
        else
            printf("result=%ld\n", r);
    } else if (strcmp(cmd, "uname") == 0) {
        struct utsname u;
        if (uname(&u) < 0)
            print_error(errno);
        else
            printf("sysname=%s\nmachine=%s\n", u.sysname, u.machine);
    } else if (strcmp(cmd, "sigs") == 0) {
        static const char *const keys[] = {"SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", NULL};
        status_fields(keys);
    } else if (strcmp(cmd, "alloc") == 0 && argc == 3) {
        cmd_alloc(argv[2]);
    } else if (strcmp(cmd, "fork") == 0 && argc == 3) {
        cmd_fork(argv[2]);
    } else if (strcmp(cmd, "spin") == 0 && argc == 3) {
        cmd_spin(argv[2]);
    } else if (strcmp(cmd, "clock") == 0) {
        /* whole seconds of the clocks a time namespace offsets */
        struct timespec m, b;
        if (clock_gettime(CLOCK_MONOTONIC, &m) < 0 || clock_gettime(CLOCK_BOOTTIME, &b) < 0)
            print_error(errno);
        else
            printf("monotonic=%lld\nboottime=%lld\n", (long long)m.tv_sec, (long long)b.tv_sec);
    } else {
        usage();
    }
    fflush(stdout);
    return failed ? 1 : 0;
}
