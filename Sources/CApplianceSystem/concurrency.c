// Swift concurrency's global executor, replaced by the process's event loop.
//
// The runtime consults a hook before each of its three ways of queueing a
// job on the global executor (now, after a delay, at a deadline on one of
// its clocks); with the hooks set, no job reaches Dispatch and Dispatch
// starts no thread. The hooks are Swift-convention functions, so they are
// written here with clang's swiftcall; they hand the job to functions the
// Swift side defines with a C interface.

#include "CApplianceSystem.h"

#define SWIFTCALL __attribute__((swiftcall))

// The runtime's hook variables (Concurrency/ConcurrencyHooks.def) and clock.
typedef SWIFTCALL void (*enqueue_hook)(void *job, void *original);
typedef SWIFTCALL void (*delay_hook)(unsigned long long delay, void *job, void *original);
typedef SWIFTCALL void (*deadline_hook)(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                        void *job, void *original);
extern enqueue_hook swift_task_enqueueGlobal_hook;
extern delay_hook swift_task_enqueueGlobalWithDelay_hook;
extern deadline_hook swift_task_enqueueGlobalWithDeadline_hook;
extern SWIFTCALL void swift_get_time(long long *seconds, long long *nanoseconds, int clock);

// Defined in Swift (ApplianceCore/ProcessEventLoop.swift).
extern void appliance_enqueue_job(void *job);
extern void appliance_enqueue_job_after(void *job, long long nanoseconds);

static SWIFTCALL void enqueue(void *job, void *original) {
    (void)original;
    appliance_enqueue_job(job);
}

static SWIFTCALL void enqueue_with_delay(unsigned long long delay, void *job, void *original) {
    (void)original;
    appliance_enqueue_job_after(job, delay > (unsigned long long)INT64_MAX ? INT64_MAX : (long long)delay);
}

// A deadline on the continuous or the suspending clock; the tolerance is not
// used (the event loop's timer is exact enough). Task.sleep itself no longer
// comes here since Swift 6.3 (it asks Dispatch's timer directly): the
// daemons sleep with ProcessEventLoop.sleep.
static SWIFTCALL void enqueue_with_deadline(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                            void *job, void *original) {
    (void)tsec; (void)tnsec; (void)original;
    long long now_sec = 0, now_nsec = 0;
    swift_get_time(&now_sec, &now_nsec, clock);
    long long seconds = sec - now_sec;
    // A deadline centuries away (Task.sleep(for: .seconds(Int64.max))) waits "forever".
    long long remaining = seconds > 9000000000LL ? INT64_MAX : seconds * 1000000000LL + (nsec - now_nsec);
    appliance_enqueue_job_after(job, remaining > 0 ? remaining : 0);
}

void appliance_install_concurrency_hooks(void) {
    swift_task_enqueueGlobal_hook = enqueue;
    swift_task_enqueueGlobalWithDelay_hook = enqueue_with_delay;
    swift_task_enqueueGlobalWithDeadline_hook = enqueue_with_deadline;
}
