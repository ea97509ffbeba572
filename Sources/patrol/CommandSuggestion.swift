import ArgumentParser

/// "did you mean 'scan'?" for a mistyped command name, at the root or under a command group
/// (`patrol rules lsit`). ArgumentParser alone reports only "Unexpected argument 'scna'".
enum CommandSuggestion {
    /// The message for `arguments` (without the program name) when they name an unknown
    /// command where a command is expected; nil when they do not, and parsing goes on as usual.
    static func message(for arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root.configuration.commandName ?? "patrol"]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            // Only a group without a default subcommand expects a command name here.
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil,
                  !argument.hasPrefix("-"), argument != "help"
            else { return nil }
            let names = subcommands.compactMap { $0.configuration.commandName }
            if let next = subcommands.first(where: { $0.configuration.commandName == argument }) {
                command = next
                path.append(argument)
                continue
            }
            let known = names.joined(separator: ", ")
            let place = path.joined(separator: " ")
            guard let best = closest(to: argument, among: names) else {
                return "unknown command '\(argument)' for '\(place)' (commands: \(known)); see '\(place) --help'"
            }
            return "unknown command '\(argument)' for '\(place)'; did you mean '\(best)'?"
        }
        return nil
    }

    /// The name nearest to `word` by edit distance (a swap of neighbours counts as one edit),
    /// if it is near enough to be a typo: at most 2 edits, and fewer than half the word's length;
    /// else the one name that `word` begins (`patrol sw` → `sweep`).
    static func closest(to word: String, among names: [String]) -> String? {
        let scored = names.map { (name: $0, distance: distance(Array(word.lowercased()), Array($0))) }
        if let best = scored.min(by: { $0.distance < $1.distance }),
           best.distance <= 2, best.distance * 2 < max(word.count, 2) {
            return best.name
        }
        let prefixed = names.filter { $0.hasPrefix(word.lowercased()) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and transpositions.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
