/// What a hit of an encoded form of a rule keyword asks for: the text around it is decoded and
/// scanned. Decoding every base64-looking run or every `%XX` would cost more than the scan itself,
/// so the prefilter also searches each keyword in its encoded forms (`EncodedForms`), and only
/// text holding one is decoded.
enum DecodingGate: Sendable, Equatable {
    /// A base64 form (of the keyword, or of its UTF-16LE bytes): the base64 run around the hit is
    /// decoded. A form of three characters comes with the bits of its neighbours that the keyword
    /// fixes, checked before decoding.
    case base64(NeighbourBits?)
    /// An escaped form (percent-encoded, JSON `\/`, an HTML character reference): the text
    /// around the hit is decoded as every `EscapedText.Kind` that finds an escape there.
    case escaped

    /// Whether a hit of this gate's form at `position` (of `length` bytes) opens the text to
    /// decoding.
    @inline(__always)
    func admits(_ position: Int, length: Int, in buffer: UnsafeRawBufferPointer) -> Bool {
        guard case .base64(let neighbours?) = self else { return true }
        return neighbours.hold(around: position, length: length, in: buffer)
    }
}

/// The bits of the base64 characters either side of a three-character form that the keyword
/// fixes. A three-byte keyword encoded one or two bytes into a base64 quad leaves only three
/// characters of its own; the character before holds its first 4 (or 2) bits, the character
/// after its last 2 (or 4): 6 bits more, so the gate is as selective as a four-character form.
/// `hf_` one byte in: `?hmX?`, where `?` before has the low 4 bits `0110` (`h` is `0x68`) and
/// `?` after the high 2 bits `11` (`_` is `0x5F`).
struct NeighbourBits: Sendable, Equatable {
    let beforeMask: UInt8
    let beforeValue: UInt8
    let afterMask: UInt8
    let afterValue: UInt8

    func hold(around position: Int, length: Int, in buffer: UnsafeRawBufferPointer) -> Bool {
        let after = position + length
        guard position > 0, after < buffer.count else { return false }
        let before = EncodedText.sixBits(buffer[position - 1]), next = EncodedText.sixBits(buffer[after])
        return before != 0xFF && next != 0xFF
            && before & beforeMask == beforeValue && next & afterMask == afterValue
    }
}

/// The encoded forms of a keyword that the prefilter searches for.
enum EncodedForms {
    /// A base64 form: its characters, and for a three-character form the neighbours' bits.
    struct Base64Form: Equatable {
        let characters: [UInt8]
        let neighbours: NeighbourBits?
    }

    /// The keyword's base64 forms at the three byte alignments, keeping only the characters that
    /// depend on the keyword alone (`JQQJ99` → `SlFRSjk5`, `pRUUo5OT`, `KUVFKOTk`); three
    /// characters or more. A form holding `+` or `/` comes in base64url (`-`, `_`) too.
    static func base64(of keyword: [UInt8]) -> [Base64Form] {
        var forms: [Base64Form] = []
        forms.reserveCapacity(3)
        for alignment in 0..<3 {
            // Character i covers bits [6i, 6i + 6); the keyword occupies [8a, 8a + 8n).
            let firstBit = 8 * alignment, lastBit = 8 * (alignment + keyword.count)
            let first = (firstBit + 5) / 6, end = lastBit / 6
            guard end - first >= 3 else { continue }
            // Character i of the keyword `alignment` bytes in (zero bytes around it): the 6 bits
            // at bit 6i, read from the two bytes holding them. Start-up builds these for every
            // keyword, so without allocating.
            func byte(_ index: Int) -> UInt16 { index >= 0 && index < keyword.count ? UInt16(keyword[index]) : 0 }
            func sixBits(_ index: Int) -> UInt8 {
                let bit = 6 * index - firstBit
                let byteIndex = bit >= 0 ? bit / 8 : -1
                let pair = byte(byteIndex) << 8 | byte(byteIndex + 1)
                return UInt8(truncatingIfNeeded: pair >> (10 - (bit - 8 * byteIndex)) & 0x3F)
            }
            let characters = (first..<end).map { Base64.alphabet[Int(sixBits($0))] }
            var neighbours: NeighbourBits?
            if characters.count == 3 {
                // Bits of the keyword in the character before: its low 6·first − firstBit bits;
                // in the character after: its high lastBit − 6·end bits.
                let low = 6 * first - firstBit, high = lastBit - 6 * end
                let beforeMask = UInt8((1 << low) - 1), afterMask = UInt8(((1 << high) - 1) << (6 - high))
                neighbours = NeighbourBits(
                    beforeMask: beforeMask, beforeValue: sixBits(first - 1) & beforeMask,
                    afterMask: afterMask, afterValue: sixBits(end) & afterMask
                )
            }
            forms.append(Base64Form(characters: characters, neighbours: neighbours))
            if characters.contains(UInt8(ascii: "+")) || characters.contains(UInt8(ascii: "/")) {
                forms.append(Base64Form(characters: urlSafe(characters), neighbours: neighbours))
            }
        }
        return forms
    }

