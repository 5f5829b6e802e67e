/// Resizes an RGB image to the model's input size (aspect ratio ignored, as the original service did)
/// and scales each sample to `x / 127.5 - 1`, writing NHWC floats. Filters: see `AxisWeights`.
///
/// Separable: a horizontal pass into a float buffer of `height × outWidth`, then a vertical pass that
/// accumulates whole rows (a loop the compiler vectorises) straight into the destination, with the
/// normalisation folded into the vertical weights.
enum ModelResizer {
    static func resizeNormalised(_ image: RGBImage, width outWidth: Int, height outHeight: Int,
                                 into destination: UnsafeMutablePointer<Float>) {
        let horizontal = AxisWeights(from: image.width, to: outWidth)
        let vertical = AxisWeights(from: image.height, to: outHeight)
        let rowLength = outWidth * 3
        // One spare float: the horizontal pass stores 4 lanes per RGB pixel.
        var rows = [Float](repeating: 0, count: image.height * rowLength + 1)
        image.pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { rows in
                guard let source = source.baseAddress, let rows = rows.baseAddress else { return }
                let rowBytes = image.width * 3
                for y in 0..<image.height - 1 {
                    resizeRow(source + y * rowBytes, into: rows + y * rowLength, horizontal)
                }
                // The last row is read from a copy with a spare byte, as the pass loads 4 bytes per pixel.
                let last = UnsafeMutablePointer<UInt8>.allocate(capacity: rowBytes + 1)
                defer { last.deallocate() }
                last.initialize(from: source + (image.height - 1) * rowBytes, count: rowBytes)
                last[rowBytes] = 0
                resizeRow(last, into: rows + (image.height - 1) * rowLength, horizontal)
            }
        }
        rows.withUnsafeBufferPointer { rows in
            guard let rows = rows.baseAddress else { return }
            vertical.starts.withUnsafeBufferPointer { starts in
                vertical.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<outHeight {
                        let out = destination + y * rowLength
                        out.update(repeating: -1, count: rowLength)
                        for k in 0..<vertical.taps {
                            let w = weights[y * vertical.taps + k] / 127.5
                            if w == 0 { continue }
                            let row = rows + (starts[y] + k) * rowLength
                            for j in 0..<rowLength { out[j] += w * row[j] }
                        }
                    }
                }
            }
        }
    }

    /// One source row of RGB bytes to `outWidth` RGB floats (0...255). Reads 4 bytes and writes 4 floats
    /// per pixel (the fourth lane is overwritten by the next pixel), so both buffers need one spare element.
    private static func resizeRow(_ source: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<Float>, _ axis: AxisWeights) {
        let taps = axis.taps
        let raw = UnsafeRawPointer(source)
        axis.starts.withUnsafeBufferPointer { starts in
            axis.weights.withUnsafeBufferPointer { weights in
                for x in 0..<starts.count {
                    var offset = starts[x] * 3
                    var sum = SIMD4<Float>()
                    for k in 0..<taps {
                        let bytes = raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<UInt8>.self)
                        sum += weights[x * taps + k] * SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: bytes))
                        offset += 3
                    }
                    UnsafeMutableRawPointer(out + x * 3).storeBytes(of: sum, as: SIMD4<Float>.self)
                }
            }
        }
    }
}
