import Configuration
import Crypto

/// An HMAC key made ready once (RFC 2104): the hash states after the
/// key's inner and outer pads, so each message costs only its own blocks
/// and the two finishing ones, not a key setup. The agent prepares each
/// user's key when the configuration arrives; every request and response
/// then reuses it.
struct HMACState<H: HashFunction>: Sendable {
    private let inner: H
    private let outer: H

    init(key: [UInt8]) {
        var block = key.count > H.blockByteCount ? Array(H.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: H.blockByteCount - block.count)
        var inner = H()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = H()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// The full HMAC of `message` with the octets in `zeroed` read as zeros
    /// (the authentication parameters' placeholder), without copying it.
    func code(_ message: [UInt8], zeroed: Range<Int>) -> [UInt8] {
        var hash = inner
        message.withUnsafeBytes { bytes in
            hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[..<zeroed.lowerBound]))
            if !zeroed.isEmpty {
                let zeros = [UInt8](repeating: 0, count: zeroed.count)
                zeros.withUnsafeBytes { hash.update(bufferPointer: $0) }
            }
            hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[zeroed.upperBound...]))
        }
        let innerDigest = hash.finalize()
        var outerHash = outer
        innerDigest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return Array(outerHash.finalize())
    }
}

/// A user's authentication key, prepared for its protocol.
enum PreparedHMAC: Sendable {
    case sha1(HMACState<Insecure.SHA1>)
    /// swift-crypto has no SHA-224: the hand-written hash, unprepared.
    case sha224([UInt8])
    case sha256(HMACState<SHA256>)
    case sha384(HMACState<SHA384>)
    case sha512(HMACState<SHA512>)

    init(key: [UInt8], protocol auth: SNMPAuthProtocol) {
        switch auth {
        case .sha1: self = .sha1(HMACState(key: key))
        case .sha224: self = .sha224(key)
        case .sha256: self = .sha256(HMACState(key: key))
        case .sha384: self = .sha384(HMACState(key: key))
        case .sha512: self = .sha512(HMACState(key: key))
        }
    }

    /// The full HMAC of `message` with `zeroed` read as zeros.
    func code(_ message: [UInt8], zeroed: Range<Int>) -> [UInt8] {
        switch self {
        case .sha1(let state): return state.code(message, zeroed: zeroed)
        case .sha224(let key):
            var copy = message
            copy.replaceSubrange(zeroed, with: repeatElement(0, count: zeroed.count))
            return SHA224Hash.hmac(key: key, message: copy)
        case .sha256(let state): return state.code(message, zeroed: zeroed)
        case .sha384(let state): return state.code(message, zeroed: zeroed)
        case .sha512(let state): return state.code(message, zeroed: zeroed)
        }
    }
}
