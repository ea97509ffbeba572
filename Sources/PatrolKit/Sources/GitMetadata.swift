/// Matches in the text git keeps beside the files: commit messages, annotated tag messages and
/// git notes, each read and scanned once.
///
/// - Commit messages: one `git log -z --format=%B%x00%H%x00…` over the scanned revisions (every
///   ref but `refs/notes/*` when none are given), each message scanned as it streams in.
/// - Tag messages: one `git for-each-ref refs/tags refs/notes`, which also lists the notes refs.
///   A tag object is scanned once however many refs point at it; with revisions, only tags of
///   commits in the scanned range.
/// - Notes: `git notes --ref=REF list` for each notes ref, the note blobs read with `git cat-file
///   --batch`; a note is reported on the object it annotates (with revisions: only notes on
///   commits in the range).
struct GitMetadata: Sendable {
    /// The text of one commit message, tag message or note with its matches.
    struct Sighting: Sendable {
        let origin: FindingOrigin
        /// The commit (for a tag message: the tag object; for a note: the annotated object).
        let info: CommitInfo
        let tag: String?
        /// For a note: the notes ref it was read from (`refs/notes/commits`, `refs/notes/review`).
        var notesRef: String? = nil
        let occurrences: [Occurrence]
    }

    /// An object a note blob annotates, and the notes ref that holds the note.
    struct NoteTarget: Sendable, Equatable {
        let object: String
        let ref: String
    }

    private(set) var sightings: [Sighting] = []
    /// The context key of a note's finding that names its notes ref.
    static let notesRefKey = "notes_ref"
    /// Blobs that hold notes: already reported as notes, never as files.
    private(set) var noteBlobs = Set<String>()
    /// Note blobs left for the caller to scan (`readsNoteBlobs` false: a scan of every blob
    /// reads them anyway), with the objects each annotates.
    private(set) var unreadNotes: [String: [NoteTarget]] = [:]
    private(set) var messages = 0
    private(set) var bytes = 0
    /// Problems that left some metadata unread; the rest was scanned.
    private(set) var errors: [ScanFailure] = []
    private var readsNoteBlobs = true

    /// Reads and scans the metadata of `revisions` (every ref when empty) or of exactly
    /// `commits`. Throws only when git cannot be run.
    /// `readsNoteBlobs` false: the note blobs are not read here but listed in `unreadNotes`, for
    /// `addNotes` to take their matches from the blob scan (each blob is then scanned once).
    static func scan(_ repository: GitRepository, revisions: [String], commits: [String]?, scanner: InputScanner, readsNoteBlobs: Bool = true) throws(GitError) -> GitMetadata {
        var metadata = GitMetadata()
        metadata.readsNoteBlobs = readsNoteBlobs
        let scoped = commits != nil || !revisions.isEmpty
        var inRange = Set<String>()
        if commits?.isEmpty != true {
            try metadata.scanCommitMessages(repository, revisions: revisions, commits: commits, scanner: scanner, collectRange: scoped, inRange: &inRange)
        }
        try metadata.scanTagsAndNotes(repository, inRange: scoped ? inRange : nil, scanner: scanner)
        return metadata
    }

