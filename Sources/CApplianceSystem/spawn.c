// The privilege drop: the one place where a service process is made.
//
// Why C: procmon is multithreaded (NIO, Swift concurrency). Between fork() and
// execve() a child of a multithreaded process may call only async-signal-safe
// functions; the Swift runtime (allocation, retain/release, locks) is not.
// Everything the child needs (paths, argv, env, uid/gid, fds) is resolved by
// the parent beforehand; the child makes raw system calls only.
//
// Order in the child, each step a privilege given up for good:
//   1. signal mask emptied, dispositions reset, new session
//   2. fds laid out: attributes->fds[i] -> i, every other fd closed
//   3. bounding set reduced to the kept capabilities (needs CAP_SETPCAP: root)
//   4. keep-caps on, groups cleared, setresgid, setresuid (all three ids),
//      as raw system calls: glibc's wrappers would broadcast to procmon's threads
//   5. capabilities: effective = permitted = inheritable = kept, then ambient
//      raised for each kept one so it survives execve of a plain binary
//   6. PR_SET_NO_NEW_PRIVS, RLIMIT_CORE 0 (no core dumps with secrets)
//   7. LISTEN_PID filled with our pid, chdir, execve
// The child is made with clone(CLONE_VM | CLONE_VFORK) on a stack of its own,
// as glibc's posix_spawn does: no page tables are copied (procmon's restart
// latency does not grow with its size), and the parent thread sleeps until the
// child has called execve or exited. A failed step records (errno, step) in
// memory the two share and exits 127. All signals are blocked across the clone
// so no handler of the parent's can run in the child before it resets them.
#define _GNU_SOURCE
#include "CApplianceSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#endif

struct spawn_failure {
    int error;
    int step;
};

static const char *const step_names[] = {
    "none", "signals", "setsid", "fd layout", "close fds", "bounding set",
    "keep caps", "setgroups", "setresgid", "setresuid", "capset",
    "ambient capabilities", "no_new_privs", "rlimit core", "chdir", "execve",
    "rlimit rttime",
};

struct child_context {
    const appliance_spawn_attributes *attributes;
    struct spawn_failure failure;   // written by the child, read by the parent
};

static int child_fail(struct child_context *context, int step) {
    context->failure.error = errno;
    context->failure.step = step;
    _exit(127);
}

static void close_all_from(int lowest) {
    // close_range(2) where the kernel has it (5.9+); a bounded loop otherwise.
    if (syscall(SYS_close_range, lowest, ~0U, 0) != 0)
        for (int fd = lowest; fd < 65536; fd++) close(fd);
}

static void write_decimal(char *slot, long value) {
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && n < 20);
    while (n > 0) *slot++ = digits[--n];
    *slot = '\0';
}

