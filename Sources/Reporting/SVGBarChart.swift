/// A horizontal bar chart drawn with plain SVG elements: one labelled row per
/// item (a lock), its bar on a shared value axis and its value written beside it.
///
/// Why horizontal: lock names (`flagCache.registry`) are long, and read best
/// as row labels; the value beside each bar keeps the exact figure readable
/// when bars differ by orders of magnitude.
struct SVGBarChart {
    /// One row.
    struct Bar: Sendable, Hashable {
        /// The row's label (shortened when long; the full text is the bar's tooltip).
        var label: String
        /// The bar's length, in the scale's units.
        var value: Double
        /// The figure written beside the bar.
        var valueLabel: String
        /// Fill colour.
        var color: String
    }

    /// What the chart shows, for screen readers (`aria-label`).
    var label: String
    /// The value axis (bars start at its lower bound).
    var scale: ChartScale
    /// The value axis title, with its unit.
    var axisTitle: String
    /// The rows, top to bottom.
    var bars: [Bar]
    /// The drawing's width in SVG units (it scales to the page).
    var width: Double = 640

    /// Layout in SVG units: row pitch, bar thickness, room right of the plot for the value labels, top margin.
    static let rowHeight = 24.0, barHeight = 14.0, valueLabelRoom = 176.0, top = 8.0

    /// The chart as one `<svg>` element.
    func render() -> String {
        let labelRoom = min(max(bars.map { SVGText.width($0.label, limit: 28) }.max() ?? 0, 60), 28 * SVGText.characterWidth) + 12
        let plotLeft = labelRoom, plotRight = width - Self.valueLabelRoom
        let plotBottom = Self.top + Double(max(bars.count, 1)) * Self.rowHeight
        let height = plotBottom + 40
        func px(_ value: Double) -> Double { plotLeft + scale.fraction(value) * (plotRight - plotLeft) }

        var svg = [SVGText.open(width: width, height: height, label: label)]
        for tick in scale.ticks {
            let position = px(tick.value)
            svg.append(#"<line class="grid" x1="\#(SVGText.n(position))" y1="\#(SVGText.n(Self.top))" x2="\#(SVGText.n(position))" y2="\#(SVGText.n(plotBottom))"/>"#)
            svg.append(#"<text class="tick" x="\#(SVGText.n(position))" y="\#(SVGText.n(plotBottom + 14))" text-anchor="middle">\#(MarkupText.escape(tick.label))</text>"#)
        }
        for (index, bar) in bars.enumerated() {
            let rowTop = Self.top + Double(index) * Self.rowHeight
            let barTop = rowTop + (Self.rowHeight - Self.barHeight) / 2
            let end = px(bar.value)
            svg.append(#"<text class="tick" x="\#(SVGText.n(plotLeft - 6))" y="\#(SVGText.n(barTop + 11))" text-anchor="end">\#(MarkupText.escape(SVGText.shortened(bar.label, to: 28)))</text>"#)
            svg.append(#"<rect x="\#(SVGText.n(plotLeft))" y="\#(SVGText.n(barTop))" width="\#(SVGText.n(end - plotLeft))" height="\#(SVGText.n(Self.barHeight))" fill="\#(bar.color)"><title>\#(MarkupText.escape(bar.label + ": " + bar.valueLabel))</title></rect>"#)
            svg.append(#"<text class="legend" x="\#(SVGText.n(end + 5))" y="\#(SVGText.n(barTop + 11))">\#(MarkupText.escape(SVGText.shortened(bar.valueLabel, to: Int((Self.valueLabelRoom - 8) / SVGText.characterWidth))))</text>"#)
        }
        svg.append(#"<path class="axis" d="M\#(SVGText.n(plotLeft)) \#(SVGText.n(Self.top))V\#(SVGText.n(plotBottom))H\#(SVGText.n(plotRight))"/>"#)
        svg.append(#"<text class="title" x="\#(SVGText.n((plotLeft + plotRight) / 2))" y="\#(SVGText.n(plotBottom + 32))" text-anchor="middle">\#(MarkupText.escape(axisTitle))</text>"#)
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }
}
