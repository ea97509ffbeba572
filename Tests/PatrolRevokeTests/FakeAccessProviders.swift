import Foundation
@testable import PatrolRevoke

/// The listing calls of the access map, and AWS STS, on `FakeProviders`: paged as the
/// providers page (GitHub `Link`, GitLab `X-Next-Page`, Azure DevOps `x-ms-continuationtoken`),
/// `pageSize` entries a page. Handlers run with the lock held.
extension FakeProviders {
    /// What live tokens reach; set through `configure`.
    struct Reach {
        var gitHubScopes: String?
        var gitHubOrgs: [String] = []
        /// `full_name` and `permissions.push`.
        var gitHubRepos: [(name: String, push: Bool)] = []
        var gitLabUsername = "deploy-bot"
        var gitLabProjects: [String] = []
        var slackScopes: String?
        var azureProjects: [String] = []
        /// (project, repository).
        var azureRepositories: [(project: String, name: String)] = []
        /// AWS key pairs by access key id.
        var awsKeys: [String: AWSKey] = [:]
    }

    struct AWSKey {
        var secret: String
        var account: String
        var arn: String
        var userId: String
    }

    func configure(_ change: (inout Reach) -> Void) { locked { change(&reach) } }

    /// Page `page` (1-based) of `items`, and whether another follows.
    private func page<T>(_ items: [T], _ number: Int) -> ([T], Bool) {
        let start = (max(number, 1) - 1) * pageSize
        return (Array(items.dropFirst(start).prefix(pageSize)), start + pageSize < items.count)
    }

    func gitHubListing(_ request: TestHTTPServer.Request, _ route: String) -> TestHTTPServer.Response {
        let number = Int(request.query["page"] ?? "1") ?? 1
        guard request.query["per_page"] == "100" else { return .json(400, ["message": "per_page"]) }
        let objects: [[String: Any]]
        let more: Bool
        if route == "user/orgs" {
            let (items, next) = page(reach.gitHubOrgs, number)
            objects = items.map { ["login": $0, "id": 1] }
            more = next
        } else {
            let (items, next) = page(reach.gitHubRepos, number)
            objects = items.map { ["full_name": $0.name, "permissions": ["admin": false, "push": $0.push, "pull": true]] }
            more = next
        }
        let link = more ? [("Link", "<\(baseURL)/github/\(route)?per_page=100&page=\(number + 1)>; rel=\"next\"")] : []
        return .json(200, objects, headers: link)
    }

    func gitLabListing(_ request: TestHTTPServer.Request, _ route: String) -> TestHTTPServer.Response {
        guard let token = request.header("PRIVATE-TOKEN"), live.contains(token) else { return .json(401, ["message": "401 Unauthorized"]) }
        if route == "api/v4/user" { return .json(200, ["id": 42, "username": reach.gitLabUsername]) }
        guard request.query["min_access_level"] == "30" else { return .json(400, ["message": "min_access_level"]) }
        let number = Int(request.query["page"] ?? "1") ?? 1
        let (items, more) = page(reach.gitLabProjects, number)
        return .json(200, items.map { ["path_with_namespace": $0, "id": 1] }, headers: more ? [("X-Next-Page", String(number + 1))] : [])
    }

    func azureProjects(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        let start = Int(request.query["continuationToken"] ?? "0") ?? 0
        let items = Array(reach.azureProjects.dropFirst(start).prefix(pageSize))
        let more = start + pageSize < reach.azureProjects.count
        return .json(200, ["count": items.count, "value": items.map { ["name": $0, "id": UUID().uuidString] }],
                     headers: more ? [("x-ms-continuationtoken", String(start + pageSize))] : [])
    }

    func azureRepositories(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        .json(200, ["count": reach.azureRepositories.count, "value": reach.azureRepositories.map { ["name": $0.name, "project": ["name": $0.project]] }])
    }

    /// STS as AWS documents it: `POST /` with `Action=GetCallerIdentity&Version=2011-06-15`,
    /// the signature recomputed here from the received request and the key's secret. An unknown
    /// key id is `InvalidClientTokenId`, a wrong signature `SignatureDoesNotMatch`, both 403.
    func aws(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        func error(_ status: Int, _ code: String) -> TestHTTPServer.Response {
            .text(status, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(code)</Message></Error><RequestId>r-1</RequestId></ErrorResponse>", contentType: "text/xml")
        }
        guard request.method == "POST", request.target == "/aws/" else { return error(404, "UnknownOperation") }
        guard request.bodyText == "Action=GetCallerIdentity&Version=2011-06-15" else { return error(400, "InvalidAction") }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix(SigV4.algorithm + " "),
              let date = request.header("X-Amz-Date") else { return error(403, "MissingAuthenticationToken") }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SigV4.algorithm.count + 1).split(separator: ",") {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if pieces.count == 2 { fields[pieces[0]] = pieces[1] }
        }
        guard let credential = fields["Credential"]?.split(separator: "/").map(String.init), credential.count == 5,
              let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else { return error(400, "IncompleteSignature") }
        guard credential[1] == String(date.prefix(8)), credential[2] == "us-east-1", credential[3] == "sts", credential[4] == "aws4_request" else {
            return error(403, "SignatureDoesNotMatch")
        }
        guard let key = reach.awsKeys[credential[0]], live.contains(key.secret) else { return error(403, "InvalidClientTokenId") }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("host"), names.contains("x-amz-date") else { return error(403, "SignatureDoesNotMatch") }
        let headers = request.headers.filter { names.contains($0.name.lowercased()) }
        let (canonical, _) = SigV4.canonicalRequest(method: request.method, path: request.path, query: "", headers: headers, body: request.body)
        let expected = SigV4(accessKeyId: credential[0], secretAccessKey: key.secret, region: "us-east-1", service: "sts").signature(canonicalRequest: canonical, timestamp: date)
        guard expected == signature else { return error(403, "SignatureDoesNotMatch") }
        return .text(200, """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>\(key.arn)</Arn>
                <UserId>\(key.userId)</UserId>
                <Account>\(key.account)</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """, contentType: "text/xml")
    }
}
