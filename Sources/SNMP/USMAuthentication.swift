import Configuration
/// Message authentication: HMAC-SHA-1-96 (RFC 3414 §7) and HMAC-SHA-2
/// (RFC 7860 §4), computed over the whole message with the authentication
/// parameters set to zeros, then truncated.
public enum USMAuthentication {
    /// The truncated MAC of `message` (whose authentication parameters
    /// must already be zeros) under `key` (RFC 3414 §7.3.1, RFC 7860 §4.2.1).
    public static func mac(of message: [UInt8], key: [UInt8], protocol auth: SNMPAuthProtocol) -> [UInt8] {
        Array(auth.hmac(key: key, message: message).prefix(auth.authenticationParametersLength))
    }

    /// Writes the MAC into `message.bytes` at its authentication parameters
    /// (RFC 3414 §7.3.1 step 3); the placeholder there must be zeros of
    /// `authenticationParametersLength` octets.
    public static func sign(_ message: inout EncodedMessage, key: [UInt8], protocol auth: SNMPAuthProtocol) {
        let code = mac(of: message.bytes, key: key, protocol: auth)
        message.bytes.replaceSubrange(message.authenticationParametersRange, with: code)
    }

    /// Whether a received message carries the right MAC (RFC 3414 §7.3.2):
    /// the parameters must have exactly the protocol's length, and the
    /// comparison takes the same time wherever the octets differ.
    public static func verify(_ received: ReceivedMessage, key: [UInt8], protocol auth: SNMPAuthProtocol) -> Bool {
        let range = received.authenticationParametersRange
        guard range.count == auth.authenticationParametersLength else { return false }
        var zeroed = received.bytes
        let claimed = Array(zeroed[range])
        zeroed.replaceSubrange(range, with: repeatElement(0, count: range.count))
        return constantTimeEqual(mac(of: zeroed, key: key, protocol: auth), claimed)
    }

    /// `sign` with the user's prepared key.
    public static func sign(_ message: inout EncodedMessage, user: USMCredentials) {
        let range = message.authenticationParametersRange
        let code = user.preparedAuthKey.code(message.bytes, zeroed: range).prefix(user.authProtocol.authenticationParametersLength)
        message.bytes.replaceSubrange(range, with: code)
    }

    /// `verify` with the user's prepared key, without copying the message.
    public static func verify(_ received: ReceivedMessage, user: USMCredentials) -> Bool {
        let range = received.authenticationParametersRange
        let length = user.authProtocol.authenticationParametersLength
        guard range.count == length else { return false }
        let code = user.preparedAuthKey.code(received.bytes, zeroed: range)
        var difference: UInt8 = 0
        for index in 0..<length { difference |= code[index] ^ received.bytes[range.lowerBound + index] }
        return difference == 0
    }

    /// Equality whose duration does not depend on where the inputs differ,
    /// so a forger learns nothing from timing.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
