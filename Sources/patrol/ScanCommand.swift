import ArgumentParser
import Foundation
import PatrolKit

/// `patrol scan [PATH…]`: files and folders on disk, or standard input with `-`.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan files and folders (default: the current folder); '-' reads standard input.",
        discussion: """
            Inside a git work tree, every tracked file is scanned — even one that an ignore pattern \
            matches — and untracked files honour .gitignore, .git/info/exclude and the global \
            excludes unless --no-ignore. .git/ is never scanned. Binary files, files over \
            --max-file-size, symlinks (unless --follow) and FIFOs or devices are skipped and listed \
            under "skipped"; unreadable files are listed under "errors" and the scan goes on.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to scan; '-' reads standard input.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var report: ReportOptions
    @OptionGroup var selection: RuleSelectionOptions
    @OptionGroup var baseline: BaselineOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup(title: "Archives") var archives: ArchiveOptions

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Skip files larger than this (e.g. 25M, 3G).", valueName: "size"))
    var maxFileSize = ByteSize(bytes: 25 << 20)

    @Flag(help: "Follow symlinks (each folder is entered once, so loops end).")
    var follow = false

    @Flag(help: "Also scan untracked files that .gitignore excludes.")
    var noIgnore = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if paths.contains("-") && paths.count > 1 { throw ValidationError("'-' (standard input) cannot be combined with other paths") }
    }

    func run() throws {
        let targets = paths.isEmpty ? ["."] : paths
        let (config, ruleSet) = try selection.load(target: targets[0] == "-" ? "." : targets[0])
        var options = ScanOptions()
        if let threads { options.threads = threads }
        options.maxFileSize = maxFileSize.bytes
        options.followSymlinks = follow
        options.noIgnore = noIgnore
        options.archive = archives.limits
        options.minConfidence = report.minConfidence
        let counters = ScanProgress()
        options.progress = counters
        let display = ProgressDisplay(counters: counters, noun: "files", enabled: targets != ["-"] && progress.isEnabled(quiet: report.quiet))
        let scanner = Scanner(ruleSet: ruleSet, config: config, options: options)
        let result: ScanReport
        do {
            result = targets == ["-"] ? scanner.scanStandardInput() : try scanner.scan(paths: targets)
        } catch {
            display.stop()
            throw error
        }
        display.stop()
        try ReportPrinter(options: report.settings, ruleSet: ruleSet).emit(try baseline.apply(to: result, target: targets[0] == "-" ? "." : targets[0]))
    }
}
