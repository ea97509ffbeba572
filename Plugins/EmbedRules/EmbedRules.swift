import Foundation
import PackagePlugin

/// Compiles `patterns/*.yml` into the PatrolKit module as generated Swift source, so the built-in
/// rules travel inside the executable (SwiftPM resources would live in a separate bundle folder
/// that a copied binary leaves behind).
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let patterns = context.package.directoryURL.appending(path: "patterns")
        let files = try FileManager.default
            .contentsOfDirectory(at: patterns, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yml" || $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInRuleFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) rule files from patterns/",
                executable: try context.tool(named: "RuleEmbedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
