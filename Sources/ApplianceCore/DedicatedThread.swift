import CApplianceSystem
import Glibc

/// Starts an OS thread for work that blocks in the kernel for its whole life
/// (reading a signalfd, a log pipe), so it never occupies one of Swift
/// concurrency's few cooperative threads.
public enum DedicatedThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(_ name: String, _ run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(name, body)).toOpaque()
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        let result = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            // Named for ps -L, top -H and gdb (the kernel keeps 15 bytes).
            appliance_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        pthread_attr_destroy(&attributes)
        if result != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("cannot start thread \(name): error \(result)")
        }
    }
}
