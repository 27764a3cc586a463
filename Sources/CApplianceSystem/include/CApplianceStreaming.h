#ifndef C_APPLIANCE_STREAMING_H
#define C_APPLIANCE_STREAMING_H

/// The calling thread's timer slack in nanoseconds (prctl PR_SET_TIMERSLACK):
/// the kernel may otherwise defer a sleeping thread's wake-up by 50 µs to
/// batch timers. sessmgrd's sending threads ask for 1 ns. Returns 0 or an errno.
int appliance_set_timer_slack(unsigned long nanoseconds);

#endif
