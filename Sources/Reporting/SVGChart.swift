/// A line chart drawn with plain SVG elements: framed axes with labelled
/// ticks and titles, one polyline per series, horizontal reference lines
/// (rate limits) and a legend underneath.
///
/// Why hand-written SVG: the HTML report must be one self-contained file with
/// no scripts or external assets, readable offline and golden-testable; a few
/// `line`, `polyline`, `circle` and `text` elements do that. Coordinates are
/// written with one decimal so output is deterministic and small.
struct SVGChart {
    /// A data point, in the units of the chart's scales.
    struct Point: Sendable, Hashable {
        /// Horizontal position, in the x scale's units.
        var x: Double
        /// Vertical position, in the y scale's units.
        var y: Double
    }

    /// One line of the chart.
    struct Series: Sendable, Hashable {
        /// The name the legend shows (when the legend is derived from the series).
        var name: String
        /// Stroke colour (a CSS colour).
        var color: String
        /// Dashed rather than solid (e.g. a minimum drawn beside the actual figure).
        var dashed = false
        /// Draw a dot at every point (sparse curves, and single points that a line cannot show).
        var markers = false
        /// The points, in drawing order.
        var points: [Point]
    }

    /// A horizontal line at a fixed value across the whole plot, such as a rate limit.
    struct Reference: Sendable, Hashable {
        /// The legend's text.
        var name: String
        /// Where it stands, in the y scale's units.
        var value: Double
        /// Stroke colour.
        var color: String
    }

    /// One entry of the legend: a short line in a colour and style, and a text.
    struct LegendEntry: Sendable, Hashable {
        /// The text.
        var name: String
        /// Swatch colour.
        var color: String
        /// Dashed swatch.
        var dashed = false
        /// Thicker swatch (reference lines).
        var bold = false
        /// A ring rather than a line (the swatch of ``Mark``s).
        var ring = false
    }

    /// A ring around one point, such as the value where a plan breaks, with a tooltip.
    ///
    /// Why separate from series markers: a mark singles out one point of a curve
    /// and must stand out from the dots every point of a sparse curve has.
    struct Mark: Sendable, Hashable {
        /// Horizontal position, in the x scale's units.
        var x: Double
        /// Vertical position, in the y scale's units.
        var y: Double
        /// Stroke colour.
        var color: String
        /// The tooltip (`<title>`), e.g. `seed breaks at processes 100`.
        var label: String
    }

    /// What the chart shows, for screen readers (`aria-label`).
    var label: String
    /// The horizontal scale.
    var x: ChartScale
    /// The vertical scale.
    var y: ChartScale
    /// The horizontal axis title, with its unit.
    var xTitle: String
    /// The vertical axis title, with its unit.
    var yTitle: String
    /// The lines, drawn in order (later on top).
    var series: [Series]
    /// Horizontal reference lines, drawn on top of the series.
    var references: [Reference] = []
    /// Rings around single points, drawn on top of everything else.
    var marks: [Mark] = []
    /// The legend; `nil` derives one entry per series and reference.
    var legend: [LegendEntry]? = nil
    /// The drawing's width in SVG units (it scales to the page).
    var width: Double = 640
    /// The plot area's height in SVG units.
    var plotHeight: Double = 200

    /// Layout in SVG units: room for the y tick labels and title, and the margins around the plot.
    static let marginLeft = 70.0, marginRight = 18.0, marginTop = 10.0
    /// The height of one row of the legend.
    static let legendRowHeight = 18.0

