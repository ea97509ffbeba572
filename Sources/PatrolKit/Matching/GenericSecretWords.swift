/// The word lists of `GenericSecret`: small on purpose (a value is tested only after a regex
/// matched a credential-like name), and lowercase.
enum GenericSecretWords {
    /// Any of these inside a value makes it a placeholder, a sample or a test value.
    static let placeholders: [String] = [
        "example", "sample", "dummy", "changeme", "change_me", "change-me", "placeholder", "your",
        "redacted", "replace", "insert", "xxx", "todo", "fixme", "fixture", "fake", "mock", "demo", "default",
        "test", "secret", "password", "passwd", "token", "notreal", "not_real", "not-real", "invalid",
        "foobar", "lorem", "ipsum", "qwerty", "letmein", "welcome", "admin", "abc123", "123456",
        "hunter", "dontuse", "do_not", "donot", "nothing", "empty", "undefined", "null", "none",
        "true", "false", "enter", "here", "value", "string", "sensitive", "hidden", "masked", "blah",
        "...", "credential", "auth",
        // The example tokens of RFC 6749, copied into many OAuth libraries' documentation.
        "2yotnfzfejr1zcsicmwpaa", "tgzv3jokf0xg5qx2tlkwia",
        // The example bearer token of RFC 6750.
        "mf_9.b5f-4.1jqm",
        // The verification token of the example request in Slack's guide to verifying requests,
        // copied into Slack's SDKs and their tests.
        "xyzz0wbapa4vbcdefasx0q6g",
    ]

    /// Fragments of typed passwords, tested in values under 20 characters only.
    static let shortPlaceholders: [String] = ["123", "321", "abc", "qwe", "asd"]

    /// Common English and technical words: a value mostly made of them was typed by a person
    /// (`MySuperSecretPassword`, `correcthorsebatterystaple`) or names something.
    static let trie = WordTrie(dictionaryWords)

    /// `placeholders` and `shortPlaceholders` as bytes, for `GenericSecret.isWordy`.
    static let placeholderBytes = placeholders.map { Array($0.utf8) }
    static let shortPlaceholderBytes = shortPlaceholders.map { Array($0.utf8) }

    private static let dictionaryWords: [String] = [
        "the", "and", "for", "you", "not", "all", "any", "can", "new", "old", "one", "two", "use", "get", "set", "put",
        "key", "api", "app", "web", "dev", "prod", "db", "sql", "user", "users", "name", "names", "pass", "word", "words",
        "super", "strong", "secure", "safe", "private", "public", "master", "main", "root", "guest", "login", "logon",
        "access", "auth", "account", "accounts", "admin", "administrator", "service", "services", "server", "client",
        "local", "host", "localhost", "remote", "cloud", "azure", "google", "amazon", "github", "gitlab", "docker",
        "database", "data", "mysql", "postgres", "postgresql", "redis", "mongo", "mongodb", "oracle", "kafka",
        "rabbit", "elastic", "search", "cache", "queue", "storage", "bucket", "blob", "file", "files", "folder",
        "config", "configuration", "settings", "setting", "option", "options", "params", "param", "parameter",
        "value", "values", "string", "number", "text", "type", "types", "field", "fields", "form", "input", "output",
        "default", "temp", "temporary", "sample", "example", "demo", "test", "testing", "tests", "debug", "release",
        "development", "production", "staging", "stage", "environment", "env", "internal", "external", "global",
        "company", "project", "team", "office", "home", "work", "mail", "email", "smtp", "http", "https", "www",
        "com", "org", "net", "info", "site", "page", "pages", "view", "views", "model", "models", "controller",
        "handler", "manager", "provider", "factory", "builder", "helper", "utils", "util", "common", "core", "base",
        "system", "systems", "process", "request", "response", "result", "error", "errors", "exception", "message",
        "event", "events", "action", "actions", "order", "orders", "payment", "payments", "customer", "product",
        "hello", "world", "welcome", "monkey", "dragon", "sunshine", "princess", "football", "baseball", "shadow",
        "summer", "winter", "spring", "autumn", "fall", "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december", "monday", "friday", "sunday", "love", "iloveyou",
        "correct", "horse", "battery", "staple", "secret", "secrets", "password", "passwords", "passwd", "token",
        "tokens", "credential", "credentials", "change", "changeme", "letmein", "trustno", "qwerty", "abc", "xyz",
        "foo", "bar", "baz", "qux", "quux", "lorem", "ipsum", "dolor", "amet", "with", "from", "this", "that", "into",
        "only", "just", "very", "long", "short", "my", "our", "their", "first", "last", "next", "back", "front",
        "end", "start", "stop", "open", "close", "read", "write", "create", "delete", "update", "list", "lists",
        "item", "items", "map", "key", "keys", "lock", "unlock", "sign", "signing", "verify", "encrypt", "decrypt",
        "cipher", "crypto", "hash", "salt", "seed", "random", "session", "cookie", "bearer", "basic", "digest",
        "oauth", "openid", "jwt", "saml", "ldap", "kerberos", "ssh", "ssl", "tls", "cert", "certificate", "signature",
        "jenkins", "travis", "circle", "pipeline", "pipelines", "build", "deploy", "deployment", "runner", "agent",
        "node", "java", "python", "ruby", "rust", "swift", "kotlin", "scala", "golang", "script", "scripts", "shell",
        "bash", "power", "windows", "linux", "apple", "microsoft", "office", "teams", "slack", "discord", "telegram",
        "twitter", "facebook", "stripe", "twilio", "sendgrid", "heroku", "vercel", "netlify", "shopify", "jira",
        "confluence", "atlassian", "bitbucket", "npm", "pypi", "nuget", "maven", "gradle", "registry", "feed",
        "package", "packages", "module", "modules", "library", "version", "latest", "stable", "beta", "alpha",
        "black", "white", "red", "green", "blue", "yellow", "orange", "purple", "silver", "gold", "golden",
        "cat", "dog", "fish", "bird", "tiger", "lion", "bear", "wolf", "eagle", "falcon", "phoenix", "unicorn",
        "star", "sun", "moon", "sky", "fire", "water", "earth", "wind", "ice", "snow", "rain", "storm", "thunder",
        "king", "queen", "prince", "knight", "magic", "ninja", "pirate", "hacker", "matrix", "zombie", "batman",
        "superman", "starwars", "pokemon", "mustang", "ferrari", "porsche", "harley", "chelsea", "arsenal",
        "liverpool", "barcelona", "killer", "charlie", "michael", "jordan", "thomas", "robert", "daniel", "jessica",
        "ashley", "jennifer", "andrew", "joshua", "matthew", "anthony", "william", "nicole", "hunter", "ranger",
        "asdf", "asd", "sdf", "qwe", "qwer", "wer", "jkl", "lkj", "zxc", "dfg", "hjk", "xyzzy",
        "some", "thing", "something", "nothing", "anything", "everything", "inside", "outside", "side", "refresh",
        "buster", "soccer", "hockey", "tennis", "golf", "cheese", "coffee", "pizza", "cookie", "banana", "cherry",
    ]

