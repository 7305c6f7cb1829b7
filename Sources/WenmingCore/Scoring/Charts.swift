import Foundation

/// Small server-side SVG charts (no scripts, no outside resources): a score trend and a distribution.
public enum SVGChart {
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
    static func num(_ d: Double) -> String { String(format: "%.1f", d) }

    /// A line of values (hundredths, 0–10000 or more) over labelled periods; gaps where a value is missing.
    public static func trend(_ points: [(label: String, value: Int?)], width: Int = 480, height: Int = 180, title: String) -> String {
        let left = 36.0, right = 12.0, top = 12.0, bottom = 28.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let values = points.compactMap(\.value)
        let hi = Double(max(10000, values.max() ?? 0)), lo = Double(min(values.min() ?? 0, 6000) / 1000 * 1000)
        func x(_ i: Int) -> Double { left + (points.count > 1 ? w * Double(i) / Double(points.count - 1) : w / 2) }
        func y(_ v: Int) -> Double { top + h - h * (Double(v) - lo) / max(1, hi - lo) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
        s += "<title>\(esc(title))</title>"
        for g in stride(from: lo, through: hi, by: max(1000, ((hi - lo) / 4 / 1000).rounded(.up) * 1000)) {
            s += "<line x1=\"\(num(left))\" x2=\"\(num(left + w))\" y1=\"\(num(y(Int(g))))\" y2=\"\(num(y(Int(g))))\" class=\"grid\"/>"
            s += "<text x=\"\(num(left - 4))\" y=\"\(num(y(Int(g)) + 4))\" text-anchor=\"end\">\(Int(g) / 100)</text>"
        }
        var segment: [String] = []
        func flush() { if segment.count > 1 { s += "<polyline class=\"line\" points=\"\(segment.joined(separator: " "))\"/>" }; segment = [] }
        for (i, p) in points.enumerated() {
            s += "<text x=\"\(num(x(i)))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(esc(p.label))</text>"
            if let v = p.value {
                segment.append("\(num(x(i))),\(num(y(v)))")
                s += "<circle cx=\"\(num(x(i)))\" cy=\"\(num(y(v)))\" r=\"3\" class=\"dot\"><title>\(esc(p.label))：\(Score(hundredths: v))</title></circle>"
            } else { flush() }
        }
        flush()
        return s + "</svg>"
    }

    /// How many totals fall in each band of `step` hundredths from `from` up (the last band open-ended), as bars.
    public static func distribution(_ totals: [Int], from: Int = 6000, step requested: Int = 500, width: Int = 480, height: Int = 180, title: String) -> String {
        let step = max(100, requested)
        var bands: [(String, Int)] = [("<\(from / 100)", totals.filter { $0 < from }.count)]
        var lo = from
        while lo < 10000 {
            let hi = lo + step
            bands.append(("\(lo / 100)–", totals.filter { $0 >= lo && ($0 < hi || hi >= 10000) }.count))
            lo = hi
        }
        let left = 28.0, bottom = 28.0, top = 12.0
        let w = Double(width) - left - 8, h = Double(height) - top - bottom
        let maxN = Double(max(1, bands.map(\.1).max() ?? 1))
        let bw = w / Double(bands.count)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
        s += "<title>\(esc(title))</title>"
        for (i, (label, n)) in bands.enumerated() {
            let bh = h * Double(n) / maxN
            let x = left + bw * Double(i)
            s += "<rect class=\"bar\" x=\"\(num(x + 2))\" y=\"\(num(top + h - bh))\" width=\"\(num(bw - 4))\" height=\"\(num(bh))\"><title>\(esc(label))：\(n)</title></rect>"
            if n > 0 { s += "<text x=\"\(num(x + bw / 2))\" y=\"\(num(top + h - bh - 3))\" text-anchor=\"middle\">\(n)</text>" }
            s += "<text x=\"\(num(x + bw / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(esc(label))</text>"
        }
        return s + "</svg>"
    }
}
