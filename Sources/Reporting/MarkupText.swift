/// Text made safe for HTML and XML, shared by the HTML and JUnit renderers.
///
/// Why one place: scenario names, host names, invariant examples and
/// threshold messages come from files and from the system under test, so
/// every renderer that writes markup must escape them the same way.
enum MarkupText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so `text` is safe both as element content and inside a quoted attribute.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
