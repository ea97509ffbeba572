/// What a finding's provider context patterns read beside its secret (an AWS secret key's
/// `access_key_id`), by name. Most findings have no entry or one, held inline: a file with a
/// key pair on every line makes 160,000 findings, and a dictionary each was 160,000
/// allocations more. Two entries or more are kept in a dictionary.
enum FindingContext: Sendable, Equatable {
    case empty
    case one(name: String, value: String)
    /// Two entries or more.
    case many([String: String])

    init(_ values: [String: String]) {
        switch values.count {
        case 0: self = .empty
        case 1: self = .one(name: values.first!.key, value: values.first!.value)
        default: self = .many(values)
        }
    }

    var dictionary: [String: String] {
        switch self {
        case .empty: [:]
        case .one(let name, let value): [name: value]
        case .many(let values): values
        }
    }

    subscript(name: String) -> String? {
        switch self {
        case .empty: nil
        case .one(let key, let value): key == name ? value : nil
        case .many(let values): values[name]
        }
    }

    var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }

    /// `other`'s entries added, where this has none of that name.
    mutating func merge(_ other: FindingContext) {
        if case .empty = other { return }
        if case .empty = self {
            self = other
            return
        }
        var values = dictionary
        values.merge(other.dictionary) { current, _ in current }
        self = FindingContext(values)
    }

    /// Each entry, sorted by name.
    func forEachSorted(_ body: (_ name: String, _ value: String) -> Void) {
        switch self {
        case .empty: return
        case .one(let name, let value): body(name, value)
        case .many(let values):
            for name in values.keys.sorted() { body(name, values[name]!) }
        }
    }

    /// The entries, sorted by name.
    var sorted: [(name: String, value: String)] {
        var entries: [(name: String, value: String)] = []
        forEachSorted { entries.append(($0, $1)) }
        return entries
    }

    /// The sum over entries of `size(name, value)`.
    func sum(_ size: (_ name: String, _ value: String) -> Int) -> Int {
        switch self {
        case .empty: 0
        case .one(let name, let value): size(name, value)
        case .many(let values): values.reduce(0) { $0 + size($1.key, $1.value) }
        }
    }
}