    /// Leetspeak undone before the word tests.
    static let leet: [UInt8: UInt8] = [
        UInt8(ascii: "0"): UInt8(ascii: "o"), UInt8(ascii: "1"): UInt8(ascii: "i"), UInt8(ascii: "3"): UInt8(ascii: "e"),
        UInt8(ascii: "4"): UInt8(ascii: "a"), UInt8(ascii: "5"): UInt8(ascii: "s"), UInt8(ascii: "7"): UInt8(ascii: "t"),
        UInt8(ascii: "@"): UInt8(ascii: "a"), UInt8(ascii: "$"): UInt8(ascii: "s"), UInt8(ascii: "!"): UInt8(ascii: "i"),
    ]
}

/// A set of words as a trie over their bytes: `forEachWord` lists the words that start at a
/// position of a text in one walk, without building a string per candidate length.
struct WordTrie: Sendable {
    /// The column of each byte that occurs in some word, plus one; 0 for the others.
    private let column: [UInt8]
    private let width: Int
    /// `children[node * width + column]`: the child node, 0 for none (node 0 is the root).
    private let children: [Int32]
    private let isWord: [Bool]

    init(_ words: [String]) {
        var column = [UInt8](repeating: 0, count: 256)
        var width = 0
        for byte in words.flatMap({ $0.utf8 }) where column[Int(byte)] == 0 {
            width += 1
            column[Int(byte)] = UInt8(width)
        }
        var children = [Int32](repeating: 0, count: max(width, 1))
        var isWord = [false]
        for word in words {
            var node = 0
            for byte in word.utf8 {
                let slot = node * width + Int(column[Int(byte)]) - 1
                if children[slot] == 0 {
                    children[slot] = Int32(isWord.count)
                    isWord.append(false)
                    children.append(contentsOf: repeatElement(0, count: width))
                }
                node = Int(children[slot])
            }
            isWord[node] = true
        }
        self.column = column
        self.width = width
        self.children = children
        self.isWord = isWord
    }

    /// Calls `body` with the length of each word that starts at `text[start]`, shortest first,
    /// for lengths in `lengths`.
    func forEachWord(in text: [UInt8], from start: Int, lengths: ClosedRange<Int>, _ body: (Int) -> Void) {
        var node = 0
        var length = 0
        while start + length < text.count, length < lengths.upperBound {
            let slot = Int(column[Int(text[start + length])])
            guard slot > 0 else { return }
            node = Int(children[node * width + slot - 1])
            guard node > 0 else { return }
            length += 1
            if isWord[node], length >= lengths.lowerBound { body(length) }
        }
    }
}
