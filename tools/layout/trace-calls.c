// trace-calls: which functions of a program run, in the order they first run.
//
//   trace-calls SYMBOLS OUT -- PROGRAM [ARGS...]
//
// SYMBOLS has one function a line, "ADDRESS KIND NAME" (ADDRESS in hex, relative to the load
// address of PROGRAM, a position-independent executable; KIND is copied to the output). The
// program is started under ptrace; at its exec every listed address gets a breakpoint (int3),
// written through /proc/PID/mem. The first hit of each prints "KIND NAME" to OUT, restores the
// original byte and resumes, so each function traps once and the program runs at nearly full speed.
// Threads and clones sharing the memory are traced too (a CLONE_VM child that has not yet exec'd
// can hit a breakpoint); a child that execs something else is let go. Exit status: the program's.
//
// Used by `./build.sh layout` to order the binary's code by first use (specs/performance.md).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

struct function {
    unsigned long address;
    char *line; // "KIND NAME"
    unsigned char original;
    int armed;
};

static struct function *functions;
static size_t function_count;

static int by_address(const void *a, const void *b)
{
    unsigned long x = ((const struct function *)a)->address, y = ((const struct function *)b)->address;
    return x < y ? -1 : x > y;
}

static struct function *find(unsigned long address)
{
    size_t lo = 0, hi = function_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (functions[mid].address == address) return &functions[mid];
        if (functions[mid].address < address) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

static void load_symbols(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(2); }
    char line[8192];
    size_t capacity = 0;
    while (fgets(line, sizeof line, f)) {
        char *end;
        unsigned long address = strtoul(line, &end, 16);
        if (end == line || *end != ' ') continue;
        end[strcspn(end, "\n")] = 0;
        if (function_count == capacity) {
            capacity = capacity ? capacity * 2 : 4096;
            functions = realloc(functions, capacity * sizeof *functions);
            if (!functions) { perror("realloc"); exit(2); }
        }
        functions[function_count++] = (struct function){ .address = address, .line = strdup(end + 1) };
    }
    fclose(f);
    qsort(functions, function_count, sizeof *functions, by_address);
    // Two names for one address would read back our own int3 as the original byte: keep one.
    size_t kept = 0;
    for (size_t i = 0; i < function_count; i++)
        if (kept == 0 || functions[kept - 1].address != functions[i].address) functions[kept++] = functions[i];
    function_count = kept;
}

// The load address: the start of the mapping of the executable at file offset 0.
static unsigned long load_address(pid_t pid)
{
    char path[64], exe[4096], line[8192];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n < 0) { perror(path); exit(2); }
    exe[n] = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(2); }
    unsigned long base = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, offset;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%lx-%*x %*s %lx", &start, &offset) == 2 && offset == 0 &&
            strlen(line) >= (size_t)n && strcmp(line + strlen(line) - n, exe) == 0) { base = start; break; }
    }
    fclose(f);
    if (!base) { fprintf(stderr, "trace-calls: no mapping of %s\n", exe); exit(2); }
    return base;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: trace-calls SYMBOLS OUT -- PROGRAM [ARGS...]\n");
        return 2;
    }
    load_symbols(argv[1]);
    FILE *out = fopen(argv[2], "w");
    if (!out) { perror(argv[2]); return 2; }

    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[4], argv + 4);
        perror(argv[4]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) { fprintf(stderr, "trace-calls: no exec stop\n"); return 2; }
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
           PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);

    unsigned long base = load_address(pid);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int mem = open(path, O_RDWR | O_CLOEXEC);
    if (mem < 0) { perror(path); return 2; }
    size_t armed = 0;
    for (size_t i = 0; i < function_count; i++) {
        unsigned long at = base + functions[i].address;
        static const unsigned char int3 = 0xcc;
        if (pread(mem, &functions[i].original, 1, at) == 1 && pwrite(mem, &int3, 1, at) == 1) {
            functions[i].armed = 1;
            armed++;
        }
    }
    if (armed == 0) { fprintf(stderr, "trace-calls: no breakpoint could be set\n"); return 2; }
    ptrace(PTRACE_CONT, pid, 0, 0);

    int result = 2;
    size_t hits = 0;
    for (;;) {
        pid_t who = waitpid(-1, &status, __WALL);
        if (who < 0) {
            if (errno == EINTR) continue;
            break; // no traced process left
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (who == pid) result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            continue;
        }
        if (!WIFSTOPPED(status)) continue;
        int sig = WSTOPSIG(status), event = status >> 16;
        if (sig == SIGTRAP && event != 0) {
            // A child that exec'd has a memory of its own, without breakpoints: let it go.
            if (event == PTRACE_EVENT_EXEC && who != pid) ptrace(PTRACE_DETACH, who, 0, 0);
            else ptrace(PTRACE_CONT, who, 0, 0);
            continue;
        }
        if (sig == SIGTRAP) {
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, who, 0, &regs);
            struct function *f = find(regs.rip - 1 - base);
            if (f && f->armed) {
                pwrite(mem, &f->original, 1, regs.rip - 1);
                f->armed = 0;
                regs.rip--;
                ptrace(PTRACE_SETREGS, who, 0, &regs);
                fprintf(out, "%s\n", f->line);
                hits++;
                ptrace(PTRACE_CONT, who, 0, 0);
                continue;
            }
        }
        if (sig == SIGSTOP && event == 0) sig = 0; // the initial stop of a new traced clone
        ptrace(PTRACE_CONT, who, 0, sig);
    }
    fclose(out);
    fprintf(stderr, "trace-calls: %zu of %zu functions ran\n", hits, armed);
    return result;
}
