#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Bare mirrors of the URLs a sweep names, kept under the clone directory: cloned the first
/// time, fetched on later runs. Only git's own clone and fetch talk to the network.
///
/// A clone is made in `<name>.partial-<pid>` and renamed into place once complete, so a sweep
/// killed mid-clone leaves no half repository that a later run would take for a whole one;
/// leftovers of dead processes are removed on the next clone of that URL.
enum RepositoryMirror {
    /// The local bare repository for `entry`, cloned or (when `fetch`) brought up to date.
    static func prepare(_ entry: SweepEntry, in cloneDirectory: String, fetch: Bool) throws(SweepFailure) -> String {
        let folder = PathText.appending(entry.cloneFolderName, to: cloneDirectory)
        let manager = FileManager.default
        if manager.fileExists(atPath: PathText.appending("HEAD", to: folder)) {
            if fetch {
                try run(["git", "-C", folder, "fetch", "--prune", "--quiet"], entry: entry, what: "fetch")
            }
            return folder
        }
        do {
            try manager.createDirectory(atPath: cloneDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SweepFailure("cannot create the clone directory \(cloneDirectory): \(error.localizedDescription)")
        }
        removeAbandonedClones(of: folder)
        let partial = folder + ".partial-\(getpid())"
        try? manager.removeItem(atPath: partial)
        do {
            try run(["git", "clone", "--mirror", "--quiet", "--", entry.text, partial], entry: entry, what: "clone")
        } catch {
            try? manager.removeItem(atPath: partial)
            throw error
        }
        guard rename(partial, folder) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: partial)
            throw SweepFailure("cannot move the clone into \(folder): \(reason)")
        }
        return folder
    }

    /// Partial clones left by processes that no longer run (killed mid-clone).
    private static func removeAbandonedClones(of folder: String) {
        let parent = PathText.parent(of: folder)
        let prefix = PathText.lastComponent(of: folder) + ".partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: PathText.appending(name, to: parent))
            }
        }
    }

    private static func run(_ arguments: [String], entry: SweepEntry, what: String) throws(SweepFailure) {
        var environment = [
            "LC_ALL": "C",
            // Never wait for a password on a terminal nobody watches: fail instead.
            "GIT_TERMINAL_PROMPT": "0",
        ]
        let inherited = ProcessInfo.processInfo.environment
        if inherited["GIT_SSH_COMMAND"] == nil {
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        }
        // The source's credential: in this child's environment only, so it is never written to
        // the clone's config, and git sends it only to the entry's own host.
        if let credential = entry.gitCredential {
            environment.merge(credential.environment(after: inherited)) { _, new in new }
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments, extraEnvironment: environment)
        } catch .notFound {
            throw SweepFailure(GitError.gitMissing.description)
        } catch {
            throw SweepFailure("cannot start git \(what) (\(error))")
        }
        _ = child.readAll()
        let (status, standardError) = child.wait()
        guard status == 0 else {
            var message = String(decoding: standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.redacted != entry.text { message = message.replacingOccurrences(of: entry.text, with: entry.redacted) }
            for part in entry.gitCredential?.secretParts ?? [] where !part.isEmpty {
                message = message.replacingOccurrences(of: part, with: "***")
            }
            throw SweepFailure("git \(what) failed: \(message.isEmpty ? "exit status \(status)" : message)")
        }
    }
}

/// Why one repository of a sweep could not be swept; the sweep goes on with the others.
public struct SweepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ message: String) { description = message }
}
