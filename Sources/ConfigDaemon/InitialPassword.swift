import Configuration
import ApplianceProtocol
/// The first administrator's password when none is given: 20 characters from
/// an alphabet without look-alikes (about 115 bits), with every class present.
enum InitialPassword {
    static let lower = Array("abcdefghijkmnopqrstuvwxyz")
    static let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
    static let digits = Array("23456789")
    static let symbols = Array("-_.+=")

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let all = lower + upper + digits + symbols
        var characters = [lower, upper, digits, symbols].map { $0.randomElement(using: &generator)! }
        while characters.count < 20 { characters.append(all.randomElement(using: &generator)!) }
        characters.shuffle(using: &generator)
        return String(characters)
    }
}