    /// The base64 forms of the keyword's UTF-16LE bytes (`h` `\0` `f` `\0` `_` `\0`): PowerShell's
    /// `-EncodedCommand` and `[Text.Encoding]::Unicode.GetBytes`.
    static func utf16Base64(of keyword: [UInt8]) -> [Base64Form] {
        var bytes: [UInt8] = []
        for unit in String(decoding: keyword, as: UTF8.self).utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        return base64(of: bytes)
    }

    /// Characters a URL leaves as they are (RFC 3986 unreserved).
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// The keyword's percent-encoded forms, searched without case so that `%5F` and `%5f` both
    /// match: every byte as `%XX` (`ghp_` → `%67%68%70%5F`), and, when the keyword holds a
    /// character a URL must escape, only those escaped (`:AA` → `%3AAA`, `/webhooks/` →
    /// `%2Fwebhooks%2F`).
    static func percent(of keyword: [UInt8]) -> [[UInt8]] {
        let hex = Array("0123456789ABCDEF".utf8)
        func escaped(_ byte: UInt8) -> [UInt8] { [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
        var forms = [keyword.flatMap(escaped)]
        if !keyword.allSatisfy(isUnreserved) {
            let minimal = keyword.flatMap { isUnreserved($0) ? [$0] : escaped($0) }
            if minimal != forms[0] { forms.append(minimal) }
        }
        return forms
    }

    /// Characters of a keyword that JSON writers and markup encoders escape, with their
    /// escapes: `/` → `\/` (JSON's optional escape, PHP's and Python's default), `\u002B`
    /// (.NET's System.Text.Json escapes `+`, `&`, `'`, `<`, `>`), numeric character references
    /// (`&#x2F;`, `&#47;`) and the named ones (`&sol;`, `&amp;`).
    private static let escapes: [UInt8: [String?]] = [
        // JSON short, JSON \u, hexadecimal reference, decimal reference, named reference.
        UInt8(ascii: "/"): ["\\/", "\\u002F", "&#x2F;", "&#47;", "&sol;"],
        UInt8(ascii: "+"): [nil, "\\u002B", "&#x2B;", "&#43;", "&plus;"],
        UInt8(ascii: "="): [nil, "\\u003D", "&#x3D;", "&#61;", "&equals;"],
        UInt8(ascii: "&"): [nil, "\\u0026", "&#x26;", "&#38;", "&amp;"],
    ]

    /// The keyword with every character that JSON or markup escapes written in one escape
    /// style at a time (`.slack.com/services/` → `.slack.com\/services\/`,
    /// `.slack.com&#x2F;services&#x2F;`, …); none for a keyword without such a character.
    /// Searched without case, like the percent forms.
    static func escaped(of keyword: [UInt8]) -> [[UInt8]] {
        guard keyword.contains(where: { escapes[$0] != nil }) else { return [] }
        var forms: [[UInt8]] = []
        for style in 0..<5 {
            var form: [UInt8] = []
            var changed = false
            for byte in keyword {
                if let escape = escapes[byte]?[style] {
                    form.append(contentsOf: escape.utf8)
                    changed = true
                } else {
                    form.append(byte)
                }
            }
            if changed, !forms.contains(form) { forms.append(form) }
        }
        return forms
    }

    private static func urlSafe(_ characters: [UInt8]) -> [UInt8] {
        characters.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
    }
}