    /// The chart as one `<svg>` element.
    func render() -> String {
        let plotLeft = Self.marginLeft, plotRight = width - Self.marginRight
        let plotTop = Self.marginTop, plotBottom = Self.marginTop + plotHeight
        let entries = legend ?? series.map { LegendEntry(name: $0.name, color: $0.color, dashed: $0.dashed) }
            + references.map { LegendEntry(name: $0.name, color: $0.color, bold: true) }
        let rows = SVGText.legendRows(entries.map(\.name), from: plotLeft, to: plotRight)
        let height = plotBottom + 46 + Double(rows.count) * Self.legendRowHeight
        func px(_ value: Double) -> Double { plotLeft + x.fraction(value) * (plotRight - plotLeft) }
        func py(_ value: Double) -> Double { plotBottom - y.fraction(value) * (plotBottom - plotTop) }

        var svg = [SVGText.open(width: width, height: height, label: label)]
        // Grid and tick labels.
        for tick in y.ticks {
            let position = py(tick.value)
            svg.append(#"<line class="grid" x1="\#(SVGText.n(plotLeft))" y1="\#(SVGText.n(position))" x2="\#(SVGText.n(plotRight))" y2="\#(SVGText.n(position))"/>"#)
            svg.append(#"<text class="tick" x="\#(SVGText.n(plotLeft - 6))" y="\#(SVGText.n(position + 4))" text-anchor="end">\#(MarkupText.escape(tick.label))</text>"#)
        }
        for tick in x.ticks {
            let position = px(tick.value)
            svg.append(#"<line class="grid" x1="\#(SVGText.n(position))" y1="\#(SVGText.n(plotTop))" x2="\#(SVGText.n(position))" y2="\#(SVGText.n(plotBottom))"/>"#)
            svg.append(#"<text class="tick" x="\#(SVGText.n(position))" y="\#(SVGText.n(plotBottom + 16))" text-anchor="middle">\#(MarkupText.escape(tick.label))</text>"#)
        }
        svg.append(#"<path class="axis" d="M\#(SVGText.n(plotLeft)) \#(SVGText.n(plotTop))V\#(SVGText.n(plotBottom))H\#(SVGText.n(plotRight))"/>"#)
        svg.append(#"<text class="title" x="\#(SVGText.n((plotLeft + plotRight) / 2))" y="\#(SVGText.n(plotBottom + 34))" text-anchor="middle">\#(MarkupText.escape(xTitle))</text>"#)
        svg.append(#"<text class="title" transform="translate(14 \#(SVGText.n((plotTop + plotBottom) / 2))) rotate(-90)" text-anchor="middle">\#(MarkupText.escape(yTitle))</text>"#)
        // Data.
        for line in series where !line.points.isEmpty {
            let points = line.points.map { "\(SVGText.n(px($0.x))),\(SVGText.n(py($0.y)))" }.joined(separator: " ")
            svg.append(#"<polyline fill="none" stroke="\#(line.color)" stroke-width="1.6"\#(line.dashed ? #" stroke-dasharray="5 3""# : "") points="\#(points)"/>"#)
            if line.markers {
                for point in line.points {
                    svg.append(#"<circle cx="\#(SVGText.n(px(point.x)))" cy="\#(SVGText.n(py(point.y)))" r="2.2" fill="\#(line.color)"/>"#)
                }
            }
        }
        for reference in references {
            let position = py(reference.value)
            svg.append(#"<line x1="\#(SVGText.n(plotLeft))" y1="\#(SVGText.n(position))" x2="\#(SVGText.n(plotRight))" y2="\#(SVGText.n(position))" stroke="\#(reference.color)" stroke-width="2"/>"#)
        }
        for mark in marks {
            svg.append(#"<circle class="mark" cx="\#(SVGText.n(px(mark.x)))" cy="\#(SVGText.n(py(mark.y)))" r="6" fill="none" stroke="\#(mark.color)" stroke-width="2"><title>\#(MarkupText.escape(mark.label))</title></circle>"#)
        }
        // Legend.
        for (rowIndex, row) in rows.enumerated() {
            let baseline = plotBottom + 56 + Double(rowIndex) * Self.legendRowHeight
            for (index, start) in row {
                let entry = entries[index]
                if entry.ring {
                    svg.append(#"<circle cx="\#(SVGText.n(start + 10))" cy="\#(SVGText.n(baseline - 4))" r="5" fill="none" stroke="\#(entry.color)" stroke-width="2"/>"#)
                    svg.append(#"<text class="legend" x="\#(SVGText.n(start + 25))" y="\#(SVGText.n(baseline))">\#(MarkupText.escape(SVGText.shortened(entry.name)))</text>"#)
                    continue
                }
                svg.append(#"<line x1="\#(SVGText.n(start))" y1="\#(SVGText.n(baseline - 4))" x2="\#(SVGText.n(start + 20))" y2="\#(SVGText.n(baseline - 4))" stroke="\#(entry.color)" stroke-width="\#(entry.bold ? "3" : "2")"\#(entry.dashed ? #" stroke-dasharray="5 3""# : "")/>"#)
                svg.append(#"<text class="legend" x="\#(SVGText.n(start + 25))" y="\#(SVGText.n(baseline))">\#(MarkupText.escape(SVGText.shortened(entry.name)))</text>"#)
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }
}
