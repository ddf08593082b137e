/// The small pieces every SVG chart of the HTML report writes: the opening
/// tag, coordinates, text that fits, and legend layout.
///
/// Why shared: the line and bar charts must look alike (same fonts, classes
/// and number format) and be byte-for-byte stable for the golden tests.
enum SVGText {
    /// The average advance of one character of the 11-unit sans-serif labels, used to lay text out without measuring it.
    static let characterWidth = 6.3
    /// Labels longer than this are cut with an ellipsis (host names can be long).
    static let maximumLabelCharacters = 64

    /// A coordinate with at most one decimal (`12.5`, `40`).
    static func n(_ value: Double) -> String { NumberText.fixed(value, 1) }

    /// The opening `<svg>` tag: a viewBox that scales to the page, an accessible label.
    static func open(width: Double, height: Double, label: String) -> String {
        #"<svg class="chart" viewBox="0 0 \#(n(width)) \#(n(height))" width="\#(n(width))" height="\#(n(height))" role="img" aria-label="\#(MarkupText.escape(label))">"#
    }

    /// `text` cut to ``maximumLabelCharacters`` with an ellipsis.
    static func shortened(_ text: String, to limit: Int = maximumLabelCharacters) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// The estimated width of `text` once shortened.
    static func width(_ text: String, limit: Int = maximumLabelCharacters) -> Double {
        Double(min(text.count, limit)) * characterWidth
    }

    /// Lays legend entries out in rows between `left` and `right`: each row lists (entry index, x where its swatch starts).
    static func legendRows(_ names: [String], from left: Double, to right: Double) -> [[(Int, Double)]] {
        var rows: [[(Int, Double)]] = []
        var row: [(Int, Double)] = []
        var cursor = left
        for (index, name) in names.enumerated() {
            let entryWidth = 25 + width(name) + 16
            if !row.isEmpty, cursor + entryWidth > right {
                rows.append(row)
                row = []
                cursor = left
            }
            row.append((index, cursor))
            cursor += entryWidth
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}
