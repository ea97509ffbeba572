/// PyPI API tokens: `pypi-` + unpadded base64url of a version 2 macaroon whose location is
/// `pypi.org` (TestPyPI: `test.pypi.org`), `reference/token-formats.md` §1e and §5.
///
/// The binary format (libmacaroons `doc/format.txt`, as pymacaroons writes it): a version byte
/// `0x02`; a header section of fields (location `1`, identifier `2`); caveat sections (location,
/// identifier, verification id `4`); an empty section; then the signature field `6` of 32 bytes,
/// which ends the token. Each field is a varint type, a varint length and the data; a section
/// ends with a zero byte, and field types rise within a section. The token's length is not fixed
/// (every caveat adds to it), so this parse is what tells where a token really ends: text glued
/// to its end leaves bytes after the signature and fails.
enum PyPIMacaroon {
    static let prefix = "pypi-"
    static let pypiLocation: StaticString = "pypi.org"
    static let testPyPILocation: StaticString = "test.pypi.org"
    static let signatureLength = 32

    private enum Field {
        static let endOfSection: UInt64 = 0
        static let location: UInt64 = 1
        static let identifier: UInt64 = 2
        static let verificationID: UInt64 = 4
        static let signature: UInt64 = 6
        static let inHeader: [UInt64] = [location, identifier]
        static let inCaveat: [UInt64] = [location, identifier, verificationID]
    }

    /// True when `token` is `pypi-` and a well-formed version 2 macaroon for PyPI or TestPyPI.
    static func isValid(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count > prefix.utf8.count + 16, token.starts(with: prefix.utf8) else { return false }
        return Base64URL.withDecoded(UnsafeRawBufferPointer(rebasing: token[prefix.utf8.count...]), isWellFormed) ?? false
    }

    /// The macaroon structure check on decoded bytes.
    static func isWellFormed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == 2 else { return false }
        // Header: an optional location, then the identifier.
        var sawIdentifier = false
        var locationIsPyPI = false
        guard reader.section(allowed: Field.inHeader, { type, data in
            if type == Field.identifier { sawIdentifier = true }
            if type == Field.location {
                locationIsPyPI = JSONObjectScanner.equals(data, pypiLocation) || JSONObjectScanner.equals(data, testPyPILocation)
            }
        }) != nil, sawIdentifier, locationIsPyPI else { return false }
        // Caveats, each with an identifier, until an empty section.
        while true {
            var caveatHasIdentifier = false
            guard let fields = reader.section(allowed: Field.inCaveat, { type, _ in
                if type == Field.identifier { caveatHasIdentifier = true }
            }) else { return false }
            if fields == 0 { break }
            guard caveatHasIdentifier else { return false }
        }
        guard reader.varint() == Field.signature, reader.varint() == UInt64(signatureLength) else { return false }
        return reader.index + signatureLength == bytes.count
    }

    /// A fresh PyPI token: a macaroon for `location` with a UUID identifier, one caveat in the
    /// JSON PyPI writes, and a random signature.
    static func generate(location: String, using rng: inout SeededGenerator) -> String {
        var macaroon: [UInt8] = [2]
        func field(_ type: UInt64, _ data: [UInt8]) {
            Varint.append(type, to: &macaroon)
            Varint.append(UInt64(data.count), to: &macaroon)
            macaroon += data
        }
        let hex = RandomText.string(from: RandomText.hexLower, count: 32, using: &rng)
        var uuid = Array(hex.utf8)
        for position in [8, 13, 18, 23] { uuid.insert(UInt8(ascii: "-"), at: position) }
        field(Field.location, Array(location.utf8))
        field(Field.identifier, uuid)
        macaroon.append(0)
        field(Field.identifier, Array("{\"version\": 1, \"permissions\": \"user\"}".utf8))
        macaroon.append(0)
        if Bool.random(using: &rng) {
            let userID = RandomText.string(from: RandomText.hexLower, count: 32, using: &rng)
            field(Field.identifier, Array("{\"version\": 1, \"user_id\": \"\(userID)\"}".utf8))
            macaroon.append(0)
        }
        macaroon.append(0)
        field(Field.signature, RandomText.randomBytes(count: signatureLength, using: &rng))
        return prefix + Base64URL.encodedString(macaroon)
    }

    /// A cursor over the decoded macaroon: its lengths and field types are small, so a varint
    /// of more than 5 bytes is malformed.
    private struct Reader {
        private var cursor: VarintReader

        init(bytes: UnsafeRawBufferPointer) { cursor = VarintReader(bytes: bytes, maxVarintBytes: 5) }

        mutating func byte() -> UInt8? { cursor.byte() }
        mutating func varint() -> UInt64? { cursor.varint() }
        var index: Int { cursor.index }

        /// Reads one section up to its end marker, calling `visit` for each field. Returns the
        /// number of fields, or nil when a field is malformed, out of order or not allowed.
        mutating func section(allowed: [UInt64], _ visit: (UInt64, UnsafeRawBufferPointer) -> Void) -> Int? {
            var previous: UInt64 = 0
            var count = 0
            while true {
                guard let type = varint() else { return nil }
                if type == Field.endOfSection { return count }
                guard type > previous, allowed.contains(type),
                      let length = varint(), length <= UInt64(cursor.bytes.count - cursor.index)
                else { return nil }
                visit(type, UnsafeRawBufferPointer(rebasing: cursor.bytes[cursor.index..<(cursor.index + Int(length))]))
                _ = cursor.skip(Int(length))
                previous = type
                count += 1
            }
        }
    }
}
