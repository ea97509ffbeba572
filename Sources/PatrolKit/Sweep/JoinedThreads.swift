#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body(0..<count)` on threads of their own and returns once every thread has ended —
/// joined, not merely signalled, so none is still tearing down when the caller goes on to exit
/// the process (a thread finishing while `exit` runs can crash it).
///
/// Own threads rather than the dispatch pool: a repository's worker may block, waiting for blobs
/// another repository is scanning, and scanning itself uses the dispatch pool.
enum JoinedThreads {
    private final class Job: @unchecked Sendable {
        // Immutable: set before the thread starts.
        let index: Int
        let body: @Sendable (Int) -> Void

        init(index: Int, body: @escaping @Sendable (Int) -> Void) {
            self.index = index
            self.body = body
        }
    }

    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        var threads: [pthread_t] = []
        for index in 0..<count {
            let job = Unmanaged.passRetained(Job(index: index, body: body)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { argument in
                let job = Unmanaged<Job>.fromOpaque(argument!).takeRetainedValue()
                job.body(job.index)
                return nil
            }, job)
            if status == 0 {
                threads.append(thread)
            } else {
                // No thread to be had: do this share here.
                let job = Unmanaged<Job>.fromOpaque(job).takeRetainedValue()
                job.body(job.index)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
    }
}
