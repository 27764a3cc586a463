// swift-tools-version:6.2
import PackageDescription

// Each daemon is a library target (its logic testable without a process); the firmware is one
// executable over them all, `appliance`, run through a link per program.
// Dependencies are kept per target: each library links only what it uses.
let package = Package(
    name: "appliance",
    platforms: [.macOS(.v15)],
    products: [
        // The firmware's one executable: every program is a link to it (busybox style).
        .executable(name: "appliance", targets: ["appliance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // webd only. No traits: the default ones link full Foundation and ICU.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Already in the graph through Hummingbird: its HTTPTypes channel parts.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // The few system calls Swift cannot make safely: everything between
        // fork() and execve() (privilege drop, fd layout) and the ucred/caps structs.
        .target(name: "CApplianceSystem"),
        .target(
            name: "ApplianceCore",
            dependencies: [
                "CApplianceSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Every daemon's control interface: its methods, request and result
        // types, views and typed clients. The front ends (webd, cli, snmpd) and
        // procmon link this and the model, never another daemon's library.
        .target(name: "ApplianceProtocol", dependencies: ["ApplianceCore", "Configuration"]),
        .target(name: "Supervisor", dependencies: ["ApplianceCore", "ApplianceProtocol", "CApplianceSystem", "Configuration"]),
        // The configuration model and its language (pure): the typed sections,
        // the lexer, parser, renderer, validator and redaction. Front ends link it.
        .target(
            name: "Configuration",
            dependencies: [
                "ApplianceCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // configd proper: the store, accounts and passwords, sessions and API
        // tokens, who may change what, and the service answering configd.sock.
        .target(
            name: "ConfigDaemon",
            dependencies: [
                "ApplianceCore", "ApplianceProtocol", "Configuration",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // A real service used only by tests and benchmarks: readiness, crashes,
        // memory growth, listening sockets and a /proc self-report on demand.
        .executableTarget(
            name: "appliance-testsvc",
            dependencies: ["ApplianceCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // auditd's logic: RFC 5424 decoding, the durable journal, the intake,
        // and forwarding to collectors over TLS (RFC 5425; the only TLS client here).
        .target(
            name: "Audit",
            dependencies: [
                "ApplianceCore", "ApplianceProtocol", "CApplianceSystem", "Configuration",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // sessmgrd's pure core: MPEG-TS parsing and rewriting, PCR pacing,
        // RTP/RTCP and the stream checkpoint. No I/O, no dependencies.
        .target(name: "Streaming"),
        // sessmgrd's I/O shell around Streaming: sources, paced sending,
        // the session manager, checkpoints, tc shaping, the control socket.
        .target(name: "Sessmgr", dependencies: ["ApplianceCore", "ApplianceProtocol", "CApplianceSystem", "Configuration", "Streaming"]),
        // snmpd's pure core: BER, SNMPv3 messages, USM (RFC 3414/3826/7860),
        // engine state and MIB views. No sockets, clocks or files.
        .target(
            name: "SNMP",
            dependencies: [
                "Configuration",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // snmpd's I/O: the UDP socket, engine persistence, the MIBs read from
        // the kernel and procmon, sets through configd, notifications.
        .target(name: "SNMPAgent", dependencies: ["ApplianceCore", "ApplianceProtocol", "Configuration", "SNMP"]),
        // webd's logic: HTTPS and the port-80 redirect, sessions through
        // configd, CSRF, security headers, the JSON API and the pages.
        .target(
            name: "WebInterface",
            dependencies: [
                "ApplianceCore", "ApplianceProtocol", "Configuration", "SNMP",
                .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Configuration": "SwiftConfiguration"]),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Shared by the test targets only (the seeded generator of the randomised tests).
        // The CLI: grammar, completion, help, renderers; sshd starts it per session.
        .target(name: "CLIShell", dependencies: ["ApplianceCore", "ApplianceProtocol", "Configuration", "SNMP"]),
        // The one executable: each program's command line (procmon, configd,
        // auditd, sessmgrd, snmpd, webd, cli, appliance-sshd) over its library,
        // dispatched on the name it runs by.
        .executableTarget(
            name: "appliance",
            dependencies: [
                "Supervisor", "ConfigDaemon", "Audit", "Sessmgr", "SNMPAgent", "WebInterface", "CLIShell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime and FoundationEssentials linked in, in every build
            // (the tests run what the firmware ships): the firmware needs no
            // toolchain library and ldd names only glibc's and the C++ runtime.
            // Statically, FoundationEssentials' own two libraries must be named.
            // The static runtime's link arguments export every symbol (4 MB of
            // dynamic symbol table): --no-export-dynamic, nothing looks ours up
            // by name. lld packs the 97,000 relative relocations (RELR: 2.3 MB
            // less on disk); -z now makes all of RELRO read-only at start.
            linkerSettings: [
                .unsafeFlags(["-static-stdlib", "-use-ld=lld",
                              "-Xlinker", "--no-export-dynamic",
                              "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                              "-Xlinker", "-z", "-Xlinker", "now"]),
                .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CLIShellTests", dependencies: ["CLIShell", "ApplianceProtocol", "TestSupport"]),
        .testTarget(name: "ApplianceCoreTests", dependencies: ["ApplianceCore", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "ApplianceProtocolTests", dependencies: ["ApplianceProtocol", "ApplianceCore", "Configuration", "TestSupport"]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "ApplianceProtocol", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "ConfigDaemon", "ApplianceProtocol", "TestSupport"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "ApplianceProtocol", "TestSupport"]),
        .testTarget(name: "StreamingTests", dependencies: ["Streaming", "TestSupport"]),
        .testTarget(name: "SNMPTests", dependencies: ["SNMP", "Configuration", "TestSupport"]),
        .testTarget(name: "SNMPAgentTests", dependencies: ["SNMPAgent", "SNMP", "Configuration", "ApplianceProtocol", "TestSupport"]),
        .testTarget(name: "SessmgrTests", dependencies: ["Sessmgr", "Streaming", "Configuration", "ApplianceProtocol", "TestSupport"]),
        .testTarget(
            name: "WebInterfaceTests",
            dependencies: [
                "WebInterface", "ApplianceCore", "ApplianceProtocol", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird", moduleAliases: ["Configuration": "SwiftConfiguration"]),
                .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Configuration": "SwiftConfiguration"]),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "SystemTests", dependencies: ["ApplianceCore", "ApplianceProtocol", "Supervisor", "Configuration", "ConfigDaemon", "Audit", "SNMP", "SNMPAgent", "Sessmgr", "Streaming", "CLIShell"]),
    ],
    swiftLanguageModes: [.v6]
)
