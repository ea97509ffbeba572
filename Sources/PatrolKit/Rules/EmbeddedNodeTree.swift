import Yams

/// Reads back the YAML node trees that the `RuleEmbedder` build tool wrote for the built-in rule
/// files, so start-up builds the rules without running libyaml over 30-odd files: that parsing
/// was a third of the instructions of `patrol diff --staged`, which every commit pays.
///
/// The format (see `Sources/RuleEmbedder/main.swift`): a kind byte (0 scalar, 1 mapping,
/// 2 sequence); a scalar's style and UTF-8 bytes, a collection's count and nodes; varints for
/// numbers. Nodes carry no marks (Yams cannot make one), so an error in a built-in file has no
/// line number — `RuleLoader` re-parses the file's text to report one.
///
/// Each node kind shares one `Tag`: `Tag.implicit` builds a new resolver and constructor (a
/// handful of dictionaries) per call, which cost more than the YAML parsing it replaced. Sharing
/// is safe because a tag resolves in place to its kind's name under the basic resolver (`str`,
/// `map`, `seq`), the same for every node of that kind.
struct EmbeddedNodeTree {
    struct Malformed: Error {}

    private let scalarTag = Tag(.implicit, .basic, .default)
    private let mappingTag = Tag(.implicit, .basic, .default)
    private let sequenceTag = Tag(.implicit, .basic, .default)

    func decode(_ bytes: [UInt8]) throws(Malformed) -> Node {
        var reader = Reader(bytes: bytes, tags: self)
        let node = try reader.node()
        guard reader.offset == bytes.count else { throw Malformed() }
        return node
    }

    private struct Reader {
        let bytes: [UInt8]
        let tags: EmbeddedNodeTree
        var offset = 0

        mutating func node() throws(Malformed) -> Node {
            switch try byte() {
            case 0:
                let style = Node.Scalar.Style(rawValue: UInt32(try varint())) ?? .any
                let count = try varint()
                guard count <= bytes.count - offset else { throw Malformed() }
                let string = String(decoding: bytes[offset..<offset + count], as: UTF8.self)
                offset += count
                return .scalar(Node.Scalar(string, tags.scalarTag, style))
            case 1:
                let count = try varint()
                var pairs: [(Node, Node)] = []
                pairs.reserveCapacity(count)
                for _ in 0..<count { pairs.append((try node(), try node())) }
                return .mapping(Node.Mapping(pairs, tags.mappingTag))
            case 2:
                let count = try varint()
                var items: [Node] = []
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try node()) }
                return .sequence(Node.Sequence(items, tags.sequenceTag))
            default:
                throw Malformed()
            }
        }

        private mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed() }
            defer { offset += 1 }
            return bytes[offset]
        }

        private mutating func varint() throws(Malformed) -> Int {
            var value = 0
            var shift = 0
            while true {
                let next = try byte()
                value |= Int(next & 0x7F) << shift
                if next & 0x80 == 0 { return value }
                shift += 7
                guard shift < 63 else { throw Malformed() }
            }
        }
    }
}
