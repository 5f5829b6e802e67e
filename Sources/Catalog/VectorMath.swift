import CBLAS
import MobileNet
import Dispatch

/// Small vector kernels in SIMD Swift, and the BLAS matrix-vector product.
///
/// Note: `SIMD.addProduct` is avoided on purpose: without FMA in the build target it becomes a call
/// to libm's scalar `fmaf` per lane; a multiply and an add vectorise.
enum VectorMath {
    /// Dot product of two float rows.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum0 = SIMD16<Float>(), sum1 = SIMD16<Float>()
        var i = 0
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while i + 32 <= count {
            sum0 += rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            sum1 += rawA.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self) * rawB.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var total = (sum0 + sum1).sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    static func norm(_ a: UnsafePointer<Float>, count: Int) -> Float {
        dot(a, a, count: count).squareRoot()
    }

    /// Whether OpenBLAS could be loaded (once per process, by the model's loader).
    static let blasAvailable: Bool = (try? BLASRuntime.load()) != nil

    /// y[i] = dot(row i of the rows x dimension matrix, x) for every row. Large matrices are split
    /// over two threads of our own (the model keeps OpenBLAS single-threaded, see FeatureExtractor).
    static func matrixVector(_ matrix: UnsafePointer<Float>, rows: Int, dimension: Int,
                             _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        guard rows > 0, dimension > 0 else { return }
        let parts = rows >= 32_768 ? 2 : 1
        let perPart = (rows + parts - 1) / parts
        let source = UncheckedPointers(matrix: matrix, x: x, y: y)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = part * perPart, count = min(rows, start + perPart) - start
            guard count > 0 else { return }
            let rowsStart = source.matrix + start * dimension
            if blasAvailable {
                blas_sgemv(BLAS_ROW_MAJOR, BLAS_NO_TRANS, Int32(count), Int32(dimension), 1, rowsStart,
                           Int32(dimension), source.x, 1, 0, source.y + start, 1)
            } else {
                for row in 0..<count { source.y[start + row] = dot(rowsStart + row * dimension, source.x, count: dimension) }
            }
        }
    }

    private struct UncheckedPointers: @unchecked Sendable {
        let matrix: UnsafePointer<Float>
        let x: UnsafePointer<Float>
        let y: UnsafeMutablePointer<Float>
    }
}

extension VectorMath {
    /// |row|² of a row inside a flat array.
    static func dot(_ values: [Float], offset: Int, count: Int) -> Float {
        values.withUnsafeBufferPointer { v in dot(v.baseAddress! + offset, v.baseAddress! + offset, count: count) }
    }
}
