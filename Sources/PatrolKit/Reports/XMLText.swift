/// Escaping for XML 1.0 text and attribute values. Characters XML 1.0 cannot carry at all (most
/// C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so a snippet from a binary-ish
/// line never makes the whole report unparseable.
enum XMLText {
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var output = ""
        output.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"" where attribute: output += "&quot;"
            case "'" where attribute: output += "&apos;"
            // Attribute values are normalised by parsers (a raw newline becomes a space):
            // character references keep them.
            case "\n" where attribute: output += "&#10;"
            case "\r": output += "&#13;"
            case "\t" where attribute: output += "&#9;"
            case "\n", "\t": output.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                output += "\u{FFFD}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
