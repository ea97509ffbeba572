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
    /// clone are simply not listed, and nothing is fetched.
    static func allBlobs(in repository: GitRepository) throws(GitError) -> [BlobEntry] {
        let child = try GitChild(["cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectname) %(objectsize)"], in: repository.folder)
        let stream = StreamBuffer(descriptor: child.output, capacity: 1 << 20)
        var blobs: [BlobEntry] = []
        while let line = stream.field(until: UInt8(ascii: "\n")) {
            guard line.starts(with: "blob ".utf8) else { continue }
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 3, let size = Int(String(decoding: fields[2], as: UTF8.self)) else { continue }
            blobs.append(BlobEntry(oid: String(decoding: fields[1], as: UTF8.self), size: size))
        }
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: "git cat-file --batch-all-objects", message: message) }
        return blobs
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

    /// Reads `blobs` with one `git cat-file --batch` and hands each blob's bytes to `body`
    /// (valid only during the call). A blob git reports missing goes to `missing`.
    static func read(
        _ blobs: [BlobEntry],
        from repository: GitRepository,
        body: (BlobEntry, UnsafeRawBufferPointer) -> Void,
        missing: (String) -> Void
    ) throws(GitError) {
        guard !blobs.isEmpty else { return }
        let child = try GitChild(["cat-file", "--batch"], in: repository.folder, feedsInput: true)
        child.feed(blobs.map(\.oid))
        let stream = StreamBuffer(descriptor: child.output)
        var index = 0
        while index < blobs.count, let header = stream.field(until: UInt8(ascii: "\n")) {
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
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        if index < blobs.count {
            throw .failed(command: "git cat-file --batch", message: message.isEmpty ? "output ended after \(index) of \(blobs.count) objects" : message)
        }
        _ = status
    }
}
