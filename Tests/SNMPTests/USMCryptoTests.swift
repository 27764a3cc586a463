import Configuration
import TestSupport
import Testing
@testable import SNMP

@Suite("USM authentication and privacy primitives")
struct USMCryptoTests {
    @Test("HMAC-SHA-1-96 known answers (RFC 2202 cases 1-2 truncated as RFC 2404 does)")
    func hmacSHA1_96() {
        let first = USMAuthentication.mac(of: Array("Hi There".utf8), key: .init(repeating: 0x0B, count: 20), protocol: .sha1)
        #expect(HexOctets.text(first) == "b617318655057264e28bc0b6")
        let second = USMAuthentication.mac(of: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8), protocol: .sha1)
        #expect(HexOctets.text(second) == "effcdf6ae5eb2fa2d27416d5")
    }

    @Test("truncation lengths follow RFC 3414 §7 and RFC 7860 §4.2")
    func truncationLengths() {
        let lengths = SNMPAuthProtocol.allCases.map(\.authenticationParametersLength)
        #expect(lengths == [12, 16, 24, 32, 48])
        for auth in SNMPAuthProtocol.allCases {
            let mac = USMAuthentication.mac(of: [1, 2, 3], key: .init(repeating: 7, count: auth.keyLength), protocol: auth)
            #expect(mac.count == auth.authenticationParametersLength)
        }
    }

    @Test("SHA-224 matches FIPS 180-4 'abc' and the two-block example")
    func sha224() {
        #expect(HexOctets.text(SHA224Hash.hash(Array("abc".utf8))) == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
        let twoBlock = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(HexOctets.text(SHA224Hash.hash(twoBlock)) == "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525")
        #expect(HexOctets.text(SHA224Hash.hash([])) == "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")
    }

    @Test("SHA-224 gives the same digest however the input is split")
    func sha224Streaming() {
        var generator = SeededGenerator(seed: 224)
        let data = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = SHA224Hash.hash(data)
        for _ in 0..<50 {
            var hasher = SHA224Hash()
            var index = 0
            while index < data.count {
                let step = Int.random(in: 0...130, using: &generator)
                let end = min(index + step, data.count)
                hasher.update(Array(data[index..<end]))
                index = end
            }
            #expect(hasher.finalize() == whole)
        }
    }

    @Test("HMAC-SHA-224 known answers (RFC 4231 cases 1, 2 and 6's long key)")
    func hmacSHA224() {
        #expect(HexOctets.text(SHA224Hash.hmac(key: .init(repeating: 0x0B, count: 20), message: Array("Hi There".utf8)))
            == "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22")
        #expect(HexOctets.text(SHA224Hash.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44")
        #expect(HexOctets.text(SHA224Hash.hmac(key: .init(repeating: 0xAA, count: 131),
                                               message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e")
    }

    @Test("AES-128-CFB128 matches NIST SP 800-38A F.3.13 block 1, both ways")
    func aesCFBKnownAnswer() throws {
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c")
        let iv = hex("000102030405060708090a0b0c0d0e0f")
        let plaintext = hex("6bc1bee22e409f96e93d7e117393172a")
        let ciphertext = try USMPrivacy.crypt(plaintext, key: key, protocol: .aes128, iv: iv, encrypt: true)
        #expect(HexOctets.text(ciphertext) == "3b3fd92eb72dad20333449f8e83cfb4a")
        #expect(try USMPrivacy.crypt(ciphertext, key: key, protocol: .aes128, iv: iv, encrypt: false) == plaintext)
    }

    @Test("AES-256-CFB128 matches NIST SP 800-38A F.3.17 block 1")
    func aes256CFBKnownAnswer() throws {
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
        let ciphertext = try USMPrivacy.crypt(hex("6bc1bee22e409f96e93d7e117393172a"), key: key, protocol: .aes256,
                                              iv: hex("000102030405060708090a0b0c0d0e0f"), encrypt: true)
        #expect(HexOctets.text(ciphertext) == "dc7e84bfda79164b7ecd8486985d3860")
    }

    @Test("the IV is boots, time and salt, big-endian (RFC 3826 §3.1.2.1)")
    func initializationVector() {
        let iv = USMPrivacy.initializationVector(boots: 0x0102_0304, time: 0x0A0B_0C0D, salt: hex("1112131415161718"))
        #expect(HexOctets.text(iv) == "010203040a0b0c0d1112131415161718")
    }

    @Test("decryption refuses a salt that is not 8 octets (RFC 3826 §3.1.4)")
    func saltLength() {
        #expect(throws: USMPrivacy.Failure.wrongSaltLength(7)) {
            try USMPrivacy.decrypt([1, 2, 3], key: .init(repeating: 1, count: 16), protocol: .aes128, boots: 1, time: 1, salt: [1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test("salts count up from their start and wrap, never repeating within 2^64")
    func saltGenerator() {
        var salts = USMSaltGenerator(initialValue: UInt64.max - 1)
        #expect(salts.next() == hex("fffffffffffffffe"))
        #expect(salts.next() == hex("ffffffffffffffff"))
        #expect(salts.next() == hex("0000000000000000"))
        var seeded = SeededGenerator(seed: 1)
        var random = USMSaltGenerator(using: &seeded)
        #expect(random.next() != random.next())
    }

    @Test("constant-time comparison agrees with ==")
    func constantTimeEqual() {
        #expect(USMAuthentication.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!USMAuthentication.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!USMAuthentication.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}

@Suite("prepared HMAC keys")
struct PreparedHMACTests {
    /// The prepared key (pads hashed once) gives exactly the HMAC of the
    /// message with its placeholder zeroed, for every protocol and for keys
    /// shorter and longer than the hash's block.
    @Test("prepared HMAC equals the one-shot HMAC of the zeroed message", arguments: SNMPAuthProtocol.allCases)
    func preparedEqualsOneShot(_ auth: SNMPAuthProtocol) {
        var random = SeededGenerator(seed: 0x1A5C)
        for keyLength in [auth.keyLength, 1, 200] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &random) }
            let message = (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }
            let zeroed = 40..<(40 + auth.authenticationParametersLength)
            var copy = message
            copy.replaceSubrange(zeroed, with: repeatElement(0, count: zeroed.count))
            #expect(PreparedHMAC(key: key, protocol: auth).code(message, zeroed: zeroed) == auth.hmac(key: key, message: copy))
            #expect(PreparedHMAC(key: key, protocol: auth).code(copy, zeroed: 0..<0) == auth.hmac(key: key, message: copy))
        }
    }
}
