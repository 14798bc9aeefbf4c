// trace-calls: which functions of a program run, in the order they first run.
//
//   trace-calls SYMBOLS OUT EXEC_OUT -- PROGRAM [ARGS...]
//
// SYMBOLS has one function a line, "ADDRESS KIND NAME" (ADDRESS in hex, relative to the load
// address of PROGRAM, a position-independent executable; KIND is copied to the output). The
// program is started under ptrace; at its exec every listed address gets a breakpoint (int3),
// written through /proc/PID/mem. The first hit of each prints "KIND NAME" to OUT, restores the
// original byte and resumes, so each function traps once and the program runs at nearly full speed.
// Threads, clones and forks are traced too. A process that execs PROGRAM again (ociruntime's
// executor re-executes its own binary) gets breakpoints of its own and writes to EXEC_OUT; one
// that execs anything else is let go. Exit status: the program's.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

struct function {
    unsigned long address;
    char *line; // "KIND NAME"
    unsigned char original;
    unsigned char seen[2]; // printed to OUT / EXEC_OUT
};

static struct function *functions;
static size_t function_count;

// Where PROGRAM is loaded in each traced process (0: not PROGRAM, or not yet known), by pid.
struct process {
    pid_t pid;
    unsigned long base;
    int output; // 0: OUT, 1: EXEC_OUT
    int gone;   // exited, or let go
};
static struct process *processes;
static size_t process_count, process_capacity;

static struct process *process_of(pid_t pid, int create)
{
    for (size_t i = 0; i < process_count; i++)
        if (processes[i].pid == pid) return &processes[i];
    if (!create) return NULL;
    if (process_count == process_capacity) {
        process_capacity = process_capacity ? process_capacity * 2 : 64;
        processes = realloc(processes, process_capacity * sizeof *processes);
        if (!processes) { perror("realloc"); exit(2); }
    }
    processes[process_count] = (struct process){ .pid = pid };
    return &processes[process_count++];
}

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

static dev_t program_dev;
static ino_t program_ino;

// The load address of PROGRAM in pid (the start of its mapping at file offset 0), or 0 when pid
// runs something else.
static unsigned long load_address(pid_t pid)
{
    char path[64], line[8192];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    if (stat(path, &st) != 0 || st.st_dev != program_dev || st.st_ino != program_ino) return 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long base = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, offset, inode;
        unsigned major, minor;
        if (sscanf(line, "%lx-%*x %*s %lx %x:%x %lu", &start, &offset, &major, &minor, &inode) == 5 &&
            offset == 0 && inode == program_ino) { base = start; break; }
    }
    fclose(f);
    return base;
}

static pid_t parent_of(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    pid_t parent = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "PPid: %d", &parent) == 1) break;
    fclose(f);
    return parent;
}

// A child may trap before its parent's clone/fork event has been seen: it maps PROGRAM where its
// parent does, and writes where its parent writes.
static struct process *known(pid_t pid)
{
    struct process *p = process_of(pid, 0);
    if (p && p->base) return p;
    struct process *parent = process_of(parent_of(pid), 0);
    p = process_of(pid, 1);
    p->base = load_address(pid);
    p->output = parent ? parent->output : 0;
    return p;
}

static int open_mem(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    return open(path, O_RDWR | O_CLOEXEC);
}

// Breakpoints on every function of a fresh image of PROGRAM.
static size_t arm(pid_t pid, unsigned long base)
{
    int mem = open_mem(pid);
    if (mem < 0) return 0;
    size_t armed = 0;
    static const unsigned char int3 = 0xcc;
    for (size_t i = 0; i < function_count; i++) {
        unsigned long at = base + functions[i].address;
        unsigned char byte;
        if (pread(mem, &byte, 1, at) != 1) continue;
        functions[i].original = byte; // every image is the same file: the same bytes
        if (pwrite(mem, &int3, 1, at) == 1) armed++;
    }
    close(mem);
    return armed;
}

static FILE *out[2];
static size_t hits[2];

// A SIGTRAP stop at one of our breakpoints (just after a function's first byte): the function is
// noted (once per output), its first byte put back and the instruction pointer moved back onto
// it. False for any other trap.
static int breakpoint_hit(pid_t who)
{
    struct process *p = known(who);
    struct user_regs_struct regs;
    ptrace(PTRACE_GETREGS, who, 0, &regs);
    struct function *f = p->base ? find(regs.rip - 1 - p->base) : NULL;
    if (!f) return 0;
    // Two threads of one memory may hit the same breakpoint before either trap is handled: the
    // second finds the byte restored already. The trap is still ours: back onto the function.
    int mem = open_mem(who);
    unsigned char byte = 0;
    if (mem >= 0 && pread(mem, &byte, 1, regs.rip - 1) == 1 && byte == 0xcc)
        pwrite(mem, &f->original, 1, regs.rip - 1);
    if (mem >= 0) close(mem);
    regs.rip--;
    ptrace(PTRACE_SETREGS, who, 0, &regs);
    if (!f->seen[p->output]) {
        f->seen[p->output] = 1;
        fprintf(out[p->output], "%s\n", f->line);
        hits[p->output]++;
    }
    return 1;
}

