import Foundation
import PatrolTestSupport
import Testing
import Yams

/// The integrations as written: action.yml, the Azure Pipelines template and the pre-commit
/// hooks parse, and every step that runs patrol runs as it stands — with the variables the CI
/// sets, against a real repository with a planted secret — and is a valid invocation that scans
/// (exit 1 and a report naming the secret's file), not a usage error.
@Suite struct CITemplateTests {
    static let root = PatrolBinary.packageRoot

    static func load(_ relative: String) throws -> Any {
        let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
        return try #require(try Yams.load(yaml: text), "\(relative) is empty")
    }

    /// Scripts (`run:`, `bash:`, `script:`) that call patrol, each with its step.
    static func patrolSteps(_ node: Any) -> [(script: String, step: [String: Any])] {
        var found: [(String, [String: Any])] = []
        func visit(_ node: Any) {
            if let map = node as? [String: Any] {
                for key in ["run", "bash", "script"] {
                    if let script = map[key] as? String, !patrolLines(script).isEmpty { found.append((script, map)) }
                }
                map.values.forEach(visit)
            } else if let list = node as? [Any] {
                list.forEach(visit)
            }
        }
        visit(node)
        return found
    }

    /// The lines of a script whose command is patrol (`patrol …`, `"${{ parameters.patrol }}" …`).
    static func patrolLines(_ script: String) -> [String] {
        script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.hasPrefix("patrol ") || $0.hasPrefix("exec patrol ") || $0.hasPrefix("\"${{ parameters.patrol }}\" ")
        }
    }

    /// GitHub and Azure template expressions replaced by the defaults (inputs, parameters) and
    /// Azure's `$(Some.Variable)` macros by folders under `folder`.
    static func expand(_ text: String, defaults: [String: String], folder: URL) -> String {
        var result = text
        for (name, value) in defaults {
            for form in ["${{ inputs.\(name) }}", "${{ parameters.\(name) }}"] { result = result.replacingOccurrences(of: form, with: value) }
        }
        let macro = try! NSRegularExpression(pattern: #"\$\(([A-Za-z]+\.[A-Za-z.]+)\)"#)
        for match in macro.matches(in: result, range: NSRange(result.startIndex..., in: result)).reversed() {
            let name = String(result[Range(match.range(at: 1), in: result)!])
            result.replaceSubrange(Range(match.range, in: result)!, with: folder.appendingPathComponent(name).path)
        }
        return result
    }

    /// A pushed repository whose push adds a secret, checked out as the CI would.
    static func leakyCheckout() throws -> (PushedRepository, TemporaryFolder, String) {
        let repo = try PushedRepository()
        try repo.work.commit("root", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.commit("leak", ["leak.txt": "pat=\(Tokens.cask(seed: 1320))\n"])
        try repo.work.git("push", "-q", "origin", "main")
        return (repo, try repo.checkout(), try repo.sha("HEAD~1"))
    }

    static func bash(_ script: String, in folder: URL, environment: [String: String]) throws -> ProcessOutput {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = PatrolBinary.url.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["NO_COLOR"] = "1"
        env.merge(environment) { $1 }
        return try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script], in: folder, stdin: nil, environment: env)
    }

    @Test func actionRunsPatrolCIAsWrittenAndWritesItsReports() throws {
        let action = try #require(try Self.load("action.yml") as? [String: Any])
        let inputs = try #require(action["inputs"] as? [String: [String: Any]])
        let defaults = inputs.mapValues { ($0["default"] as? String) ?? "" }
        let steps = Self.patrolSteps(action)
        #expect(steps.count == 1, "action.yml should run patrol once: \(steps.map(\.script))")
        let uses = ((action["runs"] as? [String: Any])?["steps"] as? [[String: Any]])?.compactMap { $0["uses"] as? String } ?? []
        #expect(uses.contains { $0.hasPrefix("github/codeql-action/upload-sarif@") }, "\(uses)")
        #expect(uses.contains { $0.hasPrefix("actions/cache@") }, "\(uses)")

        // The example workflow uses the action with the whole history and code scanning's permission.
        let workflow = try #require(try Self.load("hooks/github-actions.yml") as? [String: Any])
        #expect((workflow["permissions"] as? [String: Any])?["security-events"] as? String == "write")
        let job = try #require(((workflow["jobs"] as? [String: Any])?["patrol"] as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(job.contains { ($0["uses"] as? String)?.hasPrefix("actions/checkout@") == true && ($0["with"] as? [String: Any])?["fetch-depth"] as? Int == 0 })
        #expect(job.contains { ($0["uses"] as? String)?.contains("/patrol@") == true })
        #expect(Self.patrolSteps(workflow).isEmpty, "the workflow should leave running patrol to the action")

        let (repo, ci, before) = try Self.leakyCheckout()
        let scratch = try TemporaryFolder()
        let output = scratch.url.appendingPathComponent("github-output")
        for (script, step) in steps {
            var environment = ciEnvironment([
                "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push",
                "GITHUB_EVENT_PATH": try repo.event(["ref": "refs/heads/main", "before": before, "after": try repo.sha("HEAD")]),
                "GITHUB_WORKSPACE": ci.path, "GITHUB_OUTPUT": output.path, "HOME": scratch.path,
            ])
            for (name, value) in (step["env"] as? [String: String]) ?? [:] {
                environment[name] = Self.expand(value, defaults: defaults, folder: scratch.url)
            }
            let run = try Self.bash(script, in: ci.url, environment: environment)
            #expect(run.status == 0, "the scan step must not fail itself (the last step does): \(run.stderr)")
            #expect(try String(contentsOf: output, encoding: .utf8).contains("exit-code=1"), "\(run.stderr)\n\(run.stdout)")
            #expect(run.stdout.contains("::error file=leak.txt,line=1"), "\(run.stdout)")
            let sarif = try String(contentsOf: ci.url.appendingPathComponent(defaults["sarif-file"]!), encoding: .utf8)
            #expect(sarif.contains("leak.txt"))
            #expect(FileManager.default.fileExists(atPath: ci.url.appendingPathComponent(defaults["junit-file"]!).path))
        }
    }

    @Test func azureTemplateRunsPatrolCIOnceAndPublishesSARIFAndJUnit() throws {
        let template = try #require(try Self.load("hooks/azure-pipelines.yml") as? [String: Any])
        let parameters = try #require(template["parameters"] as? [[String: Any]])
        var defaults: [String: String] = [:]
        for parameter in parameters {
            defaults[parameter["name"] as! String] = parameter["default"].map { $0 as? Bool == true ? "True" : $0 as? Bool == false ? "False" : "\($0)" } ?? ""
        }
        let steps = Self.patrolSteps(template)
        #expect(steps.count == 1, "the template should run patrol once: \(steps.map(\.script))")
        let text = try String(contentsOf: Self.root.appendingPathComponent("hooks/azure-pipelines.yml"), encoding: .utf8)
        for needed in ["task: Cache@2", "task: PublishTestResults@2", "ArtifactName: CodeAnalysisLogs", "fetchDepth: 0", "persistCredentials: true"] {
            #expect(text.contains(needed), "the template lacks \(needed)")
        }

        let (_, ci, _) = try Self.leakyCheckout()
        let scratch = try TemporaryFolder()
        for (script, _) in steps {
            let environment = ciEnvironment([
                "TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEBRANCH": "refs/heads/main",
                "BUILD_SOURCEVERSION": try ci.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines),
            ])
            let run = try Self.bash(Self.expand(script, defaults: defaults, folder: scratch.url), in: ci.url, environment: environment)
            #expect(run.status == 1, "\(run.stderr)\n\(run.stdout)")
            #expect(run.stderr.contains("no marker from a previous build yet"), "\(run.stderr)")
            #expect(run.stdout.contains("##vso[task.logissue type=error;sourcepath=leak.txt;linenumber=1"), "\(run.stdout)")
            let sarif = scratch.url.appendingPathComponent("Build.ArtifactStagingDirectory/CodeAnalysisLogs/patrol.sarif")
            #expect(try String(contentsOf: sarif, encoding: .utf8).contains("leak.txt"))
            let junit = scratch.url.appendingPathComponent("Common.TestResultsDirectory/patrol-junit.xml")
            #expect(try String(contentsOf: junit, encoding: .utf8).contains("leak.txt"))
        }
    }

    @Test func preCommitHooksRunAsWrittenIncludingTheFirstPush() throws {
        let hooks = try #require(try Self.load(".pre-commit-hooks.yaml") as? [[String: Any]])
        let ids = hooks.compactMap { $0["id"] as? String }
        #expect(ids == ["patrol", "patrol-pre-push", "patrol-docker", "patrol-swift"])
        let docker = try #require(hooks.first { $0["id"] as? String == "patrol-docker" })
        #expect(docker["language"] as? String == "docker")

        let repo = try PushedRepository()
        try repo.work.commit("root", ["a.txt": "a\n"])
        for hook in hooks {
            let entry = try #require(hook["entry"] as? String)
            let stages = hook["stages"] as? [String] ?? []
            if stages.contains("pre-push") {
                // The first push of a repository: pre-commit sets no PRE_COMMIT_FROM_REF.
                let environment = ciEnvironment(["PRE_COMMIT_TO_REF": try repo.sha("HEAD"), "PRE_COMMIT_REMOTE_NAME": "origin"])
                let clean = try Self.bash(entry, in: repo.work.url, environment: environment)
                #expect(clean.status == 0, "\(hook["id"]!): the first push of a clean repository: \(clean.stderr)")
            } else {
                try repo.work.write("staged.txt", "pat=\(Tokens.cask(seed: 1321))\n")
                try repo.work.git("add", "staged.txt")
                let blocked = try Self.bash(entry, in: repo.work.url, environment: ciEnvironment([:]))
                #expect(blocked.status == 1, "\(hook["id"]!): \(blocked.stderr)")
                #expect(blocked.stderr.contains("commit blocked: 1 secret"), "\(blocked.stderr)")
                try repo.work.git("reset", "-q", "staged.txt")
            }
        }

        // Without patrol on PATH the system hooks fail loudly and say where to get it.
        let system = hooks.filter { $0["language"] as? String == "system" }
        #expect(system.count == 2)
        for hook in system {
            let missing = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", hook["entry"] as! String], in: repo.work.url, stdin: nil, environment: ["PATH": "/usr/bin:/bin"])
            #expect(missing.status == 2, "\(missing.stderr)")
            #expect(missing.stderr.contains("patrol is not on PATH: install it (see Install"), "\(missing.stderr)")
        }
    }

    @Test func releaseInstallerChecksTheChecksumBeforeInstalling() throws {
        let release = try TemporaryFolder()
        let arch = try runProcess(URL(fileURLWithPath: "/usr/bin/uname"), ["-m"], in: nil, stdin: nil, environment: [:]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = "patrol-9.8.7-linux-\(arch == "arm64" ? "aarch64" : arch).tar.gz"
        let staging = try TemporaryFolder()
        try FileManager.default.createDirectory(at: staging.url.appendingPathComponent("patrol-9.8.7"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PatrolBinary.url, to: staging.url.appendingPathComponent("patrol-9.8.7/patrol"))
        try FileManager.default.createDirectory(at: release.url.appendingPathComponent("v9.8.7"), withIntermediateDirectories: true)
        let archive = release.url.appendingPathComponent("v9.8.7/" + name)
        #expect(try runProcess(URL(fileURLWithPath: "/bin/tar"), ["-czf", archive.path, "-C", staging.path, "patrol-9.8.7"], in: nil, stdin: nil, environment: [:]).status == 0)
        let sum = try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [archive.path], in: nil, stdin: nil, environment: [:]).stdout
        let checksum = release.url.appendingPathComponent("v9.8.7/\(name).sha256")
        try Data((String(sum.prefix(64)) + "  " + name + "\n").utf8).write(to: checksum)

        let scratch = try TemporaryFolder()
        let output = scratch.url.appendingPathComponent("output")
        let environment = ["PATROL_VERSION": "9.8.7", "PATROL_RELEASE_BASE_URL": "file://" + release.path, "RUNNER_TEMP": scratch.path, "GITHUB_OUTPUT": output.path, "PATH": "/usr/bin:/bin"]
        let script = Self.root.appendingPathComponent("scripts/install-release.sh")
        let installed = try runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path], in: nil, stdin: nil, environment: environment)
        #expect(installed.status == 0, "\(installed.stderr)\n\(installed.stdout)")
        #expect(try String(contentsOf: output, encoding: .utf8).contains("installed=true"), "\(installed.stdout)")

        try Data((String(repeating: "0", count: 64) + "  " + name + "\n").utf8).write(to: checksum)
        let second = try TemporaryFolder()
        let refused = try runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path], in: nil, stdin: nil, environment: environment.merging(["RUNNER_TEMP": second.path]) { $1 })
        #expect(refused.status == 2, "\(refused.stdout)")
        #expect(refused.stdout.contains("checksum mismatch"), "\(refused.stdout)")
    }
}