    private mutating func scanCommitMessages(_ repository: GitRepository, revisions: [String], commits: [String]?, scanner: InputScanner, collectRange: Bool, inRange: inout Set<String>) throws(GitError) {
        let selection = commits != nil ? ["--no-walk=unsorted", "--stdin"] : revisions.isEmpty ? ["--exclude=refs/notes/*", "--all"] : revisions
        let arguments = ["log", "-z", "--no-color", "--format=%B%x00%H%x00%an <%ae>%x00%aI%x00%cI"] + selection
        let child = try GitChild(arguments, in: repository.folder, feedsInput: commits != nil)
        if let commits { child.feed(commits) }
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        while let message = stream.field(until: 0) {
            // The message comes first so it is scanned where it lies in the buffer; the fields
            // after it are read only when it matched (or the range must be known).
            var occurrences: [Occurrence] = []
            if case .scanned(let count, let found) = scanner.scan(memory: message) {
                occurrences = found
                bytes += count
            }
            messages += 1
            guard let oid = stream.field(until: 0) else { break }
            let commit = String(decoding: oid, as: UTF8.self)
            if collectRange { inRange.insert(commit) }
            var fields: [String] = []
            for _ in 0..<3 {
                guard let field = stream.field(until: 0) else { break }
                if !occurrences.isEmpty { fields.append(String(decoding: field, as: UTF8.self)) }
            }
            guard !occurrences.isEmpty, fields.count == 3 else { continue }
            sightings.append(Sighting(origin: .commitMessage, info: CommitInfo(oid: commit, author: fields[0], authorDate: fields[1], commitDate: fields[2]), tag: nil, occurrences: occurrences))
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        if status != 0 {
            errors.append(ScanFailure(path: repository.root, message: "git log could not read every commit message (\(message)); the messages read were scanned"))
        }
    }

    private mutating func scanTagsAndNotes(_ repository: GitRepository, inRange: Set<String>?, scanner: InputScanner) throws(GitError) {
        let format = "%(objecttype)%00%(objectname)%00%(refname)%00%(*objectname)%00%(taggername) %(taggeremail)%00%(taggerdate:iso-strict)%00%(contents)%00"
        let child = try GitChild(["for-each-ref", "--format=" + format, "refs/tags", "refs/notes"], in: repository.folder)
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var notesRefs: [String] = []
        var seenTags = Set<String>()
        while true {
            var fields: [String] = []
            var occurrences: [Occurrence] = []
            for index in 0..<7 {
                guard var field = stream.field(until: 0) else { break }
                if index == 0, field.first == UInt8(ascii: "\n") { field = UnsafeRawBufferPointer(rebasing: field.dropFirst()) }
                if index == 6 {
                    // Only an annotated tag's message is scanned here (a notes ref's commit
                    // message is git's own "Notes added by …").
                    if fields[0] == "tag", fields[2].hasPrefix("refs/tags/"), !seenTags.contains(fields[1]),
                       inRange.map({ $0.contains(fields[3]) }) ?? true,
                       case .scanned(let count, let found) = scanner.scan(memory: field) {
                        occurrences = found
                        bytes += count
                        messages += 1
                    }
                    fields.append("")
                } else {
                    fields.append(String(decoding: field, as: UTF8.self))
                }
            }
            guard fields.count == 7 else { break }
            if fields[2].hasPrefix("refs/notes/") {
                notesRefs.append(fields[2])
                continue
            }
            guard fields[0] == "tag", seenTags.insert(fields[1]).inserted, !occurrences.isEmpty else { continue }
            let tagger = fields[4].trimmingWhitespace()
            sightings.append(Sighting(
                origin: .tagMessage,
                info: CommitInfo(oid: fields[1], author: tagger, authorDate: fields[5], commitDate: fields[5]),
                tag: String(fields[2].dropFirst("refs/tags/".count)),
                occurrences: occurrences
            ))
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        if status != 0 {
            errors.append(ScanFailure(path: repository.root, message: "git for-each-ref could not list the tags and notes (\(message)); their messages were not scanned"))
            return
        }
        for ref in notesRefs { try scanNotes(repository, ref: ref, inRange: inRange, scanner: scanner) }
    }

    private mutating func scanNotes(_ repository: GitRepository, ref: String, inRange: Set<String>?, scanner: InputScanner) throws(GitError) {
        let listing: [UInt8]
        do {
            listing = try GitChild.run(["notes", "--ref=" + ref, "list"], in: repository.folder)
        } catch .gitMissing {
            throw .gitMissing
        } catch {
            errors.append(ScanFailure(path: ref, message: "cannot list the notes (\(error.description)): not scanned"))
            return
        }
        // "<note blob> <annotated object>" per line.
        var annotated: [String: [NoteTarget]] = [:]
        var order: [BlobEntry] = []
        for line in listing.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 2 else { continue }
            if let inRange, !inRange.contains(parts[1]) { continue }
            if annotated[parts[0]] == nil { order.append(BlobEntry(oid: parts[0], size: 0)) }
            annotated[parts[0], default: []].append(NoteTarget(object: parts[1], ref: ref))
        }
        guard !order.isEmpty else { return }
        noteBlobs.formUnion(annotated.keys)
        if !readsNoteBlobs {
            unreadNotes.merge(annotated) { $0 + $1 }
            messages += order.count
            return
        }
        var found: [(String, [Occurrence])] = []
        try GitObjectStream.read(order, from: repository, body: { entry, content in
            if case .scanned(let count, let occurrences) = scanner.scan(memory: content) {
                bytes += count
                if !occurrences.isEmpty { found.append((entry.oid, occurrences)) }
            }
            messages += 1
        }, missing: { oid in
            errors.append(ScanFailure(path: ref, message: "note blob \(oid) is missing from the repository: not scanned"))
        }, unreadable: { oid, message in
            errors.append(ScanFailure(path: ref, message: "note blob \(oid) cannot be read (\(message)): not scanned"))
        })
        for (blob, occurrences) in found {
            for target in annotated[blob] ?? [] { sightings.append(Self.noteSighting(target, occurrences)) }
        }
    }

    /// Notes whose blobs the caller scanned: `matches` by blob (those without are clean).
    mutating func addNotes(matches: [String: [Occurrence]]) {
        for (blob, targets) in unreadNotes.sorted(by: { $0.key < $1.key }) {
            guard let occurrences = matches[blob] else { continue }
            for target in targets { sightings.append(Self.noteSighting(target, occurrences)) }
        }
        unreadNotes = [:]
    }

    private static func noteSighting(_ target: NoteTarget, _ occurrences: [Occurrence]) -> Sighting {
        Sighting(origin: .note, info: CommitInfo(oid: target.object, author: "", authorDate: "", commitDate: ""), tag: nil, notesRef: target.ref, occurrences: occurrences)
    }

    /// The findings: one per (rule, secret) in each message or note, its path a label.
    func findings(assembler: FindingAssembler) -> (findings: [Finding], allowed: Int) {
        let scratch = MatchScratch()
        var findings: [Finding] = []
        var allowed = 0
        for sighting in sightings {
            let label = sighting.origin.label(object: sighting.info.oid, tag: sighting.tag, notesRef: sighting.notesRef)
            let (made, suppressed) = assembler.findings(path: label, sightings: sighting.occurrences.map { .init(occurrence: $0, commit: 0) }, commits: [sighting.info], checkRulePaths: false, scratch: scratch)
            allowed += suppressed
            for var finding in made {
                finding.origin = sighting.origin
                finding.tag = sighting.tag
                if sighting.origin == .note {
                    // Where the note is kept, so verify and revoke can read it again.
                    if let ref = sighting.notesRef { finding.context[Self.notesRefKey] = ref }
                    // A note has no author or date of its own here.
                    finding.author = nil
                    finding.authorDate = nil
                    finding.commitDate = nil
                }
                finding.locations = finding.locations.map { location in
                    var location = location
                    location.origin = sighting.origin
                    if sighting.origin == .note { location.authorDate = nil }
                    return location
                }
                findings.append(finding)
            }
        }
        return (findings, allowed)
    }
}
