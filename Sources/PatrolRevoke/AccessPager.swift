import Foundation
import PatrolKit

/// Reads the first pages of a listing for a token's access map (`TokenAccess`): read-only
/// GETs with the leaked token, at most `maxPages` pages, so a token that reaches ten thousand
/// repositories costs three requests, not a hundred, and the map says "at least 300".
/// A page that fails ends the listing: what was read is kept (marked incomplete) and the
/// failure is reported as a hole in the map (`unlisted`), never as a small reach.
struct AccessPager: Sendable {
    let http: HTTPClient
    let redactor: Redactor
    /// Pages read per listing.
    static let maxPages = 3

    /// How to find the next page: a `Link: rel="next"` header (GitHub, GitLab), GitLab's
    /// `X-Next-Page`, or Azure DevOps' `x-ms-continuationtoken` (sent back as a query item).
    enum Paging: Sendable {
        case none
        case link
        case continuationToken
    }

    struct Outcome {
        var list: AccessList?
        var hole: TokenAccess.Unlisted?

        /// Adds this listing to `access`.
        func add(to access: inout TokenAccess) {
            if let list { access.lists.append(list) }
            if let hole { access.unlisted.append(hole) }
        }
    }

    /// `names` reads one page's names from its JSON; nil: the page is not the documented list.
    func collect(_ kind: String, _ relation: AccessList.Relation, first: URL, headers: [(name: String, value: String)], paging: Paging,
                 names: (Any) -> [String]?) async -> Outcome {
        var collected: [String] = []
        var url: URL? = first
        var pages = 0
        var seen = Set<String>()
        while let current = url {
            guard pages < Self.maxPages else {
                return Outcome(list: AccessList(kind: kind, relation: relation, names: collected, complete: false))
            }
            pages += 1
            let response: HTTPResponse
            switch await http.send(HTTPRequest(method: "GET", url: current, headers: headers)) {
            case .failure(let failure):
                return partial(kind, relation, collected, reason: failure.message)
            case .success(let answer):
                response = answer
            }
            guard response.status == 200 else {
                let message = response.providerMessage(redactedBy: redactor).map { ": \($0)" } ?? ""
                return partial(kind, relation, collected, reason: "HTTP \(response.status)\(message)")
            }
            guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)), let page = names(json) else {
                return partial(kind, relation, collected, reason: "HTTP 200, but not the documented list (\(response.bodyDescription))")
            }
            collected += page
            url = next(after: current, first: first, response: response, paging: paging)
            if let following = url, !seen.insert(following.absoluteString).inserted { url = nil }
        }
        return Outcome(list: AccessList(kind: kind, relation: relation, names: collected, complete: true))
    }

    private func partial(_ kind: String, _ relation: AccessList.Relation, _ names: [String], reason: String) -> Outcome {
        let hole = TokenAccess.Unlisted(kind: kind, reason: redactor.clean(reason, limit: 300))
        return Outcome(list: names.isEmpty ? nil : AccessList(kind: kind, relation: relation, names: names, complete: false), hole: hole)
    }

    private func next(after current: URL, first: URL, response: HTTPResponse, paging: Paging) -> URL? {
        switch paging {
        case .none:
            return nil
        case .link:
            if let link = RepositoryLister.nextLink(response.headers["link"]) { return Self.sameOrigin(link, as: first) }
            guard let page = response.headers["x-next-page"], !page.isEmpty, page.allSatisfy(\.isNumber) else { return nil }
            return Self.replacing("page", with: page, in: first)
        case .continuationToken:
            guard let token = response.headers["x-ms-continuationtoken"], !token.isEmpty else { return nil }
            return Self.replacing("continuationToken", with: token, in: first)
        }
    }

    /// A `Link` to another host would carry the token there: only the listing's own origin is
    /// followed.
    private static func sameOrigin(_ link: URL, as first: URL) -> URL? {
        guard link.scheme == first.scheme, link.host == first.host, link.port == first.port else { return nil }
        return link
    }

    private static func replacing(_ name: String, with value: String, in url: URL) -> URL? {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return nil }
        var items = (components.queryItems ?? []).filter { $0.name != name }
        items.append(URLQueryItem(name: name, value: value))
        components.percentEncodedQuery = items.map { "\($0.name)=\(URL.queryEncoded($0.value ?? ""))" }.joined(separator: "&")
        return components.url
    }
}
