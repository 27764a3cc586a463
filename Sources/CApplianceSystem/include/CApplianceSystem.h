#ifndef C_APPLIANCE_SYSTEM_H
#define C_APPLIANCE_SYSTEM_H

#include <stdint.h>
#include <sys/types.h>

#include "CApplianceStreaming.h"

/// What the child of `appliance_spawn` becomes. Every pointer must stay valid
/// for the duration of the call; nothing is retained.
typedef struct {
    const char *path;             ///< absolute path of the executable
    char *const *argv;            ///< NULL-terminated
    char *const *envp;            ///< NULL-terminated; the whole environment
    int listen_pid_slot;          ///< index in envp of "LISTEN_PID=" + 20 spaces, or -1
    const int *fds;               ///< fds[i] becomes fd i in the child (0,1,2 then passed fds)
    int nfds;
    int drop_privileges;          ///< 1: setgroups(0), setresgid, setresuid, capabilities
    uid_t uid;
    gid_t gid;
    uint64_t keep_capabilities;   ///< bitmask of CAP_* kept (effective, permitted, inheritable, ambient, bounding)
    const char *working_directory;
    int realtime_priority;        ///< >0: procmon may raise its threads (realtime-thread): RLIMIT_RTTIME 1 s
} appliance_spawn_attributes;

/// Forks and execs a service with its privileges dropped, in one place
/// (see Sources/CApplianceSystem/spawn.c for the order and why).
/// Returns 0 and the child's pid, or an errno; `failed_step` names the step
/// that failed in the child (static string) when the error came from there.
int appliance_spawn(const appliance_spawn_attributes *attributes, pid_t *pid,
                    const char **failed_step);

/// Same layout as the kernel's `struct ucred` (SO_PEERCRED, SCM_CREDENTIALS).
typedef struct {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
} appliance_ucred;

/// SO_PEERCRED of a connected Unix socket.
int appliance_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// Blocks `signals` in the calling thread (call before any thread starts so
/// every thread inherits the mask) and returns a signalfd for them, or -1.
int appliance_signalfd(const int *signals, int count);
/// Reads one signal from the signalfd; returns the signal number (and the
/// sender's pid in *pid), or -1 with errno set.
int appliance_signalfd_read(int fd, pid_t *pid);
/// Unblocks every signal in the calling thread.
void appliance_unblock_all_signals(void);

/// Highest capability number the running kernel knows.
int appliance_last_capability(void);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec.
int appliance_pipe(int fds[2]);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of our services are reparented
/// to us, not to init, so nothing escapes supervision or stays a zombie.
int appliance_set_subreaper(void);

/// Puts thread `thread` under SCHED_FIFO|SCHED_RESET_ON_FORK at `priority`,
/// or back under SCHED_OTHER when `priority` is 0 (CAP_SYS_NICE: procmon).
/// Returns 0 or an errno.
int appliance_set_realtime(pid_t thread, int priority);

/// The calling thread's id (gettid(2)).
pid_t appliance_thread_id(void);

/// Names the calling thread (PR_SET_NAME: the first 15 bytes), for ps -L and top -H.
void appliance_set_thread_name(const char *name);

/// Receives one datagram with its sender's kernel-verified credentials
/// (SCM_CREDENTIALS; the socket needs SO_PASSCRED). Returns the datagram's
/// full length (more than `capacity` when it was truncated), 0 when none is
/// waiting (non-blocking), or -1 with errno. Credentials are -1 when absent.
long appliance_recv_with_credentials(int fd, void *buffer, unsigned long capacity, int nonblocking,
                                     int32_t *pid, int32_t *uid, int32_t *gid);

/// setsockopt(fd, SOL_SOCKET, SO_PASSCRED, 1).
int appliance_enable_passcred(int fd);

/// Points Swift concurrency's global executor hooks (enqueue now, after a
/// delay, at a clock's deadline) at `appliance_enqueue_job` and
/// `appliance_enqueue_job_after`, which the process defines (ApplianceCore's
/// ProcessEventLoop: its event loop). Call once, before the first task.
void appliance_install_concurrency_hooks(void);

#endif
