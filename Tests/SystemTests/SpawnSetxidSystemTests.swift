import Foundation
import Glibc
import Testing

/// procmon's spawn.c drops privileges in a child made with clone(CLONE_VM):
/// it shares procmon's memory, so glibc's setgroups/setresgid/setresuid,
/// which in a multithreaded process go through glibc's set*id broadcast (a
/// lock and signals to every thread it finds in procmon's thread list), must
/// not be called there; raw system calls are, as glibc's own posix_spawn does.
///
/// The race itself cannot be shown on demand, so this test shows that the
/// wrappers are not reached: procmon runs with a preloaded library whose
/// setgroups/setresgid/setresuid note every call in a file, then call on.
@Suite(.serialized, .enabled(if: geteuid() == 0 && access("/usr/bin/cc", X_OK) == 0, "needs root and a C compiler"))
struct SpawnSetxidSystemTests {
    static let shim = #"""
    #define _GNU_SOURCE
    #include <dlfcn.h>
    #include <fcntl.h>
    #include <grp.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/syscall.h>
    #include <unistd.h>

    static const char *marker;
    static int (*real_setresuid)(uid_t, uid_t, uid_t);
    static int (*real_setresgid)(gid_t, gid_t, gid_t);
    static int (*real_setgroups)(size_t, const gid_t *);

    __attribute__((constructor)) static void start(void) {
        marker = getenv("SETXID_MARKER");
        real_setresuid = dlsym(RTLD_NEXT, "setresuid");
        real_setresgid = dlsym(RTLD_NEXT, "setresgid");
        real_setgroups = dlsym(RTLD_NEXT, "setgroups");
    }

    static void note(const char *what) {
        if (!marker) return;
        long fd = syscall(SYS_openat, AT_FDCWD, marker, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) return;
        syscall(SYS_write, fd, what, strlen(what));
        syscall(SYS_close, fd);
    }

    int setresuid(uid_t r, uid_t e, uid_t s) { note("setresuid\n"); return real_setresuid(r, e, s); }
    int setresgid(gid_t r, gid_t e, gid_t s) { note("setresgid\n"); return real_setresgid(r, e, s); }
    int setgroups(size_t n, const gid_t *list) { note("setgroups\n"); return real_setgroups(n, list); }
    """#

    @Test func thePrivilegeDropCallsNoGlibcSetxidWrapper() throws {
        var template = Array("/tmp/setxid-shim-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.shim.write(toFile: folder + "/shim.c", atomically: true, encoding: .utf8)
        let compiler = try ChildProcess.run("/usr/bin/cc", ["-shared", "-fPIC", "-o", folder + "/shim.so", folder + "/shim.c", "-ldl"])
        try #require(compiler.code == 0, "cc: \(compiler.error)")
        let marker = folder + "/calls"
        let harness = try ProcmonHarness(manifest: """
        [service dropper]
        exec = {bin}/appliance-testsvc --foreground
        user = appliance-test
        """, environment: ["LD_PRELOAD": folder + "/shim.so", "SETXID_MARKER": marker])
        defer { harness.stop() }
        var pid: Int32?
        harness.waitUntil("service running") { pid = harness.running("dropper")?.pid; return pid != nil }
        let running = try #require(pid)
        // The drop happened (so the calls were made, one way or the other)...
        let uid = procStatus(running)["Uid"]?.split(separator: "\t").first.flatMap { UInt32($0) }
        #expect(uid == getpwnam("appliance-test")?.pointee.pw_uid && uid != 0)
        // ...and none of them through glibc's wrappers.
        let calls = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        #expect(calls.isEmpty, "procmon's spawn called glibc's set*id wrappers: \(calls.split(separator: "\n"))")
    }
}
