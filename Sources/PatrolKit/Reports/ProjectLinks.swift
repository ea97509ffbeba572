/// Where patrol's documentation lives, for links in reports (SARIF's `informationUri` and each
/// rule's `helpUri`). One place, so a fork or a move of the repository changes one line.
public enum ProjectLinks {
    /// The project's home page (its repository).
    public static let homepage = "https://github.com/OWNER/patrol"

    /// The provider's row in docs/rules.md: its rules, what they match and how a match is
    /// proven (each row carries an anchor `provider-<id>`).
    public static func rulesPage(provider: String) -> String {
        "\(homepage)/blob/main/docs/rules.md#provider-\(provider)"
    }
}