// A traced process that outlives the program (the init of a created container waits for
// `start`): stopped, its breakpoints taken out, and detached, so it goes on as if never traced.
static void let_go(struct process *p)
{
    int status;
    if (syscall(SYS_tgkill, p->pid, p->pid, SIGSTOP) != 0) return;
    for (;;) {
        if (waitpid(p->pid, &status, __WALL) != p->pid || !WIFSTOPPED(status)) return;
        if (WSTOPSIG(status) == SIGSTOP) break;
        int sig = WSTOPSIG(status);
        if ((status >> 16) != 0 || (sig == SIGTRAP && breakpoint_hit(p->pid))) sig = 0;
        ptrace(PTRACE_CONT, p->pid, 0, sig);
    }
    int mem = open_mem(p->pid);
    if (mem >= 0 && p->base) {
        for (size_t i = 0; i < function_count; i++) {
            unsigned long at = p->base + functions[i].address;
            unsigned char byte;
            if (pread(mem, &byte, 1, at) == 1 && byte == 0xcc) pwrite(mem, &functions[i].original, 1, at);
        }
    }
    if (mem >= 0) close(mem);
    ptrace(PTRACE_DETACH, p->pid, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: trace-calls SYMBOLS OUT EXEC_OUT -- PROGRAM [ARGS...]\n");
        return 2;
    }
    load_symbols(argv[1]);
    out[0] = fopen(argv[2], "w");
    out[1] = fopen(argv[3], "w");
    if (!out[0] || !out[1]) { perror("trace-calls: output"); return 2; }
    struct stat st;
    if (stat(argv[5], &st) != 0) { perror(argv[5]); return 2; }
    program_dev = st.st_dev;
    program_ino = st.st_ino;

    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[5], argv + 5);
        perror(argv[5]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) { fprintf(stderr, "trace-calls: no exec stop\n"); return 2; }
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
           PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
    struct process *main_process = process_of(pid, 1);
    main_process->base = load_address(pid);
    size_t armed = main_process->base ? arm(pid, main_process->base) : 0;
    if (armed == 0) { fprintf(stderr, "trace-calls: no breakpoint could be set\n"); return 2; }
    ptrace(PTRACE_CONT, pid, 0, 0);

    int result = 2;
    for (;;) {
        pid_t who = waitpid(-1, &status, __WALL);
        if (who < 0) {
            if (errno == EINTR) continue;
            break; // no traced process left
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            struct process *p = process_of(who, 0);
            if (p) p->gone = 1;
            if (who == pid) {
                result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break; // what outlives the program (a created container's init) is let go below
            }
            continue;
        }
        if (!WIFSTOPPED(status)) continue;
        int sig = WSTOPSIG(status), event = status >> 16;
        if (sig == SIGTRAP && event != 0) {
            if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK) {
                // The child has the parent's image (its memory, or a copy of it).
                unsigned long child;
                ptrace(PTRACE_GETEVENTMSG, who, 0, &child);
                struct process *parent = process_of(who, 0);
                struct process *p = process_of((pid_t)child, 1);
                if (parent) { p->base = parent->base; p->output = parent->output; }
            } else if (event == PTRACE_EVENT_EXEC && who != pid) {
                unsigned long base = load_address(who);
                if (base == 0) { // something else: let it go
                    ptrace(PTRACE_DETACH, who, 0, 0);
                    process_of(who, 1)->gone = 1;
                    continue;
                }
                struct process *p = process_of(who, 1);
                p->base = base;
                p->output = 1;
                arm(who, base);
            }
            ptrace(PTRACE_CONT, who, 0, 0);
            continue;
        }
        if (sig == SIGTRAP && breakpoint_hit(who)) {
            ptrace(PTRACE_CONT, who, 0, 0);
            continue;
        }
        if (sig == SIGSTOP && event == 0) sig = 0; // the initial stop of a new traced child
        ptrace(PTRACE_CONT, who, 0, sig);
    }
    for (size_t i = 0; i < process_count; i++)
        if (!processes[i].gone) let_go(&processes[i]);
    fclose(out[0]);
    fclose(out[1]);
    fprintf(stderr, "trace-calls: %zu functions ran, %zu more in re-executed copies (%zu armed)\n",
            hits[0], hits[1], armed);
    return result;
}
