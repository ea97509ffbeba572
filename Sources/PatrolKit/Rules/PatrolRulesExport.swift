// The rule model (`Rule`, `Provider`, `Confidence`, `RuleError`, `ProviderAPICoverage`) lives in
// PatrolRules, which the build tool that compiles patterns/*.yml shares; PatrolKit's users see it
// as part of PatrolKit.
@_exported import PatrolRules