static int child(void *argument) {
    struct child_context *context = argument;
    const appliance_spawn_attributes *a = context->attributes;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL); // EINVAL for KILL/STOP: fine
    sigset_t empty;
    sigemptyset(&empty);
    if (sigprocmask(SIG_SETMASK, &empty, NULL) != 0) return child_fail(context, 1);
    if (setsid() < 0) return child_fail(context, 2);

    // Move every source fd above the target range first, so dup2 into
    // 0..nfds-1 never clobbers a source not yet moved.
    int sources[64];
    if (a->nfds > 64) { errno = EMFILE; return child_fail(context, 3); }
    for (int i = 0; i < a->nfds; i++) {
        sources[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, a->nfds);
        if (sources[i] < 0) return child_fail(context, 3);
    }
    for (int i = 0; i < a->nfds; i++)
        if (dup2(sources[i], i) < 0) return child_fail(context, 3);  // dup2 clears CLOEXEC
    close_all_from(a->nfds);

    if (a->realtime_priority > 0) {
        // procmon may put some of its threads under SCHED_FIFO (the
        // realtime-thread method): the kernel kills a thread that runs 1 s
        // there without blocking, so a spin cannot starve the machine for
        // longer. Lowering a limit needs no privilege.
        struct rlimit runtime = { 1000000, 1000000 };
        if (setrlimit(RLIMIT_RTTIME, &runtime) != 0) return child_fail(context, 16);
    }

    if (a->drop_privileges) {
        int last = appliance_last_capability();
        for (int cap = 0; cap <= last; cap++)
            if (!(a->keep_capabilities & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
                return child_fail(context, 5);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return child_fail(context, 6);
        // Raw system calls, as glibc's posix_spawn makes them: glibc's
        // wrappers, in a process it believes multithreaded (this child shares
        // procmon's memory and thread list), take its set*id broadcast path:
        // a lock and a signal to every thread of the list, for a process
        // whose threads are not ours. The raw call changes this task alone.
        if (syscall(SYS_setgroups, 0, NULL) != 0) return child_fail(context, 7);
        if (syscall(SYS_setresgid, a->gid, a->gid, a->gid) != 0) return child_fail(context, 8);
        if (syscall(SYS_setresuid, a->uid, a->uid, a->uid) != 0) return child_fail(context, 9);
        struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof data);
        for (int word = 0; word < 2; word++) {
            uint32_t bits = (uint32_t)(a->keep_capabilities >> (32 * word));
            data[word].effective = bits;
            data[word].permitted = bits;
            data[word].inheritable = bits;
        }
        if (syscall(SYS_capset, &header, data) != 0) return child_fail(context, 10);
        for (int cap = 0; cap <= last; cap++)
            if ((a->keep_capabilities & (1ULL << cap)) &&
                prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
                return child_fail(context, 11);
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return child_fail(context, 12);
    struct rlimit no_core = { 0, 0 };
    if (setrlimit(RLIMIT_CORE, &no_core) != 0) return child_fail(context, 13);

    if (a->listen_pid_slot >= 0) {
        char *entry = a->envp[a->listen_pid_slot];
        write_decimal(entry + strlen("LISTEN_PID="), (long)syscall(SYS_getpid));
    }
    if (a->working_directory && chdir(a->working_directory) != 0) return child_fail(context, 14);
    execve(a->path, a->argv, a->envp);
    return child_fail(context, 15);
}

enum { CHILD_STACK_SIZE = 256 * 1024 };

int appliance_spawn(const appliance_spawn_attributes *a, pid_t *pid, const char **failed_step) {
    *failed_step = NULL;
    char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return errno;
    struct child_context context = { a, { 0, 0 } };
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child_pid = clone(child, stack + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &context);
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, CHILD_STACK_SIZE);
    if (child_pid < 0) return clone_error;
    if (context.failure.step != 0) {
        int status;
        while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {}
        int steps = (int)(sizeof step_names / sizeof step_names[0]);
        *failed_step = (context.failure.step > 0 && context.failure.step < steps) ? step_names[context.failure.step] : "unknown";
        return context.failure.error ? context.failure.error : ECHILD;
    }
    *pid = child_pid;
    return 0;
}

int appliance_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

int appliance_signalfd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int appliance_signalfd_read(int fd, pid_t *pid) {
    struct signalfd_siginfo info;
    ssize_t n;
    do { n = read(fd, &info, sizeof info); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof info) return -1;
    *pid = (pid_t)info.ssi_pid;
    return (int)info.ssi_signo;
}

void appliance_unblock_all_signals(void) {
    sigset_t empty;
    sigemptyset(&empty);
    pthread_sigmask(SIG_SETMASK, &empty, NULL);
}

int appliance_last_capability(void) {
    // The kernel's highest capability (cap_last_cap); 40 on 5.9+. Probing
    // with PR_CAPBSET_READ is async-signal-safe, unlike reading /proc.
    int cap = 0;
    while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
    return cap;
}

int appliance_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int appliance_set_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

long appliance_recv_with_credentials(int fd, void *buffer, unsigned long capacity, int nonblocking,
                                     int32_t *pid, int32_t *uid, int32_t *gid) {
    struct iovec iov = { buffer, capacity };
    union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(struct ucred))]; } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.space;
    message.msg_controllen = sizeof control.space;
    *pid = -1; *uid = -1; *gid = -1;
    ssize_t n;
    do { n = recvmsg(fd, &message, MSG_TRUNC | MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0)); } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred credentials;
            memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
            *pid = credentials.pid; *uid = (int32_t)credentials.uid; *gid = (int32_t)credentials.gid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            // Nobody passes fds to the audit socket; close any so they cannot pile up.
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < count; i++) { int passed; memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed); close(passed); }
        }
    }
    return n == 0 ? -2 : (long)n;  // -2: an empty datagram
}

int appliance_enable_passcred(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

int appliance_set_realtime(pid_t thread, int priority) {
    struct sched_param parameter = { .sched_priority = priority };
    int policy = priority > 0 ? (SCHED_FIFO | SCHED_RESET_ON_FORK) : SCHED_OTHER;
    return sched_setscheduler(thread, policy, &parameter) == 0 ? 0 : errno;
}

pid_t appliance_thread_id(void) {
    return (pid_t)syscall(SYS_gettid);
}

void appliance_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
