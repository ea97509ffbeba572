/// A blob to read, with its size from `cat-file --batch-check`.
struct BlobEntry: Sendable, Equatable {
    let oid: String
    let size: Int
}

/// Streams blobs out of a repository with `git cat-file --batch`, one process per partition of
/// the blob list so several cores inflate objects at once while the readers scan.
enum GitObjectStream {
    /// Every blob in the object database (reachable or not), in pack order, with its size:
    /// `cat-file --batch-all-objects --batch-check --unordered`. Objects missing from a partial
    /// clone are simply not listed, and nothing is fetched. An object the database lists but
    /// whose header git cannot inflate (a corrupt loose object) comes back in `unreadable`:
    /// of unknown type, it may be a blob that was not scanned.
    static func allBlobs(in repository: GitRepository) throws(GitError) -> (blobs: [BlobEntry], unreadable: [String]) {
        let child = try GitChild(["cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectname) %(objectsize)"], in: repository.folder)
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var blobs: [BlobEntry] = []
        var unreadable: [String] = []
        while let line = stream.field(until: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "))
            if fields.count == 2, fields[1].elementsEqual("missing".utf8) {
                // With a format, git prints "<oid> missing" for an object it cannot read.
                unreadable.append(String(decoding: fields[0], as: UTF8.self))
                continue
            }
            guard line.starts(with: "blob ".utf8) else { continue }
            guard fields.count == 3, let size = Int(String(decoding: fields[2], as: UTF8.self)) else { continue }
            blobs.append(BlobEntry(oid: String(decoding: fields[1], as: UTF8.self), size: size))
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: "git cat-file --batch-all-objects", message: message) }
        return (blobs, unreadable)
    }

    /// The message for an object the database lists but git cannot read.
    static func unreadableMessage(_ oid: String) -> String {
        "object \(oid) is corrupt: git cannot read it (run 'git fsck'); it was not scanned"
    }

    /// Objects that refs reach but the repository does not hold (`rev-list --missing=print`,
    /// which never fetches them). A walk of the whole history: asked only where objects may be
    /// missing (a partial clone) or when `--strict` wants to know.
    static func missingObjects(in repository: GitRepository) throws(GitError) -> [String] {
        let child = try GitChild(["rev-list", "--all", "--objects", "--missing=print"], in: repository.folder)
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var missing: [String] = []
        while let line = stream.field(until: UInt8(ascii: "\n")) {
            if line.first == UInt8(ascii: "?") {
                missing.append(String(decoding: line.dropFirst().prefix(while: { $0 != UInt8(ascii: " ") }), as: UTF8.self))
            }
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: "git rev-list --missing=print", message: message) }
        return missing
    }

    /// Sizes (and existence) of the given blobs: `cat-file --batch-check`. Missing objects come
    /// back in `missing`.
    static func sizes(of oids: [String], in repository: GitRepository) throws(GitError) -> (blobs: [BlobEntry], missing: [String]) {
        let child = try GitChild(["cat-file", "--batch-check=%(objecttype) %(objectname) %(objectsize)"], in: repository.folder, feedsInput: true)
        child.feed(oids)
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var blobs: [BlobEntry] = []
        var missing: [String] = []
        while let line = stream.field(until: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            if fields.count == 2, fields[1] == "missing" {
                missing.append(fields[0])
            } else if fields.count == 3, fields[0] == "blob", let size = Int(fields[2]) {
                blobs.append(BlobEntry(oid: fields[1], size: size))
            }
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: "git cat-file --batch-check", message: message) }
        return (blobs, missing)
    }

    /// Splits `blobs` into `count` contiguous runs of about equal bytes, keeping pack order
    /// within each run so git's delta cache stays warm.
    static func partition(_ blobs: [BlobEntry], into count: Int) -> [[BlobEntry]] {
        guard count > 1, blobs.count > 1 else { return [blobs] }
        let total = blobs.reduce(0) { $0 + $1.size + 256 }
        let share = total / count + 1
        var parts: [[BlobEntry]] = [[]]
        var bytes = 0
        for blob in blobs {
            if bytes >= share, parts.count < count {
                parts.append([])
                bytes = 0
            }
            parts[parts.count - 1].append(blob)
            bytes += blob.size + 256
        }
        return parts
    }

    /// Reads `blobs` with `git cat-file --batch` and hands each blob's bytes to `body` (valid
    /// only during the call). A blob git reports missing goes to `missing`.
    ///
    /// git ends the whole batch at the first object it cannot inflate ("unable to stream …",
    /// a loose object with flipped bytes): that object goes to `unreadable` with git's message,
    /// and a new `cat-file --batch` reads the rest, so one bad object never hides the others.
    /// Throws only when git cannot be run at all.
    static func read(
        _ blobs: [BlobEntry],
        from repository: GitRepository,
        body: (BlobEntry, UnsafeRawBufferPointer) -> Void,
        missing: (String) -> Void,
        unreadable: (_ oid: String, _ message: String) -> Void
    ) throws(GitError) {
        var next = 0
        // Batches in a row that ended before reading any object: git fails on every object
        // (not one bad object), so the rest is reported with the same message, not retried.
        var fruitless = 0
        while next < blobs.count {
            let rest = blobs[next...]
            let (read, status, message) = try readBatch(rest, from: repository, body: body, missing: missing)
            if status == 127 { throw .gitMissing }
            next += read
            guard next < blobs.count else { break }
            fruitless = read == 0 ? fruitless + 1 : 0
            // git's lines ("error: inflate: …", "fatal: unable to stream …") as one line.
            let reason = message.isEmpty
                ? "git cat-file --batch ended (status \(status)) while reading it"
                : message.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: "; ")
            if fruitless >= 3 {
                for blob in blobs[next...] { unreadable(blob.oid, reason) }
                return
            }
            unreadable(blobs[next].oid, reason)
            next += 1
        }
    }

    /// One `git cat-file --batch` over `blobs`; returns how many objects it answered for
    /// (read, or reported missing) before its output ended, with its status and message.
    private static func readBatch(
        _ blobs: ArraySlice<BlobEntry>,
        from repository: GitRepository,
        body: (BlobEntry, UnsafeRawBufferPointer) -> Void,
        missing: (String) -> Void
    ) throws(GitError) -> (read: Int, status: Int32, message: String) {
        let child = try GitChild(["cat-file", "--batch"], in: repository.folder, feedsInput: true)
        child.feed(blobs.map(\.oid))
        let stream = StreamBuffer(descriptor: child.output)
        var index = blobs.startIndex
        while index < blobs.endIndex, let header = stream.field(until: UInt8(ascii: "\n")) {
            // "<oid> <type> <size>" or "<oid> missing"
            let fields = header.split(separator: UInt8(ascii: " "))
            if fields.count == 2 {
                missing(String(decoding: fields[0], as: UTF8.self))
                index += 1
                continue
            }
            // Read the header before asking for the content: that may move the buffer under it.
            guard fields.count == 3, let size = Int(String(decoding: fields[2], as: UTF8.self)) else { break }
            let isBlob = fields[1].elementsEqual("blob".utf8)
            guard let content = stream.bytes(size + 1) else { break }
            let entry = blobs[index]
            if isBlob {
                body(entry, UnsafeRawBufferPointer(rebasing: content[0..<size]))
            }
            index += 1
        }
        if index < blobs.endIndex { child.terminate() }
        let (status, message) = child.wait()
        return (index - blobs.startIndex, status, message)
    }
}
