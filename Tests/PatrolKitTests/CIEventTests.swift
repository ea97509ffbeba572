import Foundation
import Testing
@testable import PatrolKit

/// What `patrol ci` reads from each CI's environment, before git is asked anything.
@Suite struct CIEventTests {
    let zero = String(repeating: "0", count: 40)

    func github(_ event: String, _ payload: [String: Any]) throws -> CIEvent? {
        let data = try JSONSerialization.data(withJSONObject: payload)
        return try CIEvent.detect(environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": "/event.json"]) { path in
            #expect(path == "/event.json")
            return data
        }
    }

    @Test func githubPushOfANewBranchHasNoBefore() throws {
        let event = try github("push", ["ref": "refs/heads/topic", "before": zero, "after": "abc"])
        #expect(event == CIEvent(provider: .github, name: "push to topic", selection: .push(before: nil, after: "abc", branch: "topic")))
    }

    @Test func githubPushOfATagPeelsToItsCommitAndHasNoBranch() throws {
        let event = try github("push", ["ref": "refs/tags/v1", "before": zero, "after": "tagobject"])
        #expect(event?.selection == .push(before: nil, after: "tagobject^{commit}", branch: nil))
        #expect(event?.name == "tag v1")
    }

    @Test func githubPullRequestIsBaseToHead() throws {
        let event = try github("pull_request_target", ["pull_request": ["number": 9, "base": ["sha": "b"], "head": ["sha": "h"]]])
        #expect(event == CIEvent(provider: .github, name: "pull request #9", selection: .range(base: "b", head: "h")))
    }

    @Test func githubDispatchAndScheduleScanAllHistory() throws {
        #expect(try github("workflow_dispatch", [:])?.selection == .allRefs)
        #expect(try github("schedule", [:])?.selection == .allRefs)
    }

    @Test func githubPullRequestWithoutTheEventFileIsAnError() {
        #expect(throws: CIError.missingVariable(.github, "GITHUB_EVENT_PATH")) {
            try CIEvent.detect(environment: ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"])
        }
    }

    @Test func azureBuildsByReason() throws {
        let base = ["TF_BUILD": "True", "BUILD_SOURCEVERSION": "s", "BUILD_SOURCEBRANCH": "refs/heads/main"]
        #expect(try CIEvent.detect(environment: base.merging(["BUILD_REASON": "IndividualCI"]) { $1 })?.selection == .sinceMarker(head: "s"))
        #expect(try CIEvent.detect(environment: base.merging(["BUILD_REASON": "Manual"]) { $1 })?.selection == .allRefs)
        let pr = try CIEvent.detect(environment: base.merging(["BUILD_REASON": "PullRequest", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main", "SYSTEM_PULLREQUEST_SOURCECOMMITID": "src"]) { $1 })
        #expect(pr?.selection == .range(base: "main", head: "src"))
        let tag = try CIEvent.detect(environment: ["TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEVERSION": "t", "BUILD_SOURCEBRANCH": "refs/tags/v2"])
        #expect(tag?.selection == .push(before: nil, after: "t^{commit}", branch: nil))
    }

    @Test func gitlabMergeRequestPushAndNewBranch() throws {
        let mr = try CIEvent.detect(environment: ["GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "4", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "base", "CI_COMMIT_SHA": "head"])
        #expect(mr == CIEvent(provider: .gitlab, name: "merge request !4", selection: .range(base: "base", head: "head")))
        let push = try CIEvent.detect(environment: ["GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "dev", "CI_COMMIT_BEFORE_SHA": zero, "CI_COMMIT_SHA": "head"])
        #expect(push?.selection == .push(before: nil, after: "head", branch: "dev"))
        #expect(try CIEvent.detect(environment: ["GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_SHA": "h"])?.selection == .allRefs)
    }

    @Test func preCommitPrePushComesFirstAndAFirstPushHasNoFromRef() throws {
        let event = try CIEvent.detect(environment: ["GITHUB_ACTIONS": "true", "PRE_COMMIT_TO_REF": "to", "PRE_COMMIT_REMOTE_NAME": "upstream"])
        #expect(event == CIEvent(provider: .preCommit, name: "push to upstream", selection: .pushedRefs([PushedRef(localSha: "to", remoteSha: nil)], remote: "upstream")))
    }

    @Test func noCIIsNil() throws {
        #expect(try CIEvent.detect(environment: ["PATH": "/usr/bin", "GITHUB_ACTIONS": "", "TF_BUILD": "false"]) == nil)
    }

    @Test func prePushInputSkipsDeletedRefsAndMarksNewOnes() {
        let input = "refs/heads/a 1111 refs/heads/a \(zero)\nrefs/heads/gone \(zero) refs/heads/gone 2222\nrefs/heads/b 3333 refs/heads/b 4444\n"
        #expect(PushedRef.parse(input) == [PushedRef(localSha: "1111", remoteSha: nil), PushedRef(localSha: "3333", remoteSha: "4444")])
    }

    @Test func rangeOptionSplitsTwoDotsAndTakesOneRevisionAsItsHistory() {
        #expect(CIEvent.range("a..b").selection == .range(base: "a", head: "b"))
        #expect(CIEvent.range("main..").selection == .range(base: "main", head: "HEAD"))
        #expect(CIEvent.range("v1").selection == .history(head: "v1"))
    }

    @Test func annotationsEscapeTheirSeparatorsAndRedact() {
        #expect(CIAnnotations.githubProperty("a,b:c%\n") == "a%2Cb%3Ac%25%0A")
        #expect(CIAnnotations.azureProperty("a;b]c%") == "a%3Bb%5Dc%AZP25")
    }
}
