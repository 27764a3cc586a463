// swift-tools-version:6.2
import PackageDescription

// Each daemon is a thin executable over a library target: the logic is testable without a process.
// Dependencies are kept per target so every binary links only what it uses.
let package = Package(
    name: "appliance",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "procmon", targets: ["procmon"]),
        .executable(name: "configd", targets: ["configd"]),
        .executable(name: "auditd", targets: ["auditd"]),
        .executable(name: "snmpd", targets: ["snmpd"]),
        .executable(name: "sessmgrd", targets: ["sessmgrd"]),
        .executable(name: "cli", targets: ["cli"]),
        .executable(name: "appliance-sshd", targets: ["appliance-sshd"]),
        .executable(name: "webd", targets: ["webd"]),
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
        .executableTarget(
            name: "procmon",
            dependencies: ["Supervisor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
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
        .executableTarget(
            name: "auditd",
            dependencies: ["Audit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "configd",
            dependencies: ["ConfigDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // sessmgrd's pure core: MPEG-TS parsing and rewriting, PCR pacing,
        // RTP/RTCP and the stream checkpoint. No I/O, no dependencies.
        .target(name: "Streaming"),
        // sessmgrd's I/O shell around Streaming: sources, paced sending,
        // the session manager, checkpoints, tc shaping, the control socket.
        .target(name: "Sessmgr", dependencies: ["ApplianceCore", "ApplianceProtocol", "CApplianceSystem", "Configuration", "Streaming"]),
        .executableTarget(
            name: "sessmgrd",
            dependencies: ["Sessmgr", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
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
        .executableTarget(
            name: "snmpd",
            dependencies: ["SNMPAgent", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
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
        .executableTarget(
            name: "webd",
            dependencies: ["WebInterface", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Shared by the test targets only (the seeded generator of the randomised tests).
        // The CLI: grammar, completion, help, renderers; sshd starts it per session.
        .target(name: "CLIShell", dependencies: ["ApplianceCore", "ApplianceProtocol", "Configuration", "SNMP"]),
        .executableTarget(name: "cli", dependencies: ["CLIShell", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "appliance-sshd", dependencies: ["CLIShell", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
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
