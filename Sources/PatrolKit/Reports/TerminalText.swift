/// Text from a scanned input (a file name, a snippet, a commit author) made safe to print on a
/// terminal: a name or a line can hold an escape sequence that clears the screen, retitles the
/// window, or hides the finding printed before it (terminal injection). Every control character
/// — C0 except the tab, DEL, and C1 — is written as `\xNN` (`\n`, `\r` for line ends), and the
/// bidirectional overrides that reorder what is shown (Trojan Source) as `\u{NNNN}`.
public enum TerminalText {
    /// With `keepingLineEnds`, `\n` stays (for a whole multi-line message or report, whose
    /// variable parts were escaped one by one already).
    public static func escaped(_ text: String, keepingLineEnds: Bool = false) -> String {
        func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
            Self.needsEscape(scalar) && !(keepingLineEnds && scalar == "\n")
        }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                output.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0...0xFF: output += "\\x" + hex(scalar.value, digits: 2)
            default: output += "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
        }
        return output
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0..<0x20, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
