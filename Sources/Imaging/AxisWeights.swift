/// For one axis of a resize: which source samples each output sample reads, and with what weights.
///
/// Shrinking uses area averaging: output sample i covers the source interval [i·s, (i+1)·s) with
/// s = in/out, and each source sample weighs by how much of it lies inside (a box filter with exact
/// fractional coverage). Every source pixel contributes, so fine detail (text, fabric, JPEG noise) is
/// averaged instead of aliased, and a flat area stays exactly flat. Enlarging uses bilinear
/// interpolation between the two nearest source samples (pixel centres aligned, edges clamped): area
/// averaging would only replicate pixels into blocks there.
struct AxisWeights {
    /// Taps per output sample (unused taps have weight 0 and point at a valid sample).
    let taps: Int
    /// First source index per output sample.
    let starts: [Int]
    /// `taps` weights per output sample; each group sums to 1.
    let weights: [Float]

    init(from input: Int, to output: Int) {
        if output < input {
            (taps, starts, weights) = AxisWeights.area(from: input, to: output)
        } else {
            (taps, starts, weights) = AxisWeights.bilinear(from: input, to: output)
        }
    }

    private static func area(from input: Int, to output: Int) -> (Int, [Int], [Float]) {
        let scale = Double(input) / Double(output)
        let taps = min(Int(scale.rounded(.up)) + 1, input)
        var starts = [Int](repeating: 0, count: output)
        var weights = [Float](repeating: 0, count: output * taps)
        for i in 0..<output {
            let low = Double(i) * scale, high = min(Double(i + 1) * scale, Double(input))
            let first = min(Int(low), input - 1)
            starts[i] = min(first, input - taps)
            for j in first..<min(Int(high.rounded(.up)), input) {
                let covered = min(high, Double(j + 1)) - max(low, Double(j))
                if covered > 0 { weights[i * taps + j - starts[i]] = Float(covered / scale) }
            }
        }
        return (taps, starts, weights)
    }

    private static func bilinear(from input: Int, to output: Int) -> (Int, [Int], [Float]) {
        let taps = min(2, input)
        var starts = [Int](repeating: 0, count: output)
        var weights = [Float](repeating: 0, count: output * taps)
        let scale = Double(input) / Double(output)
        for i in 0..<output {
            let centre = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(input - 1))
            let first = min(Int(centre), max(input - 2, 0))
            let t = centre - Double(first)
            starts[i] = first
            weights[i * taps] = Float(1 - t)
            if taps == 2 { weights[i * taps + 1] = Float(t) }
        }
        return (taps, starts, weights)
    }
}
