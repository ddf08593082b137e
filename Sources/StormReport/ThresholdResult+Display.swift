extension ThresholdResult {
    /// The observed value in the unit the expression's bound was written in (`7.2ms` for `… < 5ms`), else as a
    /// plain number (`7`); `nil` when it could not be evaluated.
    ///
    /// Why here: ``value`` stays the raw figure (nanoseconds, bytes: the JSON
    /// contract), and every renderer should show it back as the person wrote it.
    public var observedText: String? {
        guard let value else { return nil }
        guard let parsed = try? ThresholdExpression(expression) else { return ThresholdExpression.format(value) }
        return parsed.display(value)
    }
}
