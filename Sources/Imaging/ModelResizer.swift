/// Resizes an RGB image to the model's input size (aspect ratio ignored, as the original service did)
/// and scales each sample to `x / 127.5 - 1`, writing NHWC floats. Filters: see `AxisWeights`.
///
/// Separable, one output row at a time: the vertical pass blends whole source rows into one float row
/// (a contiguous loop the compiler vectorises), already scaled to [-1, 1] (the weights sum to 1, so the
/// offset passes through); the horizontal pass then blends its pixels straight into the destination.
enum ModelResizer {
    static func resizeNormalised(_ image: RGBImage, width outWidth: Int, height outHeight: Int,
                                 into destination: UnsafeMutablePointer<Float>) {
        guard image.width > 0, image.height > 0, image.pixels.count >= image.width * image.height * 3 else {
            destination.update(repeating: -1, count: outWidth * outHeight * 3)  // nothing to show: black
            return
        }
        let horizontal = AxisWeights(from: image.width, to: outWidth)
        let vertical = AxisWeights(from: image.height, to: outHeight)
        let rowLength = image.width * 3
        // One spare lane: the horizontal pass loads 4 floats per RGB pixel.
        let row = UnsafeMutablePointer<Float>.allocate(capacity: rowLength + 1)
        defer { row.deallocate() }
        row[rowLength] = 0
        image.pixels.withUnsafeBufferPointer { source in
            vertical.starts.withUnsafeBufferPointer { starts in
                vertical.weights.withUnsafeBufferPointer { weights in
                    guard let source = source.baseAddress else { return }
                    for y in 0..<outHeight {
                        row.update(repeating: -1, count: rowLength)
                        for k in 0..<vertical.taps {
                            let w = weights[y &* vertical.taps &+ k] / 127.5
                            if w == 0 { continue }
                            let line = source + (starts[y] &+ k) &* rowLength
                            for i in 0..<rowLength { row[i] += w * Float(line[i]) }
                        }
                        resizeRow(row, into: destination + y &* outWidth &* 3, horizontal)
                    }
                }
            }
        }
    }

    /// One row of RGB floats to `outWidth` RGB floats. Loads and stores 4 lanes per RGB pixel (the
    /// fourth is overwritten by the next pixel), so the source needs one spare element, and the last
    /// pixel is stored lane by lane.
    private static func resizeRow(_ source: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ axis: AxisWeights) {
        let taps = axis.taps
        let raw = UnsafeRawPointer(source)
        axis.starts.withUnsafeBufferPointer { starts in
            axis.weights.withUnsafeBufferPointer { weights in
                for x in 0..<starts.count {
                    var offset = starts[x] &* 12
                    var sum = SIMD4<Float>()
                    for k in 0..<taps {
                        sum += weights[x &* taps &+ k] * raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                        offset &+= 12
                    }
                    if x < starts.count - 1 {
                        UnsafeMutableRawPointer(out + x &* 3).storeBytes(of: sum, as: SIMD4<Float>.self)
                    } else {
                        out[x * 3] = sum[0]; out[x * 3 + 1] = sum[1]; out[x * 3 + 2] = sum[2]
                    }
                }
            }
        }
    }
}
