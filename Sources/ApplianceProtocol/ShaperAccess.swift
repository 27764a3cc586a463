import Configuration

/// The shaper's permission table (shaper.sock, `sessmgrd --shaper`): root,
/// its own user and sessmgrd's user; every request is validated before `tc`.
public enum ShaperAccess {
    static let callers: [CallerClass: Grant] = [.privileged: .allowed, .service(.sessmgrd): .allowed]
    public static let table = AccessTable(daemon: "shaper", [
        (ShaperMethod.Shape.name, AccessRule("shaping a stream", callers: callers)),
        (ShaperMethod.Unshape.name, AccessRule("removing a stream's shaping", callers: callers)),
        (ShaperMethod.Reset.name, AccessRule("removing all shaping", callers: callers)),
        (ShaperMethod.Status.name, AccessRule("reading the shaper's status", callers: callers)),
    ])
}
